# A cell that owns a UART on the ZCU102 (cells/zcu102/ctl-loop.dtso: CPU 3 and uart1, assigned
# directly): create it, load a trivial image that writes to the UART itself
# (tests/qemu/images/uart-direct.S, in /extra), start it, check that the root lost the UART
# while the cell has it and gets it back after destroy. What the cell wrote on its UART is in
# QEMU's second serial port, which qemu-run.sh appends to the log ("qemu-run: uart1:").
. /tests/lib.sh
cell=$CELLS/ctl-loop.cell
uart_path=$(tr -d '\0' < /proc/device-tree/aliases/serial1)
uart=$(dt_reg_addr "/proc/device-tree$uart_path")
echo "the cell's UART: $uart_path at $uart"
check "insmod moat.ko" insmod /moat.ko
check "insmod moat_probe.ko" insmod /moat_probe.ko
# The UART's control register (offset 0): the image sets TXEN (bit 4), which the reset value
# and Linux (whose driver never binds to it under QEMU) leave clear.
uart_cr() { echo "read32 $uart" > /proc/moat_probe && dmesg | sed -n "s/.*read32 $uart = //p" | tail -1; }
cr_before=$(uart_cr)
echo "the UART's control register before the cell: $cr_before"
check "the root reads the UART before the cell exists" test -n "$cr_before"
check "... with the transmitter not enabled" test $((cr_before & 0x10)) -eq 0
check "moat enable" moat enable $ROOT_CELL
check "moat cell create" moat cell create $cell
echo "Linux CPUs online: $(cat /sys/devices/system/cpu/online)"
check "CPU 3 left Linux" test "$(cat /sys/devices/system/cpu/online)" = "0-2"
check "moat cell load" moat cell load ctl-loop /extra/uart-direct.bin
check "moat cell start" moat cell start ctl-loop
sleep 1
moat cell list | tee /tmp/list
check "the cell is running" grep -q "ctl-loop *running *trapped *3" /tmp/list
moat console > /tmp/console
check "the cell reports through the hypervisor that it wrote to its UART" \
	grep -q '^\[ctl-loop\] uart-direct: wrote one line to the UART it owns' /tmp/console
# The UART is the cell's now: the root's access is refused (the probe's writer dies of it).
dmesg -c > /dev/null
sh -c "echo read32 $uart > /proc/moat_probe"; echo "root reader exit status: $?"
check "the root cannot read the cell's UART" sh -c "dmesg | grep -q 'synchronous external abort'"
check "... and never got a value from it" sh -c "! dmesg | grep -q 'read32 $uart = '"
check "Linux works beside the cell" workload
show_hv_console
check "moat cell destroy" moat cell destroy ctl-loop
sleep 1
check "CPU 3 is back in Linux" test "$(cat /sys/devices/system/cpu/online)" = "0-3"
cr_after=$(uart_cr)
echo "the UART's control register after the cell: $cr_after"
check "the root reads the UART again after destroy" test -n "$cr_after"
check "... and finds the transmitter the cell enabled" test $((cr_after & 0x10)) -ne 0
check "moat disable" moat disable
finish
