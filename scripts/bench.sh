#!/usr/bin/env bash
# Runs every benchmark on QEMU under icount and compares each figure with a baseline measured in
# the same run (GitHub issue 7). Not part of the test run. About 5-6 minutes after the build.
#
#   bench.sh [--build DIR] [--no-build] [--no-docs]
#
# Writes bench/results/<date>.json (every figure, baseline, ratio, goal), bench/results/<date>/
# (table.md, PNG plots, the console logs), copies the JSON and table to bench/results/latest.*,
# and (unless --no-docs) the table and plots into docs/benchmarks.md and docs/images/.
#
# QEMU runs with -icount shift=0,sleep=off: guest time counts instructions (1 ns = 1 instruction)
# and, with sleep=off, time spent idle jumps to the next timer instead of following the host
# clock, so that the figures do not depend on the host and repeat from run to run. The RTC runs
# on guest time from a fixed date (-rtc clock=vm): Linux mixes the wall-clock time it reads at
# boot into its random pool, and with a host-dependent date every run differed a little.
# bench/compare.py A.json B.json shows how far two runs differ.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build dobuild=1 docs=1
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift ;;
    --no-build) dobuild=0 ;;
    --no-docs) docs=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
cd "$top"
start=$(date +%s)
if [ $dobuild -eq 1 ]; then
  ./scripts/build.sh
fi
build=$(cd "$build" && pwd)
py=/usr/bin/python3  # Debian's, with python3-matplotlib (scripts/install-deps.sh)
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
results=$top/bench/results
run=$results/$stamp
mkdir -p "$run"
export QEMU_EXTRA="-icount shift=0,sleep=off -rtc base=2026-01-01T00:00:00,clock=vm"
# What each run measures, for the message when it cannot.
declare -A figures=(
  [latency-baremetal]="timer IRQ latency of the demo on bare metal (the baseline)"
  [latency-cell]="timer IRQ latency in a cell, idle and with a stressed root"
  [exits]="exits per second of the 10 kHz control loop"
  [costs]="cost of moat enable and of the cell operations"
  [root]="overhead on Linux itself"
  [direct]="direct delivery: timer latency, exits of the ctl-loop, forced-stop time"
  [trace]="EL2 instructions per trap (instruction trace)"
  [trace-direct]="EL2 instructions of a direct-delivery cell (instruction trace)"
  [link]="moat-link round trips, exits per message, throughput and the doorbell storm")
qrun() { # qrun NAME runner-args...: one QEMU run, console log in $run/NAME.log
  local name=$1; shift
  echo "bench: $name"
  # The wall-clock bound is generous: under icount the guest's own waits follow its progress,
  # so a busy host makes a run slower, not failed; this only ends a run that hangs.
  if ! ./scripts/qemu-run.sh --build "$build" --icount --timeout 1800 --log "$run/$name.log" "$@" > /dev/null 2>&1; then
    echo "bench: $name failed: could not measure the ${figures[$name]:-figures of $name} (log: $run/$name.log)" >&2
    grep -E "^(FAIL|wait_cell_off|qemu-run):" "$run/$name.log" | sed 's/^/bench:   /' >&2
    tail -20 "$run/$name.log" >&2
    exit 1
  fi
}

qrun latency-baremetal --baremetal "$build/aarch64/demos/timer-latency/timer-latency-baremetal.elf"
qrun latency-cell --test bench-latency
qrun exits --test bench-exits
qrun costs --test bench-costs
qrun root --test bench-root
qrun direct --test bench-direct

# --- moat-link (issue 16): its own section, its own table (appended to table.md below) -------
# Doorbell round trips Linux <-> cell and cell <-> cell, exits per message, echo throughput of
# 64 B and 4 KiB messages, and the storm figures, from the BENCH link-* lines of bench-link.sh.
bench_links() {
  qrun link --test bench-link
  {
    echo
    echo "### moat-link (guest ns = instructions; one message in flight)"
    echo
    echo "| figure | value |"
    echo "|---|---|"
    awk '
      $1 != "BENCH" { next }
      $2 == "link-root-cell-rtt-ns" { printf "| round trip Linux user space <-> cell (min / avg / max) | %d / %d / %d ns |\n", $3, $4, $5 }
      $2 ~ /^link-cell-cell-rtt-ns-/ { sub("link-cell-cell-rtt-ns-", "", $2); printf "| round trip cell <-> cell, %s B (min / avg / max) | %d / %d / %d ns |\n", $2, $3, $4, $5 }
      $2 ~ /^link-cell-cell-bytes-per-s-/ { sub("link-cell-cell-bytes-per-s-", "", $2); printf "| echo throughput cell <-> cell, %s B messages | %.1f MB/s each way |\n", $2, $3 / 1e6 }
      $2 == "link-root-cell-exits-per-msg" && $4 > 0 { printf "| cell exits per message, Linux <-> cell: %s | %s |\n", $3, $4 }
      $2 ~ /^link-cell-cell-exits-per-msg-/ && $5 > 0 { sub("link-cell-cell-exits-per-msg-", "", $2); printf "| ping exits per message, cell <-> cell %s B: %s | %s |\n", $2, $4, $5 }
      $2 == "link-storm-rings" { printf "| storm: rings by the hostile cell in %d us (ok / throttled) | %d (%d / %d) |\n", $4, $3, $5, $6 }
      $2 == "link-storm-victim" { printf "| storm: victim jobs, missed, latest start, doorbells taken | %d, %d, %d ns, %d |\n", $3, $4, $5, $6 }
    ' "$run/link.log" | tr -d '\r'
  } > "$run/links.md"
  cat "$run/links.md"
}
bench_links

