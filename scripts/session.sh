#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (the Secret Service
# the keychain code talks to): `make run` on machines without a desktop session, and the tests.
#   scripts/session.sh COMMAND [ARGS...]
# The keyring files live in a directory of our own, never in the user's login keyring (whose
# password we do not know): WXOPEN_THROWAWAY_KEYRING=DIR (wiped first; tests) or
# WXOPEN_KEYRING_HOME=DIR (kept; `make run`, so secrets survive restarts).
set -euo pipefail
if [ -z "${WXOPEN_IN_SESSION:-}" ]; then
  export WXOPEN_IN_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi
keyring_home=${WXOPEN_THROWAWAY_KEYRING:-${WXOPEN_KEYRING_HOME:-}}
if [ -n "${WXOPEN_THROWAWAY_KEYRING:-}" ]; then rm -rf "$WXOPEN_THROWAWAY_KEYRING"; fi
if [ -n "$keyring_home" ]; then
  # gnome-keyring keeps its files under XDG_DATA_HOME, and so would the app its data: pin the
  # app's data dir first so that only the keyring moves.
  export WXOPEN_DATA_DIR="${WXOPEN_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/com.wxopen.console}"
  mkdir -p "$keyring_home"
  export XDG_DATA_HOME="$keyring_home"
fi
# In the foreground (as our child) rather than daemonized: a daemon would outlive the session
# and keep our stdout/stderr open. The password only guards this session's keyring.
printf '%s' "${WXOPEN_KEYRING_PASSWORD:-wxopen}" |
  gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
keyring=$!
trap 'kill "$keyring" 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
       org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
    break
  fi
  kill -0 "$keyring" 2>/dev/null || { echo "gnome-keyring-daemon failed to start" >&2; exit 1; }
  sleep 0.05
done
"$@"
