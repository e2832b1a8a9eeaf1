# Descriptors the root builds are checked against the system, not only against themselves:
# self-consistent descriptors (moat-desc-edit on hello.cell) that claim the hypervisor's devices
# or memory, straddle two owners or take what nobody declared, and a raw CELL_CREATE whose
# descriptor lies on the hypervisor's console ring (moat_probe), are each refused with a message
# naming the owner; cells that use up the hypervisor's page pool leave `moat cell load` working.
# The hypervisor answers, logs and runs cells normally afterwards.
. /tests/lib.sh
# skip_live_checks: the driver's checks against the running system would refuse several of
# these first (RAM Linux uses, its console); the hypervisor's own are the ones under test.
check "insmod moat.ko" insmod /moat.ko skip_live_checks=1
check "insmod moat_probe.ko" insmod /moat_probe.ko
check "moat enable" moat enable $ROOT_CELL
HELLO=$CELLS/hello.cell
if [ "$GIC_VERSION" = 3 ]; then FRAME=0x80a0000 FRAME_OWNER="GIC redistributors"
else FRAME=0x8010000 FRAME_OWNER="GIC CPU interface"; fi

alive() {
	check "$1: the hypervisor still answers" sh -c "moat info | grep -q 'answered at EL2'"
}
# attack "description" "expected message" moat-desc-edit-arguments...
attack() {
	what=$1 want=$2; shift 2
	moat-desc-edit $HELLO /tmp/evil.cell name=evil "$@" || { fail "$what: moat-desc-edit $*"; return; }
	run_expect_fail "$what is refused" "$want" moat cell create /tmp/evil.cell
	moat cell list | grep -q evil && moat cell destroy --force evil
	alive "$what"
}
# Flags: 0x3 read+write, 0x13 io+read+write, 0x27 loadable+exec+read+write, 0x43 shared+read+write.
attack "RAM over the GIC distributor" "overlaps the GIC distributor" region=1:$GICD_BASE:0x50000000:0x10000:0x3
attack "RAM straddling root RAM and the cell pool" "is not inside one owner" region=0:0x7bf00000:0x40000000:0x200000:0x27
attack "a device over the GIC's per-CPU frames" "overlaps the $FRAME_OWNER" region=1:$FRAME:$FRAME:0x10000:0x13
attack "RAM over the hypervisor's memory" "overlaps the hypervisor's memory" region=1:$HV_BASE:0x50000000:0x1000:0x3
attack "the hypervisor's console UART" "overlaps the hypervisor's console UART" region=1:0x9000000:0x9000000:0x1000:0x13
attack "RAM nobody declared" "is neither RAM nor cell pool the root cell has" region=1:0x100000000:0x50000000:0x100000:0x3
attack "root RAM as a device" "reaches into the root cell's RAM" region=1:0x60000000:0x60000000:0x1000:0x13
attack "own RAM in memory the root shares" "overlaps memory the root cell shares" region=1:0x7e000000:0x50000000:0x100000:0x3

# A descriptor read from the console ring: the temporary mapping must not take the ring's away.
echo "create_at ring" > /proc/moat_probe
dmesg | grep 'moat_probe: create_at' | tail -1 | tee /tmp/ring
check "a descriptor on the console ring is refused" grep -q 'status -[0-9]*: invalid descriptor' /tmp/ring
alive "descriptor on the console ring"
check "the hypervisor still logs: a cell is created" moat cell create $HELLO
check "... and destroyed" moat cell destroy hello
check "the log lines reached the console ring" sh -c "moat console | grep -q 'cell \"hello\" destroyed'"

