# Benchmark (scripts/bench.sh): the same measurements with direct interrupt delivery
# (cells/qemu-virt-direct/direct.dtso: CPU 3, the ctl-loop cell's memory, its interrupts taken at
# EL1 without the hypervisor), beside the trapped figures of bench-latency.sh and bench-exits.sh:
#   1. the timer-latency demo in the direct cell, Linux idle (its lines carry the figures);
#   2. exits per second of the 10 kHz ctl-loop in the direct cell, Linux idle, then stressed;
#   3. forced-stop time: a cell spinning with every exception masked, destroyed with --force,
#      3 times with trapped delivery (ctl-loop.cell: stopped by the management SGI) and 3 times
#      direct (stage 2 taken away); the hypervisor logs "CPU 3 stopped N us after the request".
. /tests/bench-lib.sh
check "insmod moat.ko" insmod /moat.ko
load_virtio
check "moat enable" moat enable $ROOT_CELL

check "create" moat cell create $CELLS/direct.cell
check "load timer-latency" moat cell load direct $DEMOS/timer-latency.bin
echo "BENCH phase latency-direct-idle begin"
check "start" moat cell start direct
sleep 5
check "timer-latency ran to its end (direct)" wait_cell_off direct 60
# direct.cell prints into its console ring, not the hypervisor's console: its lines (the figures)
# reach this log through moat console, inside the phase.
moat console | grep '^\[direct\] timer-latency'
echo "BENCH phase latency-direct-idle end"
cell_stats direct | sed "s/^/BENCH latency-direct-exits /"
check "destroy" moat cell destroy direct

check "create" moat cell create $CELLS/direct.cell
check "load ctl-loop" moat cell load direct $DEMOS/ctl-loop.bin
check "start" moat cell start direct
sleep 3
for phase in idle stress; do
	[ $phase = stress ] && stress_start
	sleep 1
	echo "BENCH phase exits-direct-$phase begin"
	t0=$(ns); cell_stats direct > /tmp/before
	sleep 10
	t1=$(ns); cell_stats direct > /tmp/after
	echo "BENCH phase exits-direct-$phase end"
	[ $phase = stress ] && stress_stop
	echo "BENCH exits-direct-$phase elapsed_ns $((t1 - t0))"
	paste /tmp/before /tmp/after | awk -v p=$phase '{ print "BENCH exits-direct-" p " " $1, $4 - $2 }'
done
check "destroy" moat cell destroy direct

# msr daifset, #0xf; b .
printf '\337\117\003\325\000\000\000\024' > /tmp/masked.bin
for mode in trapped direct; do
	[ $mode = trapped ] && stop_cell=ctl-loop || stop_cell=direct
	for round in 1 2 3; do
		check "create ($mode)" moat cell create $CELLS/$stop_cell.cell
		check "load ($mode)" moat cell load $stop_cell /tmp/masked.bin
		check "start ($mode)" moat cell start $stop_cell
		sleep 1
		echo "BENCH phase stop-$mode begin"
		check "destroy --force ($mode)" timed stop-$mode timeout 20 moat cell destroy --force $stop_cell
		echo "BENCH phase stop-$mode end"
	done
done
check "moat disable" moat disable
finish
