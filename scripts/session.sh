#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (the Secret Service
# the keychain code talks to): `make run` on machines without a desktop session, and the tests.
#   scripts/session.sh COMMAND [ARGS...]
# WXOPEN_THROWAWAY_KEYRING=DIR keeps the keyring files in DIR (wiped first) instead of the user's
# own keyring directory, so tests never touch a real login keyring.
set -euo pipefail
if [ -z "${WXOPEN_IN_SESSION:-}" ]; then
  export WXOPEN_IN_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi
if [ -n "${WXOPEN_THROWAWAY_KEYRING:-}" ]; then
  rm -rf "$WXOPEN_THROWAWAY_KEYRING"
  mkdir -p "$WXOPEN_THROWAWAY_KEYRING"
  export XDG_DATA_HOME="$WXOPEN_THROWAWAY_KEYRING"
fi
# The password only guards this session's keyring.
echo -n "${WXOPEN_KEYRING_PASSWORD:-wxopen}" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
exec "$@"
