# Benchmark (scripts/bench.sh): the run QEMU traces instruction by instruction at EL2
# (-singlestep -d exec,nochain -dfilter on the hypervisor's memory) to count the instructions of
# each trap: enable, the timer-latency demo in a cell beside idle Linux, a few hypercalls, CPU
# hotplug through PSCI, the cell destroyed (16 MiB zeroed at EL2), disable.
. /tests/bench-lib.sh
check "insmod moat.ko" insmod /moat.ko
check "moat enable" moat enable $ROOT_CELL
check "create" moat cell create $CELLS/ctl-loop.cell
check "load timer-latency" moat cell load ctl-loop $DEMOS/timer-latency.bin
echo "BENCH phase trace begin"
check "start" moat cell start ctl-loop
check "timer-latency ran to its end" wait_cell_off ctl-loop 60
echo "BENCH phase trace end"
check "moat info" moat info
check "CPU 2 offline" sh -c "echo 0 > /sys/devices/system/cpu/cpu2/online"
check "CPU 2 online" sh -c "echo 1 > /sys/devices/system/cpu/cpu2/online"
check "workload" workload
check "destroy" moat cell destroy ctl-loop
check "moat disable" moat disable
finish
