# Benchmark (scripts/bench.sh): exits of the 10 kHz ctl-loop cell (CPU 3) per second of guest
# time by reason, in steady state beside idle Linux, then with Linux under CPU + memory +
# interrupt stress on CPUs 0-2. The cell's own per-second lines give deadline misses and jitter.
. /tests/bench-lib.sh
check "insmod moat.ko" insmod /moat.ko
load_virtio
check "moat enable" moat enable $ROOT_CELL
check "create" moat cell create $CELLS/ctl-loop.cell
check "load" moat cell load ctl-loop $DEMOS/ctl-loop.bin
check "start" moat cell start ctl-loop
sleep 3
for phase in idle stress; do
	[ $phase = stress ] && stress_start
	sleep 1
	echo "BENCH phase exits-$phase begin"
	t0=$(ns); cell_stats ctl-loop > /tmp/before
	sleep 10
	t1=$(ns); cell_stats ctl-loop > /tmp/after
	echo "BENCH phase exits-$phase end"
	[ $phase = stress ] && stress_stop
	echo "BENCH exits-$phase elapsed_ns $((t1 - t0))"
	paste /tmp/before /tmp/after | awk -v p=$phase '{ print "BENCH exits-" p " " $1, $4 - $2 }'
done
check "destroy" moat cell destroy ctl-loop
check "moat disable" moat disable
finish
