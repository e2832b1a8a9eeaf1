#!/usr/bin/env bash
# The one QEMU runner for the demo, the tests and the benchmarks.
#
#   qemu-run.sh [--build DIR] [--test NAME | --shell] [--board virt|zcu102] [--gic 3|2] [--cpus 4]
#               [--cpu-model cortex-a57]
#               [--icount] [--timeout SECONDS] [--extra FILE]... [--append "KERNEL ARGS"] [--kvm]
#               [--expect FILE] [--log FILE] [--uboot] [--cache DIR] [--series 6.12]
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
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${MOAT_CACHE:-$top/.cache} build=$top/build test="" shell=0 baremetal="" board=virt gic=3 cpus=4 icount=0 timeout=300 append="" kvm=0 expect="" log="" uboot=0 series="" cpu_model=cortex-a57
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
    -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
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
case $board in
  virt) ;;
  zcu102)
    # Not (yet) for this board: firmware boot, bare-metal demos.
    [ $uboot -eq 0 ] || { echo "qemu-run: --uboot is for QEMU virt only (Debian has no ZynqMP U-Boot)" >&2; exit 2; }
    [ -z "$baremetal" ] || { echo "qemu-run: --baremetal is for QEMU virt only" >&2; exit 2; } ;;
  *) echo "qemu-run: unknown board '$board': virt or zcu102" >&2; exit 2 ;;
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
[ $kvm -eq 1 ] || cmdline="$cmdline kvm-arm.mode=none"
[ $shell -eq 1 ] || [ -z "$test" ] || cmdline="$cmdline moat.test=$test"
[ -n "$append" ] && cmdline="$cmdline $append"
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
      -netdev user,id=net0 -device virtio-net-device,netdev=net0 "${bootdisk[@]}")
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
mkdir -p "$(dirname "$log")"
{
  # What this run used, first in every log: failures must carry the versions of the day.
  [ -n "$baremetal" ] || echo "qemu-run: kernel: Debian linux-image-$abi-arm64 ($kernel)"
  echo "qemu-run: $("${qemu[0]}" --version | head -n1)"
  echo "qemu-run: ${qemu[*]}"
} | tee "$log"
timeout --foreground -k 5 "$timeout" "${qemu[@]}" < /dev/null 2>&1 | tee -a "$log"
qrc=${PIPESTATUS[0]}
if [ "$qrc" = 124 ]; then
  echo "qemu-run: TIMEOUT after ${timeout}s (log: $log)"
  exit 124
fi
if [ "$board" = zcu102 ] && [ -s "$uart1_log" ]; then
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
