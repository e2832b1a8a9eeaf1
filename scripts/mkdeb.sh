#!/usr/bin/env bash
# Builds moat's Debian packages for arm64 boards from a build tree (no root needed: dpkg-deb
# --root-owner-group on staged trees):
#   moat-dkms_VER_all.deb    moat.ko as DKMS source in /usr/src/moat-VER/ (linux-driver/ and the
#                            ABI headers, packaging/dkms.conf.in): the board builds the module for
#                            its own kernel, and again on every kernel update
#   moat-tools_VER_arm64.deb /usr/bin/moat, moat-cellc, moat-ctl (static, cross-built),
#                            /lib/firmware/moat/moat-hv.bin (where moat.ko asks for it),
#                            /usr/share/moat/cells/<set>/ (compiled cells, per board variant),
#                            /usr/share/moat/overlays/<set>/ (their overlays, to compile on the
#                            board against /sys/firmware/fdt), /usr/share/moat/demos/<board>/,
#                            man pages made from the tools' own --help, the board docs
#
# Usage: mkdeb.sh [--build DIR] [--out DIR] [--version VER]
#   --build  the host build tree (default build/; its aarch64 sub-build has the arm64 files)
#   --out    where the .deb files go (default BUILD/debs)
#   --version  package version (default: project(moat VERSION ...) in CMakeLists.txt)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build out="" version=""
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift ;;
    --out) out=$2; shift ;;
    --version) version=$2; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "mkdeb: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
build=$(cd "$build" && pwd)
out=${out:-$build/debs}
if [ -z "$version" ]; then
  version=$(sed -n 's/^project(moat VERSION \([0-9][0-9.]*\).*/\1/p' "$top/CMakeLists.txt")
  [ -n "$version" ] || { echo "mkdeb: no project(moat VERSION ...) in $top/CMakeLists.txt: pass --version" >&2; exit 2; }
fi
case $version in
  [0-9]*) ;;
  *) echo "mkdeb: version '$version' must start with a digit (Debian policy)" >&2; exit 2 ;;
esac
command -v dpkg-deb >/dev/null || { echo "mkdeb: dpkg-deb not found (Debian's dpkg package)" >&2; exit 2; }

target=$build/aarch64
need() {
  for f in "$@"; do
    [ -f "$f" ] || { echo "mkdeb: missing $f (build first: cmake --build $build; moat-cellc for arm64 needs scripts/fetch-libfdt.sh)" >&2; exit 1; }
  done
}
need "$target/tools/moat" "$target/tools/cellc/moat-cellc" "$target/tools/moat-ctl" "$target/arch/arm64/moat-hv.bin" \
     "$build/tools/moat" "$build/tools/cellc/moat-cellc" "$build/tools/moat-ctl"

# Timestamps from the last commit, so that two builds of one commit give the same packages.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}
date_rfc=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
maintainer="moat maintainers <maintainers@users.noreply.r-seed-d1aea9ba.example>"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# Files every package carries in /usr/share/doc/PKG: copyright (the licences) and the changelog.
add_doc_files() {
  local stage=$1 pkg=$2 doc=$1/usr/share/doc/$2
  install -d "$doc"
  {
    echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
    echo "Upstream-Name: moat"
    echo
    echo "Files: *"
    echo "Copyright: the moat authors"
    echo "License: GPL-2.0-only"
    echo " On Debian systems the full text is in /usr/share/common-licenses/GPL-2."
    echo " Some files say otherwise in their SPDX-License-Identifier line (demos/lib: MIT):"
    sed 's/^/ /; s/^ $/ ./' "$top/LICENSE"
  } > "$doc/copyright"
  printf '%s (%s) unstable; urgency=medium\n\n  * Built from moat %s.\n\n -- %s  %s\n' \
    "$pkg" "$version" "$(git -C "$top" describe --always --dirty 2>/dev/null || echo "$version")" "$maintainer" "$date_rfc" |
    gzip -9n > "$doc/changelog.gz"
}

