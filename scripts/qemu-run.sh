#!/usr/bin/env bash
# The one QEMU runner for the demo, the tests and the benchmarks.
#
#   qemu-run.sh [--build DIR] [--test NAME | --shell] [--board virt|zcu102|rpi4] [--gic 3|2] [--cpus 4]
#               [--cpu-model cortex-a57]
#               [--icount] [--timeout SECONDS] [--extra FILE]... [--append "KERNEL ARGS"] [--kvm]
#               [--expect FILE] [--log FILE] [--uboot] [--cache DIR] [--series 6.12] [--bootfiles DIR]
#               [--cell-disk]
#   qemu-run.sh --baremetal ELF [--gic 3|2] [--icount] [--timeout S] [--expect F] [--log F]
#
# Boots Debian's arm64 kernel on QEMU virt (EL2 available, cortex-a57) with the board tree that
# carries moat's reserved memory and the initramfs from the build. With --test, the guest runs
# tests/qemu/guest/NAME.sh and the exit status is the guest's; 124 means timeout, 125 that the
# guest never reported. --expect checks the console log against an expectation file.
# --kvm leaves kvm-arm.mode=none off the command line (KVM takes EL2 at boot).
# --cache: where scripts/fetch-kernel.sh put Debian's kernel (default $MOAT_CACHE, else .cache/).
# --series 6.12: the root cell's second kernel generation instead (fetch-kernel.sh --series 6.12
# into <cache>/kernel-6.12) with the initramfs built for it (initramfs-6.12.cpio.gz: its moat.ko).
# --cpu-model: QEMU virt's CPU (-cpu); "max" has VHE, where Linux runs at EL2 itself.
# The log starts with the kernel package and QEMU version the run used.
# --uboot boots through Debian's U-Boot (-bios, at EL2) from a boot disk holding the kernel, the
# initramfs, the board tree and boot.scr (scripts/mk-uboot-disk.sh), instead of -kernel/-dtb.
# --baremetal boots a demo ELF directly at EL1 (no EL2, no Linux): the bare-metal baseline; the
# demo reports MOAT-TEST-EXIT=N itself and powers off through PSCI.
# --board zcu102 boots the same kernel and initramfs on QEMU's xlnx-zcu102 instead (4 Cortex-A53,
# GIC-400, PSCI over SMC; --gic does not apply) with build/dts/zcu102-moat.dtb: uart0 is the
# console; uart1 goes to <log>-uart1.log and, after the run, into the log as "qemu-run: uart1:"
# lines. QEMU has no firmware behind the Cadence UART's clock, so ttyPS0 never binds: the kernel
# prints through its early console (earlycon keep_bootcon) and the guest's /init sends what the
# test prints to /dev/kmsg (printk.devkmsg=on: not rate-limited).
# --board rpi4 boots QEMU's raspi4b (QEMU 9.0 or later; refused with exit 2 on an older one) the
# way the board boots: arm-trusted-firmware's BL31 (Debian's rpi4/bl31.bin: $MOAT_RPI4_BL31, else
# <cache>/tfa/rpi4/bl31.bin from scripts/fetch-tfa.sh, else /usr/lib/arm-trusted-firmware/) at 0
# in EL3 on all 4 Cortex-A72, the kernel at 0x200000, build/dts/rpi4-moat.dtb with the harness's
# fix-ups (docs/boards/rpi4.md); BL31 gives Linux PSCI and enters it at EL2. BL31 is loaded as a
# copy with the firmware's header filled in and CPU_OFF's warm reset, which QEMU ignores, done by
# a branch (docs/boards/rpi4.md, fix-up 5). The PL011 (uart0) is
# the console, the mini UART (uart1) goes to <log>-uart1.log as on the ZCU102.
# --cell-disk (virt): a 4 MiB virtio-blk disk on virtio-mmio transport 8 (0xa001000, SPI 24), the
# Linux cell's (cells/qemu-virt-linux/linux.dtso). Sector 0 starts with the line
# "moat-celldisk TOKEN" (16 random hex digits, new each run); the root's command line gets
# moat.celldisk=TOKEN, so that its test can check what the cell read from the disk and wrote back.
# --bootfiles DIR (rpi4): boot what scripts/mk-bootfiles.sh laid out for the SD card instead: the
# files config.txt names (armstub, kernel, device_tree) at its kernel_address, and the tree's
# /memory as it is (it must be QEMU's 2 GiB: mk-bootfiles.sh --ram-mb 2048). The initramfs and the
# command line stay the test's (the PL011 console; cmdline.txt names the mini UART).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${MOAT_CACHE:-$top/.cache} build=$top/build test="" shell=0 baremetal="" board=virt gic=3 cpus=4 icount=0 timeout=300 append="" kvm=0 expect="" log="" uboot=0 series="" cpu_model=cortex-a57
bootfiles="" cell_disk=0
extras=()
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift ;;
    --test) test=$2; shift ;;
    --baremetal) baremetal=$2; shift ;;
    --shell) shell=1 ;;
    --board) board=$2; shift ;;
    --gic) gic=$2; shift ;;
    --cpus) cpus=$2; shift ;;
    --cpu-model) cpu_model=$2; shift ;;
    --icount) icount=1 ;;
    --timeout) timeout=$2; shift ;;
    --extra) extras+=("$2"); shift ;;
    --append) append=$2; shift ;;
    --kvm) kvm=1 ;;
    --expect) expect=$2; shift ;;
    --log) log=$2; shift ;;
    --uboot) uboot=1 ;;
    --cache) cache=$2; shift ;;
    --series) series=$2; shift ;;
    --bootfiles) bootfiles=$2; shift ;;
    --cell-disk) cell_disk=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "qemu-run: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
