# Enable is refused cleanly when it cannot work; rmmod never pulls the driver from under EL2.
. /tests/lib.sh
run_expect_fail "tool without the driver says what to do" "insmod moat.ko" moat info
check "insmod moat.ko" insmod /moat.ko
run_expect_fail "disable while disabled is refused" "not enabled" moat disable
run_expect_fail "a file that is no image is refused" "not a moat hypervisor image" moat enable $ROOT_CELL --image /init
# The other GIC version's root.cell: same hypervisor address, wrong machine.
if [ "$GIC_VERSION" = 2 ]; then other=/cells/root.cell; else other=/cells/gicv2/root.cell; fi
run_expect_fail "a root.cell built for another board is refused" "built for another board" moat enable $other
# On a board with cells of its own, QEMU virt's root.cell for the same GIC version: the GIC
# matches, its distributor is elsewhere.
if [ "$CELLS" = "/cells/$BOARD" ]; then
	if [ "$GIC_VERSION" = 2 ]; then same=/cells/gicv2/root.cell; else same=/cells/root.cell; fi
	run_expect_fail "QEMU virt's root.cell for the same GIC is refused" "built for another board" moat enable $same
fi
check "moat enable" moat enable $ROOT_CELL
run_expect_fail "a second enable is refused" "already enabled" moat enable $ROOT_CELL
run_expect_fail "rmmod while enabled is refused" "can't unload module 'moat'" rmmod moat
check "the driver is still there" test -c /dev/moat
check "the hypervisor still answers" sh -c "moat info | grep -q 'answered at EL2'"
check "workload after the refusals" workload
check "moat disable" moat disable
check "rmmod after disable" rmmod moat
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
finish
