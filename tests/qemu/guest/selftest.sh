# moat selftest, the self-check a user runs on the board (docs/boards/*.md "Self-check"), run
# here as a user would, with a short duration: it must find the board's cells by itself, enable
# moat, run both phases and print a report whose figures and verdict the .expect checks, then
# leave moat disabled as it found it. First, what a user gets wrong: clear errors, no hang.
. /tests/lib.sh
check "insmod moat.ko" insmod /moat.ko
run_expect_fail "a wrong --cells directory is named" "moat selftest: --cells /nonexistent: no such directory" \
	moat selftest --cells /nonexistent --duration 5
run_expect_fail "a cells directory without the ctl-loop cell is named" "--cells /tmp has no ctl-loop.cell" \
	moat selftest --cells /tmp --duration 5
run_expect_fail "a bad duration is refused" "--duration takes seconds, 1..3600" moat selftest --duration 0
moat selftest --duration 5 --png /tmp/selftest.png > /tmp/report 2>&1
rc=$?
cat /tmp/report
check "moat selftest passed (exit status 0, was $rc)" test $rc -eq 0
check "the report ends with the verdict" sh -c "grep -A1 '^selftest: PASS$' /tmp/report | tail -1 | grep -q '^---- end of moat selftest report'"
# The figures come from what the cells printed: both phases counted the loop's 50000 periods.
check "both phases ran the ctl-loop for 5 s" test "$(grep -c '^  ctl-loop 10 kHz:  5 s reported, 50000 periods, [0-9]* deadline misses$' /tmp/report)" = 2
check "both phases measured 1000 timer-latency samples per round" test "$(grep -c '^  timer latency (wfi\|busy): 1000 samples' /tmp/report)" = 4
check "the cell's timer interrupts were counted (irq exits/s >= 9000)" sh -c \
	"grep '^  exits/s on CPU 3:' /tmp/report | sed 's/.* irq \([0-9]*\).*/\1/' | awk '\$1 < 9000 { bad = 1 } END { exit bad || NR != 2 }'"
check "the stress load was stopped (no worker left)" sh -c "! ps | grep -v grep | grep -q 'moat-selftest-stress'"
check "moat is disabled again" sh -c "moat info | grep -q '^state: *disabled'"
check "the cell's CPU is back in Linux" test "$(cat /sys/devices/system/cpu/cpu3/online)" = 1
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
finish
