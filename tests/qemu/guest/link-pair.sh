# moat-link between two bare-metal cells (cells/qemu-virt-link-pair, a system of its own: enabled
# with pair-root.cell): ping (CPU 2) and pong (CPU 3) run demos/link-pair; Linux, the third peer,
# steers them with moat-link-pair (tests/link-pair) while it runs a workload on CPUs 0 and 1.
# Messages go ping -> pong -> ping with their contents checked, small ones in the queue and 4 KiB
# ones through the bulk area, and both cells' exits are counted exactly: one MMIO exit per
# doorbell rung, one IRQ exit per doorbell taken, none for the data. Then a doorbell storm: ping
# rings pong as fast as it can while pong runs timer jobs; pong takes at most the hypervisor's
# doorbell budget (16 a millisecond) and has no exit but one per doorbell taken and per job.
# Then what a peer may not do. Run under -icount: the times are guest instructions.
. /tests/lib.sh
N=200
check "insmod moat.ko" insmod /moat.ko
check "moat enable (pair-root.cell)" moat enable $CELLS/pair-root.cell
dmesg | grep 'moat: link'
check "the link's device exists" test -c /dev/moat-link-pair
for c in pong ping; do
	check "moat cell create $c" moat cell create $CELLS/$c.cell
	check "moat cell load $c" moat cell load $c $DEMOS/link-pair.bin
	check "moat cell start $c" moat cell start $c
done
sleep 1
moat-link-pair state | tee /tmp/state
check "the state page says both cells are up" grep -q "linux up, ping up, pong up" /tmp/state
# Linux's workload: the two CPUs it keeps stay busy for the whole exchange.
end=$(($(cut -d. -f1 /proc/uptime) + 600))
for cpu in 0 1; do
	taskset -c $cpu sh -c "while [ \$(cut -d. -f1 /proc/uptime) -lt $end ]; do dd if=/dev/zero of=/tmp/w$cpu bs=64k count=8 2>/dev/null; md5sum /tmp/w$cpu >/dev/null; done" &
	eval load$cpu=$!
done
stats() { for c in ping pong; do moat cell stats $c | awk -v c=$c 'NR > 1 { print c, $1, $2 }'; done; }
# exits_delta BEFORE AFTER: "ping mmio 201" ... one line per cell and kind.
# (kinds with no exit left out)
exits_delta() { paste "$1" "$2" | awk '$6 != $3 { print $1, $2, $6 - $3 }'; }
for size in 64 4096; do
	stats > /tmp/before
	check "$N round trips of $size bytes, ping <-> pong" moat-link-pair roundtrip $N $size
	stats > /tmp/after
	exits_delta /tmp/before /tmp/after | sed "s/^/exits ($size bytes): /" | tee /tmp/delta
	# ping: one ring per message and one to tell Linux; one doorbell per reply and Linux's
	# command. pong: one ring and one doorbell per message.
	check "ping: mmio exits = N + 1 ($size bytes)" grep -qx "exits ($size bytes): ping mmio $((N + 1))" /tmp/delta
	# ping's doorbell is rung by Linux (its command) and by pong (each reply): when ping finds the
	# command in its queue before it takes the doorbell, pong's first reply rings a doorbell still
	# pending, which the hypervisor coalesces (no second interrupt): N or N + 1, never more.
	ping_irq=$(sed -n "s/^exits ($size bytes): ping irq //p" /tmp/delta)
	check "ping: irq exits = N or N + 1 ($size bytes)" sh -c "[ '$ping_irq' = $N ] || [ '$ping_irq' = $((N + 1)) ]"
	check "pong: mmio exits = N ($size bytes)" grep -qx "exits ($size bytes): pong mmio $N" /tmp/delta
	check "pong: irq exits = N ($size bytes)" grep -qx "exits ($size bytes): pong irq $N" /tmp/delta
	check "no hypercall exits for the data ($size bytes)" sh -c "! grep -q 'hypercall [1-9]' /tmp/delta"
