# The Linux cell on a board of its own (linux-cell.sh sources this when $BOARD is not QEMU virt):
# the ZCU102's (cells/zcu102-linux/linux.dtso: CPUs 2 and 3, 256 MiB at IPA = PA, uart1 as its
# console; docs/boards/zcu102.md "Linux cell"). One boot, as part 1 of linux-cell.sh: the cell's
# Linux comes up on both CPUs, runs its workload (/init of tests/qemu/linux-cell/mk-initramfs.sh)
# and powers itself off; the root destroys the cell and has its CPUs and memory back. What the
# cell printed went out of uart1, which qemu-run.sh adds to the log as "qemu-run: uart1:" lines.
cell=/extra/linux-$BOARD.cell tree=/extra/linux1-$BOARD.dtb
check "insmod moat.ko" insmod /moat.ko
check "moat enable" moat enable $ROOT_CELL
used0=$(moat info | sed -n 's/^memory in use: *//p')
check "moat cell linux" moat cell linux $cell $tree /extra/Image --initrd /extra/linux-cell.cpio.gz
check "Linux keeps CPUs 0-1" test "$(cat /sys/devices/system/cpu/online)" = "0-1"
# The cell's /init ends in poweroff -f: PSCI SYSTEM_OFF ends the cell ("shut down").
wait_cell_end linux1
check "the cell powered itself off" grep -Eq " linux1 +shut down " /tmp/list
check "root responsive" sh -c 'dd if=/dev/urandom of=/tmp/blob bs=1k count=256 2>/dev/null && cp /tmp/blob /tmp/blob2 && cmp -s /tmp/blob /tmp/blob2'
show_hv_console
check "destroy the Linux cell" moat cell destroy linux1
check "Linux has its 4 CPUs back" test "$(cat /sys/devices/system/cpu/online)" = "0-3"
check "root workload on all 4 CPUs" workload
check "hypervisor memory back to before the cell" test "$(moat info | sed -n 's/^memory in use: *//p')" = "$used0"
check "moat disable" moat disable
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
finish
