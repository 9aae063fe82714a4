#!/usr/bin/env bash
# `make bench`, part 2 (called by scripts/bench.sh): the desktop app's startup time and idle
# memory with a large cache. Prints two `BENCH|<metric>|<value>|<aim>` rows on stdout; progress
# goes to stderr.
#
#   1. builds the UI and the release binaries (wxopen-console, wxopen);
#   2. prepares, once, target/bench-startup/data: a sandbox profile whose simulator holds
#      100,000 accounts, synced with details by the `wxopen` CLI (reused while the stamp file
#      says it is complete; delete target/bench-startup to redo it);
#   3. inside a private D-Bus session with its own unlocked gnome-keyring (scripts/session.sh)
#      and a fresh Xvfb display, starts the release app BENCH_STARTUP_RUNS times (5; plus one
#      warm-up run that is not counted), cold each time, over the same data dir:
#      - start time: from a monotonic clock read right before the app is spawned to the
#        `WXOPEN_TABLE_PAINTED` line the shell prints once the UI reports that the first page of
#        the authorizers table is painted (command `ui_table_painted`);
#      - memory: ~3 s later (idle on that page), the PSS (/proc/<pid>/smaps_rollup) summed over
#        the app process and every descendant (WebKitWebProcess, WebKitNetworkProcess...);
#      then kills the app and its descendants. Reports the median of the runs.
#
# Knobs (env): BENCH_STARTUP_RUNS (5), BENCH_STARTUP_ACCOUNTS (100000), BENCH_STARTUP_IDLE_SECS
# (3), BENCH_STARTUP_TIMEOUT (seconds per run, 120), BENCH_STARTUP_SKIP_BUILD=1 (use the
# binaries as they are). Another account count keeps its data in target/bench-startup-<count>
# (`BENCH_LARGE=1 make bench` runs it with 1000000), so the 100,000 one is not redone.
# A third row: the data dir's bytes per account (SQLite file and WAL over the rows).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
CARGO=${CARGO:-cargo}
accounts=${BENCH_STARTUP_ACCOUNTS:-100000}
work=$root/target/bench-startup
[ "$accounts" = 100000 ] || work=$work-$accounts
data=$work/data
keyring=$work/keyring
stamp=$work/data.complete
# The binaries where cargo puts them (CARGO_TARGET_DIR when set).
bin=${CARGO_TARGET_DIR:-$root/target}/release
app=$bin/wxopen-console
cli=$bin/wxopen
export WXOPEN_KEYCHAIN_SERVICE=wxopen-bench-startup
export WXOPEN_SANDBOX_AUTHORIZERS=$accounts
# The in-process simulator's daily quota of each API: one details pass over every account, with
# the console's reserve for the backend (20 %) to spare.
export WXOPEN_SANDBOX_DAILY_QUOTA=$((accounts * 2))
export WXOPEN_DATA_DIR=$data
export WXOPEN_LOG=warn

# Stamp contents: what the data dir holds. Anything else (older stamp, other size) is redone.
want_stamp="sandbox accounts=$accounts"

if [ "${1:-}" != "--in-session" ]; then
  # The UI has to call `ui_table_painted` (see src-tauri/src/commands/app.rs), or no run ends.
  if ! grep -rq --exclude=bindings.ts 'uiTablePainted' ui/src; then
    echo "bench-startup: the UI never calls ui_table_painted (commands.uiTablePainted): the" >&2
    echo "  Authorizers view must call it once the first page of its table is painted." >&2
    exit 1
  fi
  if [ -z "${BENCH_STARTUP_SKIP_BUILD:-}" ]; then
    # The UI first: Tauri embeds ui/dist when the shell compiles.
    echo "== building the UI and the app (release)" >&2
    npm --prefix ui run build --silent >&2
    "$CARGO" build --release --locked -p wxopen-console >&2
    "$CARGO" build --release --locked -p wxopen-cli --bin wxopen >&2
  fi
  mkdir -p "$work"
  if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want_stamp" ]; then
    # Data and keyring go together: start both afresh.
    rm -rf "$data" "$keyring" "$stamp"
  fi
  mkdir -p "$data" "$keyring" "$work/home/config" "$work/home/cache"
  # A fresh private session even when called from inside another one; the keyring is kept
  # with the data (session.sh unlocks it again on every start).
  unset WXOPEN_IN_SESSION WXOPEN_THROWAWAY_KEYRING
  # Only the BENCH rows go to our stdout (through fd 3): services the session's D-Bus daemon
  # starts on demand (at-spi, portals) inherit its stdout and chatter on it.
  exec 3>&1
  WXOPEN_KEYRING_HOME=$keyring exec scripts/session.sh "$0" --in-session >&2
