# Foundation: enter EL2 on every CPU through the hyp-stub, ask the hypervisor at EL2, leave, and
# do it 20 more times with a workload in between.
. /tests/lib.sh
check "insmod moat.ko" insmod /moat.ko
check "/dev/moat exists" test -c /dev/moat
moat info
check "moat enable" moat enable $ROOT_CELL
moat info | tee /tmp/info
check "info: enabled" grep -q 'state: *enabled' /tmp/info
check "info: ABI 2.0 answered at EL2" grep -q 'hypervisor ABI: *2.0 (answered at EL2)' /tmp/info
check "info: all $(nproc) CPUs in the hypervisor" grep -q "hypervisor CPUs: *$(nproc)\$" /tmp/info
# The hypervisor's console ring (the only console it has on a board without a PL011).
show_hv_console
moat console > /tmp/hvcon
check "console ring: every CPU entered EL2" test "$(grep -c 'moat: CPU [0-9]* entered EL2' /tmp/hvcon)" -eq "$(nproc)"
check "workload under the hypervisor" workload
check "moat disable" moat disable
moat info > /tmp/info
check "info: disabled again" grep -q 'state: *disabled' /tmp/info
i=1
ok=0
while [ $i -le 20 ]; do
	if moat enable $ROOT_CELL >/dev/null && workload && moat disable >/dev/null && workload; then
		ok=$((ok + 1))
	else
		echo "cycle $i failed"
	fi
	i=$((i + 1))
done
echo "enable/disable cycles passed: $ok/20"
check "20 enable/disable cycles with a workload" test $ok -eq 20
moat info > /tmp/info
check "info counts 21 enables" grep -q 'enables: *21$' /tmp/info
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
check "rmmod moat when disabled" rmmod moat
finish
