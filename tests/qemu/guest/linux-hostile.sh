# A hostile program in a Linux cell (issue 19; docs/linux-cell.md "Hostile", docs/security.md
# invariant 2): Debian's kernel in the Linux cell, whose /init (tests/qemu/linux-hostile/
# mk-initramfs.sh) loads cell_attack.ko to poke the distributor for the root's SPI, the root CPUs'
# redistributors, and to send SGIs to the root's CPUs, then maps root RAM (boot 1) or the
# hypervisor's memory (boot 2) through /dev/mem. What to attack is found here at run time (the
# root's RAM from /proc/iomem, the hypervisor's memory from the tree, the root's CPUs and its
# UART's SPI) and handed to the cell on its command line. The cell's own lines (uart1) and the
# hypervisor's verdict are checked by linux-hostile.expect; here, what the root sees: the cell
# failed on the memory access and nothing else, the root's interrupts untouched and working, no
# SGI of the cell's received, the cell destroyed, CPUs and the hypervisor's memory back.
. /tests/lib.sh
check "insmod moat.ko" insmod /moat.ko
check "insmod moat_probe.ko" insmod /moat_probe.ko
check "moat enable" moat enable $ROOT_CELL
hv_used() { moat info | sed -n 's/^memory in use: *//p'; }
used0=$(hv_used)
cpus0=$(cat /sys/devices/system/cpu/online)

# What to attack, from the running root.
ram=$(sed -n 's/^\([0-9a-f]*\)-\([0-9a-f]*\) : System RAM$/0x\1-0x\2/p' /proc/iomem | paste -sd, -)
n=$(hv_node)
resmem=$(dirname "$n")
hv_size=$(dt_number "$(dt_cells "$n/reg")" $(($(dt_ncells "$resmem" address) + 1)) "$(dt_ncells "$resmem" size)")
hv="$HV_BASE-$(printf '%#x' $((HV_BASE + hv_size - 1)))"
# The root's UART's SPI (its console: one the root sees working), else its first SPI.
spi_of() { awk -v pat="$1" '$0 ~ pat { for (i = 1; i <= NF; i++) if ($i ~ /^GIC/ && $(i + 1) >= 32) { print $(i + 1); exit } }' /proc/interrupts; }
spi=$(spi_of pl011)
[ -n "$spi" ] || spi=$(spi_of .)
mpidrs=
for c in /sys/devices/system/cpu/cpu[0-9]*; do
	grep -q 1 "$c/online" 2>/dev/null || [ ! -f "$c/online" ] || continue
	node=$c/of_node
	[ -f "$node/reg" ] || node=$(ls -d /proc/device-tree/cpus/cpu@* | sed -n "$((${c##*cpu} + 1))p")
	m=$(dt_number "$(dt_cells "$node/reg")" 1 "$(dt_ncells /proc/device-tree/cpus address)")
	mpidrs="$mpidrs${mpidrs:+,}$(printf '%#x' "$m")"
done
# The cell's tree keeps its console arguments: --cmdline replaces bootargs, so they are repeated.
if [ "$GIC_VERSION" = 2 ]; then sfx=-gicv2; else sfx=; fi
cell=/extra/linux$sfx.cell tree=/extra/linux1$sfx.dtb
bootargs=$(strings $tree | grep -m1 'console=')
echo "moat-guest: root RAM $ram, hypervisor $hv, root SPI $spi, CPUs $cpus0 (MPIDRs $mpidrs), cell bootargs '$bootargs'"
check "found the root's RAM, the hypervisor's memory, the UART's SPI and the CPUs" \
	test -n "$ram" -a -n "$HV_BASE" -a "$hv_size" -gt 0 -a -n "$spi" -a -n "$mpidrs" -a -n "$bootargs"

# The distributor's words for the root's SPI (enable, priority, trigger, route) and GICD_CTLR,
# as the root sees them (its own interrupt: the filter shows it whole).
probe_read32() {
	echo "read32 $1" > /proc/moat_probe
	dmesg | sed -n "s/.*moat_probe: read32 $1 = //p" | tail -1
}
gicd() { printf '%#x' $((GICD_BASE + $1)); }
if [ "$GIC_VERSION" = 3 ]; then route="$(gicd $((0x6000 + spi * 8))) $(gicd $((0x6000 + spi * 8 + 4)))"
else route=$(gicd $((0x800 + spi / 4 * 4))); fi
spi_regs="$(gicd 0) $(gicd $((0x100 + spi / 32 * 4))) $(gicd $((0x400 + spi / 4 * 4))) $(gicd $((0xc00 + spi / 16 * 4))) $route"
gic_state() { for r in $spi_regs; do printf '%s=%s ' $r "$(probe_read32 $r)"; done; }
spi_enabled() { v=$(probe_read32 "$(gicd $((0x100 + spi / 32 * 4)))"); echo $(((v >> (spi % 32)) & 1)); }
ipi_sum() { awk -v ipi="IPI$1:" '$1 == ipi { s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; print s }' /proc/interrupts; }
timer_irqs() { awk '/arch_timer/ { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) printf "%s ", $i; exit }' /proc/interrupts; }
gic0=$(gic_state)
check "the root's SPI $spi is enabled before the attack" test "$(spi_enabled)" = 1

