# Benchmark (scripts/bench.sh): bench-trace.sh's instruction-traced run with the timer-latency demo
# in the direct-delivery cell (cells/qemu-virt-direct/direct.dtso, CPU 3) beside idle Linux: the
# EL2 instructions the cell's CPU runs per timer IRQ (none are expected: its IRQs are taken at
# EL1), and what its WFI round costs instead (each WFI traps).
. /tests/bench-lib.sh
check "insmod moat.ko" insmod /moat.ko
check "moat enable" moat enable $ROOT_CELL
check "create" moat cell create $CELLS/direct.cell
check "load timer-latency" moat cell load direct $DEMOS/timer-latency.bin
echo "BENCH phase trace-direct begin"
check "start" moat cell start direct
check "timer-latency ran to its end" wait_cell_off direct 60
echo "BENCH phase trace-direct end"
cell_stats direct | sed "s/^/BENCH trace-direct-exits /"
check "destroy" moat cell destroy direct
check "moat disable" moat disable
finish
