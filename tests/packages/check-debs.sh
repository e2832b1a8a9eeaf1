#!/usr/bin/env bash
# Host checks of the Debian packages scripts/mkdeb.sh built (ctest host.packages.*).
#
#   check-debs.sh contents --debs DIR
#     the control fields, the files each package must hold (and nothing of the build tree), the
#     arm64 programs, the man pages render, DEBIAN/md5sums matches the files; lintian too when
#     it is installed
#   check-debs.sh dkms --debs DIR --kernel-headers DIR --kernel-release KVER --out DIR
#     the board's DKMS build, on the host: the real `dkms add` and `dkms build` (in private DKMS
#     and source trees, nothing of the host's touched) of the sources moat-dkms installs in
#     /usr/src, against Debian's arm64 headers, cross-compiling (ARCH=arm64,
#     CROSS_COMPILE=aarch64-linux-gnu-); the module DKMS built goes to OUT/moat.ko, for the
#     QEMU test that installs the packages (qemu.packages.gicv3). Exit 77 (skipped) without dkms.
set -euo pipefail
mode=${1:-}; shift || true
debs="" headers="" kver="" out=""
while [ $# -gt 0 ]; do
  case $1 in
    --debs) debs=$2; shift ;;
    --kernel-headers) headers=$2; shift ;;
    --kernel-release) kver=$2; shift ;;
    --out) out=$2; shift ;;
    *) echo "check-debs: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d (command: $*)"; fi; }

