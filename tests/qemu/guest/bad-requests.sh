# Bad ioctls and garbage descriptors from a test program (moat-ioctl-fuzz, fixed seed): each is
# refused with an explanation, nothing crashes, and the hypervisor works normally afterwards.
. /tests/lib.sh
check "insmod moat.ko" insmod /moat.ko
check "bad requests while disabled" moat-ioctl-fuzz 300 1
check "moat enable" moat enable $ROOT_CELL
check "bad requests while enabled" moat-ioctl-fuzz 300 2
check "the hypervisor still answers" sh -c "moat info | grep -q 'answered at EL2'"
check "a cell still works" sh -c "moat cell create $CELLS/ctl-loop.cell && moat cell destroy ctl-loop"
check "the driver holds no buffer" sh -c "moat info | grep -q 'driver allocations: *0$'"
check "workload" workload
check "moat disable" moat disable
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
finish
