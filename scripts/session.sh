#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (the Secret Service
# the keychain code talks to): `make run` on machines without a desktop session, and the tests.
#   scripts/session.sh COMMAND [ARGS...]
# The keyring files live in a directory of our own, never in the user's login keyring (whose
# password we do not know): WXOPEN_THROWAWAY_KEYRING=DIR (wiped first; tests) or
# WXOPEN_KEYRING_HOME=DIR (kept; `make run`, so secrets survive restarts).
#
# The keyring daemon is started by D-Bus activation from a service file of ours, which unlocks it,
# rather than once by this script: gnome-keyring-daemon 42 has been seen to die (SIGTRAP) in the
# middle of a long test run, and then the system's own service file brought up a *locked* daemon
# that every later keychain call failed on ("Cannot create an item in a locked collection"). With
# our file first in the search path, the next call after a crash starts an unlocked daemon on the
# same keyring files, and the restart is logged and reported at the end.
set -euo pipefail
if [ -z "${WXOPEN_IN_SESSION:-}" ]; then
  keyring_home=${WXOPEN_THROWAWAY_KEYRING:-${WXOPEN_KEYRING_HOME:-}}
  if [ -n "${WXOPEN_THROWAWAY_KEYRING:-}" ]; then rm -rf "$WXOPEN_THROWAWAY_KEYRING"; fi
  if [ -n "$keyring_home" ]; then
    # gnome-keyring keeps its files under XDG_DATA_HOME, and so would the app its data: pin the
    # app's data dir first so that only the keyring moves. Set before the bus starts, because the
    # bus passes its own environment to the daemon it activates.
    export WXOPEN_DATA_DIR="${WXOPEN_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/com.wxopen.console}"
    mkdir -p "$keyring_home"
    export XDG_DATA_HOME="$keyring_home"
  fi
  bus_dir=$(mktemp -d "${TMPDIR:-/tmp}/wxopen-bus.XXXXXX")
  trap 'rm -rf "$bus_dir"' EXIT
  mkdir -p "$bus_dir/services"
  # The password only guards this session's keyring; it reaches the daemon through the bus's
  # environment, never a file.
  export WXOPEN_KEYRING_PASSWORD="${WXOPEN_KEYRING_PASSWORD:-wxopen}"
  export WXOPEN_KEYRING_LOG="$bus_dir/keyring-starts"
  cat >"$bus_dir/keyring-daemon" <<'EOF'
#!/bin/sh
# Started by the bus whenever org.freedesktop.secrets is wanted and nobody owns it.
date '+%H:%M:%S' >>"$WXOPEN_KEYRING_LOG"
printf '%s' "$WXOPEN_KEYRING_PASSWORD" |
  exec gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1
EOF
  chmod +x "$bus_dir/keyring-daemon"
  cat >"$bus_dir/services/org.freedesktop.secrets.service" <<EOF
[D-BUS Service]
Name=org.freedesktop.secrets
Exec=$bus_dir/keyring-daemon
EOF
  # Our service directory comes before the standard ones, and the first one listed wins.
  cat >"$bus_dir/session.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <servicedir>$bus_dir/services</servicedir>
  <include>/usr/share/dbus-1/session.conf</include>
</busconfig>
EOF
  export WXOPEN_IN_SESSION=1
  status=0
  dbus-run-session --config-file="$bus_dir/session.conf" -- "$0" "$@" || status=$?
  starts=$(wc -l <"$WXOPEN_KEYRING_LOG" 2>/dev/null || echo 0)
  if [ "$starts" -gt 1 ]; then
    echo "session.sh: gnome-keyring-daemon was started $starts times (it died and D-Bus started it again): $(tr '\n' ' ' <"$WXOPEN_KEYRING_LOG")" >&2
  fi
  exit "$status"
fi
# Start the daemon now, so that a broken keyring shows here and not as the first test's failure.
if ! dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
     org.freedesktop.DBus.StartServiceByName string:org.freedesktop.secrets uint32:0 >/dev/null; then
  echo "gnome-keyring-daemon failed to start (is gnome-keyring installed?)" >&2
  exit 1
fi
exec "$@"
