#!/usr/bin/env bash
# `make e2e-bundle` (after `make bundle`): installs the .deb and starts the installed app.
#   1. checks the .deb's control fields (package name, version = the workspace's, architecture);
#   2. installs it with `dpkg -i` on this machine (root, or passwordless sudo; dpkg checks its
#      Depends), or, when it cannot or BUNDLE_TEST_INSTALL=extract, unpacks it into a throwaway
#      root with `dpkg-deb -x` and checks that its Depends are installed;
#   3. checks the installed package (`dpkg -s`: status, name, version; its files);
#   4. in a private D-Bus session with a throwaway unlocked gnome-keyring (scripts/session.sh),
#      with a fresh data dir (WXOPEN_DATA_DIR) and fresh XDG config/cache dirs: creates and syncs
#      the sandbox profile with the `wxopen` CLI (nobody clicks here), starts the installed
#      /usr/bin/wxopen-console under a fresh Xvfb display and waits for the `WXOPEN_TABLE_PAINTED`
#      line on its stdout (the UI reports its first page of accounts painted), then screenshots
#      it (target/screenshots/bundle-installed.png);
#   5. stops every process it started and removes the package it installed, also on failure.
# Logs: <target>/bundle-test/ (the app's stderr, the CLI's output).
# Knobs: BUNDLE_TEST_TIMEOUT (seconds to the painted table, 120), BUNDLE_TEST_ACCOUNTS (sandbox
# accounts, 300), BUNDLE_TEST_INSTALL=system|extract.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$HOME/.cargo/bin:$PATH"
CARGO=${CARGO:-cargo}

# The package whose `wxopen` binary prepares the data (the CLI is moving to its own package
# wxopen-cli: change this line then).
CLI_PACKAGE=wxopen-cli
# The Debian package name: Tauri kebab-cases productName ("WxOpen Console" -> wx-open-console).
PACKAGE=wx-open-console
BIN=/usr/bin/wxopen-console

