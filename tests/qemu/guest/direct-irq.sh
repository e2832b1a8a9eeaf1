# Direct interrupt delivery (moat,irq-delivery = "direct", cells/qemu-virt-direct/direct.dtso):
# the cell's CPU takes its physical interrupts at EL1, without the hypervisor.
# 1. The 10 kHz control loop in direct mode beside Linux: in steady state the cell's CPU makes no
#    exit of any kind, not even to print (its lines go to its console ring, which moat.ko drains;
#    every counter printed and checked); cooperative destroy.
# 2. Forced destroy of direct-mode cells that do not cooperate, each a raw image on CPU 3:
#    (a) every interrupt masked, spinning; (b) priority mask 0; (c) an SGI acknowledged and never
#    ended (left active), its SGIs moved to group 0; (d) its CPU interface disabled; (e) every
#    interrupt masked, asleep in WFI; (f) its CPU interface disabled, asleep in WFI (which no
#    interrupt can wake: the hypervisor traps its WFI). Each is stopped, CPU 3 goes back to Linux, and Linux's
#    interrupts on CPU 3 work afterwards; its redistributor is as Linux had it.
# 3. A cell that garbles its console ring (escape bytes, newline floods, a head that never stops
#    moving): moat.ko drains it within its bounds, escaped, and says what it dropped.
# 4. The timer-latency demo in the direct cell (its lines come through its console ring and
#    moat console): its figures are compared with the same demo's
#    bare-metal run by qemu.direct-latency (tests/qemu/compare-latency.py).
. /tests/lib.sh
exits() { moat cell stats direct | awk -v r="$1" '$1 == r { print $2 }'; }
# A 32-bit read by the probe, made on CPU 3 while Linux has it (on GICv2 the SGI/PPI registers
# are banked per CPU), elsewhere while the cell has it.
probe_read32() {
	taskset -c 3 sh -c "echo 'read32 $1' > /proc/moat_probe" 2>/dev/null || echo "read32 $1" > /proc/moat_probe
	dmesg | sed -n "s/.*moat_probe: read32 $1 = //p" | tail -1
}
# Linux's timer interrupts on CPU 3 (the arch_timer line of /proc/interrupts, fourth CPU column).
timer_irqs_cpu3() { awk '/arch_timer/ { print $5; exit }' /proc/interrupts; }
shm=0x7e000000            # the shared page (shmem.dtso) as the root sees it
# CPU 3's SGI and PPI registers IGROUPR0, ISPENDR0, ISACTIVER0, as the probe prints addresses
# (%#llx): GICv3, its redistributor's SGI_base frame (0x8110000 on
# QEMU virt); GICv2, the distributor's banked registers, read on CPU 3.
if [ "$GIC_VERSION" = 2 ]; then
	igroupr0=0x8000080 ispendr0=0x8000200 isactiver0=0x8000300
else
	igroupr0=0x8110080 ispendr0=0x8110200 isactiver0=0x8110300
fi
check "insmod moat.ko" insmod /moat.ko
check "insmod moat_probe.ko" insmod /moat_probe.ko
check "moat enable" moat enable $ROOT_CELL
group_before=$(probe_read32 $igroupr0)
echo "CPU 3's SGIs and PPIs before: IGROUPR0 $group_before"

echo "part 1: the control loop with direct delivery"
check "moat cell create (direct)" moat cell create $CELLS/direct.cell
moat cell list
check "moat cell load" moat cell load direct $DEMOS/ctl-loop.bin
check "moat cell start" moat cell start direct
sleep 2
moat cell stats direct > /tmp/before
sleep 3
moat cell stats direct > /tmp/after
echo "the cell's exits over 3 s of steady state:"
paste /tmp/before /tmp/after | awk 'NR > 1 { printf "  %-14s %s -> %s (+%d)\n", $1, $2, $4, $4 - $2 }' | tee /tmp/delta
for r in hypercall irq abort_denied mmio sgi psci smc_other cache_setway maintenance other irq_held; do
	check "no $r exit on the direct cell's CPU in steady state" sh -c "awk '\$1 == \"$r\" { found = 1; ok = (\$2 == \$4) } END { exit !(found && ok) }' /tmp/delta"
done
check "every exit counter was printed" test "$(wc -l < /tmp/delta)" -eq 11
# Its status lines went to its console ring (no hypercall): moat.ko drained them.
moat console > /tmp/console
grep '^\[direct\] ctl-loop: t=' /tmp/console | cut -c1-80
check "its status lines came through its console ring" sh -c "grep -q '^\[direct\] ctl-loop: t=[0-9]*s periods=10000' /tmp/console"
check "none of them through the hypervisor's console" sh -c "! sed '/the cells. console rings/,\$d' /tmp/console | grep -q 'ctl-loop: t='"
echo "the same beside a stressed Linux (CPU and memory on CPUs 0-2 for 3 s):"
moat cell stats direct > /tmp/before
end=$(($(cut -d. -f1 /proc/uptime) + 3))
for cpu in 0 1 2; do
	taskset -c $cpu sh -c "while [ \$(cut -d. -f1 /proc/uptime) -lt $end ]; do dd if=/dev/zero of=/tmp/s$cpu bs=64k count=8 2>/dev/null; md5sum /tmp/s$cpu >/dev/null; done" &
