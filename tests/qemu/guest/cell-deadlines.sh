# The 10 kHz control loop in a cell beside Linux, under icount (guest time counts instructions).
# Phase 1, Linux idle: every deadline is met for 10 s (checked on the console by the .expect).
# Phase 2, Linux runs a bounded CPU + memory + disk + interrupt stress on CPUs 0-2 for 10 s: the
# cell's CPU takes no exit but its own timer interrupts and console output.
. /tests/lib.sh
exits() { moat cell stats ctl-loop | awk -v r="$1" '$1 == r { print $2 }'; }
check "insmod moat.ko" insmod /moat.ko
check "moat enable" moat enable $ROOT_CELL
for m in failover net_failover virtio_mmio virtio_blk virtio_net; do insmod /lib/modules/$m.ko; done
check "moat cell create" moat cell create $CELLS/ctl-loop.cell
check "moat cell load" moat cell load ctl-loop $DEMOS/ctl-loop.bin
check "moat cell start" moat cell start ctl-loop
echo "phase 1: Linux idle"
sleep 12
echo "phase 2: Linux under stress"
moat cell stats ctl-loop > /tmp/before
end=$(($(cut -d. -f1 /proc/uptime) + 10))
for cpu in 0 1 2; do
	taskset -c $cpu sh -c "while [ \$(cut -d. -f1 /proc/uptime) -lt $end ]; do dd if=/dev/zero of=/tmp/s$cpu bs=64k count=8 2>/dev/null; md5sum /tmp/s$cpu >/dev/null; done" &
done
while [ $(cut -d. -f1 /proc/uptime) -lt $end ]; do dd if=/dev/vda of=/dev/null bs=64k count=16 iflag=direct 2>/dev/null; done
wait
moat cell stats ctl-loop > /tmp/after
echo "phase 2: done"
paste /tmp/before /tmp/after | awk 'NR > 1 { printf "  %-14s %s -> %s (+%d)\n", $1, $2, $4, $4 - $2 }' | tee /tmp/delta
for r in abort_denied mmio sgi psci smc_other cache_setway maintenance other; do
	check "no $r exit on the cell's CPU under stress" sh -c "awk '\$1 == \"$r\" { exit !(\$2 == \$4) }' /tmp/delta"
done
check "the cell's timer interrupts kept coming (>= 9000/s)" sh -c "awk '\$1 == \"irq\" { exit !(\$4 - \$2 >= 90000) }' /tmp/delta"
check "moat cell destroy" moat cell destroy ctl-loop
check "moat disable" moat disable
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
finish
