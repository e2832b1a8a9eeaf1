# A bare-metal control loop in a cell beside Linux: create (CPU 3 leaves Linux), load, start,
# watch it run, shut it down, destroy it (CPU 3 comes back, the cell's memory is zero).
. /tests/lib.sh
check "insmod moat.ko" insmod /moat.ko
check "insmod moat_probe.ko" insmod /moat_probe.ko
check "moat enable" moat enable $ROOT_CELL
check "moat cell create" moat cell create $CELLS/ctl-loop.cell
echo "Linux CPUs online: $(cat /sys/devices/system/cpu/online)"
check "CPU 3 left Linux" test "$(cat /sys/devices/system/cpu/online)" = "0-2"
check "moat cell load" moat cell load ctl-loop $DEMOS/ctl-loop.bin
check "moat cell start" moat cell start ctl-loop
sleep 3
moat cell list | tee /tmp/list
check "the cell is running" grep -q "ctl-loop *running *trapped *3" /tmp/list
check "Linux works beside the cell" workload
moat cell stats ctl-loop | tee /tmp/cstats
check "the cell's interrupts are counted" sh -c "awk '/^  irq / { exit !(\$2 > 1000) }' /tmp/cstats"
cs=/sys/devices/moat/cells/ctl-loop
echo "sysfs: cells/ctl-loop: id $(cat $cs/id), state $(cat $cs/state), cpus $(cat $cs/cpus), irq $(cat $cs/irq), hypercall $(cat $cs/hypercall)"
check "sysfs: the cell is running on CPU 3" test "$(cat $cs/state)" = running -a "$(cat $cs/cpus)" = 3
check "sysfs: the cell's interrupts are counted" test "$(cat $cs/irq)" -gt 1000
check "sysfs: the cell's CPU counts the same" test "$(cat /sys/devices/moat/cpus/cpu3/irq)" -ge "$(awk '/^  irq / { print $2 }' /tmp/cstats)"
# moat console: the hypervisor's ring holds the cell's output for Linux to read.
moat console > /tmp/console
tail -3 /tmp/console
check "moat console shows the cell's reports" grep -q '^\[ctl-loop\] ctl-loop: t=2s periods=10000' /tmp/console
check "moat console shows the hypervisor's lines" grep -q '^moat: cell "ctl-loop" started on CPU 3' /tmp/console
check "moat cell shutdown" moat cell shutdown ctl-loop
moat cell list | tee /tmp/list
check "the cell is shut down" grep -q "ctl-loop *shut down" /tmp/list
check "sysfs: the cell is shut down" test "$(cat $cs/state)" = "shut down"
check "moat cell destroy" moat cell destroy ctl-loop
sleep 1
echo "Linux CPUs online: $(cat /sys/devices/system/cpu/online)"
check "CPU 3 is back in Linux" test "$(cat /sys/devices/system/cpu/online)" = "0-3"
check "sysfs: the cell's directory is gone" test ! -e $cs
check "CPU 3 runs Linux work" taskset -c 3 sh -c 'i=0; while [ $i -lt 100 ]; do i=$((i+1)); done'
check "moat disable" moat disable
# With the hypervisor gone, the probe can look at the cell's former RAM: it must be zero.
for a in 0x7c100000 0x7c100040 0x7c180000; do echo "read $a" > /proc/moat_probe; done
dmesg | grep 'moat_probe: read 0x7c1' | tail -3
check "the cell's memory was zeroed" sh -c "dmesg | grep 'moat_probe: read 0x7c1.* = ' | grep -qv ' = 0x0\$' && exit 1 || exit 0"
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
finish