log() { printf '[bundle-test] %s\n' "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

if [ "${1:-}" != "--in-session" ]; then
  # ---- outside the session: the package ------------------------------------------------------
  meta=$("$CARGO" metadata --format-version 1 --no-deps --locked)
  target_dir=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["target_directory"])' "$meta")
  version=$(python3 -c 'import json, sys; print(next(p["version"] for p in json.loads(sys.argv[1])["packages"] if p["name"] == "wxopen-console"))' "$meta")
  product=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["productName"])' src-tauri/tauri.conf.json)
  arch=$(dpkg --print-architecture)
  deb=$target_dir/release/bundle/deb/${product}_${version}_$arch.deb
  [ -f "$deb" ] || fail "no $deb: run make bundle first"
  work=$target_dir/bundle-test
  rm -rf "$work"
  mkdir -p "$work"

  # 1. the .deb's own fields
  field() { dpkg-deb --field "$deb" "$1"; }
  [ "$(field Package)" = "$PACKAGE" ] || fail "Package: $(field Package), expected $PACKAGE"
  [ "$(field Version)" = "$version" ] || fail "Version: $(field Version), expected the workspace's $version"
  [ "$(field Architecture)" = "$arch" ] || fail "Architecture: $(field Architecture), expected $arch"
  log "$(basename "$deb"): $PACKAGE $version $arch, Depends: $(field Depends)"

  # The `wxopen` CLI prepares the sandbox profile (debug build: `make test` has built it already).
  "$CARGO" build --locked -p "$CLI_PACKAGE" --bin wxopen
  cli=$target_dir/debug/wxopen

  # 2. install
  SUDO=""
  mode=${BUNDLE_TEST_INSTALL:-}
  if [ -z "$mode" ]; then
    if [ "$(id -u)" = 0 ]; then mode=system
    elif sudo -n true 2>/dev/null; then mode=system; SUDO="sudo -n"
    else mode=extract; log "not root and no passwordless sudo: unpacking into a throwaway root"
    fi
  elif [ "$mode" = system ] && [ "$(id -u)" != 0 ]; then
    SUDO="sudo -n"
  fi
  installed_by_us=0
  # Every process this run starts, directly or not (the D-Bus daemon, gnome-keyring, the
  # services D-Bus activates for the app such as the accessibility bus, the app, WebKit's
  # processes), inherits this variable: whatever still carries it at the end is stopped.
  run_marker="WXOPEN_BUNDLE_TEST_RUN=$$.$RANDOM"
  marked() {
    local d
    for d in /proc/[0-9]*; do
      [ "${d#/proc/}" = $$ ] && continue
      grep -qzxF "$run_marker" "$d/environ" 2>/dev/null && echo "${d#/proc/}"
    done
    return 0
  }
  stop_marked() {
    local left
    left=$(marked)
    [ -z "$left" ] && return 0
    # shellcheck disable=SC2086
    kill $left 2>/dev/null || true
    for _ in $(seq 1 50); do
      left=$(marked)
      [ -z "$left" ] && return 0
      sleep 0.1
    done
    # shellcheck disable=SC2086
    kill -9 $left 2>/dev/null || true
  }
  cleanup_outer() {
    local rc=$?
    stop_marked
    if [ "$installed_by_us" = 1 ]; then
      log "removing $PACKAGE"
      $SUDO dpkg --purge "$PACKAGE" >/dev/null || log "could not remove $PACKAGE: dpkg --purge $PACKAGE"
    fi
    rm -rf "$work/root"
    if [ "$rc" = 0 ]; then log "passed"; else log "logs: $work"; fi
  }
  trap cleanup_outer EXIT
  trap 'exit 130' INT TERM

  case "$mode" in
    system)
      status=$(dpkg-query -W -f='${Status} ${Version}' "$PACKAGE" 2>/dev/null || true)
      if [[ $status == *" installed "* ]]; then
        fail "$PACKAGE is already installed on this machine (${status##* }): this test would replace it and then remove it. Remove it first (dpkg -r $PACKAGE) or run with BUNDLE_TEST_INSTALL=extract"
      fi
      log "installing with dpkg -i"
      installed_by_us=1
      $SUDO dpkg -i "$deb" >"$work/dpkg-install.log" 2>&1 || {
        cat "$work/dpkg-install.log" >&2; fail "dpkg -i $deb"; }
      # 3. what dpkg says of it
      s() { dpkg-query -W -f="\${$1}" "$PACKAGE"; }
      [ "$(s Status)" = "install ok installed" ] || fail "dpkg status: $(s Status)"
      [ "$(s Version)" = "$version" ] || fail "installed version $(s Version), expected $version"
      dpkg -s "$PACKAGE" | sed -n -e 's/^/    /' -e '/^    \(Package\|Status\|Version\|Architecture\|Installed-Size\|Depends\):/p' >&2
      files=$(dpkg -L "$PACKAGE")
      app=$BIN
      ;;
    extract)
      for dep in $(field Depends | tr -d ' ' | tr ',' ' '); do
        name=${dep%%(*}
        [ "$(dpkg-query -W -f='${Status}' "$name" 2>/dev/null)" = "install ok installed" ] ||
          fail "Depends: $name is not installed here"
      done
      dpkg-deb -x "$deb" "$work/root"
      files=$(cd "$work/root" && find . | sed 's/^\.//')
      app=$work/root$BIN
      ;;
    *) fail "BUNDLE_TEST_INSTALL must be system or extract (got '$mode')" ;;
  esac
  for f in "$BIN" "/usr/share/applications/$product.desktop" "/usr/share/icons/hicolor/128x128/apps/${BIN##*/}.png"; do
    grep -qxF "$f" <<<"$files" || fail "the package has no $f"
  done
  [ -x "$app" ] || fail "$app is not executable"
  unresolved=$(ldd "$app" | grep 'not found' || true)
  [ -z "$unresolved" ] || { printf '%s\n' "$unresolved" >&2; fail "$app has unresolved libraries"; }

  # 4. start it, in a fresh private session (even when called from inside another one)
  unset WXOPEN_IN_SESSION WXOPEN_KEYRING_HOME
  mkdir -p "$work/data" "$work/config" "$work/cache" "$root/target/screenshots"
  set +e
  env "$run_marker" WXOPEN_THROWAWAY_KEYRING="$work/keyring" WXOPEN_DATA_DIR="$work/data" \
    XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache" \
    BUNDLE_TEST_APP="$app" BUNDLE_TEST_CLI="$cli" BUNDLE_TEST_WORK="$work" \
    BUNDLE_TEST_SHOT="$root/target/screenshots/bundle-installed.png" \
    scripts/session.sh "$0" --in-session
  rc=$?
  set -e
  exit "$rc"
