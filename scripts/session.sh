#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (the Secret Service
# the keychain code talks to). Used by `make run` on machines without a desktop session.
#   scripts/session.sh COMMAND [ARGS...]
set -euo pipefail
if [ -z "${WXOPEN_IN_SESSION:-}" ]; then
  export WXOPEN_IN_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi
# The keyring lives under XDG_DATA_HOME; the throwaway password only guards this session's keyring.
echo -n "${WXOPEN_KEYRING_PASSWORD:-wxopen}" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
exec "$@"
