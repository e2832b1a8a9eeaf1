# Steering the control loop from Linux (docs/steering.md): the ctl-loop cell built as ctl-steer
# (cells/qemu-virt-steer, enabled with steer-root.cell) and moat-ctl over /dev/moat-link-ctl.
# Telemetry at a rate Linux picks, checked against the cell's own clock and deadline counts,
# costs the cell no exit; each answer to a command costs it exactly one (its ring). A setpoint
# from Linux is followed: the speed the cell reports settles at it. An out-of-range setpoint and
# garbage are refused, counted by the cell and not applied.
. /tests/lib.sh
check "insmod moat.ko" insmod /moat.ko
check "moat enable (steer-root.cell)" moat enable $CELLS/steer-root.cell
dmesg | grep 'moat: link'
check "the link's device exists" test -c /dev/moat-link-ctl
check "moat cell create (ctl-steer.cell)" moat cell create $CELLS/ctl-steer.cell
check "moat cell load ctl-steer.bin" moat cell load ctl-loop $DEMOS/ctl-steer.bin
check "moat cell start" moat cell start ctl-loop
sleep 1
check "sysfs: the link's state says the cell is up" grep -qx "ctl-loop up" /sys/class/misc/moat-link-ctl/state
cell_stats() { moat cell stats ctl-loop | awk 'NR > 1 { print $1, $2 }'; }
# exits REASON: the cell's exits of that reason between /tmp/before and /tmp/after.
exits() { paste /tmp/before /tmp/after | awk -v r="$1" '$1 == r { d = $4 - $2 } END { print d + 0 }'; }
others() { paste /tmp/before /tmp/after | awk '$1 != "irq" && $1 != "hypercall" && $1 != "mmio" { d += $4 - $2 } END { print d + 0 }'; }

echo "### telemetry at 20 Hz, 40 messages"
cell_stats > /tmp/before
check "moat-ctl watch --rate 20 --count 40" sh -c 'moat-ctl watch --rate 20 --count 40 > /tmp/watch'
cell_stats > /tmp/after
sed -n '1p;$p' /tmp/watch
tail -n 1 /tmp/watch | grep -q "40 telemetry messages, 20.0 per second of cell time (asked: 20), .* 0 sequence gaps"
check "40 messages, 20 per second by the cell's clock, none lost" test $? -eq 0
check "every window is 500 periods" test "$(grep -c ' window=500 misses=' /tmp/watch)" -eq 40
# 10 kHz kept: the cell's 500-period windows arrive at 20 per second of Linux's clock too.
linux_hz=$(tail -n 1 /tmp/watch | sed -n 's/.*, \([0-9.]*\) per second of Linux time.*/\1/p')
check "10 kHz kept: $linux_hz messages per second of Linux time (19..21)" awk -v r="$linux_hz" 'BEGIN { exit !(r >= 19 && r <= 21) }'
tail -n 1 /tmp/watch | grep -q "deadline misses: \([0-9]*\) in the windows, \1 by the totals"
check "deadline misses: the windows' counts add up to the total's growth" test $? -eq 0
# Each window's job timing: execution inside the 100 us period; a window without a miss
# started every job within the period too.
awk '/telemetry #/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	sub("ns", "", v["latency_max"]); sub("ns", "", v["exec_max"]); split(v["misses"], m, "/");
	if (v["latency_max"] + 0 <= 0 || v["exec_max"] + 0 <= 0 || v["exec_max"] + 0 >= 100000) bad++;
	if (m[1] == 0 && v["latency_max"] + 0 >= 100000) bad++ }
	END { exit bad > 0 }' /tmp/watch
check "deadline statistics plausible (0 < latency_max, exec_max < 100000 ns)" test $? -eq 0
echo "cell exits during the watch: mmio $(exits mmio), other $(others)"
check "the cell rang only for the two answers, never for telemetry (mmio exits = 2)" test "$(exits mmio)" -eq 2
check "no other exits than timer IRQs, console and rings" test "$(others)" -eq 0

echo "### setpoint 200 rad/s from Linux"
cell_stats > /tmp/before
moat-ctl set 200 | tee /tmp/set
cell_stats > /tmp/after
check "the cell accepted the setpoint" grep -q "answer to #[0-9]* (type 1): ok" /tmp/set
check "one answer, one ring: mmio exits = 1" test "$(exits mmio)" -eq 1
sleep 1
moat-ctl watch --rate 10 --count 10 > /tmp/follow
grep telemetry /tmp/follow | tail -n 2
# What the cell reports: held setpoint, and the speed within 1 % of it in every sample.
awk '/telemetry #/ { n++; for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	if (v["setpoint"] != "200.000" || v["mode"] != "hold") bad++;
	d = v["speed"] - 200; if (d < 0) d = -d; if (d > 2) bad++ }
	END { print "samples " n ", off " bad + 0; exit n != 10 || bad > 0 }' /tmp/follow
