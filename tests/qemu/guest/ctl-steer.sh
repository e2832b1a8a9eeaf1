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
check "moat disable" moat disable
check "the link's device is gone" test ! -e /dev/moat-link-ctl
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
finish
