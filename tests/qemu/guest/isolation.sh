# The root cell cannot touch the hypervisor's memory: the access fails in Linux (external abort
# in the writer's context), the hypervisor and the rest of Linux go on, and the exit is counted.
. /tests/lib.sh
hv_base=$HV_BASE
hv_page1=$(printf '%#x' $((hv_base + 0x1000)))
check "the tree names the hypervisor's memory and the GIC distributor" test -n "$HV_BASE" -a -n "$GICD_BASE"
check "insmod moat.ko" insmod /moat.ko
check "insmod moat_probe.ko" insmod /moat_probe.ko
# Before enable the memory is plain RAM that the probe can read (no-map keeps Linux itself away).
check "probe reads the reserved region while moat is disabled" sh -c "echo read $hv_base > /proc/moat_probe"
dmesg -c > /dev/null   # from here on, the log only shows what happens under moat
check "moat enable" moat enable $ROOT_CELL
moat stats > /tmp/before; cat /tmp/before
# The probe's writer is killed by the abort; run it in a subshell.
sh -c "echo read $hv_base > /proc/moat_probe"; echo "reader exit status: $?"
sh -c "echo write $hv_page1 > /proc/moat_probe"; echo "writer exit status: $?"
dmesg | grep -E 'moat_probe|external abort|Internal error' | tail -12
check "Linux saw a synchronous external abort" sh -c "dmesg | grep -q 'synchronous external abort'"
check "it happened in the probe's context" sh -c "dmesg | grep -q 'probe_write'"
check "the probe never read hypervisor memory" sh -c "! dmesg | grep -q 'read $hv_base = '"
check "the probe never wrote hypervisor memory" sh -c "! dmesg | grep -q 'wrote $hv_page1'"
# The GIC distributor belongs to the hypervisor: the root reads it through the filter, its
# writes to GICD_CTLR are ignored, and a 64-bit store there is refused outright.
gicd=$GICD_BASE
echo "read32 $gicd" > /proc/moat_probe; ctlr1=$(dmesg | sed -n "s/.*read32 $gicd = //p" | tail -1)
echo "write32 $gicd 0" > /proc/moat_probe
echo "read32 $gicd" > /proc/moat_probe; ctlr2=$(dmesg | sed -n "s/.*read32 $gicd = //p" | tail -1)
echo "GICD_CTLR before: $ctlr1, after writing 0: $ctlr2"
check "GICD_CTLR reads through the filter" test -n "$ctlr1"
check "root cannot switch the distributor off" test "$ctlr1" = "$ctlr2" -a "$ctlr1" != 0x0
sh -c "echo write $gicd > /proc/moat_probe"; echo "64-bit GICD writer exit status: $?"
check "interrupts still flow" workload
moat stats | tee /tmp/after
check "distributor accesses were emulated" sh -c "awk '/^mmio / { s = 0; for (i = 2; i <= 5; i++) s += \$i; exit !(s >= 3) }' /tmp/after"
denied=$(moat stats --json | sed -n 's/.*"abort_denied": \([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s }')
echo "denied accesses counted: $denied"
check "stats count the three denied accesses" test "$denied" -eq 3
check "the hypervisor still answers" sh -c "moat info | grep -q 'answered at EL2'"
show_hv_console
check "Linux still works on every CPU" workload
check "moat disable" moat disable
check "probe reads the region again after disable" sh -c "echo read $hv_base > /proc/moat_probe"
finish
