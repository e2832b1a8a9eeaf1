#!/usr/bin/env bash
# Builds the guest's initramfs (cpio newc, gzip): busybox-static from Debian, moat.ko and test
# modules, the moat tool, the hypervisor image as firmware, the board's cell descriptors, the
# demo images, and the guest test scripts.
#
# Usage: mkinitramfs.sh --out OUT.cpio.gz --busybox BUSYBOX --cli MOAT --hv MOAT_HV_BIN
#                       --tests GUEST_TEST_DIR [--module X.ko]... [--cell X.cell]...
#                       [--cell-gicv2 X.cell]... [--board-cell BOARD:X.cell]... [--demo X.bin]...
#                       [--demo-gicv2 X.bin]... [--bin X]... [--file SRC:/DEST]...
# Modules land in /, cells in /cells/ (compiled for the board with GICv3), --cell-gicv2 cells
# (the same overlays compiled for the board's GICv2 variant) in /cells/gicv2/, --board-cell
# cells of another board (e.g. zcu102:build/cells/zcu102/root.cell) in /cells/BOARD/, demos in
# /demos/ and the same demos built for the GICv2 variant in /demos/gicv2/, --bin programs in
# /bin/, and --file any file at the absolute path DEST (e.g. overlays for moat-cellc on the guest).
set -euo pipefail
out="" busybox="" cli="" hv="" tests=""
modules=() cells=() cells_v2=() board_cells=() demos=() demos_v2=() bins=() files=()
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2 ;;
    --busybox) busybox=$2 ;;
    --cli) cli=$2 ;;
    --hv) hv=$2 ;;
    --tests) tests=$2 ;;
    --module) modules+=("$2") ;;
    --cell) cells+=("$2") ;;
    --cell-gicv2) cells_v2+=("$2") ;;
    --board-cell) board_cells+=("$2") ;;
    --demo) demos+=("$2") ;;
    --demo-gicv2) demos_v2+=("$2") ;;
    --bin) bins+=("$2") ;;
    --file) files+=("$2") ;;
    *) echo "mkinitramfs: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
for bc in "${board_cells[@]}"; do
  case $bc in
    [a-z0-9]*:?*) ;;
    *) echo "mkinitramfs: --board-cell takes BOARD:FILE, got '$bc'" >&2; exit 2 ;;
  esac
done
for sd in "${files[@]}"; do
  case $sd in
    ?*:/?*) ;;
    *) echo "mkinitramfs: --file takes SRC:/DEST, got '$sd'" >&2; exit 2 ;;
  esac
done
for f in "${files[@]%%:*}" "$busybox" "$cli" "$hv" "${modules[@]}" "${cells[@]}" "${cells_v2[@]}" "${board_cells[@]#*:}" "${demos[@]}" "${demos_v2[@]}"; do
  [ -f "$f" ] || { echo "mkinitramfs: missing $f" >&2; exit 1; }
done
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,tests,cells/gicv2,demos/gicv2,lib/firmware/moat}
install -m 0755 "$busybox" "$stage/bin/busybox"
install -m 0755 "$tests/init" "$stage/init"
install -m 0755 "$cli" "$stage/bin/moat"
install -m 0644 "$hv" "$stage/lib/firmware/moat/moat-hv.bin"
for t in "$tests"/*.sh; do install -m 0644 "$t" "$stage/tests/"; done
for m in "${modules[@]}"; do install -m 0644 "$m" "$stage/"; done
for c in "${cells[@]}"; do install -m 0644 "$c" "$stage/cells/"; done
for c in "${cells_v2[@]}"; do install -m 0644 "$c" "$stage/cells/gicv2/"; done
for bc in "${board_cells[@]}"; do install -D -m 0644 "${bc#*:}" "$stage/cells/${bc%%:*}/$(basename "${bc#*:}")"; done
for d in "${demos[@]}"; do install -m 0644 "$d" "$stage/demos/"; done
for d in "${demos_v2[@]}"; do install -m 0644 "$d" "$stage/demos/gicv2/"; done
for b in "${bins[@]}"; do install -m 0755 "$b" "$stage/bin/"; done
for sd in "${files[@]}"; do install -D -m 0644 "${sd%%:*}" "$stage${sd#*:}"; done
# Debian's virtio modules (disk and network for the root-cell workload), if the cache has them.
kmods=$(dirname "$busybox")/../lib/modules
if [ -d "$kmods" ]; then
  mkdir -p "$stage/lib/modules"
  find "$kmods" -name '*.ko' -exec install -m 0644 {} "$stage/lib/modules/" \;
fi
(cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner 0:0 --quiet) | gzip -9n > "$out.tmp"
mv "$out.tmp" "$out"
