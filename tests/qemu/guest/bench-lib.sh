# Helpers for the benchmark guest scripts (tests/qemu/guest/bench-*.sh, run by scripts/bench.sh,
# not by the test suite). Every figure is printed as one line "BENCH <key> <value>..." that
# bench/analyze.py reads back from the console log. Under -icount shift=0 guest time counts
# instructions: 1 ns of guest time is one instruction executed by some vCPU.
. /tests/lib.sh

# The kernel's monotonic clock in ns ("now at N nsecs" of /proc/timer_list): busybox's date has
# no %N and /proc/uptime counts in 10 ms steps.
ns() { sed -n '3{s/^now at \([0-9]*\) nsecs$/\1/p;q}' /proc/timer_list; }

# timed LABEL command...: run the command, print "BENCH time LABEL <ns> <exit status>".
timed() {
	label=$1; shift
	t0=$(ns)
	"$@" > /tmp/timed.out 2>&1
	rc=$?
	t1=$(ns)
	echo "BENCH time $label $((t1 - t0)) $rc"
	[ $rc -eq 0 ] || cat /tmp/timed.out
	return $rc
}

# Background load on Linux CPUs 0-2 until stress_stop: per CPU, 512 KiB written to tmpfs and
# hashed again and again (CPU + memory); a 50 us sleep loop on each CPU (timer interrupts, ~10k/s
# in all); and a pipe between CPU 0 and CPU 2 (wake-ups across CPUs: SGIs). Nothing waits for
# the host (no disk): under icount the load then repeats exactly from run to run.
stress_start() {
	rm -f /tmp/stress-stop
	for cpu in 0 1 2; do
		taskset -c $cpu sh -c "while [ ! -f /tmp/stress-stop ]; do dd if=/dev/zero of=/tmp/s$cpu bs=64k count=8 2>/dev/null; md5sum /tmp/s$cpu >/dev/null; done" &
		taskset -c $cpu sh -c "while [ ! -f /tmp/stress-stop ]; do usleep 50; done" &
	done
	taskset -c 0 sh -c "while [ ! -f /tmp/stress-stop ]; do echo ping; done" | taskset -c 2 sh -c "while read l; do :; done" &
}
stress_stop() {
	touch /tmp/stress-stop
	wait
}

load_virtio() {
	for m in failover net_failover virtio_mmio virtio_blk virtio_net; do
		insmod /lib/modules/$m.ko 2>/dev/null
	done
}

# wait_cell_off NAME STALL_SECONDS: until the cell's CPUs are all off (the demo powered off).
# It waits on progress, not on a fixed time: while the cell's CPUs keep making exits (its timer
# interrupts, its console) it is working, however slowly QEMU runs it (one host thread runs all
# vCPUs in turn; a busy host or a stressed root makes the cell's share small). It gives up only
# when the cell made no exit at all for STALL_SECONDS of guest time, and says so.
wait_cell_off() {
	last=-1 still=0
	while :; do
		moat cell list | grep -q "^[0-9]* *$1 .*(0 on)" && return 0
		now=$(moat cell stats "$1" | awk 'NR > 1 && $1 != "irq_held" { s += $2 } END { print s + 0 }')
		if [ "$now" = "$last" ]; then
			still=$((still + 1))
			if [ $still -ge "$2" ]; then
				echo "wait_cell_off: cell $1 made no progress for $2 s (its exits stayed at $now) and is still on"
				return 1
			fi
		else
			still=0 last=$now
		fi
		sleep 1
	done
}

# cell_stats NAME: "reason count" lines of the cell's CPUs.
cell_stats() { moat cell stats "$1" | awk 'NR > 1 { print $1, $2 }'; }
