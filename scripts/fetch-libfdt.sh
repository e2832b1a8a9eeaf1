#!/usr/bin/env bash
# Fetches Debian's libfdt-dev for arm64 without installing it (apt-get download + dpkg-deb -x)
# and keeps its static library and headers in <cache>/libfdt-arm64/, where the aarch64 sub-build
# looks for them to build moat-cellc for the target (a board compiles its own cells against
# /sys/firmware/fdt, docs/boards/). Needs the arm64 package architecture, which
# scripts/fetch-kernel.sh adds. Reuses the cache when present.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${MOAT_CACHE:-$top/.cache}
dir=$cache/libfdt-arm64
if [ -f "$dir/lib/libfdt.a" ] && [ -f "$dir/include/libfdt.h" ]; then
  echo "fetch-libfdt: cached $(cat "$dir/version" 2>/dev/null)"
  exit 0
fi
dpkg --print-foreign-architectures | grep -qx arm64 \
  || { echo "fetch-libfdt: the arm64 package architecture is missing: run scripts/fetch-kernel.sh first" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -q libfdt-dev:arm64)
deb=$(ls "$tmp"/libfdt-dev_*_arm64.deb)
dpkg-deb -x "$deb" "$tmp/x"
mkdir -p "$dir/lib" "$dir/include"
cp "$tmp/x/usr/lib/aarch64-linux-gnu/libfdt.a" "$dir/lib/"
cp "$tmp"/x/usr/include/*.h "$dir/include/"
dpkg-deb -f "$deb" Version > "$dir/version"
echo "fetch-libfdt: libfdt-dev $(cat "$dir/version") (arm64): $dir"