# Legal cells that use up the page pool: they map the root's RAM shared, at IPAs one page off
# the physical address in 2 MiB, which takes a level-3 table per 2 MiB. hog1 maps as much as
# fits, hog2 the most 2 MiB blocks that still fit, hog3 as many single pages (a table each)
# as fit: the pool is left (nearly) empty. hog1 also takes the whole Linux pool (256 MiB at
# 0x6c000000) as its own RAM, one page off too: with that pool, root RAM alone (704 MiB) no
# longer needs tables enough to empty the page pool.
used0=$(cat /sys/devices/moat/memory_used)
echo "hypervisor memory in use before: $used0"
exhausted=0 made=""
# hog N CPU RAM [moat-desc-edit arguments...]: try to create it.
hog() {
	n=$1 cpu=$2 ram=$3; shift 3
	moat-desc-edit $HELLO /tmp/hog$n.cell name=hog$n cpu=$cpu region=0:$ram:0x40000000:0x1000000:0x27 "$@"
	if out=$(moat cell create /tmp/hog$n.cell 2>&1); then made="$made hog$n"; return 0; fi
	echo "hog$n: $out" | tail -1
	echo "$out" | grep -q "hypervisor page pool exhausted" && exhausted=1
	return 1
}
# The root's first RAM region starts at 0x40000000; where it ends depends on the pools the board's
# tree carves out after it (/proc/iomem's first System RAM range).
ram_end=$(awk -F'[- ]' '/^40000000-[0-9a-f]+ : System RAM/ { print $2; exit }' /proc/iomem)
blocks=$(( ((0x${ram_end:-6bffffff} + 1) - 0x40000000) / 0x200000 ))
echo "root RAM 0x40000000..0x${ram_end:-6bffffff}: $blocks blocks of 2 MiB"
size=$((blocks * 0x200000))
while [ $size -ge $((0x200000)) ]; do
	hog 1 0x1 0x7c000000 region=1:0x40000000:0x80001000:$(printf '%#x' $size):0x43 region=2:0x6c000000:0xc0001000:0x10000000:0x27 && break
	size=$(( (size / 2) & ~0x1fffff ))
done
# hog2: the most 2 MiB blocks that fit, found by bisection (a cell that fits is destroyed
# again until the last step).
lo=0 hi=$blocks
while [ $lo -lt $hi ]; do
	mid=$(((lo + hi + 1) / 2))
	if hog 2 0x2 0x7d000000 region=1:0x40000000:0x80001000:$(printf '%#x' $((mid * 0x200000))):0x43; then
		lo=$mid; made=${made% hog2}; moat cell destroy --force hog2
	else hi=$((mid - 1)); fi
done
[ $lo -gt 0 ] && hog 2 0x2 0x7d000000 region=1:0x40000000:0x80001000:$(printf '%#x' $((lo * 0x200000))):0x43
echo "hog2: $lo blocks of 2 MiB"
# hog3: the most single-page regions that fit, by bisection too.
hog3() {
	args="" i=1
	while [ $i -le $1 ]; do
		args="$args region=$i:$(printf '%#x:%#x' $((0x40000000 + i * 0x200000)) $((0x80001000 + i * 0x200000))):0x1000:0x43"
		i=$((i + 1))
	done
	hog 3 0x3 0x7e400000 $args
}
lo=0 hi=63
while [ $lo -lt $hi ]; do
	mid=$(((lo + hi + 1) / 2))
	if hog3 $mid; then lo=$mid; made=${made% hog3}; moat cell destroy --force hog3
	else hi=$((mid - 1)); fi
done
k=$lo
[ $k -gt 0 ] && hog3 $k
echo "hog3: $k single-page regions; memory in use $(cat /sys/devices/moat/memory_used); cells:$made"
moat cell list
check "the page pool ran out, and create said so" test $exhausted = 1
check "some cells were created before that" test -n "$made"
last=${made##* }
check "moat cell load works with the pool used up" moat cell load $last $DEMOS/hello.bin
check "moat cell start" moat cell start $last
sleep 2
check "the cell ran" sh -c "moat console | grep -q '^\[$last\] hello'"
for c in $made; do check "destroy $c" moat cell destroy --force $c; done
used1=$(cat /sys/devices/moat/memory_used)
echo "hypervisor memory in use after: $used1"
check "every page went back to the pool" test "$used1" = "$used0"
alive "pool exhaustion"

check "a normal cell still works: create" moat cell create $HELLO
check "load" moat cell load hello $DEMOS/hello.bin
check "start" moat cell start hello
sleep 2
check "destroy" moat cell destroy --force hello
check "Linux works" workload
check "moat disable" moat disable
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
finish
