# Reproducer for the SGI containment bug hostile.sh reports as KNOWN-BUG for attack 5, not a
# registered test (while the bug is there it stops Linux): the hostile cell sends SGI 2, Linux's
# IPI_CPU_STOP, once to the root's CPUs 0, 2 and 3. If the hypervisor forwards it, those CPUs
# park themselves for good and this script never gets to its end.
#   scripts/qemu-run.sh --test hostile-sgi-stop --timeout 120 --icount
. /tests/lib.sh
check "insmod moat.ko" insmod /moat.ko
check "moat enable" moat enable $ROOT_CELL
printf '\015\000\000\000' > /tmp/mode.bin
check "create" moat cell create $CELLS/hostile.cell
check "load image" moat cell load hostile /demos/hostile.bin
check "load attack number 13" moat cell load hostile /tmp/mode.bin --address 0x40000000
grep -E '^ *IPI2:' /proc/interrupts
check "start" moat cell start hostile
sleep 2
echo "still here after the cell's SGI 2"
grep -E '^ *IPI2:' /proc/interrupts
moat cell list
check "the root is alive (workload on every CPU)" workload
check "destroy" moat cell destroy hostile
check "Linux has its 4 CPUs back" test "$(cat /sys/devices/system/cpu/online)" = "0-3"
finish