one_deb() {
  local m=("$debs"/$1)
  [ ${#m[@]} -eq 1 ] && [ -f "${m[0]}" ] || { echo "check-debs: want exactly one $debs/$1, found: ${m[*]}" >&2; exit 1; }
  echo "${m[0]}"
}
tools_deb=$(one_deb 'moat-tools_*_arm64.deb')
dkms_deb=$(one_deb 'moat-dkms_*_all.deb')
version=$(dpkg-deb -f "$tools_deb" Version)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

contents() {
  check "moat-tools: Architecture arm64" test "$(dpkg-deb -f "$tools_deb" Architecture)" = arm64
  check "moat-dkms: Architecture all, same version" test "$(dpkg-deb -f "$dkms_deb" Architecture) $(dpkg-deb -f "$dkms_deb" Version)" = "all $version"
  check "moat-dkms depends on dkms" sh -c "dpkg-deb -f '$dkms_deb' Depends | grep -q '^dkms'"
  dpkg-deb --contents "$tools_deb" | awk '{ print $6 }' | sed 's|^\./|/|' > "$work/tools.list"
  dpkg-deb --contents "$dkms_deb" | awk '{ print $6 }' | sed 's|^\./|/|' > "$work/dkms.list"
  for f in /usr/bin/moat /usr/bin/moat-cellc /usr/bin/moat-ctl /lib/firmware/moat/moat-hv.bin \
           /usr/share/moat/cells/qemu-virt/root.cell /usr/share/moat/cells/qemu-virt/ctl-loop.cell \
           /usr/share/moat/cells/qemu-virt/qemu-virt-gicv2/root.cell \
           /usr/share/moat/cells/rpi4/root.cell /usr/share/moat/cells/rpi4/ctl-loop.cell \
           /usr/share/moat/cells/zcu102/root.cell /usr/share/moat/cells/zcu102/ctl-loop.cell \
           /usr/share/moat/overlays/rpi4/root.dtbo /usr/share/moat/overlays/zcu102/ctl-loop.dtbo \
           /usr/share/moat/demos/rpi4/ctl-loop.bin /usr/share/moat/demos/zcu102/ctl-loop.bin \
           /usr/share/moat/demos/qemu-virt-gicv3/ctl-loop.bin /usr/share/moat/demos/qemu-virt-gicv2/ctl-loop.bin \
           /usr/share/moat/demos/rpi4/selftest/ctl-loop.bin /usr/share/moat/demos/rpi4/selftest/timer-latency.bin \
           /usr/share/moat/demos/zcu102/selftest/ctl-loop.bin /usr/share/moat/demos/zcu102/selftest/timer-latency.bin \
           /usr/share/man/man1/moat.1.gz /usr/share/man/man1/moat-cellc.1.gz /usr/share/man/man1/moat-ctl.1.gz \
           /usr/share/doc/moat-tools/copyright /usr/share/doc/moat-tools/boards/rpi4.md; do
    check "moat-tools holds $f" grep -qxF "$f" "$work/tools.list"
  done
  for f in dkms.conf Kbuild main.c hv.c cell.c sysfs.c link.c console.c live.c incell.c moat.h include/moat/ioctl.h include/moat/abi.h; do
    check "moat-dkms holds /usr/src/moat-$version/$f" grep -qxF "/usr/src/moat-$version/$f" "$work/dkms.list"
  done
  check "moat-dkms holds no build products or CMake files" sh -c "! grep -E '\\.(o|ko|cmd|mod)\$|CMakeLists' '$work/dkms.list'"
  check "moat-dkms has postinst and prerm" sh -c "dpkg-deb --ctrl-tarfile '$dkms_deb' | tar -t | grep -qx './postinst' && dpkg-deb --ctrl-tarfile '$dkms_deb' | tar -t | grep -qx './prerm'"

  dpkg-deb -x "$tools_deb" "$work/tools"
  dpkg-deb -e "$tools_deb" "$work/tools-ctl"
  for b in moat moat-cellc moat-ctl; do
    check "$b is a static arm64 program" sh -c "file -b '$work/tools/usr/bin/$b' | grep -q 'ARM aarch64.*statically linked'"
  done
  check "md5sums match the files" sh -c "cd '$work/tools' && md5sum --quiet -c '$work/tools-ctl/md5sums'"
  check "the hypervisor image starts with MOATHV01 (MOAT_IMAGE_MAGIC)" test "$(head -c 8 "$work/tools/lib/firmware/moat/moat-hv.bin")" = MOATHV01
  # Each man page is the tool's --help: it must name the commands the board docs use.
  for want in "moat:enable ROOT.CELL" "moat:cell create FILE.cell" "moat-cellc:moat-cellc compile --board" "moat-ctl:moat-ctl"; do
    page=${want%%:*} text=${want#*:}
    if command -v man >/dev/null; then
      check "man $page renders and names '$text'" sh -c "MANWIDTH=100 man -l '$work/tools/usr/share/man/man1/$page.1.gz' 2>/dev/null | grep -qF -- '$text'"
    else
      check "man page $page names '$text' (man is not installed: not rendered)" sh -c "zcat '$work/tools/usr/share/man/man1/$page.1.gz' | grep -qF -- '$text'"
    fi
  done
  if command -v lintian >/dev/null; then
    # Static programs are moat's choice (the boards' initramfs and minimal roots have no C++ runtime).
    check "lintian (errors)" lintian --fail-on error --suppress-tags statically-linked-binary "$tools_deb" "$dkms_deb"
  else
    echo "check-debs: lintian is not installed: its checks are left out (apt-get install lintian)"
  fi
}

dkms_build() {
  [ -n "$headers" ] && [ -n "$kver" ] && [ -n "$out" ] || { echo "check-debs dkms: needs --kernel-headers, --kernel-release and --out" >&2; exit 2; }
  [ -f "$headers/Makefile" ] || { echo "check-debs: no kernel headers in $headers (scripts/fetch-kernel.sh)" >&2; exit 1; }
  if ! command -v dkms >/dev/null; then
    echo "check-debs: dkms is not installed (apt-get install --no-install-recommends dkms, or scripts/install-deps.sh): DKMS build skipped"
    exit 77
  fi
  dpkg-deb -x "$dkms_deb" "$work/root"
  local src=$work/root/usr/src dtree=$work/dkms
  mkdir -p "$dtree" "$work/bin"
  # DKMS strips the module with `strip`: the board's own is an arm64 one; here it is the cross one.
  ln -s "$(command -v aarch64-linux-gnu-strip)" "$work/bin/strip"
  export PATH=$work/bin:$PATH ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
  local dk=(-m moat -v "$version" --dkmstree "$dtree" --sourcetree "$src")
  check "dkms add" dkms add "${dk[@]}"
  check "dkms build for $kver (aarch64)" dkms build "${dk[@]}" -k "$kver" -a aarch64 --kernelsourcedir "$headers"
  local ko=$dtree/moat/$version/$kver/aarch64/module/moat.ko
  [ -f "$ko" ] || { cat "$dtree"/moat/"$version"/build/make.log 2>/dev/null; fail "dkms built no $ko"; exit 1; }
  dkms status "${dk[@]}" | tee "$work/status"
  check "dkms status: built for $kver" grep -q "moat/$version, $kver, aarch64: built" "$work/status"
  check "the module is for $kver (vermagic)" sh -c "modinfo -F vermagic '$ko' | grep -q '^$kver '"
  check "the module is arm64 and stripped of debug info" sh -c "file -b '$ko' | grep -q 'ARM aarch64' && ! file -b '$ko' | grep -q 'with debug_info'"
  # On another architecture DKMS refuses by the dkms.conf's BUILD_EXCLUSIVE_ARCH, not with a failed build.
  local rc=0
  dkms build "${dk[@]}" -k "$kver" -a x86_64 --kernelsourcedir "$headers" > "$work/other.log" 2>&1 || rc=$?
  check "dkms refuses another architecture by name" sh -c "[ $rc -ne 0 ] && grep -q 'BUILD_EXCLUSIVE' '$work/other.log'"
  mkdir -p "$out"
  install -m 0644 "$ko" "$out/moat.ko"
}

case $mode in
  contents) contents ;;
  dkms) dkms_build ;;
  *) echo "usage: check-debs.sh contents|dkms --debs DIR ..." >&2; exit 2 ;;
esac
echo "check-debs: $failures failure(s)"
[ $failures -eq 0 ]
