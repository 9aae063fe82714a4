#!/usr/bin/env bash
# `make run`: build the UI and the app, then start it. With a display and no profile yet, the app
# opens on its welcome page ("Try the sandbox" / "Connect my platform"). With no $DISPLAY the app
# runs under Xvfb (in a private D-Bus session with an unlocked gnome-keyring); when no profile
# exists there (nobody can click), the sandbox profile is created and synced first with the
# `wxopen` CLI, so the screenshot (target/screenshots/run.png, taken once the UI reports it has
# rendered its table) shows the 2,000 sandbox accounts. HEADLESS_ONCE=1 exits after it.
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
cargo build -p wxopen-cli --bin wxopen
export WXOPEN_CLI=target/debug/wxopen
exec scripts/session.sh scripts/headless-run.sh "$app"
