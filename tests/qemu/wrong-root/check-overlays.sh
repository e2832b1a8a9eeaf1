#!/usr/bin/env bash
# Host test of mk-overlays.sh on one board tree: each overlay compiles into a root cell with
# QEMU virt's root overlay (or the board's), and the dump differs from the good root cell in the
# one thing the overlay is meant to change, and in nothing else.
#   check-overlays.sh MOAT-CELLC BOARD.dtb ROOT.dtbo [CONTEXT.dtbo...]
set -euo pipefail
cellc=$1 dtb=$2 root=$3; shift 3
ctx=("$@")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$(dirname "$0")/mk-overlays.sh" "$dtb" "$tmp/ov"
"$cellc" compile --board "$dtb" "${ctx[@]}" "$root" -o "$tmp/good.cell"
"$cellc" dump "$tmp/good.cell" | grep -v checksum > "$tmp/good.txt"
failures=0
# expect NAME MUST ALLOWED: some differing line (diff's < and > lines) matches MUST, and every
# one matches MUST or ALLOWED (device regions merge differently when a frame or a UART moves).
expect() {
  local name=$1 must=$2 rx="$2|$3"
  if ! "$cellc" compile --board "$dtb" "${ctx[@]}" "$tmp/ov/$name.dtbo" "$root" -o "$tmp/$name.cell" 2> "$tmp/err"; then
    echo "FAIL: $name: $(cat "$tmp/err")"; failures=$((failures + 1)); return
  fi
  "$cellc" dump "$tmp/$name.cell" | grep -v checksum > "$tmp/$name.txt"
  diff "$tmp/good.txt" "$tmp/$name.txt" | grep '^[<>]' > "$tmp/$name.diff" || true
  if grep -Eq -- "$must" "$tmp/$name.diff" && ! grep -Evq -- "$rx" "$tmp/$name.diff"; then
    echo "PASS: $name changes only: $(tr '\n' ' ' < "$tmp/$name.diff")"
  else
    echo "FAIL: $name: differences not as expected:"; cat "$tmp/$name.diff"; failures=$((failures + 1))
  fi
}
io='read write io$'
expect ram-short 'read write exec dma$' '^$'
expect gic-moved '^[<>] +gic v[23] gicd' "$io"
expect timer-swapped '^[<>] +timer INTIDs ' '^$'
expect uart-other '^[<>] +psci .*, debug uart pl011 ' "^[<>] +console |^[<>] +psci .*, debug uart |$io"
exit $failures