# boot N CMDLINE-ARGS: the Linux cell with the attack parameters, until it is no longer running.
boot() {
	check "boot $1: moat cell linux" moat cell linux $cell $tree /extra/Image \
		--initrd /extra/linux-hostile.cpio.gz \
		--cmdline "$bootargs moat_hostile.boot=$1 moat_hostile.spi=$spi moat_hostile.mpidrs=$mpidrs moat_hostile.ram=$ram moat_hostile.hv=$hv"
	ipi0=$(ipi_sum 4); timers0=$(timer_irqs); online0=$(cat /sys/devices/system/cpu/online)
	for i in $(seq 1 150); do
		moat cell list > /tmp/list
		grep -Eq " linux1 +(running|created) " /tmp/list || break
		sleep 1
	done
	cat /tmp/list
	echo "moat-guest: boot $1: the cell ran ${i}s"
}
# failed_on ACCESS: the hypervisor's verdict from its console: the address the cell touched.
failed_on() {
	moat console | grep "cell \"linux1\" failed" | tail -1 > /tmp/verdict
	cat /tmp/verdict >&2
	sed -n "s/.* $1 of \(0x[0-9a-f]*\) at PC .*which the cell does not own.*/\1/p" /tmp/verdict
}
in_ranges() {
	for r in $(echo "$2" | tr ',' ' '); do
		[ $(($1)) -ge $((${r%-*})) ] && [ $(($1)) -le $((${r#*-})) ] && return 0
	done
	return 1
}
# Destroy, and everything back.
back() {
	check "boot $1: destroy the Linux cell" moat cell destroy linux1
	check "boot $1: Linux has its CPUs back ($cpus0)" test "$(cat /sys/devices/system/cpu/online)" = "$cpus0"
	check "boot $1: root workload on every CPU" workload
	check "boot $1: hypervisor memory back to before the cell ($used0)" test "$(hv_used)" = "$used0"
}

echo "=== boot 1: distributor, redistributors, SGIs to the root's CPUs, then root RAM through /dev/mem"
boot 1
check "boot 1: the hypervisor failed the cell (not shut down: it never got to poweroff)" grep -Eq " linux1 +failed " /tmp/list
addr=$(failed_on read)
check "boot 1: it failed on a read of root RAM ($addr in $ram), and on nothing before" in_ranges "${addr:-0}" "$ram"
# A short sleep on each of the root's CPUs, so that each takes a timer interrupt.
for c in $(echo "$online0" | awk -F, '{ for (i = 1; i <= NF; i++) { n = split($i, r, "-"); for (c = r[1]; c <= r[n]; c++) print c } }'); do
	taskset -c "$c" usleep 200000
done
ipi1=$(ipi_sum 4); timers1=$(timer_irqs)
moat cell stats linux1 | tee /tmp/cstats
stat_of() { awk -v r="$1" '$1 == r { print $2 }' /tmp/cstats; }
check "boot 1: the hypervisor trapped the cell's SGI writes (sgi $(stat_of sgi) >= 506: 3 x 50 x 3 ways + IRM 50 + SGI 2 and 15)" \
	test "$(stat_of sgi)" -ge 506
check "boot 1: and its distributor and redistributor accesses (mmio $(stat_of mmio) >= 40)" test "$(stat_of mmio)" -ge 40
echo "moat-guest: timer-broadcast IPIs (SGI 4) on the root's CPUs: $ipi0 before, $ipi1 after; timer interrupts $timers0-> $timers1"
check "boot 1: the root's CPUs received none of the cell's SGIs (IPI4 count unchanged)" test "$ipi0" = "$ipi1"
check "boot 1: the root's CPUs $online0 are all still online (SGI 2, IPI_CPU_STOP, would have taken them off)" \
	test "$(cat /sys/devices/system/cpu/online)" = "$online0"
set -- $timers0; t0="$*"; set -- $timers1
ok=1; for a in $t0; do b=$1; shift; [ "$b" -gt "$a" ] || ok=0; done
check "boot 1: every root CPU's timer still interrupts (the redistributor writes were ignored)" test $ok = 1
check "boot 1: the root's SPI $spi is still enabled" test "$(spi_enabled)" = 1
check "boot 1: root responsive" sh -c 'dd if=/dev/urandom of=/tmp/blob bs=1k count=256 2>/dev/null && cp /tmp/blob /tmp/blob2 && cmp -s /tmp/blob /tmp/blob2'
back 1
gic1=$(gic_state)
echo "moat-guest: the root's SPI $spi in the distributor: before $gic0"
echo "moat-guest:                                    after  $gic1"
check "boot 1: the distributor holds the root's SPI as before (enable, priority, trigger, route, CTLR)" test "$gic0" = "$gic1"

echo "=== boot 2: the hypervisor's memory through /dev/mem"
boot 2
check "boot 2: the hypervisor failed the cell" grep -Eq " linux1 +failed " /tmp/list
addr=$(failed_on write)
check "boot 2: it failed on a write of the hypervisor's memory ($addr in $hv)" in_ranges "${addr:-0}" "$hv"
back 2
check "boot 2: the hypervisor still lists cells and answers" sh -c 'moat cell list && moat info > /dev/null'
show_hv_console
check "moat disable" moat disable
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
finish
