# Two cells at once beside Linux: hello on CPU 2, the control loop on CPU 3; both progress, the
# root stays responsive; then both go away and Linux has its four CPUs back.
. /tests/lib.sh
check "insmod moat.ko" insmod /moat.ko
check "moat enable" moat enable $ROOT_CELL
check "create ctl-loop" moat cell create $CELLS/ctl-loop.cell
check "create hello" moat cell create $CELLS/hello.cell
check "Linux keeps CPUs 0-1" test "$(cat /sys/devices/system/cpu/online)" = "0-1"
check "load ctl-loop" moat cell load ctl-loop $DEMOS/ctl-loop.bin
check "load hello" moat cell load hello $DEMOS/hello.bin
check "start ctl-loop" moat cell start ctl-loop
check "start hello" moat cell start hello
sleep 2
check "root responsive with two cells running" workload
moat cell list | tee /tmp/list
check "ctl-loop running" grep -q "ctl-loop *running" /tmp/list
check "a cell name cannot be taken twice" sh -c "moat cell create $CELLS/hello.cell 2>&1 | grep -q 'exists already'"
# CPU 3 comes back while CPU 2 is still lent out: Linux walks every redistributor frame,
# including the one of CPU 2, as the CPU starts.
check "destroy ctl-loop" moat cell destroy ctl-loop
check "CPU 3 back while CPU 2 is still in a cell" test "$(cat /sys/devices/system/cpu/online)" = "0-1,3"
check "destroy hello" moat cell destroy hello
check "Linux has its 4 CPUs back" test "$(cat /sys/devices/system/cpu/online)" = "0-3"
check "moat disable" moat disable
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
finish
