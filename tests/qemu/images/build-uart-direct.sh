#!/usr/bin/env bash
# Builds tests/qemu/images/uart-direct.S into a flat image for a cell that owns one UART, with
# the UART's address (the IPA of the cell's one IO region) and the entry address taken from the
# compiled cell descriptor, not written down by hand.
#
# Usage: build-uart-direct.sh --cellc MOAT-CELLC --cell NAME.cell --include INCLUDE_DIR
#                             --src uart-direct.S --out uart-direct.bin
set -euo pipefail
cellc="" cell="" inc="" src="" out=""
while [ $# -gt 0 ]; do
  case $1 in
    --cellc) cellc=$2 ;; --cell) cell=$2 ;; --include) inc=$2 ;; --src) src=$2 ;; --out) out=$2 ;;
    *) echo "build-uart-direct: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
cc=${CROSS_COMPILE:-aarch64-linux-gnu-}
dump=$("$cellc" dump "$cell")
entry=$(echo "$dump" | sed -n 's/^  entry \(0x[0-9a-f]*\)$/\1/p')
uarts=$(echo "$dump" | sed -n 's/^    phys 0x[0-9a-f]* ipa \(0x[0-9a-f]*\) size .* io$/\1/p')
[ -n "$entry" ] || { echo "build-uart-direct: $cell has no entry address" >&2; exit 1; }
[ "$(echo "$uarts" | grep -c .)" = 1 ] ||
  { echo "build-uart-direct: $cell must have exactly one IO region (its UART), has: ${uarts:-none}" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"${cc}gcc" -nostdlib -nostartfiles -static -I "$inc" -DUART_BASE="$uarts" \
  -Wl,-Ttext="$entry" -Wl,--build-id=none -o "$work/image.elf" "$src"
"${cc}objcopy" -O binary "$work/image.elf" "$out.tmp"
mv "$out.tmp" "$out"
echo "build-uart-direct: $out: UART at $uarts, entry $entry"
