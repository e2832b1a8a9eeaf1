// SPDX-License-Identifier: GPL-2.0
// moat selftest: what the demo cells print, read back; the statistics, histogram, verdict and
// the pasteable report. No system access here: tests/unit/selftest/ tests all of it on the host.
#pragma once

#include <moat/abi.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace moat::selftest {

// One "ctl-loop: t=Ns periods=... misses=... jitter_min=...ns ..." line (demos/ctl-loop).
struct CtlSecond {
    std::uint64_t second = 0;
    std::uint64_t periods = 0;
    std::uint64_t misses = 0;
    std::int64_t jitter_min_ns = 0;
    std::int64_t jitter_avg_ns = 0;
    std::int64_t jitter_max_ns = 0;
    std::int64_t latency_max_ns = 0;
    std::int64_t exec_max_ns = 0;
};

// A power-of-two bucket of the timer-latency demo's handler histogram, in counter ticks;
// upper == 0 is the open bucket ">= lower".
struct Bucket {
    std::uint64_t lower = 0;
    std::uint64_t upper = 0;
    std::uint64_t count = 0;
};

// One round of demos/timer-latency ("wfi": the cell's CPU asleep, "busy": spinning).
struct LatencyRound {
    std::uint64_t samples = 0;
    std::int64_t min_ns = 0;
    std::int64_t avg_ns = 0;
    std::int64_t max_ns = 0;
    std::vector<Bucket> histogram;
    std::uint64_t early = 0;  // interrupts before their deadline (a bug if ever non-zero)
};

struct TimerLatencyRun {
    std::uint64_t cntfrq = 0;                    // Hz, from its first line
    std::map<std::string, LatencyRound> rounds;  // by mode: "wfi", "busy"
    bool done = false;                           // "timer-latency: done, ..." seen
    bool ok = false;                             // ... and it said "ok"
};

// Reads a cell's console text as it arrives (possibly cut mid-line) and keeps what the two
// demos report. Other lines are ignored.
class ConsoleParser {
public:
    void feed(std::string_view text);
    const std::vector<CtlSecond> &ctl() const { return ctl_; }
    const TimerLatencyRun &latency() const { return latency_; }

private:
    void line(std::string_view l);
    std::string partial_;
    std::vector<CtlSecond> ctl_;
    TimerLatencyRun latency_;
};

// Exported for tests: one line each, false when it is not such a line or is malformed.
bool parse_ctl_line(std::string_view line, CtlSecond &out);

// Exits per reason (MOAT_EXIT_*) summed over a cell's CPUs.
using ExitCounts = std::array<std::uint64_t, MOAT_EXIT_REASONS>;

// What one phase (Linux idle, or Linux under stress) measured.
struct Phase {
    std::string name;                 // "idle", "stressed"
    std::vector<CtlSecond> ctl;       // the ctl-loop's per-second reports
    TimerLatencyRun latency;          // the timer-latency demo's run
    ExitCounts exits{};               // on the cell's CPU, while the ctl-loop ran
    double exit_seconds = 0;          // the time those exits were counted over
    unsigned cell_cpu = 0;            // Linux's number of the cell's CPU
    bool cpu_offline_in_linux = false;
    std::vector<std::string> errors;  // a step that failed or timed out, in words
};

struct Report {
    std::string tool_abi, driver_abi, hv_abi;
    std::string kernel;
    std::string board;      // the root compatible's first entry
    std::string board_dir;  // where the cells came from
    bool emulated = false;  // QEMU: the latency figures are the emulator's
    unsigned duration_s = 0;
    std::vector<Phase> phases;
    std::vector<std::string> errors;  // outside the phases (enable, disable)
};

// The ctl-loop's seconds summed: periods, misses, jitter (min of the minima, mean of the
// means, max of the maxima), the worst release latency.
struct CtlSummary {
    std::uint64_t seconds = 0, periods = 0, misses = 0;
    std::int64_t jitter_min_ns = 0, jitter_avg_ns = 0, jitter_max_ns = 0, latency_max_ns = 0;
};
CtlSummary summarize(const std::vector<CtlSecond> &seconds);

// The upper edge, in ns, of the bucket that holds the q-quantile of a round (0 < q <= 1): the
// histogram has power-of-two buckets, so "p99 < this". nullopt when the round has no samples or
// the quantile is in the open top bucket.
std::optional<std::int64_t> quantile_upper_ns(const LatencyRound &r, double q, std::uint64_t cntfrq);

std::int64_t ticks_to_ns(std::uint64_t ticks, std::uint64_t cntfrq);

// Text histogram: one line per non-empty bucket, "[lo, hi) ns  count  ####", bars scaled to width.
std::string histogram_text(const LatencyRound &r, std::uint64_t cntfrq, unsigned width = 40);

// Exit reasons that the cell's CPU must never take while a demo runs (a fault, a refused or
// unknown trap, a PSCI call or SGI from outside): the isolation check.
bool unexpected_exit(unsigned reason);

struct Verdict {
    bool pass = false;
    std::string reason;  // the first failure, in words ("" on PASS)
};
// Fails on any step's error, a missing ctl-loop second, a CPU left online in Linux, an exit of
// the isolation list, a timer-latency run that did not finish or saw an early interrupt, and on
// hardware any deadline miss. Emulated (QEMU), misses are reported, not judged: QEMU runs the
// vCPUs in turn (one host thread under -icount), so Linux's load delays the cell's vCPU by whole
// time slices that no hypervisor could prevent.
Verdict verdict(const Report &r);

// The whole report, ending with "selftest: PASS" or "selftest: FAIL (reason)".
std::string format_report(const Report &r);

// CSV of the histograms ("phase,mode,lower_ns,upper_ns,count") for the PNG plot.
std::string histogram_csv(const Report &r);

}  // namespace moat::selftest