fi

# ---- inside the session ----------------------------------------------------------------------
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want_stamp" ]; then
  echo "== preparing $data: sandbox profile, $accounts accounts, synced with details" >&2
  "$cli" --data-dir "$data" profile add --sandbox >&2
  t0=$SECONDS
  # Its progress lines go to a log (hundreds of them); the tail is shown if it fails.
  if ! "$cli" --data-dir "$data" authorizers sync --details >"$work/prepare.log" 2>&1; then
    tail -n 20 "$work/prepare.log" >&2
    echo "bench-startup: the sync failed (log: $work/prepare.log)" >&2
    exit 1
  fi
  echo "   synced in $((SECONDS - t0)) s" >&2
  counts=$(sqlite3 "$data/wxopen.sqlite3" \
    "SELECT count(*), count(info_fetched_at), sum(nick_name <> '') FROM authorizers")
  echo "   authorizers|with details|with a nickname: $counts" >&2
  if [ "${counts%%|*}" != "$accounts" ]; then
    echo "bench-startup: expected $accounts authorizers after the sync, got ${counts%%|*}" >&2
    exit 1
  fi
  sqlite3 "$data/wxopen.sqlite3" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  printf '%s' "$want_stamp" >"$stamp"
else
  echo "== reusing $data ($want_stamp)" >&2
  # Applies any newer schema migration now, so that no timed run pays for it.
  "$cli" --data-dir "$data" profile list >/dev/null
fi

# The app's other per-user files (window state, WebKit caches) stay in the bench dir too.
export XDG_CONFIG_HOME=$work/home/config XDG_CACHE_HOME=$work/home/cache LANG=C.UTF-8
unset WAYLAND_DISPLAY
# As for the end-to-end tests: WebKitGTK's compositing and sandbox do not work under Xvfb as root.
export WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS=1 LIBGL_ALWAYS_SOFTWARE=1

db_bytes=$(stat -c %s "$data/wxopen.sqlite3" "$data/wxopen.sqlite3-wal" 2>/dev/null | awk '{s += $1} END {print s}')
bytes_row="BENCH|store bytes per account, $accounts synced with details (data dir)|$((db_bytes / accounts))|-"
# To our caller's stdout (fd 3, see above) when it is open.
{ echo "$bytes_row" >&3; } 2>/dev/null || echo "$bytes_row"

exec python3 - "$app" "$work" "$accounts" <<'PY'
import os, select, signal, statistics, subprocess, sys, threading, time

