# Debian's arm64 kernel, unmodified (the root's own, /extra/Image), in a 1-CPU Linux cell on CPU 1
# with 128 MiB and QEMU virt's second PL011 (docs/linux-cell.md). What the cell prints goes out
# of uart1, which qemu-run.sh adds to the log as "qemu-run: uart1:" lines for the expect file;
# the cell's /init powers it off, and then the root destroys it and has its CPU back.
. /tests/lib.sh
check "insmod moat.ko" insmod /moat.ko
check "moat enable" moat enable $ROOT_CELL
used0=$(moat info | sed -n 's/^memory in use: *//p')
check "moat cell linux" moat cell linux /extra/linux.cell /extra/linux1.dtb /extra/Image \
	--initrd /extra/linux-cell.cpio.gz
check "Linux keeps CPUs 0,2-3" test "$(cat /sys/devices/system/cpu/online)" = "0,2-3"
# The cell's /init ends in poweroff -f: PSCI SYSTEM_OFF ends the cell ("shut down").
for i in $(seq 1 120); do
	moat cell list > /tmp/list
	grep -Eq " linux1 +(running|created) " /tmp/list || break
	sleep 1
done
cat /tmp/list
echo "moat-guest: waited ${i}s for the cell to end"
check "the cell powered itself off" grep -Eq " linux1 +shut down " /tmp/list
# (lib.sh's workload pins a task to each of CPUs 0..nproc-1: not with CPU 1 in the cell, so
# before the destroy only the file half of it.)
check "root responsive" sh -c 'dd if=/dev/urandom of=/tmp/blob bs=1k count=256 2>/dev/null && cp /tmp/blob /tmp/blob2 && cmp -s /tmp/blob /tmp/blob2'

check "destroy the Linux cell" moat cell destroy linux1
check "Linux has its 4 CPUs back" test "$(cat /sys/devices/system/cpu/online)" = "0-3"
check "root workload on all 4 CPUs" workload
check "hypervisor memory back to before the cell" test "$(moat info | sed -n 's/^memory in use: *//p')" = "$used0"
show_hv_console
check "moat disable" moat disable
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
finish
