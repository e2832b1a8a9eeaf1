# The ctl-loop demo in a cell on the Raspberry Pi 4 (cells/rpi4/ctl-loop.dtso: CPU 3, the system
# timer and the mini UART, uart1, assigned directly): the image built for this board
# (demos/boards/rpi4.cmake: GIC-400, console on the mini UART) is loaded from /extra, runs its
# 10 kHz loop and prints its reports on the UART it owns (QEMU raspi4b's second serial port,
# appended to the log as "qemu-run: uart1:" lines). While the cell has the UART the root's
# access to it is refused; the cell is destroyed (asked first, it brakes its motor to rest and
# approves) and CPU 3 and the UART are Linux's again.
. /tests/lib.sh
uart_path=$(tr -d '\0' < /proc/device-tree/aliases/serial1)
uart=$(dt_reg_addr "/proc/device-tree$uart_path")
echo "the cell's UART: $uart_path at $uart"
# The mini UART's line status register (offset 0x14): bit 5, the transmitter can take a byte.
lsr=$(printf '0x%x' $((uart + 0x14)))
uart_lsr() { echo "read32 $lsr" > /proc/moat_probe && dmesg | sed -n "s/.*read32 $lsr = //p" | tail -1; }
check "insmod moat.ko" insmod /moat.ko
check "insmod moat_probe.ko" insmod /moat_probe.ko
check "the root reads the mini UART before the cell exists" test -n "$(uart_lsr)"
check "moat enable" moat enable $ROOT_CELL
check "moat cell create" moat cell create $CELLS/ctl-loop.cell
check "CPU 3 left Linux" test "$(cat /sys/devices/system/cpu/online)" = "0-2"
board_ctl_loop_runs
# The UART is the cell's now: the root's access is refused (the probe's reader dies of it).
dmesg -c > /dev/null
sh -c "echo read32 $lsr > /proc/moat_probe"; echo "root reader exit status: $?"
check "the root cannot read the cell's UART" sh -c "dmesg | grep -q 'synchronous external abort'"
check "... and never got a value from it" sh -c "! dmesg | grep -q 'read32 $lsr = '"
check "Linux works beside the cell" workload
check "moat cell destroy" moat cell destroy ctl-loop
show_hv_console
check "CPU 3 is back in Linux" test "$(cat /sys/devices/system/cpu/online)" = "0-3"
check "the root reads the mini UART again after destroy" test -n "$(uart_lsr)"
check "moat disable" moat disable
finish
