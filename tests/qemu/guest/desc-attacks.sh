# Descriptors the root builds are checked against the system, not only against themselves:
# self-consistent descriptors (moat-desc-edit on hello.cell) that claim the hypervisor's devices
# or memory, straddle two owners or take what nobody declared, and a raw CELL_CREATE whose
# descriptor lies on the hypervisor's console ring (moat_probe), are each refused with a message
# naming the owner; cells that use up the hypervisor's page pool leave `moat cell load` working.
# The hypervisor answers, logs and runs cells normally afterwards.
. /tests/lib.sh
check "insmod moat.ko" insmod /moat.ko
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

# Legal cells that use up the page pool: each maps all of the root's RAM shared, at an IPA one
# page off its physical address in 2 MiB, which takes a level-3 table per 2 MiB.
used0=$(cat /sys/devices/moat/memory_used)
echo "hypervisor memory in use before: $used0"
n=0 exhausted=0 made=""
for spec in 0x7c000000:0x1 0x7d000000:0x2 0x7e400000:0x3; do
	n=$((n + 1))
	moat-desc-edit $HELLO /tmp/hog$n.cell name=hog$n cpu=${spec#*:} region=0:${spec%:*}:0x40000000:0x1000000:0x27 \
		region=1:0x40000000:0x80001000:0x3c000000:0x43
	if out=$(moat cell create /tmp/hog$n.cell 2>&1); then made="$made hog$n"
	else echo "$out"; echo "$out" | grep -q "hypervisor page pool exhausted" && exhausted=1; fi
	echo "after hog$n: memory in use $(cat /sys/devices/moat/memory_used)"
done
check "the page pool ran out, and create said so" test $exhausted = 1
check "some cells were created before that" test -n "$made"
first=$(echo $made | cut -d" " -f1)
check "moat cell load works with the pool used up" moat cell load $first $DEMOS/hello.bin
check "moat cell start" moat cell start $first
sleep 2
check "the cell ran" sh -c "moat console | grep -q '^\[$first\] hello'"
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