fi

# ---- inside the session: the installed app on a fresh display ----------------------------------
app=$BUNDLE_TEST_APP
work=$BUNDLE_TEST_WORK
export WXOPEN_SANDBOX_AUTHORIZERS=${BUNDLE_TEST_ACCOUNTS:-300}
export WXOPEN_KEYCHAIN_SERVICE=wxopen-bundle-test LANG=C.UTF-8
# WXOPEN_DATA_DIR (fresh) and the throwaway keyring come from our caller and scripts/session.sh.
[ -n "${WXOPEN_DATA_DIR:-}" ] && [ -z "$(ls -A "$WXOPEN_DATA_DIR")" ] || fail "the data dir is not fresh"

pids=()
# The app's descendants too (WebKitWebProcess, WebKitNetworkProcess): children first.
descendants() {
  local p=$1 t c
  for t in /proc/"$p"/task/*; do
    for c in $(cat "$t/children" 2>/dev/null); do descendants "$c"; done # a list of pids
  done
  echo "$p"
}
cleanup_inner() {
  local p all=() tree
  for p in "${pids[@]}"; do
    mapfile -t tree < <(descendants "$p")
    all+=("${tree[@]}")
  done
  [ "${#all[@]}" -eq 0 ] && return 0
  kill "${all[@]}" 2>/dev/null || true
  for _ in $(seq 1 50); do
    local alive=0
    for p in "${all[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  kill -9 "${all[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup_inner EXIT
trap 'exit 130' INT TERM

log "preparing the sandbox profile ($WXOPEN_SANDBOX_AUTHORIZERS accounts) with $BUNDLE_TEST_CLI"
"$BUNDLE_TEST_CLI" profile add --sandbox >"$work/cli.log" 2>&1 &&
  "$BUNDLE_TEST_CLI" authorizers sync --details >>"$work/cli.log" 2>&1 ||
  { tail -n 20 "$work/cli.log" >&2; fail "the wxopen CLI could not prepare the sandbox profile"; }

# A fresh X display: -displayfd prints its number once Xvfb accepts clients.
mkfifo "$work/display" "$work/out"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" &
pids+=($!)
IFS= read -r -t 20 display <"$work/display" || fail "Xvfb did not start (log: $work/xvfb.log)"
export DISPLAY=":$display"
unset WAYLAND_DISPLAY
# As for the end-to-end tests: WebKitGTK's compositing and sandbox do not work under Xvfb as root.
export WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS=1 LIBGL_ALWAYS_SOFTWARE=1

log "starting $app on $DISPLAY"
t0=$SECONDS
"$app" >"$work/out" 2>"$work/app.stderr" &
app_pid=$!
pids+=("$app_pid")
exec 4<"$work/out"
timeout=${BUNDLE_TEST_TIMEOUT:-120}
painted=0
while [ $((SECONDS - t0)) -lt "$timeout" ]; do
  if IFS= read -r -t 2 line <&4; then
    printf '    app: %s\n' "$line" >&2
    if [ "$line" = WXOPEN_TABLE_PAINTED ]; then painted=1; break; fi
  elif ! kill -0 "$app_pid" 2>/dev/null; then
    tail -n 30 "$work/app.stderr" >&2
    fail "the installed app exited before painting its table (stderr: $work/app.stderr)"
  fi
done
if [ "$painted" != 1 ]; then
  tail -n 30 "$work/app.stderr" >&2
  fail "no WXOPEN_TABLE_PAINTED within ${timeout} s (stderr: $work/app.stderr)"
fi
log "the installed app painted its table after $((SECONDS - t0)) s"
# Keep draining its stdout while the screenshot is taken.
cat <&4 >/dev/null &
pids+=($!)
import -display "$DISPLAY" -window root "$BUNDLE_TEST_SHOT"
log "screenshot: $BUNDLE_TEST_SHOT"
kill -0 "$app_pid" 2>/dev/null || fail "the installed app exited after painting its table"