done
wait
moat cell stats direct > /tmp/after
paste /tmp/before /tmp/after | awk 'NR > 1 { printf "  %-14s %s -> %s (+%d)\n", $1, $2, $4, $4 - $2 }' | tee /tmp/delta
for r in hypercall irq abort_denied mmio sgi psci smc_other cache_setway maintenance other irq_held; do
	check "no $r exit on the direct cell's CPU beside a stressed Linux" sh -c "awk '\$1 == \"$r\" { found = 1; ok = (\$2 == \$4) } END { exit !(found && ok) }' /tmp/delta"
done
check "moat cell destroy (asked, the loop approves)" moat cell destroy direct
check "CPU 3 is back in Linux" test "$(cat /sys/devices/system/cpu/online)" = "0-3"

echo "part 2: forced stops of direct-mode cells that do not cooperate"
# (a) msr daifset, #0xf; b .
printf '\337\117\003\325\000\000\000\024' > /tmp/masked.bin
if [ "$GIC_VERSION" = 2 ]; then
	# The physical GICC is at the cell's GICC address (0x08010000), the distributor trapped.
	# (b) GICC_PMR = 0; msr daifclr, #0xf; b .
	printf '\201\000\200\322\041\000\241\362\077\000\000\271\377\117\003\325\000\000\000\024' > /tmp/pmr0.bin
	# (c) msr daifset, #0xf; GICD_IGROUPR0 = 0; GICD_SGIR = SGI 1 to CPU interface 3 (itself);
	#     read GICC_IAR until its INTID is not 1023, never EOI; the INTID into the shared page; b .
	printf '\337\117\003\325\001\020\200\322\001\000\241\362\077\000\000\271\001\340\201\322\001\000\241\362\042\000\200\122\002\001\240\162\042\000\000\271\201\001\200\322\041\000\241\362\043\000\100\271\144\044\000\022\237\374\017\161\240\377\377\124\005\000\200\322\005\000\252\362\244\000\000\271\000\000\000\024' > /tmp/sgi-active.bin
	# (d) GICC_CTLR = 0; msr daifclr, #0xf; b .
	printf '\001\000\200\322\041\000\241\362\077\000\000\271\377\117\003\325\000\000\000\024' > /tmp/if-off.bin
	# (e) msr daifset, #0xf; 1: wfi; b 1b
	printf '\337\117\003\325\177\040\003\325\377\377\377\027' > /tmp/masked-wfi.bin
	# (f) GICC_CTLR = 0; 1: wfi; b 1b
	printf '\001\000\200\322\041\000\241\362\077\000\000\271\177\040\003\325\377\377\377\027' > /tmp/if-off-wfi.bin
else
	# (b) mov x0, #0; msr ICC_PMR_EL1, x0; isb; msr daifclr, #0xf; b .
	printf '\000\000\200\322\000\106\030\325\337\077\003\325\377\117\003\325\000\000\000\024' > /tmp/pmr0.bin
	# (c) msr daifset, #0xf; ICC_IGRPEN1_EL1 = 1; GICR_ISENABLER0 = SGI 1; GICR_IGROUPR0 = 0;
	#     ICC_SGI1R_EL1 = SGI 1 to CPU 3 (itself); read ICC_IAR1_EL1 until it is not 1023, never
	#     EOI; the INTID into the shared page; b .
	printf '\337\117\003\325\040\000\200\322\340\314\030\325\337\077\003\325\001\040\200\322\041\002\241\362\102\000\200\122\042\000\000\271\001\020\200\322\041\002\241\362\077\000\000\271\000\001\200\322\000\040\240\362\240\313\030\325\337\077\003\325\003\314\070\325\177\374\017\361\300\377\377\124\001\000\200\322\001\000\252\362\043\000\000\271\000\000\000\024' > /tmp/sgi-active.bin
	# (d) msr ICC_IGRPEN1_EL1, xzr; isb; msr daifclr, #0xf; b .
	printf '\377\314\030\325\337\077\003\325\377\117\003\325\000\000\000\024' > /tmp/if-off.bin
	# (e) msr daifset, #0xf; ICC_IGRPEN1_EL1 = 1; isb; 1: wfi; b 1b
	printf '\337\117\003\325\040\000\200\322\340\314\030\325\337\077\003\325\177\040\003\325\377\377\377\027' > /tmp/masked-wfi.bin
	# (f) msr ICC_IGRPEN1_EL1, xzr; isb; 1: wfi; b 1b
	printf '\377\314\030\325\337\077\003\325\177\040\003\325\377\377\377\027' > /tmp/if-off-wfi.bin
