# The hypervisor's side of a cell without the demo library, so that it runs on both GICs: a
# minimal image on the control-loop cell's CPU 3 that spins in WFI until the hypervisor stops it
# with the management SGI (GICv3: ICC_SGI1R_EL1 at EL2; GICv2: GICD_SGIR). On GICv2 the image
# first reads GICC_IIDR at the cell's GICC address, which must be the virtual CPU interface
# (GICV) the hypervisor mapped there, into the shared page the root reads back, and sends SGI 4
# to the root's CPUs 0-2 through GICD_SGIR, which the hypervisor must cut down to nothing.
. /tests/lib.sh
# 1: wfi; b 1b
printf '\177\040\003\325\377\377\377\027' > /tmp/spin.bin
# movz x0, #0xfc; movk x0, #0x801, lsl 16; ldr w1, [x0]; movz x2, #0x5000, lsl 16; str w1, [x2]
#   (GICC_IIDR at 0x080100fc into the shared page at IPA 0x50000000)
# movz x3, #0xf00; movk x3, #0x800, lsl 16; movz w4, #4; movk w4, #7, lsl 16; str w4, [x3]
#   (GICD_SGIR: SGI 4 to CPU interfaces 0-2)
# dsb sy; 1: wfi; b 1b
printf '\200\037\200\322\040\000\241\362\001\000\100\271\002\000\252\322\101\000\000\271\003\340\201\322\003\000\241\362\204\000\200\122\344\000\240\162\144\000\000\271\237\077\003\325\177\040\003\325\377\377\377\027' > /tmp/gicv.bin
shm=0x7e000000   # the shared page (shmem.dtso) as the root sees it
# Linux's IPI 4 (IPI_TIMER, unused with per-CPU architected timers) summed over online CPUs.
ipi4_sum() { awk '$1 == "IPI4:" { s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; print s }' /proc/interrupts; }
probe_read32() {
	echo "read32 $1" > /proc/moat_probe
	dmesg | sed -n "s/.*moat_probe: read32 $1 = //p" | tail -1
}
check "insmod moat.ko" insmod /moat.ko
check "insmod moat_probe.ko" insmod /moat_probe.ko
check "moat enable" moat enable $ROOT_CELL
echo "write32 $shm 0xdeadbeef" > /proc/moat_probe
check "moat cell create" moat cell create $CELLS/ctl-loop.cell
image=/tmp/spin.bin
[ "$GIC_VERSION" = 2 ] && image=/tmp/gicv.bin
check "moat cell load" moat cell load ctl-loop $image
ipi4_before=$(ipi4_sum)
check "moat cell start" moat cell start ctl-loop
sleep 2
moat cell list | tee /tmp/list
check "the cell runs (spinning in WFI)" grep -q "ctl-loop *running" /tmp/list
if [ "$GIC_VERSION" = 2 ]; then
	v=$(probe_read32 $shm)
	echo "GICC_IIDR as the cell read it at its GICC address: $v"
	check "the cell read its virtual CPU interface (GICV at the GICC address)" \
		sh -c "[ -n '$v' ] && [ '$v' != 0xdeadbeef ] && [ '$v' != 0x0 ]"
	ipi4_after=$(ipi4_sum)
	sgis=$(moat cell stats ctl-loop | awk '$1 == "sgi" { print $2 }')
	echo "the cell's GICD_SGIR writes: ${sgis:-none}; IPI4 on the root's CPUs: $ipi4_before before, $ipi4_after after"
	check "the cell's GICD_SGIR write was trapped" test "${sgis:-0}" -ge 1
	check "the cell's SGI to the root's CPUs was not delivered" test -n "$ipi4_before" -a "$ipi4_before" = "$ipi4_after"
fi
check "moat cell shutdown" moat cell shutdown ctl-loop
i=0
while [ $i -lt 10 ] && ! moat cell list | grep -q "ctl-loop *shut down"; do sleep 1; i=$((i + 1)); done
moat cell list | tee /tmp/list
check "the hypervisor stopped the cell's CPU (management SGI)" grep -q "ctl-loop *shut down" /tmp/list
moat cell stats ctl-loop
check "moat cell destroy" moat cell destroy ctl-loop
sleep 1
echo "Linux CPUs online: $(cat /sys/devices/system/cpu/online)"
check "CPU 3 is back in Linux" test "$(cat /sys/devices/system/cpu/online)" = "0-3"
check "Linux works on every CPU" workload
check "moat disable" moat disable
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
finish
