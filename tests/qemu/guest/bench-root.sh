# Benchmark (scripts/bench.sh): a CPU- and memory-bound workload in Linux on CPU 1, without the
# hypervisor, with it enabled (Linux is then the root cell: stage 2, trapped GIC distributor,
# interrupts through EL2), and without it again. Under icount, ns = instructions.
. /tests/bench-lib.sh
dd if=/dev/urandom of=/tmp/data bs=1M count=4 2>/dev/null
arith='i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done'
hash='md5sum /tmp/data /tmp/data /tmp/data /tmp/data > /dev/null'
copy='dd if=/tmp/data of=/tmp/copy bs=64k 2>/dev/null && dd if=/dev/zero of=/dev/null bs=64k count=4096 2>/dev/null'
run_all() {
	for rep in 1 2 3; do
		timed "root-$1-arith" taskset -c 1 sh -c "$arith"
		timed "root-$1-hash" taskset -c 1 sh -c "$hash"
		timed "root-$1-copy" taskset -c 1 sh -c "$copy"
	done
}
check "insmod moat.ko" insmod /moat.ko
run_all off
check "moat enable" moat enable $ROOT_CELL
run_all on
check "moat disable" moat disable
run_all off2
finish
