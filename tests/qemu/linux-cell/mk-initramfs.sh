#!/usr/bin/env bash
# The Linux cell's initramfs for qemu.linux-cell: busybox, three tiny 32-bit programs
# (mk-a32.py) and an /init that prints what the test checks on the cell's console, runs the
# workload in an interactive shell (prompt "linux-cell:/# ") and powers the cell off (PSCI
# SYSTEM_OFF: the cell ends, not the machine). Kernel command-line switches for the root's
# destroy cycles: moat.hold (stay up: the root destroys the cell by force), moat.hotplug (and
# take a CPU off and on in a loop meanwhile), moat.busy (8 s idle, then busy on both CPUs);
# moat.demo: scripts/demo.sh --linux's few lines of work, then poweroff; moat.reboot: reboot -f
# after the workload instead of poweroff -f.
# The workload's disk steps load virtio_mmio.ko and virtio_blk.ko, taken from the kernel tree
# BUSYBOX is in (BUSYBOX's ../lib/modules/*/kernel: fetch-kernel.sh extracts them; no other
# dependencies, the virtio core is built in).
# With MOAT_KO and LINK_TALK (the root's moat.ko, tests/link-talk's moat-link-talk), /init loads
# moat.ko (the cell's link endpoints and console ring, docs/linux-cell.md) and talks to the root.
# Usage: mk-initramfs.sh BUSYBOX OUT.cpio.gz [MOAT_KO LINK_TALK]
set -euo pipefail
usage="usage: mk-initramfs.sh BUSYBOX OUT.cpio.gz [MOAT_KO LINK_TALK]"
busybox=${1:?$usage} out=${2:?$usage} moat_ko=${3:-} link_talk=${4:-}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,proc,sys,dev}
install -m 0755 "$busybox" "$stage/bin/busybox"
if [ -n "$moat_ko" ]; then
	install -m 0644 "${moat_ko}" "$stage/moat.ko"
	install -m 0755 "${link_talk:?$usage}" "$stage/bin/moat-link-talk"
fi
python3 "$(dirname "$0")/mk-a32.py" "$stage/bin"
mkdir -p "$stage/lib/modules" "$stage/tmp"
for m in drivers/virtio/virtio_mmio.ko drivers/block/virtio_blk.ko; do
	ko=$(ls "$(dirname "$busybox")"/../lib/modules/*/kernel/$m 2>/dev/null | head -n 1)
	[ -n "$ko" ] || { echo "mk-initramfs.sh: no $m under $(dirname "$busybox")/../lib/modules (scripts/fetch-kernel.sh extracts it)" >&2; exit 1; }
	install -m 0644 "$ko" "$stage/lib/modules/"
done
cat > "$stage/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev  # /dev/null for background jobs
echo "linux-cell: shell up"
echo "linux-cell: processors $(grep -c ^processor /proc/cpuinfo)"
echo "linux-cell: memory $(sed -n 's/^MemTotal: *//p' /proc/meminfo)"
# 32-bit processes at registers they may not use: SIGILL (exit status 128 + 4), the cell runs on.
a32() {
	"/bin/a32-$1"
	rc=$?
	[ $rc = 132 ] && how=SIGILL || how="exit $rc"
	echo "linux-cell: a32 $2: $how"
}
a32 ok "no trap"
a32 mrc-p14 "mrc p14"
a32 pmcr "mrc p15 pmcr"
cmdline=$(cat /proc/cmdline)
# moat.ko in the cell (issue 19): /dev/moat-link-talk and the kernel log into the console ring,
# which the root reads with `moat console`; part 1 (not held) talks to the root over link "talk".
if [ -f /moat.ko ]; then
	insmod /moat.ko && echo "linux-cell: moat.ko loaded: $(ls /dev | grep moat-link | tr '\n' ' ')"
	echo "linux-cell: /init after moat.ko (kernel log)" > /dev/kmsg
	case " $cmdline " in *" moat.hold "* | *" moat.demo "*) ;; *)
		moat-link-talk cell || echo "linux-cell: moat-link-talk cell failed" ;;
	esac
fi
# Before the poweroff: moat.ko has put the whole kernel log into the ring (it paces itself).
ring_flushed() {
	p=/sys/module/moat/parameters/console_pending n=0
	while [ -f $p ] && [ "$(cat $p)" != 0 ] && [ $n -lt 60 ]; do sleep 1; n=$((n + 1)); done
	[ -f $p ] && echo "linux-cell: console ring caught up after ${n}s ($(cat $p) records pending)"
}
case " $cmdline " in *" moat.demo "*)
	# scripts/demo.sh --linux: a few lines of work through the kernel log (every console of the
	# cell prints them), then poweroff: the root sees the cell shut down.
	say() { echo "linux-cell: $*" > /dev/kmsg; }
	say "demo: $(uname -sr), $(nproc) CPU, $(sed -n 's/^MemTotal: *//p' /proc/meminfo) of RAM, up $(cut -d' ' -f1 /proc/uptime) s"
	n=1
	while [ $n -le 6 ]; do
		sum=$(dd if=/dev/urandom bs=64k count=16 2>/dev/null | md5sum | cut -c1-12)
		say "demo: round $n: 1 MiB of random bytes hashed to $sum, load $(cut -d' ' -f1 /proc/loadavg), up $(cut -d' ' -f1 /proc/uptime) s"
		sleep 2
		n=$((n + 1))
	done
	say "demo: poweroff"
	ring_flushed
	poweroff -f
