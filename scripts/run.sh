#!/usr/bin/env bash
# `make run`: build the UI and the app, then start it. With no $DISPLAY the app runs under Xvfb
# (in a private D-Bus session with an unlocked gnome-keyring); once the UI reports that it has
# rendered, a screenshot goes to target/screenshots/run.png. HEADLESS_ONCE=1 exits after it.
set -euo pipefail
cd "$(dirname "$0")/.."

npm --prefix ui run build --silent
cargo build -p wxopen-console
app=target/debug/wxopen-console

if [ -n "${DISPLAY:-}" ] && [ -z "${HEADLESS_ONCE:-}" ]; then
  exec "$app"
fi
# Headless: a private D-Bus session whose keyring lives beside the app's data (kept across runs).
export WXOPEN_KEYRING_HOME="${WXOPEN_KEYRING_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/com.wxopen.console-keyring}"
exec scripts/session.sh scripts/headless-run.sh "$app"
