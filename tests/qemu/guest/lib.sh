# Helpers for guest-side test scripts: each check prints PASS/FAIL with its reason; the script's
# exit status is the number of failures.
failures=0

# The board's GIC node in /proc/device-tree (QEMU virt has it at the root, the ZynqMP under
# /axi) and its version from the compatible: 3 or 2.
gic_node() {
	for c in /proc/device-tree/intc@*/compatible /proc/device-tree/*/interrupt-controller@*/compatible \
		 /proc/device-tree/interrupt-controller@*/compatible; do
		[ -f "$c" ] || continue
		case $(tr '\0' ' ' < "$c") in
		*arm,gic-v3* | *arm,cortex-a15-gic* | *arm,gic-400* | *arm,cortex-a9-gic* | *arm,cortex-a7-gic*)
			dirname "$c"; return ;;
		esac
	done
}
gic_version() {
	n=$(gic_node)
	[ -n "$n" ] || { echo unknown; return; }
	case $(tr '\0' ' ' < "$n/compatible") in
	*arm,gic-v3*) echo 3 ;;
	*) echo 2 ;;
	esac
}
# The 32-bit cells of a device-tree property, one hex word a line.
dt_cells() {
	od -An -v -tx1 "$1" | tr -s ' \n' '\n\n' | grep . | awk '{ w = w $0 } NR % 4 == 0 { print w; w = "" }'
}
# A node's #address-cells or #size-cells (the defaults of the devicetree specification: 2, 1).
dt_ncells() {
	if [ -f "$1/#$2-cells" ]; then printf '%d' "0x$(dt_cells "$1/#$2-cells")"; elif [ "$2" = address ]; then echo 2; else echo 1; fi
}
# COUNT cells from line FIRST (1-based) of a cell list, as one number.
dt_number() {
	n=0
	for w in $(echo "$1" | sed -n "$2,$(($2 + $3 - 1))p"); do n=$(((n << 32) | 0x$w)); done
	echo $n
}
# The first address of a node's reg as the CPU sees it, as "0x..." (lower case, no leading
# zeros: the way the kernel's %#llx prints it): the reg address is in the parent bus's address
# space, translated through every bus's `ranges` up to the root (the Pi 4's /soc maps bus
# addresses 0x7e.../0x4004_1000 to the CPU's 0xfe.../0xff84_1000; an empty `ranges` is 1:1).
dt_reg_addr() {
	bus=$(dirname "$1")
	addr=$(dt_number "$(dt_cells "$1/reg")" 1 "$(dt_ncells "$bus" address)")
	while [ "$bus" != /proc/device-tree ] && [ -s "$bus/ranges" ]; do
		up=$(dirname "$bus")
		ca=$(dt_ncells "$bus" address) pa=$(dt_ncells "$up" address) sz=$(dt_ncells "$bus" size)
		ranges=$(dt_cells "$bus/ranges")
		total=$(echo "$ranges" | wc -l) entry=$((ca + pa + sz)) i=1 mapped=
		while [ $i -le "$total" ]; do
			child=$(dt_number "$ranges" $i "$ca")
			parent=$(dt_number "$ranges" $((i + ca)) "$pa")
			size=$(dt_number "$ranges" $((i + ca + pa)) "$sz")
			if [ "$addr" -ge "$child" ] && [ "$addr" -lt $((child + size)) ]; then
				mapped=$((addr - child + parent))
				break
			fi
			i=$((i + entry))
		done
		[ -n "$mapped" ] || { echo "dt_reg_addr: $1: $(printf '%#x' "$addr") is in no range of $bus" >&2; echo 0x0; return 1; }
		addr=$mapped bus=$up
	done
	printf '0x%x\n' "$addr"
}
# The hypervisor's reserved memory ("moat,hypervisor") and the GIC distributor, from the tree.
hv_node() {
	for n in /proc/device-tree/reserved-memory/*; do
		[ -f "$n/compatible" ] && grep -q "moat,hypervisor" "$n/compatible" && { echo "$n"; return; }
	done
}
HV_BASE=$(n=$(hv_node); [ -n "$n" ] && dt_reg_addr "$n")
GICD_BASE=$(n=$(gic_node); [ -n "$n" ] && dt_reg_addr "$n")
# Whether the hypervisor prints to a UART: moat-cellc gives it the PL011 that /chosen/stdout-path
# names, if that is a PL011; otherwise its console is only the ring that `moat console` reads.
hv_has_uart() {
	p=$(tr -d '\0' < /proc/device-tree/chosen/stdout-path 2>/dev/null)
	p=${p%%:*}
	case $p in
	/*) ;;
	?*) p=$(tr -d '\0' < "/proc/device-tree/aliases/$p" 2>/dev/null) ;;
	esac
	[ -n "$p" ] && grep -q "arm,pl011" "/proc/device-tree$p/compatible" 2>/dev/null
}
# Where the hypervisor has no UART, its console ring on the test's output, so that the log holds
# what the UART would have shown. Only while it is enabled (the ring is read through it).
# wait_cell_end NAME [COMMAND]: poll `moat cell list` once a second, at most 150 s, until cell
# NAME is neither running nor created (a Linux cell that powered itself off), running COMMAND in
# each round; the last list stays in /tmp/list.
wait_cell_end() {
	i=0
	while [ $i -lt 150 ]; do
		moat cell list > /tmp/list
		[ -n "${2:-}" ] && $2
		grep -Eq " $1 +(running|created) " /tmp/list || break
		sleep 1; i=$((i + 1))
	done
	cat /tmp/list
	echo "moat-guest: waited ${i}s for the cell to end"
}
show_hv_console() {
	hv_has_uart || moat console | sed 's/^/hv-console: /'
}
# The board, from the root compatible: a board of its own gets its cells in /cells/BOARD/
# (scripts/mkinitramfs.sh --board-cell); QEMU virt is "virt".
board_name() {
	case $(tr '\0' ' ' < /proc/device-tree/compatible) in
	*xlnx,zynqmp-zcu102*) echo zcu102 ;;
	*raspberrypi,4-model-b*) echo rpi4 ;;
	*linux,dummy-virt*) echo virt ;;
	*) echo unknown ;;
	esac
}
# The cell descriptors and demo images: per board, and on QEMU virt per GIC variant:
# /cells/*.cell and /demos/*.bin for GICv3, /cells/gicv2/*.cell and /demos/gicv2/*.bin for GICv2.
# Scripts name them as $ROOT_CELL, $CELLS/NAME.cell and $DEMOS/NAME.bin.
GIC_VERSION=$(gic_version)
BOARD=$(board_name)
if [ "$BOARD" != virt ] && [ -d "/cells/$BOARD" ]; then CELLS=/cells/$BOARD DEMOS=/demos/$BOARD
elif [ "$GIC_VERSION" = 2 ]; then CELLS=/cells/gicv2 DEMOS=/demos/gicv2
else CELLS=/cells DEMOS=/demos; fi
ROOT_CELL=$CELLS/root.cell
echo "moat-guest: board $BOARD, GICv$GIC_VERSION at $GICD_BASE, hypervisor memory at $HV_BASE, cells from $CELLS, demos from $DEMOS"

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
# A board's ctl-loop cell (created from $CELLS/ctl-loop.cell) loaded from /extra/ctl-loop.bin and
# started: after 4 s it runs on CPU 3 with its 10 kHz timer counted and no exit but the
# distributor's at start (zcu102-ctl-loop.sh, rpi4-ctl-loop.sh).
board_ctl_loop_runs() {
	check "moat cell load" moat cell load ctl-loop /extra/ctl-loop.bin
	check "moat cell start" moat cell start ctl-loop
	sleep 4
	moat cell list | tee /tmp/list
	check "the cell is running" grep -q "ctl-loop *running *trapped *3" /tmp/list
	moat cell stats ctl-loop | tee /tmp/cstats
	check "the cell's timer interrupts are counted (> 20000 in 4 s)" sh -c "awk '/^  irq / { exit !(\$2 > 20000) }' /tmp/cstats"
	# GIC-400: the cell's PPI set-up goes through the trapped distributor (a dozen accesses at start).
	check "no other exits: no fault, no unknown trap, distributor only at start (< 50)" sh -c "awk '\$1 ~ /^(abort_denied|smc_other|cache_setway|other)\$/ && \$2 != 0 { bad = 1 } \$1 == \"mmio\" && \$2 >= 50 { bad = 1 } END { exit bad }' /tmp/cstats"
}