fi
for img in masked pmr0 sgi-active if-off masked-wfi if-off-wfi; do
	echo "write32 $shm 0xdeadbeef" > /proc/moat_probe
	check "$img: moat cell create" moat cell create $CELLS/direct.cell
	check "$img: moat cell load" moat cell load direct /tmp/$img.bin
	check "$img: moat cell start" moat cell start direct
	sleep 1
	moat cell list | tee /tmp/list
	check "$img: the cell runs" grep -q "direct *running" /tmp/list
	if [ $img = sgi-active ]; then
		v=$(probe_read32 $shm)
		echo "$img: the cell acknowledged INTID $v and never ended it"
		check "$img: the cell holds SGI 1 active" test "$v" = 0x1
	fi
	check "$img: moat cell destroy --force" timeout 20 moat cell destroy --force direct
	check "$img: CPU 3 is back in Linux" test "$(cat /sys/devices/system/cpu/online)" = "0-3"
	group_after=$(probe_read32 $igroupr0)
	active_after=$(probe_read32 $isactiver0)
	pending_after=$(probe_read32 $ispendr0)
	echo "$img: CPU 3's SGIs and PPIs after: IGROUPR0 $group_after ISACTIVER0 $active_after ISPENDR0 $pending_after"
	check "$img: CPU 3's SGIs and PPIs back in Linux's groups" test "$group_after" = "$group_before"
	check "$img: nothing of the cell's active on CPU 3" test -n "$active_after" -a "$((active_after))" -eq 0
	t0=$(timer_irqs_cpu3)
	taskset -c 3 sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done'
	sleep 1
	t1=$(timer_irqs_cpu3)
	echo "$img: Linux's timer interrupts on CPU 3: $t0 -> $t1"
	check "$img: Linux's interrupts on CPU 3 work" test "$t1" -gt "$t0"
done
echo "part 3: a cell that garbles its console ring"
# x0 at entry is its ring's IPA: it fills the ring with ESC and newline bytes, then stores a new
# head (2^64 - 1, then 0x7f1 more each time) as fast as it can, forever. moat.ko's reader must
# stay within its bounds: at most 64 lines a drain, no raw control byte, no hang.
printf '\141\103\201\322\141\103\241\362\141\103\301\362\141\103\341\362\002\000\001\221\003\077\200\322\101\204\000\370\143\004\000\361\301\377\377\124\004\000\200\222\004\000\000\371\204\304\037\221\376\377\377\027' > /tmp/ring-flood.bin
check "ring-flood: moat cell create" moat cell create $CELLS/direct.cell
check "ring-flood: moat cell load" moat cell load direct /tmp/ring-flood.bin
check "ring-flood: moat cell start" moat cell start direct
sleep 2
timeout 10 moat console > /tmp/console
rc=$?
check "ring-flood: moat console answers" test $rc = 0
lines=$(grep -c '^\[direct\] \\x1b$' /tmp/console)
echo "ring-flood: $lines lines drained from its ring"
check "ring-flood: its lines were drained, escaped" grep -q '^\[direct\] \\x1b$' /tmp/console
check "ring-flood: no raw control byte reached the log" sh -c "! tr -d '\\n' < /tmp/console | grep -q \"\$(printf '\\033')\""
check "ring-flood: the drop is reported" sh -c "dmesg | grep -q 'moat: cell \"direct\": [0-9]* bytes of its console ring dropped'"
# Every drain emits at most 64 lines: 2 a second, plus the one moat console made (unbounded, the
# first drain alone would emit 2016).
check "ring-flood: at most 64 lines a drain" test "$lines" -le $((64 * 7))
check "ring-flood: moat cell destroy --force" timeout 20 moat cell destroy --force direct
check "ring-flood: CPU 3 is back in Linux" test "$(cat /sys/devices/system/cpu/online)" = "0-3"
echo "part 4: the timer-latency demo with direct delivery (qemu.direct-latency compares it with bare metal)"
check "timer-latency: moat cell create" moat cell create $CELLS/direct.cell
check "timer-latency: moat cell load" moat cell load direct $DEMOS/timer-latency.bin
check "timer-latency: moat cell start" moat cell start direct
# It powers its CPU off when done (2000 samples, ~0.1 s of guest time).
i=0
while [ $i -lt 60 ] && ! moat cell list | grep -q "^[0-9]* *direct .*(0 on)"; do sleep 1; i=$((i + 1)); done
moat cell list
moat cell stats direct
# direct.cell prints into its console ring: the lines reach this log through moat console.
moat console | grep '^\[direct\] timer-latency'
check "timer-latency: ran to its end" sh -c "moat cell list | grep -q '^[0-9]* *direct .*(0 on)'"
check "timer-latency: moat cell destroy" moat cell destroy direct
check "Linux works on every CPU" workload
check "moat disable" moat disable
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
finish