esac
case " $cmdline " in *" moat.hold "*)
	# Tell the root that /init got here: its last CPU off for 3 s and on again, which the root
	# sees in `moat cell list` ("(1 on)" between two "(2 on)"). A tree with a CPU that failed to
	# boot leaves a gap in the numbering: the last online CPU, not cpu1.
	c=$(tr ',-' '\n\n' < /sys/devices/system/cpu/online | tail -n 1)
	echo 0 > /sys/devices/system/cpu/cpu$c/online
	sleep 3
	echo 1 > /sys/devices/system/cpu/cpu$c/online
	case " $cmdline " in *" moat.hotplug "*)
		echo "linux-cell: hotplug loop on CPU $c"
		while :; do echo 0 > /sys/devices/system/cpu/cpu$c/online; echo 1 > /sys/devices/system/cpu/cpu$c/online; done &
	esac
	case " $cmdline " in *" moat.busy "*)
		# Exits per second (linux-cell.sh measures by its own clock): 8 s idle, then a busy loop
		# on each CPU (no system calls) until the root destroys the cell.
		echo "linux-cell: idle 8 s"
		sleep 8
		echo "linux-cell: busy on both CPUs"
		taskset -c 0 sh -c 'while :; do :; done' &
		taskset -c 1 sh -c 'while :; do :; done' &
	esac
	echo "linux-cell: held (the root destroys the cell)"
	while :; do sleep 1; done
esac
# The disk steps need a virtio-mmio transport in the cell's tree (QEMU virt's linux.dtso has
# them; the ZCU102's cell has none): without one they are left out of the workload.
if ! ls -d /sys/firmware/devicetree/base/virtio_mmio@* > /dev/null 2>&1; then
	sed -i '/^# disk begin/,/^# disk end/d' /workload
	echo "linux-cell: no virtio-mmio transport in this cell's tree: no disk steps"
fi
# The workload, typed into an interactive shell on the console (-v echoes each line read).
PS1='linux-cell:/# ' sh -iv < /workload
ring_flushed
case " $cmdline " in *" moat.reboot "*)
	# PSCI SYSTEM_RESET: it ends the cell as SYSTEM_OFF does, never resets the machine.
	echo "linux-cell: reboot"
	reboot -f
esac
echo "linux-cell: poweroff"
poweroff -f
INIT
cat > "$stage/workload" <<'WORK'
echo "linux-cell: nproc $(nproc)"
echo "linux-cell: online $(cat /sys/devices/system/cpu/online)"
L='i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done; echo "linux-cell: loop done on CPU $(cut -d" " -f39 /proc/self/stat)"'
taskset -c 0 sh -c "$L" & taskset -c 1 sh -c "$L" & wait
echo 0 > /sys/devices/system/cpu/cpu1/online
echo "linux-cell: after cpu1 off: online $(cat /sys/devices/system/cpu/online)"
echo 1 > /sys/devices/system/cpu/cpu1/online
echo "linux-cell: after cpu1 on: online $(cat /sys/devices/system/cpu/online)"
taskset -c 1 sh -c 'echo "linux-cell: ran on CPU $(cut -d" " -f39 /proc/self/stat)"'
# disk begin
# The disk (docs/linux-cell.md, Devices): virtio-mmio transport 8 with the stock drivers, its DMA
# into the cell's RAM (IPA = PA). Read the marker qemu-run.sh wrote in sector 0; write block 1
# (4 KiB) with O_DIRECT: "moat-celldisk-reply <the token read> <a fresh pattern>"; drop the
# caches, read it back with O_DIRECT, compare. The root checks block 1 after the cell is gone.
insmod /lib/modules/virtio_mmio.ko; insmod /lib/modules/virtio_blk.ko
i=0; while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
echo "linux-cell: disk vda $(cat /sys/block/vda/size) sectors"
# Files, not pipes, into head: this shell's stdin is /workload, and busybox runs head inside the
# shell's process, where it would read the rest of the workload.
dd if=/dev/vda of=/tmp/sec0 bs=4096 count=1 iflag=direct 2>/dev/null
m=$(head -n 1 /tmp/sec0)
echo "linux-cell: disk marker <$m>"
p=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
dd if=/dev/zero of=/tmp/blk bs=4096 count=1 2>/dev/null; echo "moat-celldisk-reply ${m#moat-celldisk } $p" | dd of=/tmp/blk conv=notrunc 2>/dev/null
dd if=/tmp/blk of=/dev/vda bs=4096 seek=1 count=1 oflag=direct 2>/dev/null; echo "linux-cell: disk direct write status $?"
sync; echo 3 > /proc/sys/vm/drop_caches
dd if=/dev/vda of=/tmp/back bs=4096 skip=1 count=1 iflag=direct 2>/dev/null
echo "linux-cell: disk direct read-back $(cmp -s /tmp/blk /tmp/back && echo matches || echo DIFFERS) ($(head -n 1 /tmp/back))"
# disk end
exit
WORK
chmod 0755 "$stage/init"
(cd "$stage" && find . | cpio -o -H newc --owner 0:0 --quiet) | gzip -n > "$out"
