# Enable is refused cleanly when it cannot work; rmmod never pulls the driver from under EL2.
. /tests/lib.sh
run_expect_fail "tool without the driver says what to do" "insmod moat.ko" moat info
check "insmod moat.ko" insmod /moat.ko
run_expect_fail "disable while disabled is refused" "not enabled" moat disable
run_expect_fail "a file that is no image is refused" "not a moat hypervisor image" moat enable $ROOT_CELL --image /init
# The other GIC version's root.cell: same hypervisor address, wrong machine.
if [ "$GIC_VERSION" = 2 ]; then other=/cells/root.cell; else other=/cells/gicv2/root.cell; fi
run_expect_fail "a root.cell built for another board is refused" "built for another board" moat enable $other
# On a board with cells of its own, QEMU virt's root.cell for the same GIC version: the GIC
# matches, its distributor is elsewhere.
if [ "$CELLS" = "/cells/$BOARD" ]; then
	if [ "$GIC_VERSION" = 2 ]; then same=/cells/gicv2/root.cell; else same=/cells/root.cell; fi
	run_expect_fail "QEMU virt's root.cell for the same GIC is refused" "built for another board" moat enable $same
fi
check "moat enable" moat enable $ROOT_CELL
run_expect_fail "a second enable is refused" "already enabled" moat enable $ROOT_CELL
run_expect_fail "rmmod while enabled is refused" "can't unload module 'moat'" rmmod moat
check "the driver is still there" test -c /dev/moat
check "the hypervisor still answers" sh -c "moat info | grep -q 'answered at EL2'"
check "workload after the refusals" workload
check "moat disable" moat disable

# Checks against the running system (linux-driver/live.c), with cells compiled here from the tree
# this kernel booted with, as on a board (docs/boards/): moat-cellc on /sys/firmware/fdt with
# the cell overlays, and with overlays that each make one thing of the tree wrong
# (tests/qemu/wrong-root/mk-overlays.sh, values from the board tree). QEMU virt only: the
# initramfs has the overlays of its two trees.
WRONG=/overlays/wrong/qemu-virt-gicv$GIC_VERSION
OV=/overlays/qemu-virt
if [ "$BOARD" = virt ] && [ -d "$WRONG" ] && command -v moat-cellc > /dev/null; then
	echo "moat-guest: on-board compile and live checks"
	cellc() { moat-cellc compile --board /sys/firmware/fdt "$@"; }
	check "moat-cellc compiles root.cell from /sys/firmware/fdt" cellc $OV/shmem.dtbo $OV/root.dtbo -o /tmp/root.cell
	check "... byte for byte the build's" cmp /tmp/root.cell $ROOT_CELL
	check "moat-cellc compiles ctl-loop.cell there too" cellc $OV/shmem.dtbo $OV/ctl-loop.dtbo -o /tmp/ctl-loop.cell
	for w in ram-short gic-moved timer-swapped uart-other; do
		check "a root.cell with $w" cellc $OV/shmem.dtbo $WRONG/$w.dtbo $OV/root.dtbo -o /tmp/$w.cell
	done
	run_expect_fail "a root.cell without the RAM Linux runs in is refused" \
		"(/proc/iomem) that is in no RAM region of root.cell" moat enable /tmp/ram-short.cell
	if [ "$GIC_VERSION" = 3 ]; then frame=redistributors; else frame="CPU interface"; fi
	run_expect_fail "a root.cell with the GIC $frame elsewhere is refused" \
		"root.cell has the GIC $frame at" moat enable /tmp/gic-moved.cell
	run_expect_fail "a root.cell with other timer interrupts is refused" \
		"root.cell has the timer interrupts at INTIDs" moat enable /tmp/timer-swapped.cell
	run_expect_fail "a root.cell with another console UART is refused" \
		"but Linux's console (stdout-path" moat enable /tmp/uart-other.cell
	check "moat enable with the root.cell compiled here" moat enable /tmp/root.cell
	check "ctl-loop.cell compiled here: create" moat cell create /tmp/ctl-loop.cell
	check "... destroy" moat cell destroy ctl-loop
	# A cell in RAM Linux uses: the first 16 MiB of its largest System RAM range (/proc/iomem).
	ram=0 best=0
	while IFS= read -r line; do
		case $line in " "*) continue ;; *" : System RAM") ;; *) continue ;; esac
		r=${line%% *}; s=$((0x${r%-*})); e=$((0x${r#*-}))
		[ $((e - s)) -gt $best ] && best=$((e - s)) ram=$s
	done < /proc/iomem
	ram=$(printf '%#x' $ram)
	moat-desc-edit $CELLS/hello.cell /tmp/in-ram.cell region=0:$ram:0x40000000:0x1000000:0x27
	run_expect_fail "a cell in Linux's RAM is refused" "is System RAM Linux uses" moat cell create /tmp/in-ram.cell
	# A cell given Linux's console UART (stdout-path).
	con=$(tr -d '\0' < /proc/device-tree/chosen/stdout-path); con=${con%%:*}
	case $con in /*) ;; *) con=$(tr -d '\0' < "/proc/device-tree/aliases/$con") ;; esac
	uart=$(dt_reg_addr "/proc/device-tree$con")
	moat-desc-edit $CELLS/hello.cell /tmp/console.cell region=1:$uart:$uart:0x1000:0x13
	run_expect_fail "a cell given Linux's console is refused" "is Linux's console (stdout-path)" moat cell create /tmp/console.cell
	check "no cell was left behind" sh -c "! moat cell list | grep -q hello"
	check "moat disable" moat disable
elif [ "$BOARD" = virt ]; then
	fail "no moat-cellc or no $WRONG in the initramfs: the build needs Debian's arm64 libfdt (scripts/fetch-libfdt.sh)"
fi
check "rmmod after disable" rmmod moat
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
finish
