#!/usr/bin/env bash
# Runs the app under a fresh Xvfb display and screenshots it once the UI is ready.
#   scripts/headless-run.sh APP_BINARY
set -euo pipefail
app=$1
shots=target/screenshots
mkdir -p "$shots"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# -displayfd prints the display number once Xvfb accepts clients.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" 2>/dev/null &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/display" ] && break; sleep 0.1; done
[ -s "$work/display" ] || { echo "Xvfb did not start" >&2; exit 1; }
export DISPLAY=":$(head -n1 "$work/display")"
unset WAYLAND_DISPLAY
export WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS=1 LIBGL_ALWAYS_SOFTWARE=1

# Nobody can click "Try the sandbox" here: with no profile yet, create and sync it with the CLI
# (same data dir and keychain as the app).
if [ -n "${WXOPEN_CLI:-}" ] && [ "$("$WXOPEN_CLI" --json profile list)" = "[]" ]; then
  echo "no profile yet: creating the sandbox profile and syncing its accounts" >&2
  "$WXOPEN_CLI" profile add --sandbox >&2
  "$WXOPEN_CLI" authorizers sync --details >&2
fi

mkfifo "$work/out"
"$app" >"$work/out" 2> >(grep -v -e 'libEGL' -e 'MESA' >&2) &
app_pid=$!
pids+=("$app_pid")

# The shell prints WXOPEN_UI_READY when the UI has painted with its fonts (see commands/app.rs).
ready=0
exec 4<"$work/out"
deadline=$((SECONDS + ${WXOPEN_READY_TIMEOUT:-120}))
while [ $SECONDS -lt $deadline ]; do
  if IFS= read -r -t 5 line <&4; then
    printf '%s\n' "$line"
    if [ "$line" = "WXOPEN_UI_READY" ]; then ready=1; break; fi
  elif ! kill -0 "$app_pid" 2>/dev/null; then
    echo "the app exited before its UI was ready" >&2; exit 1
  fi
done
[ "$ready" = 1 ] || { echo "the UI did not report ready in time" >&2; exit 1; }
# With accounts in the cache, wait (a little) for the table's first page too.
deadline=$((SECONDS + 15))
while [ $SECONDS -lt $deadline ]; do
  if IFS= read -r -t 1 line <&4; then
    printf '%s\n' "$line"
    [ "$line" = "WXOPEN_TABLE_PAINTED" ] && break
  fi
done
# Keep draining the app's stdout so it never blocks on a full pipe.
cat <&4 &
pids+=($!)

import -display "$DISPLAY" -window root "$shots/run.png"
echo "screenshot: $(pwd)/$shots/run.png"
if [ -n "${HEADLESS_ONCE:-}" ]; then exit 0; fi
echo "WxOpen Console is running on $DISPLAY (Xvfb). Ctrl-C to stop."
wait "$app_pid"
