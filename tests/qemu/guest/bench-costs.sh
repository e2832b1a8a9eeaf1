# Benchmark (scripts/bench.sh): what the management operations cost in guest time (under icount,
# ns = instructions of all vCPUs), and the hypervisor memory in use with the root and two cells.
# Three rounds of enable, two cells (ctl-loop on CPU 3, hello on CPU 2) created, loaded,
# started, destroyed, disable. Baselines: the same tool doing one ioctl (`moat info`), and Linux
# taking a CPU offline and back (what create and destroy do to the CPU they move).
. /tests/bench-lib.sh
check "insmod moat.ko" timed insmod insmod /moat.ko
for round in 1 2 3; do
	echo "BENCH round $round"
	timed info-disabled moat info
	timed hotplug-off sh -c "echo 0 > /sys/devices/system/cpu/cpu3/online"
	timed hotplug-on sh -c "echo 1 > /sys/devices/system/cpu/cpu3/online"
	check "enable" timed enable moat enable $ROOT_CELL
	timed info-enabled moat info
	echo "BENCH mem enabled $(moat info | awk '/memory in use/ { print $4 }')"
	# Under icount the vCPUs share one host thread: a spinning cell's instructions count in the
	# guest time of whatever Linux does meanwhile. So everything is measured before ctl-loop
	# (which spins) starts; hello prints, counts and powers its CPU off.
	check "create ctl-loop" timed create-ctl-loop moat cell create $CELLS/ctl-loop.cell
	check "load ctl-loop" timed load-ctl-loop moat cell load ctl-loop $DEMOS/ctl-loop.bin
	check "create hello" timed create-hello moat cell create $CELLS/hello.cell
	check "load hello" timed load-hello moat cell load hello $DEMOS/hello.bin
	check "start hello" timed start-hello moat cell start hello
	sleep 2
	check "start ctl-loop" timed start-ctl-loop moat cell start ctl-loop
	echo "BENCH mem two-cells $(moat info | awk '/memory in use/ { print $4 }')"
	moat cell list
	# hello first: a CPU coming back to Linux walks every redistributor frame, and with moat at
	# 676a797 the frame of a CPU still in another cell is not readable by the root (the kernel
	# takes an external abort in gic_iterate_rdists and panics).
	check "destroy hello" timed destroy-hello moat cell destroy hello
	check "destroy ctl-loop" timed destroy-ctl-loop moat cell destroy ctl-loop
	echo "BENCH mem after-destroy $(moat info | awk '/memory in use/ { print $4 }')"
	check "disable" timed disable moat disable
done
finish
