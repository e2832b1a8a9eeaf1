# scripts/demo.sh --linux, narrated: three systems on one 4-CPU machine. The root's Linux keeps
# CPUs 0-1, Debian's own kernel boots a second time in a one-CPU Linux cell on CPU 2 (console
# from its first line on uart1), and the 10 kHz control loop runs on CPU 3 with direct interrupt
# delivery. The cell's Linux does a few rounds of work and powers itself off; the root sees it
# shut down and destroys it, then the loop's cell, and gives the machine back.
. /tests/lib.sh
say() { echo; echo "### $*"; }
bootargs="console=ttyAMA0 earlycon=pl011,0x9040000"
say "Linux is up on $(nproc) CPUs: $(uname -r)"
say "insmod moat.ko; moat enable linux-demo-root.cell"
check "insmod moat.ko" insmod /moat.ko
check "moat enable" moat enable /extra/linux-demo-root.cell
say "The control loop on CPU 3: moat cell create direct.cell; load; start"
check "moat cell create direct" moat cell create $CELLS/direct.cell
check "moat cell load direct" moat cell load direct $DEMOS/ctl-loop.bin
check "moat cell start direct" moat cell start direct
say "A second Linux on CPU 2: moat cell linux linux-demo.cell linux-demo.dtb Image --initrd linux-cell.cpio.gz"
check "moat cell linux" moat cell linux /extra/linux-demo.cell /extra/linux-demo.dtb /extra/Image \
	--initrd /extra/linux-cell.cpio.gz --cmdline "$bootargs moat.demo"
echo "Linux (root) CPUs online now: $(cat /sys/devices/system/cpu/online)"
moat cell list
say "Side by side: the root's Linux, the Linux cell (exits of its CPU in one second) and the control loop"
total() { moat cell stats "$1" 2>/dev/null | awk 'NR > 1 && $1 != "irq_held" { t += $2 } END { print t + 0 }'; }
i=0
while [ $i -lt 90 ]; do
	moat cell list > /tmp/list
	grep -Eq " linux1 +(running|created) " /tmp/list || break
	l0=$(total linux1) d0=$(total direct)
	sleep 1
	echo "root: up $(cut -d' ' -f1 /proc/uptime) s on CPUs $(cat /sys/devices/system/cpu/online) | linux1 (CPU 2): $(($(total linux1) - l0)) exits/s | direct (CPU 3): $(($(total direct) - d0)) exits/s"
	moat console | grep '^\[direct\] ctl-loop: t=' | tail -1 | sed 's/ jitter_min=.*latency_max=/ latency_max=/; s/ setpoint=.*//'
	# The Linux cell's kernel log, which moat.ko in the cell copies into its console ring.
	moat console | grep '^\[linux1\]' | tail -1
	i=$((i + 1))
done
echo "note: deadline misses on QEMU come from QEMU, not the cell: three systems share two host cores here (docs/benchmarks.md, 'The round-robin artifact')"
cat /tmp/list
check "the Linux cell powered itself off" grep -Eq " linux1 +shut down " /tmp/list
check "the control loop still runs" grep -Eq " direct +running " /tmp/list
check "moat console has the Linux cell's log (its last round)" sh -c "moat console | grep -q '^\[linux1\] .*linux-cell: demo: round 6:'"
moat cell stats linux1
say "moat cell destroy linux1  (CPU 2 and its 256 MiB back to the root)"
check "moat cell destroy linux1" moat cell destroy linux1
say "moat cell destroy direct  (asked first: the loop brakes its motor)"
check "moat cell destroy direct" moat cell destroy direct
check "Linux has its 4 CPUs back" test "$(cat /sys/devices/system/cpu/online)" = "0-3"
say "moat disable"
check "moat disable" moat disable
check "rmmod moat" rmmod moat
say "done; the Linux cell's own console (uart1) follows"
finish
