# Boot through U-Boot (qemu-run.sh --uboot): Debian's U-Boot at EL2 loads the kernel, the
# initramfs and moat's board tree from a boot disk (boot.scr) and boots them with booti. The
# kernel must have got moat's tree, not QEMU's, and the hyp-stub; then the usual round trip.
. /tests/lib.sh
dt=/proc/device-tree
check "booted by U-Boot (/chosen/u-boot,version)" test -e $dt/chosen/u-boot,version
echo "U-Boot version in /chosen: $(tr -d '\0' < $dt/chosen/u-boot,version 2>/dev/null)"
check "the kernel's tree is moat's: /reserved-memory/hypervisor@7fc00000" \
	test -e $dt/reserved-memory/hypervisor@7fc00000/no-map
check "the kernel's tree is moat's: /reserved-memory/cells@7c000000" \
	test -e $dt/reserved-memory/cells@7c000000/no-map
check "the tree is the firmware variant (no PL061)" test ! -e $dt/pl061@9030000
# The no-map pools (the Linux cells' below the bare-metal cells' and the hypervisor's) are one
# "reserved" range of /proc/iomem that must reach from the cells' pool to the end of RAM.
check "the kernel's tree is moat's: /reserved-memory/cells@6c000000" \
	test -e $dt/reserved-memory/cells@6c000000/no-map
check "moat's memory is not System RAM" sh -c "grep -qE '^(6c000000|7c000000)-7fffffff : reserved' /proc/iomem && ! grep -q '^4.*-7fffffff : System RAM' /proc/iomem"
check "all CPUs started at EL2" sh -c "dmesg | grep -q 'CPU: All CPU(s) started at EL2'"
check "insmod moat.ko" insmod /moat.ko
# /cells/root.cell, or the descriptor lib.sh picks for the board's GIC.
check "moat enable" moat enable "${ROOT_CELL:-/cells/root.cell}"
moat info | tee /tmp/info
check "info: enabled" grep -q 'state: *enabled' /tmp/info
check "info: all $(nproc) CPUs in the hypervisor" grep -q "hypervisor CPUs: *$(nproc)\$" /tmp/info
check "workload under the hypervisor" workload
check "moat disable" moat disable
moat info > /tmp/info
check "info: disabled again" grep -q 'state: *disabled' /tmp/info
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
finish
