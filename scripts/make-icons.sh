#!/usr/bin/env bash
# Regenerates icons/ (committed) from a drawing: a WeChat-green rounded square with two chat bubbles.
# Needs ImageMagick (Debian: imagemagick) and python3. Run from the repository root.
set -euo pipefail
IM=/usr/bin/convert
out=icons
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$IM -size 1024x1024 xc:none \
  -fill '#07C160' -draw 'roundrectangle 64,64 960,960 200,200' \
  -fill white -draw 'ellipse 430,450 270,225 0,360' \
  -fill white -draw 'polygon 250,600 220,720 360,640' \
  -fill '#07C160' -draw 'circle 340,400 340,432' -draw 'circle 520,400 520,432' \
  -stroke '#07C160' -strokewidth 28 -fill '#EFFFF5' -draw 'ellipse 640,620 230,190 0,360' \
  -stroke none -fill '#EFFFF5' -draw 'polygon 800,740 840,850 720,790' \
  -fill '#07C160' -draw 'circle 570,580 570,606' -draw 'circle 715,580 715,606' \
  -depth 8 "PNG32:$tmp/icon-1024.png"
for s in 16 32 64 128 256 512; do $IM "$tmp/icon-1024.png" -resize ${s}x${s} -depth 8 "PNG32:$tmp/icon-$s.png"; done
cp "$tmp/icon-1024.png" "$out/icon.png"
cp "$tmp/icon-32.png" "$out/32x32.png"
cp "$tmp/icon-128.png" "$out/128x128.png"
cp "$tmp/icon-256.png" "$out/128x128@2x.png"
$IM "$tmp/icon-16.png" "$tmp/icon-32.png" "$tmp/icon-64.png" "$tmp/icon-128.png" "$tmp/icon-256.png" "$out/icon.ico"
# ICNS: a header and PNG entries (ic07 128, ic08 256, ic09 512, ic10 1024); ImageMagick cannot write it.
python3 - "$tmp" "$out/icon.icns" <<'PY'
import struct, sys
tmp, dest = sys.argv[1], sys.argv[2]
entries = b""
for kind, size in ((b"ic07", 128), (b"ic08", 256), (b"ic09", 512), (b"ic10", 1024)):
    data = open(f"{tmp}/icon-{size}.png", "rb").read()
    entries += kind + struct.pack(">I", len(data) + 8) + data
open(dest, "wb").write(b"icns" + struct.pack(">I", len(entries) + 8) + entries)
PY
ls -la "$out"
