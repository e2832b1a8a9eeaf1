# CPU hotplug under the hypervisor: PSCI CPU_OFF/CPU_ON are trapped, and a CPU brought back
# online comes up under EL2 again (it is counted by the hypervisor and takes its interrupts).
. /tests/lib.sh
online_cpus() { moat info | sed -n 's/hypervisor CPUs: *//p'; }
check "insmod moat.ko" insmod /moat.ko
check "moat enable" moat enable $ROOT_CELL
ok=0
round=1
while [ $round -le 5 ]; do
	for cpu in 1 2 3; do
		echo 0 > /sys/devices/system/cpu/cpu$cpu/online || echo "offline cpu$cpu failed"
	done
	n_off=$(online_cpus)
	for cpu in 1 2 3; do
		echo 1 > /sys/devices/system/cpu/cpu$cpu/online || echo "online cpu$cpu failed"
	done
	n_on=$(online_cpus)
	echo "round $round: hypervisor CPUs with 1..3 offline: $n_off, back online: $n_on, Linux online: $(cat /sys/devices/system/cpu/online)"
	if [ "$n_off" = 1 ] && [ "$n_on" = 4 ] && workload; then ok=$((ok + 1)); fi
	round=$((round + 1))
done
check "5 offline/online rounds of CPUs 1-3 under the hypervisor" test $ok -eq 5
moat stats | tee /tmp/stats
check "PSCI calls were trapped" sh -c "awk '/^psci / { s = 0; for (i = 2; i <= 5; i++) s += \$i; exit !(s >= 30) }' /tmp/stats"
check "hotplugged CPUs take injected interrupts" sh -c "awk '/^irq / { for (i = 2; i <= 5; i++) if (\$i == 0) exit 1 }' /tmp/stats"
show_hv_console
check "moat disable" moat disable
check "offline/online after disable" sh -c "echo 0 > /sys/devices/system/cpu/cpu2/online && echo 1 > /sys/devices/system/cpu/cpu2/online"
check "workload after disable" workload
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace|failed to come online'"
finish
