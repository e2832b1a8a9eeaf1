# Foundation: enter EL2 on every CPU through the hyp-stub, ask the hypervisor at EL2, leave, and
# do it 50 more times with a workload in between; Linux's memory (free, slab), the hypervisor's
# and the driver's must come out where they were. /sys/devices/moat follows along.
. /tests/lib.sh
check "insmod moat.ko" insmod /moat.ko
check "/dev/moat exists" test -c /dev/moat
moat info
check "moat enable" moat enable $ROOT_CELL
moat info | tee /tmp/info
check "info: enabled" grep -q 'state: *enabled' /tmp/info
check "info: ABI 3.3 answered at EL2" grep -q 'hypervisor ABI: *3.3 (answered at EL2)' /tmp/info
check "info: all $(nproc) CPUs in the hypervisor" grep -q "hypervisor CPUs: *$(nproc)\$" /tmp/info
check "info: names the running kernel ($(uname -r))" grep -qF "Linux $(uname -r) (" /tmp/info
# The hypervisor's console ring (the only console it has on a board without a PL011).
show_hv_console
moat console > /tmp/hvcon
check "console ring: every CPU entered EL2" test "$(grep -c 'moat: CPU [0-9]* entered EL2' /tmp/hvcon)" -eq "$(nproc)"
check "workload under the hypervisor" workload

# sysfs while enabled: the same facts as moat info and moat stats, one value per file.
sys=/sys/devices/moat
for f in enabled memory_size memory_used enable_count cpus/cpu0/hypercall cpus/cpu3/irq; do
	echo "sysfs: $f = $(cat $sys/$f)"
done
check "sysfs: enabled is 1" test "$(cat $sys/enabled)" = 1
check "sysfs: memory_used is what moat info says" \
	test "$(($(cat $sys/memory_used) / 1024))" = "$(sed -n 's/^memory in use: *\([0-9]*\) KiB$/\1/p' /tmp/info)"
check "sysfs: a directory per CPU with a file per exit reason" \
	test "$(ls $sys/cpus | tr '\n' ' ')" = "cpu0 cpu1 cpu2 cpu3 " -a "$(ls $sys/cpus/cpu2 | wc -l)" = 11
check "sysfs: the CPUs have made hypercalls (moat info, console)" test "$(cat $sys/cpus/cpu*/hypercall | awk '{ s += $1 } END { print s }')" -gt 0
h0=$(cat $sys/cpus/cpu0/hypercall); taskset -c 0 moat info > /dev/null; h1=$(cat $sys/cpus/cpu0/hypercall)
check "sysfs: the counters move ($h0 -> $h1 hypercalls on CPU 0 across one moat info on CPU 0)" test "$h1" -gt "$h0"

check "moat disable" moat disable
moat info > /tmp/info
check "info: disabled again" grep -q 'state: *disabled' /tmp/info
check "sysfs: enabled is 0, no counters" test "$(cat $sys/enabled)" = 0 -a ! -e $sys/cpus

# Memory as Linux counts it, with the page cache dropped: KiB free and in slab. Free counts
# the pages parked in the per-CPU free lists too (/proc/zoneinfo "count:" of each pageset):
# MemFree leaves them out, and how many each CPU holds on to moves by megabytes with what ran
# where, which is not memory anybody lost.
mem() {
	sync; echo 3 > /proc/sys/vm/drop_caches
	pcp=$(awk '$1 == "count:" { n += $2 } END { print n * 4 }' /proc/zoneinfo)
	awk -v pcp="$pcp" '$1 == "MemFree:" { f = $2 } $1 == "Slab:" { s = $2 } END { print f + pcp, s }' /proc/meminfo
}
hv_used() { moat info | sed -n 's/^memory in use: *\([0-9]*\) KiB$/\1/p'; }
warmup=10
cycles=50
i=1
ok=0
while [ $i -le $((warmup + cycles)) ]; do
	if moat enable $ROOT_CELL >/dev/null && workload && used=$(hv_used) && moat disable >/dev/null && workload; then
		ok=$((ok + 1))
	else
		echo "cycle $i failed"
	fi
	# The first cycles warm up what Linux allocates once (firmware loader, caches, the
	# workload's own slab growth, which goes on slowing down for a while).
	[ $i -eq $warmup ] && { first_used=$used; set -- $(mem); free0=$1; slab0=$2; }
	i=$((i + 1))
done
set -- $(mem); free1=$1; slab1=$2
echo "enable/disable cycles passed: $ok/$((warmup + cycles))"
echo "memory after $warmup cycles: free $free0 KiB, slab $slab0 KiB; $cycles cycles later: free $free1 KiB, slab $slab1 KiB"
echo "hypervisor memory in use while enabled: $first_used KiB in cycle $warmup, $used KiB in cycle $((warmup + cycles))"
check "$((warmup + cycles)) enable/disable cycles with a workload" test $ok -eq $((warmup + cycles))
# Free memory still moves by a few MiB on its own (the workload's processes, allocator caches); these
# bounds catch a leak of the firmware image (hundreds of KiB per enable) or of a page per CPU
# per cycle. The driver's own buffers and the hypervisor's memory are checked exactly below.
check "free memory stable (less than 4 MiB lost over $cycles cycles)" test $((free0 - free1)) -lt 4096
check "slab stable (less than 512 KiB more over $cycles cycles)" test $((slab1 - slab0)) -lt 512
check "hypervisor memory in use the same in every enable" test "$first_used" = "$used"
moat info > /tmp/info
check "info counts $((warmup + cycles + 1)) enables" grep -q "enables: *$((warmup + cycles + 1))\$" /tmp/info
check "driver holds no buffers" grep -q 'driver allocations: *0$' /tmp/info
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
check "rmmod moat when disabled" rmmod moat
finish
