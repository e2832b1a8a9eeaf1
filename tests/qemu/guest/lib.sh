# Helpers for guest-side test scripts: each check prints PASS/FAIL with its reason; the script's
# exit status is the number of failures.
failures=0

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
