# The ctl-loop demo in a cell on the ZCU102 (cells/zcu102/ctl-loop.dtso: CPU 3 and uart1): the
# image built for this board (demos/boards/zcu102.cmake: GIC-400 backend, console on uart1) is
# loaded from /extra, runs its 10 kHz loop, prints its reports on the UART it owns (QEMU's second
# serial port, appended to the log as "qemu-run: uart1:" lines), and is destroyed: asked first,
# it brakes its motor to rest and approves.
. /tests/lib.sh
check "insmod moat.ko" insmod /moat.ko
check "moat enable" moat enable $ROOT_CELL
check "moat cell create" moat cell create $CELLS/ctl-loop.cell
check "moat cell load" moat cell load ctl-loop /extra/ctl-loop.bin
check "moat cell start" moat cell start ctl-loop
sleep 4
moat cell list | tee /tmp/list
check "the cell is running" grep -q "ctl-loop *running *trapped *3" /tmp/list
moat cell stats ctl-loop | tee /tmp/cstats
check "the cell's timer interrupts are counted (> 20000 in 4 s)" sh -c "awk '/^  irq / { exit !(\$2 > 20000) }' /tmp/cstats"
# GIC-400: the cell's PPI set-up goes through the trapped distributor (a dozen accesses at start).
check "no other exits: no fault, no unknown trap, distributor only at start (< 50)" sh -c "awk '\$1 ~ /^(abort_denied|smc_other|cache_setway|other)\$/ && \$2 != 0 { bad = 1 } \$1 == \"mmio\" && \$2 >= 50 { bad = 1 } END { exit bad }' /tmp/cstats"
check "Linux works beside the cell" workload
check "moat cell destroy" moat cell destroy ctl-loop
show_hv_console
check "CPU 3 is back in Linux" test "$(cat /sys/devices/system/cpu/online)" = "0-3"
check "moat disable" moat disable
finish