app, work, accounts = sys.argv[1], sys.argv[2], int(sys.argv[3])
runs = int(os.environ.get("BENCH_STARTUP_RUNS", "5"))
idle = float(os.environ.get("BENCH_STARTUP_IDLE_SECS", "3"))
timeout = float(os.environ.get("BENCH_STARTUP_TIMEOUT", "120"))
PAINTED, READY = "WXOPEN_TABLE_PAINTED", "WXOPEN_UI_READY"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def descendants(pid):
    """pid and every process below it, parents first (/proc/<pid>/task/*/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop(0)
        out.append(p)
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tasks:
            try:
                with open(f"/proc/{p}/task/{t}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
            except OSError:
                pass
    return out


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def top_mappings(pid, count=12):
    """[(Pss kB, file or [anon])] of the process's largest mappings, summed per file."""
    per, current = {}, "?"
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = line.split(None, 5)
            if len(head) >= 5 and "-" in head[0] and not head[0].endswith(":"):
                current = head[5].strip() if len(head) == 6 else "[anon]"
            elif line.startswith("Pss:"):
                per[current] = per.get(current, 0) + int(line.split()[1])
    return sorted(((v, k) for k, v in per.items()), reverse=True)[:count]


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def alive(pid):
    """Running (not gone, not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def kill_tree(proc):
    """Ends the app and every process below it: SIGTERM, then SIGKILL after 5 s."""
    pids = descendants(proc.pid)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        # Children first, so none is re-parented away before it is signalled.
        for p in reversed(pids):
            try:
                os.kill(p, sig)
            except OSError:
                pass
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if proc.poll() is not None and not any(alive(p) for p in pids[1:]):
                return
            time.sleep(0.05)
    proc.wait()


def start_xvfb():
    r, w = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "xvfb.log"), "wb"))
    os.close(w)
    # Read up to the newline before closing: Xvfb exits when its write fails (closed pipe).
    buf, deadline = b"", time.monotonic() + 10
    while b"\n" not in buf and time.monotonic() < deadline:
        ready, _, _ = select.select([r], [], [], 0.5)
        if ready:
            chunk = os.read(r, 64)
            if not chunk:
                break
            buf += chunk
    os.close(r)
    num = buf.decode().strip() if b"\n" in buf else ""
    if not num:
        xvfb.kill()
        sys.exit("bench-startup: Xvfb did not start")
    return xvfb, f":{num}"


def one_run(n, env):
    """(ms to the painted table, PSS MiB idle on it, {process: MiB})"""
    errlog = open(os.path.join(work, f"app-run{n}.stderr"), "wb")
    t0 = time.monotonic_ns()
    proc = subprocess.Popen([app], stdout=subprocess.PIPE, stderr=errlog, env=env)
    try:
        fd = proc.stdout.fileno()
        buf, seen, painted_ns = b"", [], None
        deadline = time.monotonic() + timeout
        while painted_ns is None:
            left = deadline - time.monotonic()
            if left <= 0:
                if READY in seen:
                    sys.exit(f"bench-startup: the app printed {READY} but no {PAINTED} within "
                             f"{timeout:.0f} s: does the Authorizers view call ui_table_painted "
                             f"once its first page is painted? (stderr: {errlog.name})")
                sys.exit(f"bench-startup: the app printed neither {READY} nor {PAINTED} within "
                         f"{timeout:.0f} s (stderr: {errlog.name})")
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                sys.exit(f"bench-startup: the app exited (status {proc.wait()}) before "
                         f"{PAINTED} (stderr: {errlog.name})")
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for raw in lines:
                line = raw.decode(errors="replace").strip()
                seen.append(line)
                if line == PAINTED:
                    painted_ns = time.monotonic_ns()
        # Keep draining stdout while idle, so the app never blocks on a full pipe.
        threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()
        time.sleep(idle)
        if proc.poll() is not None:
            sys.exit(f"bench-startup: the app exited while idle (stderr: {errlog.name})")
        parts = {}
        # Each process's smaps_rollup next to the app's stderr, for a closer look (anon vs file).
        with open(os.path.join(work, f"app-run{n}.smaps_rollup"), "w") as dump:
            for p in descendants(proc.pid):
                name = comm(p)
                parts[name] = parts.get(name, 0) + pss_kib(p)
                try:
                    with open(f"/proc/{p}/smaps_rollup") as f:
                        dump.write(f"== {p} {name}\n{f.read()}")
                    dump.write("largest mappings by Pss (kB):\n")
                    for kib, what in top_mappings(p):
                        dump.write(f"{kib:>10}  {what}\n")
                    dump.write("\n")
                except OSError:
                    pass
        total = sum(parts.values())
        return (painted_ns - t0) / 1e6, total / 1024, {k: v / 1024 for k, v in parts.items()}
    finally:
        kill_tree(proc)
        errlog.close()


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


xvfb, display = start_xvfb()
try:
    env = dict(os.environ, DISPLAY=display)
    log(f"== app startup: {runs} runs + 1 warm-up, Xvfb {display}, {os.cpu_count()} CPUs, "
        f"load average {loadavg()}")
    times, mems = [], []
    for n in range(0, runs + 1):
        ms, mib, parts = one_run(n, env)
        detail = ", ".join(f"{k} {v:.0f}" for k, v in sorted(parts.items(), key=lambda kv: -kv[1]))
        label = "warm-up" if n == 0 else f"run {n}"
        log(f"   {label}: table painted after {ms:.0f} ms; PSS {mib:.0f} MB ({detail})")
        if n > 0:
            times.append(ms)
            mems.append(mib)
        time.sleep(0.5)
    log(f"   load average after the runs: {loadavg()}")
finally:
    xvfb.terminate()
    try:
        xvfb.wait(5)
    except subprocess.TimeoutExpired:
        xvfb.kill()

try:
    rows = os.fdopen(3, "w")  # our caller's stdout (see above)
except OSError:
    rows = sys.stdout
print(f"BENCH|app start to first table page, {accounts:,} accounts (ms, median of {runs})|"
      f"{statistics.median(times):.0f}|< 1500", file=rows, flush=True)
# The issue's aim at a million accounts is 400 MB; the project's own at 100,000 is 300.
print(f"BENCH|app memory idle on the table, {accounts:,} accounts, PSS incl. WebKit (MB, "
      f"median of {runs})|{statistics.median(mems):.0f}|< {400 if accounts >= 1_000_000 else 300}",
      file=rows, flush=True)
PY