build=$(cd "$build" && pwd)
# Machines newer than some QEMU: refuse early, naming the version found, rather than let QEMU
# fail on an unknown -M. (Debian 12's own QEMU is 7.2; scripts/install-deps.sh installs 10.)
declare -A qemu_needed=([rpi4]="9.0")  # -M raspi4b came in QEMU 9.0
if [ -n "${qemu_needed[$board]:-}" ]; then
  "$top/scripts/qemu-version.sh" --need "${qemu_needed[$board]}" "qemu-run --board $board" >/dev/null || exit 2
fi

# rpi4_boot KERNEL INITRD DTB CMDLINE WORKDIR: does for QEMU's raspi4b what the Pi 4's GPU
# firmware (start4.elf) does before the ARM cores run, and sets rpi4_loaders to the -device loader
# options that put the result in RAM. On the board the firmware loads the armstub (BL31, from
# config.txt's armstub=) at 0, the kernel at kernel_address, the tree and the initramfs; it writes
# the tree's /memory, /chosen bootargs and the initrd range, and tells BL31 where the kernel and
# the tree are by clearing the stub magic at 0xf0 and writing their addresses at 0xf8 and 0xfc
# (arm-trusted-firmware plat/rpi/rpi4, armstub8_header.S). BL31 then adds PSCI to the tree and
# enters the kernel at EL2. The harness's fix-ups to the tree are in docs/boards/rpi4.md, each
# with its reason.
rpi4_boot() {
  local kernel=$1 initrd=$2 dtb=$3 cmdline=$4 work=$5
  rpi4_bl31_src=${MOAT_RPI4_BL31:-}
  if [ -z "$rpi4_bl31_src" ]; then
    for f in "$cache/tfa/rpi4/bl31.bin" /usr/lib/arm-trusted-firmware/rpi4/bl31.bin; do
      [ -f "$f" ] && { rpi4_bl31_src=$f; break; }
    done
  fi
  [ -f "$rpi4_bl31_src" ] || { echo "qemu-run: no rpi4/bl31.bin (Debian's arm-trusted-firmware): run scripts/fetch-tfa.sh, or set MOAT_RPI4_BL31" >&2; return 1; }
  # The kernel where config.txt's kernel_address=0x200000 puts it (2 MiB aligned, above BL31's
  # 512 KiB); the tree at the next 2 MiB boundary after the kernel's image_size (BL31 maps the
  # tree's 2 MiB block and the next, and grows the tree in place to 1 MiB); the initramfs 2 MiB
  # further. All below 0x3b40_0000, the end of the first RAM bank.
  local kernel_addr=$((${rpi4_kernel_address:-0x200000}))
  local image_size
  image_size=$(od -An -tu8 -j16 -N8 "$kernel" | tr -d ' ')
  [ "${image_size:-0}" -gt 0 ] || { echo "qemu-run: $kernel: no arm64 Image header (image_size)" >&2; return 1; }
  local dtb_addr=$(( (kernel_addr + image_size + 0x1fffff) & ~0x1fffff ))
  local initrd_addr=$((dtb_addr + 0x200000))
  local initrd_end=$((initrd_addr + $(stat -c %s "$initrd")))
  [ $initrd_end -lt $((0x3b400000)) ] || { echo "qemu-run: the initramfs does not fit below 0x3b400000" >&2; return 1; }

  local tree=$work/rpi4.dtb
  cp "$dtb" "$tree"
  # QEMU has 2 GiB (its raspi4b is a 2 GB board, revision 1.5): the firmware would write the banks
  # below the VideoCore's memory and from 1 GiB to 2 GiB (the committed fragment states a 4 GB
  # board's, which the root cell is compiled from: see docs/boards/rpi4.md).
  local qemu_banks="0 0 3b400000 0 40000000 40000000"
  if [ -z "$bootfiles" ]; then
    # shellcheck disable=SC2086  # the cells are words
    fdtput -t x "$tree" /memory@0 reg $qemu_banks || return 1
  elif [ "$(fdtget -t x "$tree" /memory@0 reg)" != "$qemu_banks" ]; then
    echo "qemu-run: $dtb: /memory is not QEMU's 2 GiB ($qemu_banks): lay the card out with scripts/mk-bootfiles.sh --ram-mb 2048" >&2
    return 1
  fi
  # Devices QEMU's raspi4b does not model: a driver touching them takes a synchronous external
  # abort (the BCM2711's second-level interrupt controller panics the boot, then the HDMI
  # block's I2C). QEMU removes thermal, RNG200, PCIe and GENET itself when it loads a tree
  # (hw/arm/raspi4b.c); here QEMU loads no tree. Nothing of the HDMI block at 0xfef00000 (its
  # clock, both HDMI controllers and their I2C) is modelled.
  local node compat
  for node in "/soc/interrupt-controller@7ef00100 brcm,bcm2711-l2-intc" \
              "/soc/avs-monitor@7d5d2000/thermal brcm,bcm2711-thermal" \
              "/soc/rng@7e104000 brcm,bcm2711-rng200" \
              "/scb/pcie@7d500000 brcm,bcm2711-pcie" \
              "/scb/ethernet@7d580000 brcm,bcm2711-genet-v5" \
              "/soc/clock@7ef00000 brcm,brcm2711-dvp" \
              "/soc/hdmi@7ef00700 brcm,bcm2711-hdmi0" \
              "/soc/i2c@7ef04500 brcm,bcm2711-hdmi-i2c" \
              "/soc/hdmi@7ef05700 brcm,bcm2711-hdmi1" \
              "/soc/i2c@7ef09500 brcm,bcm2711-hdmi-i2c"; do
    compat=$(fdtget -t s "$tree" "${node% *}" compatible 2>/dev/null)
    [ "${compat%% *}" = "${node#* }" ] || { echo "qemu-run: $dtb: ${node% *} is not ${node#* } (the board tree changed: update rpi4_boot)" >&2; return 1; }
    fdtput -t s "$tree" "${node% *}" status disabled || return 1
  done
  fdtput -t s "$tree" /chosen bootargs "$cmdline" || return 1
  fdtput -t x "$tree" /chosen linux,initrd-start "$(printf '%x' $initrd_addr)" || return 1
  fdtput -t x "$tree" /chosen linux,initrd-end "$(printf '%x' $initrd_end)" || return 1

  python3 - "$rpi4_bl31_src" "$work/bl31.bin" "$dtb_addr" "$kernel_addr" <<'PY' || return 1
import re, struct, sys
src, dst, dtb, kernel = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
image = bytearray(open(src, 'rb').read())
magic = struct.unpack_from('<I', image, 0xf0)[0]
if magic != 0x5afe570b:
    sys.exit(f'qemu-run: {src}: no armstub magic at 0xf0 (0x{magic:08x}): not arm-trusted-firmware for the Pi 4')
# stub_magic cleared (the firmware's "addresses valid"), stub_version, dtb_ptr32, kernel_entry32.
struct.pack_into('<IIII', image, 0xf0, 0, 0, dtb, kernel)
# PSCI CPU_OFF ends in BL31's rpi3_pwr_down_wfi: RMR_EL3 = 3 (AArch64, RR: request a warm reset),
# then wfi forever. On the board the core resets and starts at 0 (b to BL31's entry), where BL31
# puts it back in its holding pen to wait for CPU_ON. QEMU ignores the RMR_EL3 write (a constant
# register), so the core would stay in that wfi for good. This copy does what the reset does
# instead: interrupts masked, MMU and caches off (SCTLR_EL3 = 0; BL31's entry sets the rest), and
# on to the reset vector 0; only with the MMU off, as after a reset: BL31's own tables do not
# let it execute page 0. Found by its encoding, which must occur exactly once
# (docs/boards/rpi4.md, "CPU_OFF and the warm reset").
pwr_down = struct.pack('<4I', 0xd2800060,   # mov x0, #3
                              0xd51ec040,   # msr rmr_el3, x0
                              0xd503207f,   # wfi
                              0x17ffffff)   # b .-4
hits = [m.start() for m in re.finditer(re.escape(pwr_down), bytes(image))]
if len(hits) != 1 or hits[0] % 4:
    sys.exit(f'qemu-run: {src}: the power-down sequence (mov x0, #3; msr rmr_el3, x0; wfi; b .-4) '
             f'occurs {len(hits)} times, not once: not a BL31 whose CPU_OFF the harness knows how to '
             'complete under QEMU; use Debian\'s arm-trusted-firmware 2.8 rpi4/bl31.bin (scripts/fetch-tfa.sh)')
at = hits[0]
branch_to_0 = 0x14000000 | ((-(at + 12) >> 2) & 0x3ffffff)
struct.pack_into('<4I', image, at, 0xd5034fdf,   # msr daifset, #0xf
                                   0xd51e101f,   # msr sctlr_el3, xzr
                                   0xd5033fdf,   # isb
                                   branch_to_0)  # b 0x0
with open(f'{dst}.note', 'w') as note:
    note.write(f'BL31 CPU_OFF at 0x{at:x}: the warm reset QEMU ignores is done by a branch to 0 with the MMU off\n')
open(dst, 'wb').write(image)
PY
  rpi4_loaders=(-device "loader,file=$work/bl31.bin,addr=0x0,force-raw=on"
                -device "loader,file=$kernel,addr=$(printf '0x%x' $kernel_addr),force-raw=on"
                -device "loader,file=$tree,addr=$(printf '0x%x' $dtb_addr),force-raw=on"
                -device "loader,file=$initrd,addr=$(printf '0x%x' $initrd_addr),force-raw=on")
}
case $board in
  virt) ;;
  zcu102)
    # Not (yet) for this board: firmware boot, bare-metal demos.
    [ $uboot -eq 0 ] || { echo "qemu-run: --uboot is for QEMU virt only (Debian has no ZynqMP U-Boot)" >&2; exit 2; }
    [ -z "$baremetal" ] || { echo "qemu-run: --baremetal is for QEMU virt only" >&2; exit 2; } ;;
  rpi4)
    [ $uboot -eq 0 ] || { echo "qemu-run: --uboot is for QEMU virt only (the Pi 4 boots BL31 and the kernel directly)" >&2; exit 2; }
    [ -z "$baremetal" ] || { echo "qemu-run: --baremetal is for QEMU virt only" >&2; exit 2; }
    ;;
  *) echo "qemu-run: unknown board '$board': virt, zcu102 or rpi4" >&2; exit 2 ;;
