#!/usr/bin/env bash
# Host test of scripts/mk-bootfiles.sh (ctest bootfiles.BOARD, label host): lays out the board's
# boot partition from the package cache only (--from-cache: no network in tests) and checks what
# a board would boot from it. rpi4 writes OUT with --ram-mb 2048 (QEMU raspi4b's RAM), which
# qemu.rpi4.enable-disable then boots (qemu-run.sh --bootfiles OUT).
#
#   check-bootfiles.sh rpi4|zcu102 BUILD CACHE OUT
set -uo pipefail
board=$1 build=$2 cache=$3 out=$4
top=$(cd "$(dirname "$0")/../.." && pwd)
mk=$top/scripts/mk-bootfiles.sh
cellc=$build/tools/cellc/moat-cellc
failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A stand-in initramfs: only its copying is checked (host-only builds have no initramfs).
initrd=$tmp/test-initrd.cpio.gz
echo "check-bootfiles $$" | gzip -n > "$initrd"

[ -f "$cache/kernel/abi" ] || { echo "SKIP: no kernel in $cache/kernel (scripts/fetch-kernel.sh)"; exit 77; }

# The cells must agree with the DTB the card carries: moat-cellc check on the whole system.
cells_check() { "$cellc" check --board "$1/$2" "$1"/moat/*.dtbo >/dev/null; }
# The DTB is a valid tree, its moat regions are no-map and the build's, and moat-cellc accepts the
# whole system on it (regions in RAM, devices, CPUs).
dtb_checks() {
  local dir=$1 dtb=$1/$2 node compat
  check "$2 decompiles (dtc -I dtb)" dtc -q -I dtb -O dts -o "$tmp/out.dts" "$dtb"
  for compat in moat,hypervisor moat,cell-pool; do
    node=""
    for n in $(fdtget -l "$dtb" /reserved-memory); do
      fdtget -t s "$dtb" "/reserved-memory/$n" compatible 2>/dev/null | grep -qw "$compat" && node=/reserved-memory/$n
    done
    check "$2: /reserved-memory has a $compat node ($node)" test -n "$node"
    [ -n "$node" ] || continue
    check "$2: $node is no-map" sh -c "fdtget '$dtb' '$node' no-map >/dev/null"
    check "$2: $node reg is the build's (dts/$board-moat.dtso)" \
      test "$(fdtget -t x "$dtb" "$node" reg)" = "$(fdtget -t x "$build/dts/$board-moat.dtb" "$node" reg)"
  done
  check "moat-cellc check: the cells in moat/ on $2" cells_check "$dir" "$2"
}

if [ "$board" = rpi4 ]; then
  fw_args=()
  if [ ! -f "$cache/raspi-firmware/start4.elf" ]; then
    echo "SKIP (part): no raspi-firmware in $cache/raspi-firmware: start4.elf/fixup4.dat not checked (scripts/mk-bootfiles.sh --board rpi4 without --from-cache fetches it)"
    fw_args=(--no-firmware)
  fi
  rm -rf "$out"
  check "mk-bootfiles --board rpi4 --ram-mb 2048" "$mk" --board rpi4 --out "$out" --from-cache --ram-mb 2048 \
    --cache "$cache" --build "$build" "${fw_args[@]}"
  files=(config.txt cmdline.txt bl31.bin vmlinuz rpi4-moat.dtb moat/root.cell moat/ctl-loop.cell moat/root.dtbo)
  [ ${#fw_args[@]} -gt 0 ] || files+=(start4.elf fixup4.dat)
  for f in "${files[@]}"; do check "$f present" test -s "$out/$f"; done
  check "bl31.bin is Debian's rpi4 BL31" cmp -s "$out/bl31.bin" "$cache/tfa/rpi4/bl31.bin"
  check "vmlinuz is an arm64 Image (magic ARM\\x64 at 56)" test "$(od -An -c -j56 -N4 "$out/vmlinuz" | tr -d ' ')" = "ARMd"
  # config.txt: the keys the firmware needs for this boot, and every file it names is there.
  for kv in arm_64bit=1 enable_uart=1 enable_gic=1 armstub=bl31.bin kernel=vmlinuz \
            kernel_address=0x200000 device_tree=rpi4-moat.dtb total_mem=2048; do
    check "config.txt: $kv" grep -qx "$kv" "$out/config.txt"
  done
  for key in armstub kernel device_tree; do
    f=$(sed -n "s/^$key=//p" "$out/config.txt")
    check "config.txt: $key names a file on the partition ($f)" test -f "$out/$f"
  done
  check "config.txt: no initramfs line without --initrd" sh -c "! grep -q '^initramfs' '$out/config.txt'"
  # cmdline.txt: one line; KVM off (else KVM takes EL2); the console on the mini UART, serial1,
  # whose CPU address is its /soc address through /soc's ranges (computed here independently).
  check "cmdline.txt is one line" test "$(wc -l < "$out/cmdline.txt")" = 1
  check "cmdline.txt: kvm-arm.mode=none" grep -qw kvm-arm.mode=none "$out/cmdline.txt"
  check "cmdline.txt: console=ttyS1,115200" grep -qw console=ttyS1,115200 "$out/cmdline.txt"
  dtb=$out/rpi4-moat.dtb
  serial1=$(fdtget -t s "$dtb" /aliases serial1)
  read -r reg _ <<< "$(fdtget -t x "$dtb" "$serial1" reg)"
  read -r child _ parent _ <<< "$(fdtget -t x "$dtb" /soc ranges)"
  miniuart=$(printf '0x%x' $((0x$reg - 0x$child + 0x$parent)))
  check "cmdline.txt: earlycon on the mini UART ($serial1 = $miniuart)" grep -qw "earlycon=uart8250,mmio32,$miniuart" "$out/cmdline.txt"
  # /memory: what the firmware writes on a 2 GB board (the same as qemu-run.sh's fix-up 1).
  check "rpi4-moat.dtb: /memory is a 2 GB board's banks" \
    test "$(fdtget -t x "$dtb" /memory@0 reg)" = "0 0 3b400000 0 40000000 40000000"
  dtb_checks "$out" rpi4-moat.dtb
  "$cellc" dump "$out/moat/root.cell" > "$tmp/root.txt"
  check "root.cell: RAM from the 2 GB banks, nothing above the hypervisor" \
    sh -c "grep -q 'phys 0x40000000 ipa 0x40000000 size 0x3c000000' '$tmp/root.txt' && ! grep -q 'phys 0x80000000 ipa 0x80000000' '$tmp/root.txt'"

  # Without --ram-mb: the fragment's 4 GB board, exactly the build's tree and cells.
  check "mk-bootfiles --board rpi4 (4096 MiB)" "$mk" --board rpi4 --out "$tmp/r4096" --from-cache --no-firmware \
    --cache "$cache" --build "$build"
  check "4096 MiB: rpi4-moat.dtb is build/dts/rpi4-moat.dtb" cmp -s "$tmp/r4096/rpi4-moat.dtb" "$build/dts/rpi4-moat.dtb"
  check "4096 MiB: moat/root.cell is build/cells/rpi4/root.cell" cmp -s "$tmp/r4096/moat/root.cell" "$build/cells/rpi4/root.cell"
  check "4096 MiB: config.txt total_mem=4096" grep -qx total_mem=4096 "$tmp/r4096/config.txt"
  # 8 GB: a third bank at 4 GiB (two 2 GiB entries: one size cell), the cells still check.
  check "mk-bootfiles --board rpi4 --ram-mb 8192" "$mk" --board rpi4 --out "$tmp/r8192" --from-cache --no-firmware --ram-mb 8192 \
    --cache "$cache" --build "$build" --initrd "$initrd"
  check "8192 MiB: /memory has the RAM above 4 GiB" \
    test "$(fdtget -t x "$tmp/r8192/rpi4-moat.dtb" /memory@0 reg)" = "0 0 3b400000 0 40000000 bc000000 1 0 80000000 1 80000000 80000000"
  check "8192 MiB: moat-cellc check" cells_check "$tmp/r8192" rpi4-moat.dtb
  check "--initrd: config.txt loads initrd.img after the kernel" grep -qx "initramfs initrd.img followkernel" "$tmp/r8192/config.txt"
  check "--initrd: initrd.img is the file given" cmp -s "$tmp/r8192/initrd.img" "$initrd"
  # 1 GB: moat's regions are not RAM there: refused, naming the cause, nothing written.
  "$mk" --board rpi4 --out "$tmp/r1024" --from-cache --no-firmware --cache "$cache" --build "$build" --ram-mb 1024 > "$tmp/r1024.log" 2>&1
  check "1024 MiB refused" test $? -ne 0
  check "1024 MiB: the error names moat's region and the fragment" grep -q "cells@7c000000.*not in the RAM of a 1024 MiB board.*dts/rpi4-moat.dtso" "$tmp/r1024.log"
  check "1024 MiB: no DTB written" test ! -e "$tmp/r1024/rpi4-moat.dtb"
  "$mk" --board rpi4 --out "$tmp/nofw" --from-cache --cache "$tmp/empty" > "$tmp/nofw.log" 2>&1
  check "--from-cache with an empty cache: refused, naming fetch-kernel.sh" grep -q "no kernel in $tmp/empty/kernel: run scripts/fetch-kernel.sh" "$tmp/nofw.log"
else
  rm -rf "$out"
  check "mk-bootfiles --board zcu102" "$mk" --board zcu102 --out "$out" --from-cache --cache "$cache" --build "$build" \
    --initrd "$initrd"
  for f in Image zcu102-moat.dtb boot.cmd boot.bif BOOT.BIN.txt initrd.img moat/root.cell moat/ctl-loop.cell; do
    check "$f present" test -s "$out/$f"
  done
  check "Image is Debian's kernel" cmp -s "$out/Image" "$cache/kernel/root/boot/vmlinuz-$(cat "$cache/kernel/abi")-arm64"
  check "zcu102-moat.dtb is build/dts/zcu102-moat.dtb" cmp -s "$out/zcu102-moat.dtb" "$build/dts/zcu102-moat.dtb"
  dtb_checks "$out" zcu102-moat.dtb
  check "moat/root.cell is build/cells/zcu102/root.cell" cmp -s "$out/moat/root.cell" "$build/cells/zcu102/root.cell"
  if command -v mkimage >/dev/null; then
    check "boot.scr is a U-Boot script image" sh -c "mkimage -l '$out/boot.scr' | grep -q 'Script'"
  else
    echo "SKIP (part): no mkimage: boot.scr not checked"
  fi
  check "boot.cmd: kvm-arm.mode=none" grep -q 'kvm-arm.mode=none' "$out/boot.cmd"
  check "boot.cmd: console on ttyPS0" grep -q 'console=ttyPS0,115200' "$out/boot.cmd"
  check "boot.cmd: no relocation into moat's memory (initrd_high, fdt_high)" \
    sh -c "grep -qx 'setenv initrd_high 0xffffffffffffffff' '$out/boot.cmd' && grep -qx 'setenv fdt_high 0xffffffffffffffff' '$out/boot.cmd'"
  for f in Image zcu102-moat.dtb initrd.img; do
    check "boot.cmd loads /$f" grep -q " /$f\$" "$out/boot.cmd"
  done
  check "boot.bif: U-Boot at EL2" grep -q 'exception_level=el-2\] u-boot.elf' "$out/boot.bif"
  "$mk" --board zcu102 --out "$tmp/z" --from-cache --cache "$cache" --build "$build" --ram-mb 2048 > "$tmp/z.log" 2>&1
  check "zcu102 --ram-mb refused, naming why" grep -q "ram-mb is for the Raspberry Pi 4" "$tmp/z.log"
fi
echo "check-bootfiles: $failures failure(s)"
[ $failures -eq 0 ]
