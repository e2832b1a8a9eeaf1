# Benchmark (scripts/bench.sh): the timer-latency demo in a cell on CPU 3, first with Linux idle
# on CPUs 0-2, then with Linux under CPU + memory + interrupt stress. The demo's own lines
# ("[ctl-loop] timer-latency: ...") carry the figures; the cell is the ctl-loop descriptor (CPU 3,
# 16 MiB) loaded with the timer-latency image.
. /tests/bench-lib.sh
check "insmod moat.ko" insmod /moat.ko
load_virtio
check "moat enable" moat enable $ROOT_CELL
for phase in idle stress; do
	check "create" moat cell create $CELLS/ctl-loop.cell
	check "load timer-latency" moat cell load ctl-loop $DEMOS/timer-latency.bin
	[ $phase = stress ] && stress_start
	echo "BENCH phase latency-$phase begin"
	check "start" moat cell start ctl-loop
	# Linux stays quiet while the demo runs (~0.1 s of guest time): one sleep, no polling.
	sleep 5
	check "timer-latency ran to its end ($phase)" wait_cell_off ctl-loop 60
	echo "BENCH phase latency-$phase end"
	[ $phase = stress ] && stress_stop
	cell_stats ctl-loop | sed "s/^/BENCH latency-$phase-exits /"
	check "destroy" moat cell destroy ctl-loop
done
check "moat disable" moat disable
finish
