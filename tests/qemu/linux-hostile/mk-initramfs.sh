#!/usr/bin/env bash
# The Linux cell's initramfs for qemu.linux-hostile: busybox, cell_attack.ko and an /init that
# attacks what the cell does not own (docs/linux-cell.md, "Hostile"). What to attack comes from
# the root at run time on the kernel command line (moat cell linux --cmdline), never from here:
#   moat_hostile.boot=1|2     which lifetime of the cell this is (1: distributor, redistributors,
#                             SGIs, then a read of root RAM; 2: a write to the hypervisor's memory)
#   moat_hostile.spi=N        an SPI of the root's (INTID)
#   moat_hostile.mpidrs=A,B   the root's CPUs (MPIDRs)
#   moat_hostile.ram=S-E,...  the root's RAM ranges (its /proc/iomem System RAM)
#   moat_hostile.hv=S-E       the hypervisor's memory (the root tree's moat,hypervisor)
# Every memory access goes through /dev/mem (busybox devmem: an mmap) first; if the cell's kernel
# refuses that (STRICT_DEVMEM), through cell_attack.ko's memremap. Usage:
#   mk-initramfs.sh BUSYBOX CELL_ATTACK.KO OUT.cpio.gz
set -euo pipefail
usage="usage: mk-initramfs.sh BUSYBOX CELL_ATTACK.KO OUT.cpio.gz"
busybox=${1:?$usage} module=${2:?$usage} out=${3:?$usage}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,proc,sys,dev}
install -m 0755 "$busybox" "$stage/bin/busybox"
install -m 0644 "$module" "$stage/cell_attack.ko"
cat > "$stage/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
say() { echo "linux-hostile: $*"; }
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^moat_hostile\.$1=//p"; }
# Whether ADDR lies in this kernel's own RAM (its /proc/iomem System RAM).
own_ram() {
	for r in $(sed -n 's/^\([0-9a-f]*\)-\([0-9a-f]*\) : System RAM$/\1-\2/p' /proc/iomem); do
		[ $(($1)) -ge $((0x${r%-*})) ] && [ $(($1)) -le $((0x${r#*-})) ] && return 0
	done
	return 1
}
# attack (read|write) ADDR WHAT: through /dev/mem, or the module if /dev/mem refuses. Either
# way the access should never return: the hypervisor fails the cell on it.
mem_attack() {
	if [ "$1" = write ]; then
		say "writing 0xbadc0ffee0ddf00d to $2 ($3) through /dev/mem (busybox devmem: mmap)"
		out=$(devmem "$2" 64 0xbadc0ffee0ddf00d 2>&1)
	else
		say "reading $2 ($3) through /dev/mem (busybox devmem: mmap)"
		out=$(devmem "$2" 64 2>&1)
	fi
	rc=$?
	if [ $rc -eq 0 ]; then
		say "/dev/mem $1 of $2 returned '$out': NOT CONTAINED"
		return
	fi
	say "/dev/mem refused ($out): $1 of $2 through cell_attack.ko (memremap)"
	insmod /cell_attack.ko attack=mem_$1 addr=$2
	say "the module's $1 of $2 returned: NOT CONTAINED"
}
say "shell up on $(grep -c ^processor /proc/cpuinfo) CPU(s); boot $(arg boot)"
say "root: SPI $(arg spi), CPUs $(arg mpidrs), RAM $(arg ram), hypervisor $(arg hv)"
case $(arg boot) in
1)
	insmod /cell_attack.ko attack=gicd spi=$(arg spi) && rmmod cell_attack
	insmod /cell_attack.ko attack=redist && rmmod cell_attack
	insmod /cell_attack.ko attack=sgi mpidrs=$(arg mpidrs) count=50 && rmmod cell_attack
	say "interrupt attacks done; the cell still runs"
	# A page of the root's RAM outside this cell's own: the last page of a range, or the first.
	target=
	for r in $(arg ram | tr ',' ' '); do
		for a in $(((${r#*-} + 1 - 4096) & ~4095)) $((${r%-*})); do
			own_ram $a || { target=$(printf '0x%x' $a); break 2; }
		done
	done
	[ -n "$target" ] || { say "no page of the root's RAM lies outside this cell's"; poweroff -f; }
	mem_attack read "$target" "root RAM"
	;;
2)
	hv=$(arg hv)
	mem_attack write "${hv%-*}" "the hypervisor's memory"
	;;
*)
	say "no moat_hostile.boot= on the command line"
	;;
esac
say "still running after the attack: powering off"
poweroff -f
INIT
chmod 0755 "$stage/init"
(cd "$stage" && find . | cpio -o -H newc --owner 0:0 --quiet) | gzip -n > "$out"