esac
if [ -n "$baremetal" ]; then
  [ -f "$baremetal" ] || { echo "qemu-run: missing $baremetal" >&2; exit 2; }
  test=$(basename "$baremetal" .elf)-baremetal
fi
if [ -z "$baremetal" ]; then
kdir=$cache/kernel initrd=$build/initramfs.cpio.gz
[ -z "$series" ] || kdir=$cache/kernel-$series initrd=$build/initramfs-$series.cpio.gz
abi=$(cat "$kdir/abi" 2>/dev/null) || { echo "qemu-run: no kernel in $kdir: run scripts/fetch-kernel.sh${series:+ --series $series}" >&2; exit 2; }
kernel=$kdir/root/boot/vmlinuz-$abi-arm64
dtb=$build/dts/qemu-virt-gicv$gic-moat.dtb
[ "$board" = zcu102 ] && dtb=$build/dts/zcu102-moat.dtb
[ "$board" = rpi4 ] && dtb=$build/dts/rpi4-moat.dtb
if [ -n "$bootfiles" ]; then
  [ "$board" = rpi4 ] || { echo "qemu-run: --bootfiles is for --board rpi4 (the ZCU102 needs BOOT.BIN, which QEMU's xlnx-zcu102 is not booted with)" >&2; exit 2; }
  [ -f "$bootfiles/config.txt" ] || { echo "qemu-run: --bootfiles $bootfiles: no config.txt (scripts/mk-bootfiles.sh --board rpi4 --out DIR)" >&2; exit 2; }
  # The files the Pi's firmware would load, by config.txt's keys.
  config_key() { sed -n "s/^$1=//p" "$bootfiles/config.txt" | tail -n1; }
  for key in armstub kernel device_tree kernel_address; do
    [ -n "$(config_key $key)" ] || { echo "qemu-run: $bootfiles/config.txt has no $key=" >&2; exit 2; }
  done
  kernel=$bootfiles/$(config_key kernel)
  dtb=$bootfiles/$(config_key device_tree)
  export MOAT_RPI4_BL31=$bootfiles/$(config_key armstub)
  rpi4_kernel_address=$(config_key kernel_address)
  [ -f "$MOAT_RPI4_BL31" ] || { echo "qemu-run: missing $MOAT_RPI4_BL31 (config.txt armstub=)" >&2; exit 2; }