check "the motor follows: speed within 1 % of 200 rad/s in 10 samples" test $? -eq 0

# The doorbell storm (storm_check MODE): Linux rings the cell with write() flat out for 600 ms
# (moat-ctl storm, two exits per ring on Linux's CPUs: ~47,000 rings a second) while moat-ctl
# watches 8 windows of 500 periods; the same watch without the storm just before is the
# baseline. Short, as each of Linux's exits costs QEMU host time (CI time). The
# cell's doorbell stays masked (it polls its queue), so the first ring leaves it pending and the
# hypervisor coalesces every later one: the storm must cost the cell no exit, no deadline miss
# more than the quiet window, and the sender no throttling. Run on the trapped cell here and on
# the direct one (cells/qemu-virt-steer-direct) at the end.
uptime_cs() { awk '{ split($1, t, "."); print t[1] * 100 + t[2] }' /proc/uptime; }
# storm_window NAME [--storm]: the cell's exits and the window's length (Linux's 10 ms ticks) in
# /tmp/NAME.exits, the telemetry in /tmp/NAME.watch, the storm's summary in /tmp/NAME.storm.
storm_window() {
	[ -n "$2" ] && { moat-ctl storm 600 > /tmp/$1.storm & storm_pid=$!; }
	# Each snapshot is bracketed by two clock readings (a `moat` process is slow to start under
	# the storm): the exits counted lie between the inner and the outer interval.
	t0a=$(uptime_cs); cell_stats > /tmp/before; t0b=$(uptime_cs)
	moat-ctl watch --rate 20 --count 8 > /tmp/$1.watch; echo "watch exit status $?"
	t1a=$(uptime_cs); cell_stats > /tmp/after; t1b=$(uptime_cs)
	if [ -n "$2" ]; then
		kill -0 $storm_pid 2>/dev/null; echo $? > /tmp/$1.stormed
		wait $storm_pid; echo "storm exit status $?"
	fi
	echo "$(exits irq) $(exits mmio) $(exits hypercall) $(others) $((t1a - t0b)) $((t1b - t0a))" > /tmp/$1.exits
	tail -n 1 /tmp/$1.watch
}
# misses NAME: the deadline misses in the window's 8 telemetry windows; latency NAME: their
# largest release-to-start latency (ns).
misses() { sed -n 's/.*deadline misses: \([0-9]*\) in the windows.*/\1/p' /tmp/$1.watch; }
latency() { awk '/telemetry #/ { for (i = 1; i <= NF; i++) if ($i ~ /^latency_max=/) { v = substr($i, 13) + 0; if (v > m) m = v } } END { print m + 0 }' /tmp/$1.watch; }
storm_check() {
	mode=$1
	storm_window quiet
	storm_window storm --storm
	cat /tmp/storm.storm
	# Each window's timing under the storm: a late start shows which window it fell in.
	grep 'telemetry #' /tmp/storm.watch | sed 's/ speed=.* window=/ window=/; s/ accepted=.*//'
	for w in quiet storm; do
		read irq mmio hyp other cs_in cs_out < /tmp/$w.exits
		echo "$mode $w: cell exits irq $irq mmio $mmio hypercall $hyp other $other in ${cs_in}0-${cs_out}0 ms; deadline misses $(misses $w) in 4000 periods, latency_max $(latency $w) ns"
	done
	check "$mode: the storm lasted the whole watch" test "$(cat /tmp/storm.stormed)" -eq 0
	check "$mode: both watches got their 8 windows, no gap" sh -c "grep -q '^moat-ctl: 8 telemetry messages.* 0 sequence gaps' /tmp/quiet.watch && grep -q '^moat-ctl: 8 telemetry messages.* 0 sequence gaps' /tmp/storm.watch"
	rings=$(sed -n 's/.*storm: \([0-9]*\) rings.*/\1/p' /tmp/storm.storm)
	check "$mode: every one of the $rings rings taken (coalesced), none throttled" \
		grep -q "storm: $rings rings in .*: $rings taken (signalled or coalesced), 0 throttled" /tmp/storm.storm
	check "$mode: a storm: at least 10,000 rings a second" awk -v n="$rings" 'BEGIN { exit !(n >= 6000) }'
	read irq_q mmio_q hyp_q other_q in_q out_q < /tmp/quiet.exits
	read irq_s mmio_s hyp_s other_s in_s out_s < /tmp/storm.exits
	if [ "$mode" = trapped ]; then
		# One IRQ exit per 100 us timer period, 100 per 10 ms tick of Linux's clock, within the
		# inner and outer intervals of the snapshots, give or take a tick at each end: each
		# doorbell the cell took would add one, up to the budget's 16 a millisecond (1600 a tick).
		check "$mode: no extra IRQ exits on the cell's CPU under the storm: $irq_s in ${in_s}0-${out_s}0 ms (one per period)" \
			awk -v n="$irq_s" -v a="$in_s" -v b="$out_s" 'BEGIN { exit !(n >= (a - 2) * 100 && n <= (b + 2) * 100) }'
		check "$mode: and without it: $irq_q in ${in_q}0-${out_q}0 ms" \
			awk -v n="$irq_q" -v a="$in_q" -v b="$out_q" 'BEGIN { exit !(n >= (a - 2) * 100 && n <= (b + 2) * 100) }'
	else
		check "$mode: no IRQ exit on the cell's CPU, with the storm or without" test "$irq_s $irq_q" = "0 0"
		check "$mode: no hypercall exit (console ring)" test "$hyp_s $hyp_q" = "0 0"
	fi
	check "$mode: the storm cost the cell no ring and no other exit (mmio 2: the two answers)" test "$mmio_s $other_s" = "2 0"
	# Printed, not checked: under -icount QEMU runs every vCPU in one host thread, and with Linux
	# making ~100,000 exits a second a direct cell whose CPU never enters the hypervisor still
	# starts periods late (docs/security.md, Known gaps). The exits above are what moat controls.
	echo "$mode: deadline misses under the storm $(misses storm), without it $(misses quiet) (QEMU; not checked)"
	awk '/telemetry #/ { n++; for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		d = v["speed"] - 200; if (d < 0) d = -d; if (v["setpoint"] != "200.000" || d > 2) bad++ }
		END { exit n != 8 || bad > 0 }' /tmp/storm.watch
	check "$mode: the motor held 200 rad/s within 1 % through the storm" test $? -eq 0
}
echo "### doorbell storm from Linux against the loop (trapped delivery)"
storm_check trapped