done
# The storm: 100 ms of pong's time (guest instructions), jobs every 1 ms, deadline 250 us after
# each is due. Linux's workload stops first: under -icount the one QEMU thread runs every vCPU in
# turn, and a loaded root alone makes a cell's timer late by whole slices (qemu.cell-deadlines
# does not check deadlines under stress either); this checks what the storm does.
kill $load0 $load1 2>/dev/null; wait $load0 $load1 2>/dev/null
STORM_MS=100
stats > /tmp/before
moat-link-pair storm $STORM_MS | tee /tmp/storm
stats > /tmp/after
exits_delta /tmp/before /tmp/after | sed "s/^/exits (storm): /" | tee /tmp/delta
# Every job ran (its timer was never lost). Whether each started within its deadline is printed,
# not checked: under -icount pong's timer jobs start up to ~18 ms late, with the storm and
# without it (the no-storm run below), although pong takes fewer than 16 doorbells a
# millisecond (docs/security.md, Known gaps).
check "pong ran all $STORM_MS jobs under the storm" grep -q "pong ran $STORM_MS jobs" /tmp/storm
bells=$(sed -n 's/.*took \([0-9]*\) doorbells/\1/p' /tmp/storm)
rings=$(sed -n 's/.*ping rang \([0-9]*\) times.*/\1/p' /tmp/storm)
pong_irq=$(sed -n 's/^exits (storm): pong irq //p' /tmp/delta)
pong_mmio=$(sed -n 's/^exits (storm): pong mmio //p' /tmp/delta)
ping_mmio=$(sed -n 's/^exits (storm): ping mmio //p' /tmp/delta)
jobs=$(sed -n 's/.*pong ran \([0-9]*\) jobs.*/\1/p' /tmp/storm)
echo "storm: ping rang $rings times, pong took $bells doorbells in $jobs jobs; pong irq exits $pong_irq, mmio $pong_mmio"
# Pong's IRQ exits: one per doorbell it took during its jobs and one per job (its timer), plus
# Linux's command doorbell (taken before the jobs began, or during them when the two overlap).
check "pong's IRQ exits are its doorbells and its timer (no extra exits)" \
	test "$pong_irq" -ge $((bells + jobs)) -a "$pong_irq" -le $((bells + jobs + 1))
check "pong's one MMIO exit is its ring to Linux" test "$pong_mmio" -eq 1
check "the budget held: pong took at most 16 doorbells a millisecond" test "$bells" -le $((16 * (STORM_MS + 1) + 1))
check "the storm was a storm: ping rang many times more than pong took" test "$rings" -gt $((4 * bells))
# ping's rings and status reads are its own exits: two per ring, and its ring to Linux.
check "ping paid for its storm: 2 MMIO exits per ring" test "$ping_mmio" -eq $((2 * rings + 1))
check "the cells still talk after the storm" moat-link-pair roundtrip 20 64
# The same jobs without the storm (ping rings once, after 100 ms): printed beside the storm's
# figure, since pong's jobs start late without it too (docs/security.md, Known gaps).
moat-link-pair storm $STORM_MS 100000 | sed 's/^link-pair: storm:/link-pair: no storm:/'
# What a peer may not do.
moat-link-pair stranger ping | tee /tmp/answer
check "ping's rings to a stranger and to itself are refused" grep -q "ping rang peer 7: status 1, itself: status 1" /tmp/answer
check "pong writing Linux's section fails it; Linux is told" moat-link-pair write-linux pong
moat cell list | tee /tmp/list
check "pong is failed" grep -q "pong *failed" /tmp/list
moat-link-pair state | tee /tmp/state
check "the state page says pong failed, ping up" grep -q "ping up, pong failed" /tmp/state
check "moat cell destroy pong" moat cell destroy pong
check "moat cell destroy ping" moat cell destroy ping
check "moat disable" moat disable
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
finish
