# The README's demo, narrated: Linux as the root cell and a 10 kHz control loop in an isolated
# cell side by side, live statistics, then everything goes back to Linux.
. /tests/lib.sh
say() { echo; echo "### $*"; }
say "Linux is up on $(nproc) CPUs: $(uname -r)"
dmesg | grep -m1 'started at EL2'
# steer-root.cell: the root cell with link "ctl" to the steerable loop (last step).
say "insmod moat.ko; moat enable $CELLS/steer-root.cell  (every CPU enters the hypervisor)"
check "insmod moat.ko" insmod /moat.ko
check "moat enable" moat enable $CELLS/steer-root.cell
moat info
say "moat cell create $CELLS/ctl-loop.cell  (CPU 3 leaves Linux, RAM and IRQs leave the root)"
check "moat cell create" moat cell create $CELLS/ctl-loop.cell
echo "Linux CPUs online now: $(cat /sys/devices/system/cpu/online)"
say "moat cell load ctl-loop $DEMOS/ctl-loop.bin; moat cell start ctl-loop"
check "moat cell load" moat cell load ctl-loop $DEMOS/ctl-loop.bin
check "moat cell start" moat cell start ctl-loop
say "Side by side: Linux answers on CPUs 0-2 while the cell runs its loop on CPU 3"
# Exits of the cell's CPU per second: timer IRQs, console output (hypercalls), anything else.
exits() { moat cell stats ctl-loop | awk '$1 == "irq" { i = $2 } $1 == "hypercall" { h = $2 } NF == 2 && $1 != "irq" && $1 != "hypercall" { o += $2 } END { print i + 0, h + 0, o + 0 }'; }
set -- $(exits)
i=1
while [ $i -le 4 ]; do
	sleep 1
	irq=$1 hc=$2 other=$3
	set -- $(exits)
	echo "linux: uptime $(cut -d' ' -f1 /proc/uptime) s, $(ls /proc | grep -c '^[0-9]') processes | cell CPU exits in the last second: $(($1 - irq)) timer IRQs, $(($2 - hc)) console, $(($3 - other)) other"
	i=$((i + 1))
done
moat cell list
moat cell stats ctl-loop
say "moat cell destroy ctl-loop  (stop, zero its memory, CPU 3 back to Linux)"
check "moat cell destroy" moat cell destroy ctl-loop
echo "Linux CPUs online now: $(cat /sys/devices/system/cpu/online)"
say "Steering from Linux: the same loop built as ctl-steer, with link \"ctl\" to Linux (moat-ctl)"
check "moat cell create (ctl-steer)" moat cell create $CELLS/ctl-steer.cell
check "moat cell load ctl-steer" moat cell load ctl-loop $DEMOS/ctl-steer.bin
check "moat cell start ctl-steer" moat cell start ctl-loop
sleep 1
moat-ctl watch --rate 4 --count 2 | grep telemetry
say "moat-ctl set 200: a new speed setpoint from Linux, and the motor follows"
moat-ctl set 200
sleep 0.5
moat-ctl watch --rate 4 --count 3 | grep telemetry | tee /tmp/steer
check "the motor follows the setpoint from Linux" sh -c "grep -cE 'speed=(19[89]|20[01])\.[0-9]+ setpoint=200\.000' /tmp/steer | grep -qx 3"
check "moat cell destroy (ctl-steer)" moat cell destroy ctl-loop
say "moat disable  (EL2 goes back to the kernel's hyp-stub)"
check "moat disable" moat disable
check "rmmod moat" rmmod moat
say "done; powering off"
finish