# The EL2 instruction trace: one instruction per translation block, every block the hypervisor's
# memory executes logged, streamed through a FIFO into the counter (the full log is ~1 GB).
# traced NAME SCRIPT: the run of tests/qemu/guest/SCRIPT.sh traced, counts in $run/NAME.json.
hv_elf=$build/aarch64/arch/arm64/moat-hv.elf
hv_base=$(sed -n 's/.*hypervisor@\([0-9a-f]*\).*/0x\1/p' dts/qemu-virt-moat.dtso)
hv_size=$(sed -n 's/.*reg = <0x0 0x7fc00000 0x0 \(0x[0-9a-f]*\)>.*/\1/p' dts/qemu-virt-moat.dtso)
# One instruction per translation block, so that every EL2 instruction is logged: QEMU 8.1 renamed
# -singlestep to -accel tcg,one-insn-per-tb=on, and QEMU 10 no longer has -singlestep.
onestep=-singlestep
./scripts/qemu-version.sh --need 8.1 "one-insn-per-tb" > /dev/null 2>&1 && onestep="-accel tcg,one-insn-per-tb=on"
traced() {
  local name=$1 script=$2 fifo tracer
  fifo=$(mktemp -u)
  mkfifo "$fifo"
  $py bench/el2trace.py "$fifo" "$hv_elf" "$hv_base" > "$run/$name.json" &
  tracer=$!
  # If the trace run fails (qrun exits), the counter would wait on the FIFO forever, holding what
  # bench.sh held (a caller's lock among them): end it with the script.
  trap "kill $tracer 2>/dev/null; rm -f '$fifo'" EXIT
  QEMU_EXTRA="$QEMU_EXTRA $onestep -d exec,nochain -dfilter $hv_base+${hv_size:-0x400000} -D $fifo" qrun "$name" --test "$script"
  wait $tracer
  trap - EXIT
  rm -f "$fifo"
}
traced trace bench-trace
mv "$run/trace.json" "$run/el2trace.json"
traced trace-direct bench-trace-direct
mv "$run/trace-direct.json" "$run/el2trace-direct.json"

aarch64-linux-gnu-size "$hv_elf" > "$run/size.txt"
bench/loc.sh > "$run/loc.json"
commit=${BENCH_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
[ -n "${BENCH_COMMIT:-}" ] || git diff --quiet HEAD -- hv arch include linux-driver tools demos 2>/dev/null || commit="$commit+local changes"
cat > "$run/meta.json" <<META
{"date": "$stamp", "commit": "$commit",
 "qemu": "$(qemu-system-aarch64 --version | head -1 | sed 's/.*version \([^ ]*\).*/\1/')",
 "kernel": "linux-image-$(cat "${MOAT_CACHE:-$top/.cache}/kernel/abi")-arm64",
 "icount": "$QEMU_EXTRA", "host": "$(nproc) CPUs, $(uname -m)", "wall_s": $(( $(date +%s) - start ))}
META
$py bench/analyze.py "$run" "$results/$stamp.json" "$run/table.md" "$run" > /dev/null
cat "$run/links.md" >> "$run/table.md"
cp "$results/$stamp.json" "$results/latest.json"
cp "$run/table.md" "$results/latest.md"
if [ $docs -eq 1 ]; then
  mkdir -p docs/images
  cp "$run"/bench-*.png docs/images/
  # docs/benchmarks.md: the table between the two markers is replaced by this run's.
  $py - "$run/table.md" docs/benchmarks.md <<'PY'
import sys
table = open(sys.argv[1]).read()
doc = open(sys.argv[2]).read()
a, b = "<!-- bench:table:begin -->", "<!-- bench:table:end -->"
i, j = doc.index(a) + len(a), doc.index(b)
open(sys.argv[2], "w").write(doc[:i] + "\n" + table + doc[j:])
PY
fi
cat "$run/table.md"
echo "bench: $results/$stamp.json, $run/ ($(( $(date +%s) - start )) s)"
