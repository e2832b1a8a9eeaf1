# A root kernel module powering on an offline CPU of the root with a raw PSCI CPU_ON while a
# cell create takes that CPU (outside review): the create checked the CPU off early, then took
# it from the root after zeroing the cell's memory. A CPU_ON in between came up running the
# root's code, and the hypervisor then counted it as the cell's: that code talked as the cell
# (and could CPU_ON the cell's other CPUs, or suspend and resume into the cell, at entries of
# its choosing). Now the CPUs are checked off and taken from the root in one step, under the
# PSCI state lock that CPU_ON decides under: the create is refused, or the CPU_ON is.
. /tests/lib.sh
check "insmod moat.ko" insmod /moat.ko
check "insmod moat_probe.ko" insmod /moat_probe.ko
check "moat enable" moat enable $ROOT_CELL
check "CPU 2 offline in Linux" sh -c 'echo 0 > /sys/devices/system/cpu/cpu2/online'
# The probe's thread (on CPU 3) keeps powering CPU 2 on around each create; the stub asks the
# hypervisor whether it counts it as a cell's CPU, prints "R" lines if so, and powers itself off.
check "CPU_ON race on CPU 2" sh -c 'echo "cpuon_race 0x2 78" > /proc/moat_probe'
sleep 0.5
# hello with 32 MiB of the cell pool: the longer the create zeroes, the wider the window.
moat-desc-edit $CELLS/hello.cell /tmp/hello.cell region=0:0x7c000000:0x40000000:0x2000000:0x27
created=no won=no
for i in $(seq 1 25); do
	echo 0 > /sys/devices/system/cpu/cpu2/online 2>/dev/null
	echo "cpuon_arm 1" > /proc/moat_probe
	taskset -c 0 moat cell create /tmp/hello.cell > /tmp/create 2>&1; rc=$?
	echo "cpuon_arm 0" > /proc/moat_probe
	if [ $rc = 0 ]; then
		created=$((${created#no} + 1))
		sleep 0.3
		if moat console | grep -q '^\[hello\] R'; then won=yes; break; fi
		moat cell destroy --force hello > /dev/null
	else
		sed 's/^/create refused: /' /tmp/create | tail -1
	fi
	sleep 0.3
done
echo "creates that succeeded: ${created#no}; the root's stub came out as the cell: $won (round $i)"
moat cell list | grep -q hello && created=yes || created=no
# Disarmed: the last stub powers itself off within milliseconds.
sleep 1
moat console > /tmp/console
grep -c '^\[hello\] R' /tmp/console | sed 's/^/lines the root printed as the cell: /'
check "no line of the root's stub came out as the cell's" sh -c "! grep -q '^\[hello\] R' /tmp/console"
if [ $created = yes ]; then
	check "destroy hello" moat cell destroy --force hello
fi
check "Linux has all its CPUs back" sh -c 'echo 1 > /sys/devices/system/cpu/cpu2/online; test "$(cat /sys/devices/system/cpu/online)" = 0-3'
check "moat disable" moat disable
finish
