# moat-link, root <-> bare-metal cell (cells/qemu-virt-link, a system of its own: enabled with
# link-root.cell). Linux's end is /dev/moat-link-echo (moat.ko), the cell runs demos/link-echo.
# N messages go to the cell and back with their contents checked, and the cell's exits are
# counted exactly: one MMIO exit per doorbell it rings (none for the data), one IRQ exit per
# doorbell it receives. Then what a peer may not do: the device refuses a writable map of the
# read-only section, a map beyond a section and a ring to no peer; the hypervisor refuses the
# cell's ring to a stranger; the cell's write to the section only Linux writes makes it fail, and
# Linux is told (doorbell + state page); and, in a system with a second link it is no peer of
# (cells/qemu-virt-two-links), its read of that link's memory fails it too.
. /tests/lib.sh
N=200
check "insmod moat.ko" insmod /moat.ko
check "moat enable (link-root.cell)" moat enable $CELLS/link-root.cell
dmesg | grep 'moat: link'
check "the link's device exists" test -c /dev/moat-link-echo
check "sysfs: the link's peers" test "$(cat /sys/class/misc/moat-link-echo/peers)" = "linux echo"
check "moat cell create echo" moat cell create $CELLS/echo.cell
check "moat cell load" moat cell load echo $DEMOS/link-echo.bin
check "moat cell start" moat cell start echo
sleep 1
cat /sys/class/misc/moat-link-echo/state
check "sysfs: the link's state says the cell is up" grep -qx "echo up" /sys/class/misc/moat-link-echo/state
cell_stats() { moat cell stats echo | awk 'NR > 1 { print $1, $2 }'; }
cell_stats > /tmp/before
check "echo $N messages" moat-link-echo echo $N
cell_stats > /tmp/after
paste /tmp/before /tmp/after | awk '{ print "cell exits during the echo: " $1, $4 - $2 }' | tee /tmp/delta
check "the cell rang exactly once per message (mmio exits = $N)" grep -qx "cell exits during the echo: mmio $N" /tmp/delta
check "the cell took exactly one doorbell per message (irq exits = $N)" grep -qx "cell exits during the echo: irq $N" /tmp/delta
check "no hypercall exits for the data" grep -qx "cell exits during the echo: hypercall 0" /tmp/delta
check "the device refuses what it must" moat-link-echo refusals
dmesg | grep 'moat: link "echo": ' | grep -v 'peer 0 of 2' | tee /tmp/refused
check "dmesg names the mapping past the section" grep -q 'mmap of 131072 bytes of map 0, which has 65536: refused' /tmp/refused
check "dmesg names the offset past the maps" grep -q 'mmap offset 0x9000 is past the link.s 5 maps' /tmp/refused
check "dmesg names the writable map of a read-only section" grep -q 'map 2 is read-only for this peer: writable mmap refused' /tmp/refused
moat-link-echo ask ring-stranger | tee /tmp/answer
check "the hypervisor refused the cell's rings to a stranger and to itself" grep -q "peer 7 status 1, self status 1" /tmp/answer
check "a write to the read-only section fails the cell; Linux is told" moat-link-echo write-ro
moat cell list | tee /tmp/list
check "the cell is failed" grep -q "echo *failed" /tmp/list
check "moat cell destroy" moat cell destroy echo
moat-link-echo state | tee /tmp/state
check "the state page says the cell is down" grep -q "the cell is down" /tmp/state
# A waiter is woken when its peer goes: Linux blocks in read() while the running cell is destroyed.
hv_used() { moat info | sed -n 's/memory in use: *\([0-9]*\) KiB/\1/p'; }
hv0=$(hv_used)
moat cell create $CELLS/echo.cell >/dev/null && moat cell load echo $DEMOS/link-echo.bin >/dev/null &&
	moat cell start echo >/dev/null
