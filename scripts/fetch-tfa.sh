#!/usr/bin/env bash
# Fetches Debian's arm-trusted-firmware (arm64) without installing it (apt-get download +
# dpkg-deb -x) and keeps its Raspberry Pi 4 BL31 in <cache>/tfa/rpi4/bl31.bin, where
# scripts/qemu-run.sh --board rpi4 looks for it. The package is arm64-only: this needs the arm64
# package architecture, which scripts/fetch-kernel.sh adds. Reuses the cache when present.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${MOAT_CACHE:-$top/.cache}
dir=$cache/tfa
if [ -f "$dir/rpi4/bl31.bin" ]; then
  echo "fetch-tfa: cached $(cat "$dir/version" 2>/dev/null)"
  exit 0
fi
dpkg --print-foreign-architectures | grep -qx arm64 \
  || { echo "fetch-tfa: the arm64 package architecture is missing: run scripts/fetch-kernel.sh first" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -q arm-trusted-firmware:arm64)
deb=$(ls "$tmp"/arm-trusted-firmware_*_arm64.deb)
dpkg-deb -x "$deb" "$tmp/x"
mkdir -p "$dir/rpi4"
cp "$tmp/x/usr/lib/arm-trusted-firmware/rpi4/bl31.bin" "$dir/rpi4/bl31.bin"
dpkg-deb -f "$deb" Version > "$dir/version"
echo "fetch-tfa: arm-trusted-firmware $(cat "$dir/version"): $dir/rpi4/bl31.bin"