fi
if [ $uboot -eq 1 ]; then
  # Started by firmware, QEMU's virt has no PL061: the tree dumped with -bios (dts/*-fw.dts).
  dtb=$build/dts/qemu-virt-gicv$gic-fw-moat.dtb
  uboot_bin=${MOAT_UBOOT_BIN:-/usr/lib/u-boot/qemu_arm64/u-boot.bin}
  [ -f "$uboot_bin" ] || { echo "qemu-run: missing $uboot_bin (Debian's u-boot-qemu: scripts/install-deps.sh)" >&2; exit 2; }
fi
for f in "$kernel" "$initrd" "$dtb"; do
  [ -f "$f" ] || { echo "qemu-run: missing $f (build first: cmake --build build)" >&2; exit 2; }
done
if [ "$cpus" != 4 ]; then
  echo "qemu-run: the board trees in dts/ describe 4 CPUs; --cpus $cpus needs a matching tree" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ ${#extras[@]} -gt 0 ]; then
  # Extra files land in /extra of the guest: a second cpio archive appended to the first.
  mkdir -p "$work/stage/extra"
  cp "${extras[@]}" "$work/stage/extra/"
  (cd "$work/stage" && find . | cpio -o -H newc --owner 0:0 --quiet) | gzip -n > "$work/extra.cpio.gz"
  cat "$initrd" "$work/extra.cpio.gz" > "$work/initrd.cpio.gz"
  initrd=$work/initrd.cpio.gz
fi

cmdline="console=ttyAMA0 quiet"
# No "quiet" on the ZCU102: the test's lines reach the console as kernel messages of the default
# level, which "quiet" would hide.
[ "$board" = zcu102 ] && cmdline="console=ttyPS0,115200 earlycon keep_bootcon printk.devkmsg=on"
# The Pi 4: the PL011 (uart0, the tree's serial0), no "quiet" either: BL31's and the kernel's boot
# lines (PSCI, EL2) are part of what the tests check.
[ "$board" = rpi4 ] && cmdline="console=ttyAMA0,115200 earlycon=pl011,mmio32,0xfe201000"
[ $kvm -eq 1 ] || cmdline="$cmdline kvm-arm.mode=none"
[ $shell -eq 1 ] || [ -z "$test" ] || cmdline="$cmdline moat.test=$test"
[ -n "$append" ] && cmdline="$cmdline $append"
celldisk=()
if [ $cell_disk -eq 1 ]; then
  [ "$board" = virt ] || { echo "qemu-run: --cell-disk is for QEMU virt (its virtio-mmio transport 8)" >&2; exit 2; }
  celldisk_token=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
  truncate -s 4M "$work/celldisk.img"
  printf 'moat-celldisk %s\n' "$celldisk_token" | dd of="$work/celldisk.img" conv=notrunc status=none
  cmdline="$cmdline moat.celldisk=$celldisk_token"
  # bus= names the transport: QEMU's virt would otherwise plug it into the highest free one,
  # in the page of the root's scratch disk (31) and network card (30).
  celldisk=(-drive "if=none,file=$work/celldisk.img,format=raw,id=celldisk"
            -device virtio-blk-device,drive=celldisk,bus=virtio-mmio-bus.8)
fi
# Every root cell gets a scratch virtio disk (16 MiB) and a virtio network card on QEMU's user
# network (10.0.2.0/24, gateway 10.0.2.2), on the board's virtio-mmio transports.
truncate -s 16M "$work/disk.img"
boot=(-kernel "$kernel" -initrd "$initrd" -dtb "$dtb" -append "$cmdline") bootdisk=()
if [ $uboot -eq 1 ]; then
  # No -kernel (U-Boot would boot it over fw_cfg, placing initrd and tree in moat's memory): a
  # boot disk, added last so that it takes the lowest virtio transport, which U-Boot's distro
  # boot scans as virtio 0.
  "$top/scripts/mk-uboot-disk.sh" --out "$work/boot.img" --kernel "$kernel" --initrd "$initrd" \
    --dtb "$dtb" --bootargs "$cmdline" || exit 2
  boot=(-bios "$uboot_bin")
  bootdisk=(-drive "if=none,file=$work/boot.img,format=raw,id=boot0" -device virtio-blk-device,drive=boot0)
fi
qemu=(qemu-system-aarch64 -M "virt,virtualization=on,gic-version=$gic" -cpu "$cpu_model" -smp "$cpus"
      -m 1G -nographic -nic none "${boot[@]}"
      -drive "if=none,file=$work/disk.img,format=raw,id=disk0" -device virtio-blk-device,drive=disk0
      -netdev user,id=net0 -device virtio-net-device,netdev=net0 "${bootdisk[@]}" "${celldisk[@]}")
if [ "$board" = virt ]; then
  # QEMU's virt builds its second PL011 (uart1, 0x9040000, SPI 8) only for a second -serial; the
  # board trees in dts/ have it (a Linux cell's console). What it prints goes to <log>-uart1.log
  # and, after the run, into the log as "qemu-run: uart1:" lines.
  [ -n "$log" ] || log=$build/qemu-logs/${test:-shell}-gicv$gic.log
  mkdir -p "$(dirname "$log")"
  uart1_log=${log%.log}-uart1.log
  rm -f "$uart1_log"
  qemu+=(-serial mon:stdio -serial "file:$uart1_log")
fi
if [ "$board" = zcu102 ]; then
  # The machine has its 4 Cortex-A53 built in (no -cpu/-smp); 2 GiB covers moat's regions at the
  # top of the low 2 GiB (dts/zcu102-moat.dtso). No virtio transports on this machine.
  [ -n "$log" ] || log=$build/qemu-logs/${test:-shell}-zcu102.log
  mkdir -p "$(dirname "$log")"
  uart1_log=${log%.log}-uart1.log
  rm -f "$uart1_log"
  # The DisplayPort's audio needs a silent backend. QEMU 7.2 takes the only -audiodev as the
  # default; newer QEMU (10 here) has no such default and wants the machine's audiodev property,
  # which 7.2 does not know: asked of the machine, not guessed from its version.
  machine=xlnx-zcu102,virtualization=on
  qemu-system-aarch64 -M xlnx-zcu102,help 2>/dev/null | grep -q '^ *audiodev=' && machine+=,audiodev=snd0
  qemu=(qemu-system-aarch64 -M "$machine" -m 2G -nographic -nic none
        -audiodev none,id=snd0 -serial mon:stdio -serial "file:$uart1_log" "${boot[@]}")
fi
if [ "$board" = rpi4 ]; then
  [ -n "$log" ] || log=$build/qemu-logs/${test:-shell}-rpi4.log
  mkdir -p "$(dirname "$log")"
  uart1_log=${log%.log}-uart1.log
  rm -f "$uart1_log"
  rpi4_boot "$kernel" "$initrd" "$dtb" "$cmdline" "$work" || exit 2
  # The machine has its 4 Cortex-A72 and 2 GiB built in (board revision 1.5). No -kernel/-dtb:
  # QEMU would then boot Linux itself at EL2 with spin-table secondaries; with nothing to boot,
  # every CPU starts at 0 in EL3 (QEMU's boot.c), where BL31 is, as the Pi's armstub does.
  # QEMU's BCM2838 builds its GIC-400 without the Security Extensions (hw/arm/bcm2838.c sets
  # only the virtualization extensions); every real GIC-400 has them. BL31 then puts every
  # interrupt in Group 1, which a GIC without them does not signal to a Linux that enables Group
  # 0 only: no timer, no IPI, Linux idles for ever at its first wait. The -global gives the model
  # what the board has (docs/boards/rpi4.md).
  qemu=(qemu-system-aarch64 -M raspi4b -global arm_gic.has-security-extensions=on -nographic -nic none
        -audiodev none,id=snd0 -serial mon:stdio -serial "file:$uart1_log" "${rpi4_loaders[@]}")
fi
else
  # EL1 only: QEMU's PSCI then answers HVC, and the demo starts at its ELF entry on CPU 0.
  qemu=(qemu-system-aarch64 -M "virt,gic-version=$gic" -cpu cortex-a57 -smp "$cpus" -m 1G
        -nographic -nic none -kernel "$baremetal")
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
[ $icount -eq 1 ] && qemu+=(-icount shift=0)
# Debugging: QEMU_EXTRA="-d int,guest_errors -D qemu.log" or "-s -S" for gdb.
[ -n "${QEMU_EXTRA:-}" ] && read -r -a extra_args <<< "$QEMU_EXTRA" && qemu+=("${extra_args[@]}")

if [ $shell -eq 1 ] || [ -z "$test" ]; then
  echo "qemu-run: interactive; quit with Ctrl-A X"
  exec "${qemu[@]}"
fi

[ -n "$log" ] || log=$build/qemu-logs/$test-gicv$gic.log
[ "$board" = zcu102 ] && echo "qemu-run: uart1 of the ZCU102 goes to $uart1_log"
[ "$board" = rpi4 ] && echo "qemu-run: uart1 (mini UART) of the Pi 4 goes to $uart1_log"
[ "$board" = virt ] && [ -z "$baremetal" ] && echo "qemu-run: uart1 (PL011 at 0x9040000) of QEMU virt goes to $uart1_log"
mkdir -p "$(dirname "$log")"
{
  # What this run used, first in every log: failures must carry the versions of the day.
  [ -n "$baremetal" ] || echo "qemu-run: kernel: Debian linux-image-$abi-arm64 ($kernel)"
  [ "$board" != rpi4 ] || echo "qemu-run: BL31: $rpi4_bl31_src; $(cat "$work/bl31.bin.note")"
  echo "qemu-run: $("${qemu[0]}" --version | head -n1)"
  echo "qemu-run: ${qemu[*]}"
} | tee "$log"
timeout --foreground -k 5 "$timeout" "${qemu[@]}" < /dev/null 2>&1 | tee -a "$log"
qrc=${PIPESTATUS[0]}
if [ "$qrc" = 124 ]; then
  echo "qemu-run: TIMEOUT after ${timeout}s (log: $log)"
  exit 124
fi
if [ -n "$baremetal" ]; then :; elif [ -s "$uart1_log" ]; then
  # What went out of the second UART (a cell that owns it), for --expect to check.
  tr -d '\r' < "$uart1_log" | sed 's/^/qemu-run: uart1: /' | tee -a "$log"
fi
rc=$(sed -n 's/.*MOAT-TEST-EXIT=\([0-9]*\).*/\1/p' "$log" | tail -n1)
if [ -z "$rc" ]; then
  echo "qemu-run: the guest never reported an exit status (QEMU exit $qrc; log: $log)"
  exit 125
fi
if [ -n "$expect" ] && ! python3 "$top/scripts/check-expect.py" "$log" "$expect"; then
  echo "qemu-run: console output does not match $expect (log: $log)"
  [ "$rc" = 0 ] && rc=1
fi
echo "qemu-run: guest exit status $rc"
exit "$rc"