# DEBIAN/md5sums (what dpkg records to verify the installed files), Installed-Size, then the .deb.
finish_deb() {
  local stage=$1 file=$2
  (cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 -r md5sum) > "$stage/DEBIAN/md5sums"
  sed -i "s/@SIZE@/$(du -sk --exclude=DEBIAN "$stage" | cut -f1)/" "$stage/DEBIAN/control"
  find "$stage" -type d -exec chmod 0755 {} +
  dpkg-deb --root-owner-group -Zxz --build "$stage" "$out/$file" >/dev/null
  echo "mkdeb: $out/$file"
}

# ------------------------------------------------------------------ moat-dkms
dkms=$work/dkms
src=$dkms/usr/src/moat-$version
install -d "$src/include/moat" "$dkms/DEBIAN"
install -m 0644 "$top/linux-driver/Kbuild" "$top"/linux-driver/*.c "$top"/linux-driver/*.h "$src/"
install -m 0644 "$top"/include/moat/*.h "$src/include/moat/"
sed "s/@VERSION@/$version/g" "$top/packaging/dkms.conf.in" > "$src/dkms.conf"
chmod 0644 "$src/dkms.conf"
for s in postinst prerm; do
  sed "s/@VERSION@/$version/g" "$top/packaging/moat-dkms.$s.in" > "$dkms/DEBIAN/$s"
  chmod 0755 "$dkms/DEBIAN/$s"
done
add_doc_files "$dkms" moat-dkms
cat > "$dkms/DEBIAN/control" <<EOF
Package: moat-dkms
Version: $version
Architecture: all
Maintainer: $maintainer
Installed-Size: @SIZE@
Depends: dkms (>= 3.0)
Recommends: linux-headers-arm64 | linux-headers-generic, moat-tools (= $version)
Section: kernel
Priority: optional
Description: moat partitioning hypervisor: Linux driver (DKMS source)
 moat.ko loads the moat hypervisor (ARMv8, EL2) and lets Linux, as the root
 cell, hand CPUs, memory and devices to isolated bare-metal cells.
 .
 This package holds the driver's sources; DKMS builds the module for every
 installed kernel whose headers are present, and again on kernel updates.
EOF
finish_deb "$dkms" "moat-dkms_${version}_all.deb"

# ------------------------------------------------------------------ moat-tools
tools=$work/tools
install -d "$tools/DEBIAN" "$tools/usr/bin" "$tools/lib/firmware/moat" "$tools/usr/share/man/man1"
install -m 0755 "$target/tools/moat" "$target/tools/cellc/moat-cellc" "$target/tools/moat-ctl" "$tools/usr/bin/"
install -m 0644 "$target/arch/arm64/moat-hv.bin" "$tools/lib/firmware/moat/moat-hv.bin"
# Cells: build/cells/SET/*.cell (compiled against the set's main tree) and
# build/cells/SET/VARIANT/*.cell (the same overlays against a board variant's tree).
for set_dir in "$build"/cells/*/; do
  set_name=$(basename "$set_dir")
  [ "$set_name" = CMakeFiles ] && continue
  while IFS= read -r -d '' c; do
    install -D -m 0644 "$c" "$tools/usr/share/moat/cells/$set_name/${c#"$set_dir"}"
  done < <(find "$set_dir" -maxdepth 2 -name '*.cell' -print0)
  while IFS= read -r -d '' o; do
    install -D -m 0644 "$o" "$tools/usr/share/moat/overlays/$set_name/$(basename "$o")"
  done < <(find "$set_dir" -maxdepth 1 -name '*.dtbo' -print0)
done
[ -f "$tools/usr/share/moat/cells/rpi4/root.cell" ] && [ -f "$tools/usr/share/moat/cells/zcu102/root.cell" ] ||
  { echo "mkdeb: no compiled cells for rpi4 and zcu102 in $build/cells (build first)" >&2; exit 1; }
