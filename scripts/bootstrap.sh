#!/usr/bin/env bash
# Installs what `make run` and `make test` need on Debian/Ubuntu, and nothing that is already there:
# a second run only checks, and takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

log() { printf '[bootstrap] %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------------------------
APT_PACKAGES=(
  build-essential pkg-config curl file
  libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev librsvg2-dev libayatana-appindicator3-dev
  libdbus-1-dev libssl-dev
  xvfb xauth webkit2gtk-driver dbus-x11 gnome-keyring imagemagick xclip sqlite3
  redis-server redis-tools
  fonts-noto-cjk
)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then missing+=(python3-venv); fi
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Rust toolchain pieces -------------------------------------------------------------------
if ! command -v cargo >/dev/null; then
  log "cargo not found: install Rust from your distribution or rustup first"; exit 1
fi
for comp in rustfmt clippy; do
  if ! cargo "${comp/rustfmt/fmt}" --version >/dev/null 2>&1; then
    log "adding rustup component $comp"; rustup component add "$comp"
  fi
done
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v tauri-driver >/dev/null; then
  log "installing tauri-driver (WebDriver bridge for the e2e tests)"
  cargo install tauri-driver --locked --quiet
fi

# --- UI dependencies: `npm ci` only when the lock file changed since the last install ------------
# They include the Tauri CLI (@tauri-apps/cli, a prebuilt binary in an npm package) that
# `make bundle` runs.
stamp=ui/node_modules/.wxopen-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s ui/package-lock.json "$stamp"; then
  log "installing UI dependencies (npm ci)"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  cp ui/package-lock.json "$stamp"
fi

# --- Python venv for the SDK cross-check tests (wechatpy) --------------------------------------
if [ -f tests/python/requirements.txt ]; then
  pystamp=.venv/.wxopen-requirements-stamp
  if [ ! -x .venv/bin/python ] || ! cmp -s tests/python/requirements.txt "$pystamp"; then
    log "creating .venv with tests/python/requirements.txt"
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r tests/python/requirements.txt
    cp tests/python/requirements.txt "$pystamp"
  fi
fi
exit 0
