# Foundation: enter EL2 on every CPU through the hyp-stub, ask the hypervisor at EL2, leave, and
# do it 20 more times with a workload in between.
. /tests/lib.sh
check "insmod moat.ko" insmod /moat.ko
check "/dev/moat exists" test -c /dev/moat
moat info
check "moat enable" moat enable
info=$(moat info); echo "$info"
check "info: enabled" sh -c "echo '$info' | grep -q 'state: *enabled'"
check "info: ABI 1.0 answered at EL2" sh -c "echo '$info' | grep -q 'hypervisor ABI: *1.0 (answered at EL2)'"
check "info: all $(nproc) CPUs in the hypervisor" sh -c "echo '$info' | grep -q 'hypervisor CPUs: *$(nproc)\$'"
check "workload under the hypervisor" workload
check "moat disable" moat disable
check "info: disabled again" sh -c "moat info | grep -q 'state: *disabled'"
i=1
ok=0
while [ $i -le 20 ]; do
	if moat enable >/dev/null && workload && moat disable >/dev/null && workload; then
		ok=$((ok + 1))
	else
		echo "cycle $i failed"
	fi
	i=$((i + 1))
done
echo "enable/disable cycles passed: $ok/20"
check "20 enable/disable cycles with a workload" test $ok -eq 20
check "info counts 21 enables" sh -c "moat info | grep -q 'enables: *21\$'"
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
check "rmmod moat when disabled" rmmod moat
finish
