#!/usr/bin/env bash
# `make bundle`: the release app as installable Linux bundles, made by the Tauri CLI (npm package
# @tauri-apps/cli, a devDependency of ui/, so `npm ci` brings it):
#   <target>/release/bundle/deb/WxOpen Console_<version>_<arch>.deb        always
#   <target>/release/bundle/appimage/WxOpen Console_<version>_<arch>.AppImage   see below
#
# The AppImage: Tauri's bundler runs linuxdeploy and AppImageKit's AppRun, which it downloads from
# GitHub into its tool cache (${XDG_CACHE_HOME:-~/.cache}/tauri) the first time. No Debian, npm,
# PyPI or crates.io package ships them, so where GitHub cannot be reached the AppImage is made only
# when those files are already in the cache.
#   BUNDLE_APPIMAGE=auto (default)  make it when the tools are in the cache, else say why not
#   BUNDLE_APPIMAGE=1               always ask Tauri for it (it downloads what is missing; fails
#                                   when it cannot)
#   BUNDLE_APPIMAGE=0               .deb only
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$HOME/.cargo/bin:$PATH"
CARGO=${CARGO:-cargo}

# What tauri-bundler (inside @tauri-apps/cli, pinned in ui/package.json) looks for in its tool
# cache: see prepare_tools() in tauri-bundler's src/bundle/linux/appimage/linuxdeploy.rs. The
# linuxdeploy build is pinned there by a commit hash; a CLI update may change it (checked below).
LINUXDEPLOY_HASH=07333c6

log() { printf '[bundle] %s\n' "$*" >&2; }

tauri=$root/ui/node_modules/.bin/tauri
if [ ! -x "$tauri" ]; then
  log "the Tauri CLI is missing ($tauri): run scripts/bootstrap.sh (npm ci in ui/)"
  exit 1
fi

target_dir=$("$CARGO" metadata --format-version 1 --no-deps --locked |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
bundle_dir=$target_dir/release/bundle

# --- AppImage or not --------------------------------------------------------------------------
machine=$(uname -m)
tools=${XDG_CACHE_HOME:-$HOME/.cache}/tauri
needed=("AppRun-$machine" "linuxdeploy-$LINUXDEPLOY_HASH-$machine.AppImage")
bundles=deb
mode=${BUNDLE_APPIMAGE:-auto}
missing=()
for f in "${needed[@]}"; do [ -s "$tools/$f" ] || missing+=("$f"); done
shopt -s nullglob
cli_libs=("$root"/ui/node_modules/@tauri-apps/cli-linux-*/cli.*.node)
if [ "${#cli_libs[@]}" -gt 0 ] && ! grep -qa "$LINUXDEPLOY_HASH" "${cli_libs[0]}"; then
  log "warning: this Tauri CLI does not mention linuxdeploy $LINUXDEPLOY_HASH: it looks for another"
  log "  linuxdeploy build; update LINUXDEPLOY_HASH in scripts/bundle.sh from its tauri-bundler source."
fi
case "$mode" in
  0) log "AppImage not requested (BUNDLE_APPIMAGE=0)" ;;
  1) bundles=deb,appimage ;;
  auto)
    if [ "${#missing[@]}" -eq 0 ]; then
      bundles=deb,appimage
    else
      log "AppImage SKIPPED: Tauri's AppImage bundler needs linuxdeploy and AppRun, which it"
      log "  downloads from GitHub (no Debian/npm/PyPI/crates.io package ships them), and these are"
      log "  not in its tool cache $tools/:"
      for f in "${missing[@]}"; do log "    $f"; done
      log "  Where GitHub is reachable, BUNDLE_APPIMAGE=1 make bundle lets Tauri fetch them (once);"
      log "  elsewhere copy them there (executable) from a machine that has them:"
      log "    AppRun-$machine <- github.com/tauri-apps/binary-releases/releases/download/apprun-old/AppRun-$machine"
      log "    linuxdeploy-$LINUXDEPLOY_HASH-$machine.AppImage <- github.com/tauri-apps/binary-releases/releases/download/linuxdeploy-$LINUXDEPLOY_HASH/linuxdeploy-$machine.AppImage"
      log "  Building the .deb only."
    fi
    ;;
  *) log "BUNDLE_APPIMAGE must be auto, 0 or 1 (got '$mode')"; exit 2 ;;
esac

# --- build ------------------------------------------------------------------------------------
# TAURI_APP_PATH / TAURI_FRONTEND_PATH: the CLI would otherwise guess both from the current
# directory, and run the config's beforeBuildCommand (which builds ui/) from the wrong one.
# --ignore-version-mismatches: the CLI compares each Tauri crate with its npm package by
# major.minor, and @tauri-apps/plugin-clipboard-manager's newest release (2.3.x) lags the
# crate's (2.5.x): a known lag of that npm package, not a mismatch of ours.
log "building the release app and bundling: $bundles"
log "(the CLI prints its version check's clipboard-manager mismatch as an Error: expected, ignored)"
t0=$SECONDS
TAURI_APP_PATH=$root/src-tauri TAURI_FRONTEND_PATH=$root/ui \
  "$tauri" build --ci --ignore-version-mismatches --bundles "$bundles" -- --locked

# --- what was made ----------------------------------------------------------------------------
version=$("$CARGO" metadata --format-version 1 --no-deps --locked |
  python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "wxopen-console"))')
product=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["productName"])' src-tauri/tauri.conf.json)
deb=$bundle_dir/deb/${product}_${version}_$(dpkg --print-architecture).deb
[ -f "$deb" ] || { log "expected $deb, not found"; exit 1; }
made=("$deb")
if [[ $bundles == *appimage* ]]; then
  appimages=("$bundle_dir/appimage/${product}_${version}_"*.AppImage)
  [ "${#appimages[@]}" -gt 0 ] || { log "the AppImage was asked for but not made"; exit 1; }
  made+=("${appimages[0]}")
fi
log "done in $((SECONDS - t0)) s:"
for f in "${made[@]}"; do
  printf '  %s  %s\n' "$(du -h "$f" | cut -f1)" "$f"
done
