# Helpers for guest-side test scripts: each check prints PASS/FAIL with its reason; the script's
# exit status is the number of failures.
failures=0

# The board's GIC, from the interrupt controller's compatible: 3 or 2. The cell descriptors and
# the demo images are built per variant of the board: /cells/*.cell and /demos/*.bin for GICv3,
# /cells/gicv2/*.cell and /demos/gicv2/*.bin for GICv2. Scripts name them as $ROOT_CELL,
# $CELLS/NAME.cell and $DEMOS/NAME.bin.
gic_version() {
	for c in /proc/device-tree/intc@*/compatible; do
		[ -f "$c" ] || continue
		case $(tr '\0' ' ' < "$c") in
		*arm,gic-v3*) echo 3; return ;;
		*arm,cortex-a15-gic* | *arm,gic-400* | *arm,cortex-a9-gic* | *arm,cortex-a7-gic*) echo 2; return ;;
		esac
	done
	echo unknown
}
GIC_VERSION=$(gic_version)
if [ "$GIC_VERSION" = 2 ]; then CELLS=/cells/gicv2 DEMOS=/demos/gicv2; else CELLS=/cells DEMOS=/demos; fi
ROOT_CELL=$CELLS/root.cell
echo "moat-guest: GICv$GIC_VERSION board, cells from $CELLS, demos from $DEMOS"

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# check "description" command...: the command must succeed.
check() {
	desc=$1; shift
	if "$@"; then pass "$desc"; else fail "$desc (command: $*)"; fi
}

# run_expect_fail "description" "expected message" command...: the command must fail and its
# output must contain the expected message.
run_expect_fail() {
	desc=$1; want=$2; shift 2
	out=$("$@" 2>&1); rc=$?
	echo "$out"
	if [ $rc -ne 0 ] && echo "$out" | grep -qF -- "$want"; then
		pass "$desc"
	else
		fail "$desc (exit $rc, wanted a failure saying '$want')"
	fi
}

# A small shell workload: processes, pipes, files in tmpfs, arithmetic on every CPU.
workload() {
	for cpu in $(seq 0 $(($(nproc) - 1))); do
		taskset -c "$cpu" sh -c 'i=0; while [ $i -lt 300 ]; do i=$((i + 1)); done; echo $i' > "/tmp/w$cpu" &
	done
	wait
	for cpu in $(seq 0 $(($(nproc) - 1))); do
		[ "$(cat /tmp/w$cpu)" = 300 ] || return 1
	done
	dd if=/dev/urandom of=/tmp/blob bs=1k count=256 2>/dev/null &&
		md5sum /tmp/blob | cut -d' ' -f1 > /tmp/sum1 && cp /tmp/blob /tmp/blob2 &&
		md5sum /tmp/blob2 | cut -d' ' -f1 | cmp -s - /tmp/sum1
}

finish() {
	echo "moat-guest: $failures failure(s)"
	exit $failures
}