sleep 1
# It also holds a mapping of every section, with data in them, while the cell goes: afterwards it
# reads zeros (the hypervisor zeroed them; the mapping kept nothing alive).
moat-link-echo stale > /tmp/waiter &
waiter=$!
i=0; while [ $i -lt 50 ] && ! grep -q "holding the sections" /tmp/waiter; do sleep 0.2; i=$((i + 1)); done
rm -f /tmp/stale-destroyed
check "destroy the running peer" moat cell destroy echo
touch /tmp/stale-destroyed
wait $waiter; echo "waiter exit status $?"
cat /tmp/waiter
check "the waiter was woken and told the cell is down" grep -q "woken by doorbell .*: the cell is down" /tmp/waiter
check "a mapping held across the destroy reads zeros" grep -q "the held mappings read 0 non-zero bytes" /tmp/waiter
# Cycles: every new cell finds the link clean and working; nothing leaks (the hypervisor's memory
# in use: its page pool, where each cell's tables and register pages come from).
CYCLES=50
ok=0; i=1
while [ $i -le $CYCLES ]; do
	if moat cell create $CELLS/echo.cell >/dev/null && moat cell load echo $DEMOS/link-echo.bin >/dev/null &&
		moat cell start echo >/dev/null && sleep 0.2 && moat-link-echo echo 5 >/tmp/cycle &&
		moat cell destroy echo >/dev/null && moat-link-echo state | grep -q "is down"; then
		ok=$((ok + 1))
	else
		echo "cycle $i failed"; cat /tmp/cycle; moat cell list
	fi
	i=$((i + 1))
done
# A peer that ends by itself (the cell powers off after "quit"): the waiter is told too.
moat cell create $CELLS/echo.cell >/dev/null && moat cell load echo $DEMOS/link-echo.bin >/dev/null &&
	moat cell start echo >/dev/null
sleep 1
moat-link-echo wait-change > /tmp/waiter &
waiter=$!
sleep 1
check "tell the cell to quit" moat-link-echo quit
wait $waiter
cat /tmp/waiter
check "the waiter was told the cell that powered off is down" grep -q "woken by doorbell .*: the cell is down" /tmp/waiter
check "destroy the cell that shut itself down" moat cell destroy echo
hv1=$(hv_used)
echo "link cycles passed: $ok/$CYCLES; hypervisor memory in use: $hv0 KiB -> $hv1 KiB"
check "$CYCLES create/echo/destroy cycles over the link" test $ok -eq $CYCLES
check "hypervisor memory use unchanged" test "$hv0" = "$hv1"
check "moat disable" moat disable
check "the link's device is gone" test ! -e /dev/moat-link-echo
# Another link's memory (cells/qemu-virt-two-links: the same link and echo cell, plus link
# "other" between Linux and a bystander cell, of which the echo cell is no peer). Linux fills
# link "other"'s section with a secret; the echo cell, asked over its own link, reads its own
# link's section (the command works), then the other link's at its physical address: it does
# not own that memory and fails; no word of the secret reaches it, and Linux carries on.
OTHER_PHYS=0x7e200000
check "moat enable (two-links-root.cell)" moat enable $CELLS/two-links-root.cell
dmesg | grep 'moat: link "other"'
check "the other link's device exists" test -c /dev/moat-link-other
check "moat cell create echo (two links)" moat cell create $CELLS/echo.cell
check "moat cell load (two links)" moat cell load echo $DEMOS/link-echo.bin
check "moat cell start (two links)" moat cell start echo
sleep 1
moat-link-echo read-other $OTHER_PHYS | tee /tmp/other
check "the cell read its own link's section and answered" grep -q 'answer to "read 0x50010000": read 0x50010000: 0x600dcafe' /tmp/other
check "the cell's read of the other link's memory fails it; Linux is told" grep -q "state generation changed; the cell is failed" /tmp/other
check "no answer to the read of the other link's memory" grep -q "answer to \"read $OTHER_PHYS\": none" /tmp/other
check "the other link's memory is as Linux left it" grep -q 'link "other" words changed: 0' /tmp/other
moat cell list | tee /tmp/list
check "the cell is failed (two links)" grep -q "echo *failed" /tmp/list
check "moat cell destroy (two links)" moat cell destroy echo
check "Linux carries on: moat disable (two links)" moat disable
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
finish
