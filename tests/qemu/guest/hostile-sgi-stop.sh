# The worst case of hostile.sh's attack 5, not a registered test: the hostile cell sends SGI 2,
# Linux's IPI_CPU_STOP, once to the root's CPUs 0, 2 and 3. Before the SGI filter (1be657b) the
# hypervisor forwarded it, those CPUs parked themselves for good and this script never got to
# its end; now the root must not notice.
#   scripts/qemu-run.sh --test hostile-sgi-stop --timeout 120 --icount
. /tests/lib.sh
check "insmod moat.ko" insmod /moat.ko
check "moat enable" moat enable $ROOT_CELL
printf '\015\000\000\000' > /tmp/mode.bin
check "create" moat cell create $CELLS/hostile.cell
check "load image" moat cell load hostile $DEMOS/hostile.bin
check "load attack number 13" moat cell load hostile /tmp/mode.bin --address 0x40000000
grep -E '^ *IPI2:' /proc/interrupts
check "start" moat cell start hostile
sleep 2
echo "still here after the cell's SGI 2"
grep -E '^ *IPI2:' /proc/interrupts
check "no CPU stop IPI reached Linux" sh -c "awk '\$1 == \"IPI2:\" { for (i = 2; i <= NF && \$i ~ /^[0-9]+\$/; i++) if (\$i != 0) exit 1 }' /proc/interrupts"
moat cell list
moat cell shutdown hostile > /dev/null 2>&1
check "destroy" moat cell destroy hostile
sleep 1
check "Linux has its 4 CPUs back" test "$(cat /sys/devices/system/cpu/online)" = "0-3"
check "the root is alive (workload on every CPU)" workload
finish