# Demos: build/aarch64/demos/NAME/*.bin are built for the main board (QEMU virt, GICv3),
# build/aarch64/demos/NAME/BOARD/*.bin for the other boards: all go to demos/BOARD/. Boards whose
# demos print on the cell's own UART also have NAME/BOARD/selftest/*.bin, built with moat's
# console for `moat selftest`, which looks for them in demos/BOARD/selftest/.
main_board=qemu-virt-gicv3
for d in "$target"/demos/*/; do
  name=$(basename "$d")
  case $name in CMakeFiles | lib | libtest) continue ;; esac
  for b in "$d"*.bin; do
    [ -f "$b" ] && install -D -m 0644 "$b" "$tools/usr/share/moat/demos/$main_board/$(basename "$b")"
  done
  for b in "$d"*/*.bin; do
    [ -f "$b" ] || continue
    board=$(basename "$(dirname "$b")")
    [ "$board" = CMakeFiles ] && continue
    install -D -m 0644 "$b" "$tools/usr/share/moat/demos/$board/$(basename "$b")"
  done
  for b in "$d"*/selftest/*.bin; do
    [ -f "$b" ] || continue
    board=$(basename "$(dirname "$(dirname "$b")")")
    install -D -m 0644 "$b" "$tools/usr/share/moat/demos/$board/selftest/$(basename "$b")"
  done
done
[ -f "$tools/usr/share/moat/demos/rpi4/ctl-loop.bin" ] ||
  { echo "mkdeb: no demos for rpi4 in $target/demos (build first)" >&2; exit 1; }
for board in rpi4 zcu102; do
  for name in ctl-loop timer-latency; do
    [ -f "$tools/usr/share/moat/demos/$board/selftest/$name.bin" ] ||
      { echo "mkdeb: no $name for moat selftest on $board in $target/demos/$name/$board/selftest (build first)" >&2; exit 1; }
  done
done

# Man pages made from each tool's own --help (run from the host build), so that they cannot
# drift from the tools.
man_page() {
  local tool=$1 summary=$2 text
  text=$("$3" --help)
  {
    echo ".TH $(echo "$tool" | tr a-z A-Z) 1 \"$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)\" \"moat $version\" \"moat\""
    echo ".SH NAME"
    echo "$tool \\- $summary"
    echo ".SH SYNOPSIS AND COMMANDS"
    echo ".nf"
    printf '%s\n' "$text" | sed 's/\\/\\e/g; s/^\([.'"'"']\)/\\\&\1/'
    echo ".fi"
    echo ".SH FILES"
    echo ".nf"
    echo "/lib/firmware/moat/moat-hv.bin   the hypervisor image (moat enable)"
    echo "/usr/share/moat/cells/BOARD/     compiled cells per board"
    echo "/usr/share/moat/overlays/BOARD/  their overlays (moat-cellc compile on the board)"
    echo "/usr/share/moat/demos/BOARD/     bare-metal demo images (selftest/: moat selftest's)"
    echo ".fi"
    echo ".SH SEE ALSO"
    echo "/usr/share/doc/moat-tools/ (README.md, boards/)"
  } | gzip -9n > "$tools/usr/share/man/man1/$tool.1.gz"
}
man_page moat "control the moat partitioning hypervisor and its cells" "$build/tools/moat"
man_page moat-cellc "compile and check moat cell descriptors from device-tree overlays" "$build/tools/cellc/moat-cellc"
man_page moat-ctl "steer the ctl-loop cell over its link" "$build/tools/moat-ctl"
add_doc_files "$tools" moat-tools
install -m 0644 "$top/README.md" "$tools/usr/share/doc/moat-tools/"
install -d "$tools/usr/share/doc/moat-tools/boards"
install -m 0644 "$top"/docs/boards/*.md "$tools/usr/share/doc/moat-tools/boards/"
install -m 0644 "$top/docs/steering.md" "$tools/usr/share/doc/moat-tools/"
cat > "$tools/DEBIAN/control" <<EOF
Package: moat-tools
Version: $version
Architecture: arm64
Maintainer: $maintainer
Installed-Size: @SIZE@
Recommends: moat-dkms (= $version)
Section: admin
Priority: optional
Description: moat partitioning hypervisor: tools, hypervisor image, cells, demos
 moat runs Linux as the root cell of a small ARMv8 hypervisor and gives
 CPUs, memory and devices to isolated bare-metal cells.
 .
 This package holds moat (enable the hypervisor, create and run cells),
 moat-cellc (compile cell descriptors from device-tree overlays, also on the
 board against /sys/firmware/fdt), moat-ctl, the hypervisor image in
 /lib/firmware/moat/, compiled cells for the Raspberry Pi 4, the ZCU102 and
 QEMU virt, and the demo cells' images. The driver is in moat-dkms.
EOF
finish_deb "$tools" "moat-tools_${version}_arm64.deb"