echo "### what the cell must refuse"
moat-ctl set 5000 --unchecked > /tmp/range; echo "exit status $?"
cat /tmp/range
check "an out-of-range setpoint is refused by the cell and counted" grep -q "refused: value out of range; the cell has accepted [0-9]*, refused 1$" /tmp/range
moat-ctl raw "00112233445566778899aabbccddeeff" > /tmp/garbage; echo "exit status $?"
cat /tmp/garbage
check "garbage is refused and counted" grep -q "refused: wrong size; the cell has accepted [0-9]*, refused 2$" /tmp/garbage
moat-ctl raw "4d43544c0200010009000000000000002c01000000000000$(printf '%0144d' 0)" > /tmp/badseq; echo "exit status $?"
cat /tmp/badseq
check "a bad version byte is refused" grep -q "answer to #9 (type 1): refused: unsupported version" /tmp/badseq
run_expect_fail "moat-ctl refuses an out-of-range setpoint itself" "out of range" moat-ctl set 301
moat-ctl watch --rate 10 --count 3 > /tmp/after-refusals
tail -n 2 /tmp/after-refusals
check "still holding 200 rad/s, 3 refusals counted by the cell" grep -q "setpoint=200.000 .*mode=hold .*refused=3 dropped=0" /tmp/after-refusals

echo "### back to the profile"
check "moat-ctl profile" moat-ctl profile
check "moat cell destroy" moat cell destroy ctl-loop
run_expect_fail "moat-ctl says when the cell is gone" "not running" moat-ctl set 100
echo "### doorbell storm from Linux against the loop (direct delivery)"
check "moat cell create (ctl-steer-direct.cell)" moat cell create $CELLS/ctl-steer-direct.cell
check "moat cell load ctl-steer.bin" moat cell load ctl-loop $DEMOS/ctl-steer.bin
check "moat cell start" moat cell start ctl-loop
check "moat-ctl set 200" moat-ctl set 200
sleep 1
storm_check direct
check "moat cell destroy (direct)" moat cell destroy ctl-loop
check "moat disable" moat disable
check "the link's device is gone" test ! -e /dev/moat-link-ctl
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
finish
