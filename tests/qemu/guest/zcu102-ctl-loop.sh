# The ctl-loop demo in a cell on the ZCU102 (cells/zcu102/ctl-loop.dtso: CPU 3 and uart1): the
# image built for this board (demos/boards/zcu102.cmake: GIC-400 backend, console on uart1) is
# loaded from /extra, runs its 10 kHz loop, prints its reports on the UART it owns (QEMU's second
# serial port, appended to the log as "qemu-run: uart1:" lines), and is destroyed: asked first,
# it brakes its motor to rest and approves.
. /tests/lib.sh
check "insmod moat.ko" insmod /moat.ko
check "moat enable" moat enable $ROOT_CELL
check "moat cell create" moat cell create $CELLS/ctl-loop.cell
board_ctl_loop_runs
check "Linux works beside the cell" workload
check "moat cell destroy" moat cell destroy ctl-loop
show_hv_console
check "CPU 3 is back in Linux" test "$(cat /sys/devices/system/cpu/online)" = "0-3"
check "moat disable" moat disable
finish
