# The README's demo, narrated: Linux as the root cell and a 10 kHz control loop in an isolated
# cell side by side (direct interrupt delivery, console ring: no exit on its CPU), live
# statistics, then everything goes back to Linux.
. /tests/lib.sh
say() { echo; echo "### $*"; }
say "Linux is up on $(nproc) CPUs: $(uname -r)"
dmesg | grep -m1 'started at EL2'
# steer-root.cell: the root cell with link "ctl" to the steerable loop (last step).
say "insmod moat.ko; moat enable $CELLS/steer-root.cell  (every CPU enters the hypervisor)"
check "insmod moat.ko" insmod /moat.ko
check "moat enable" moat enable $CELLS/steer-root.cell
moat info
say "moat cell create $CELLS/direct.cell  (CPU 3 leaves Linux, RAM and IRQs leave the root)"
# The control loop with direct interrupt delivery and a console ring (cells/qemu-virt-direct/):
# its interrupts reach it without the hypervisor and it prints with plain stores, so its CPU
# makes no exit at all once it runs.
check "moat cell create" moat cell create $CELLS/direct.cell
echo "Linux CPUs online now: $(cat /sys/devices/system/cpu/online)"
say "moat cell load direct $DEMOS/ctl-loop.bin; moat cell start direct"
check "moat cell load" moat cell load direct $DEMOS/ctl-loop.bin
check "moat cell start" moat cell start direct
say "Side by side: Linux answers on CPUs 0-2 while the cell runs its loop on CPU 3"
# Exits of the cell's CPU, all reasons together and by kind: timer IRQs, console (hypercalls),
# anything else.
exits() { moat cell stats direct | awk '$1 == "irq" { i = $2 } $1 == "hypercall" { h = $2 } NF == 2 && $1 != "irq" && $1 != "hypercall" && $1 != "irq_held" { o += $2 } END { print i + h + o, i + 0, h + 0, o + 0 }'; }
sleep 1  # past its start-up (a few exits while it sets up its timer and GIC)
set -- $(exits)
i=1
while [ $i -le 4 ]; do
	sleep 1
	all=$1 irq=$2 hc=$3 other=$4
	set -- $(exits)
	echo "linux: uptime $(cut -d' ' -f1 /proc/uptime) s, $(ls /proc | grep -c '^[0-9]') processes | cell CPU 3: $(($1 - all)) exits in the last second ($(($2 - irq)) timer IRQs, $(($3 - hc)) console, $(($4 - other)) other)"
	# Its latest status line, from its console ring (moat.ko drains it; `moat console` shows it).
	moat console | grep '^\[direct\] ctl-loop: t=' | tail -1 | sed 's/ jitter_min=.*latency_max=/ latency_max=/; s/ setpoint=.*//'
	i=$((i + 1))
done
echo "note: deadline misses on QEMU come from QEMU, not the cell: -icount runs all vCPUs in turn on one host thread, so the cell's CPU stands still while Linux's run (docs/benchmarks.md, 'The round-robin artifact', has the figures that matter)"
moat cell list
moat cell stats direct
say "moat cell destroy direct  (asked first: the loop brakes its motor; then zero its memory, CPU 3 back to Linux)"
check "moat cell destroy" moat cell destroy direct
moat console | grep "^\[direct\] ctl-loop: \(shutdown\|motor\)"
echo "Linux CPUs online now: $(cat /sys/devices/system/cpu/online)"
say "Steering from Linux: the same loop built as ctl-steer, with link \"ctl\" to Linux (moat-ctl)"
check "moat cell create (ctl-steer)" moat cell create $CELLS/ctl-steer.cell
check "moat cell load ctl-steer" moat cell load ctl-loop $DEMOS/ctl-steer.bin
check "moat cell start ctl-steer" moat cell start ctl-loop
sleep 1
moat-ctl watch --rate 4 --count 2 | grep telemetry
say "moat-ctl set 200: a new speed setpoint from Linux, and the motor follows"
moat-ctl set 200
sleep 0.5
moat-ctl watch --rate 4 --count 3 | grep telemetry | tee /tmp/steer
check "the motor follows the setpoint from Linux" sh -c "grep -cE 'speed=(19[89]|20[01])\.[0-9]+ setpoint=200\.000' /tmp/steer | grep -qx 3"
check "moat cell destroy (ctl-steer)" moat cell destroy ctl-loop
say "moat disable  (EL2 goes back to the kernel's hyp-stub)"
check "moat disable" moat disable
check "rmmod moat" rmmod moat
say "done; powering off"
finish
