// SPDX-License-Identifier: MIT
// timer-latency: how late does the timer interrupt reach software?
//
// Arms the EL1 virtual timer for a deadline a little in the future, again and again, and
// measures in counter ticks from the deadline to
//   entry:   the first instruction of the IRQ vector (the counter read before saving registers)
//   handler: the first read in the C++ handler (after the register save, GIC acknowledge and
//            dispatch), which is what an application's interrupt handler sees.
// Two rounds: with the CPU asleep in WFI (an idle cell) and with it spinning (a busy cell).
// Prints min/avg/max, the median and 99th percentile, and a power-of-two histogram of the handler
// latency per round.
#include "demo/console.hpp"
#include "demo/flavour.hpp"
#include "demo/runtime.hpp"
#include "demo/stats.hpp"
#include "demo/sysreg.hpp"
#include "demo/timer.hpp"

namespace {

constexpr unsigned kSamplesPerRound = 1000;
// Deadlines 20..50 us ahead: long enough to be back in WFI before the deadline, varied so that
// the deadline does not stay in phase with anything periodic in the host or hypervisor.
constexpr uint64_t kMinLeadNs = 20'000;
constexpr uint64_t kLeadSpreadNs = 30'000;
constexpr size_t kHistogramBuckets = 24;  // up to 2^23 ticks: 134 ms at 62.5 MHz

struct Sample {
    volatile uint64_t deadline = 0;
    volatile uint64_t entry = 0;
    volatile uint64_t handler = 0;
    volatile bool fired = false;
};

Sample sample;

void on_timer(uint32_t, uint64_t entry_ticks, void *)
{
    const uint64_t handler_ticks = demo::timer::now();  // the handler's first read
    demo::timer::stop();  // level-triggered: drop the line before the end of interrupt
    sample.entry = entry_ticks;
    sample.handler = handler_ticks;
    sample.fired = true;
}

// A small linear congruential generator (Knuth's MMIX constants): deterministic, so that two
// runs place their deadlines identically.
uint64_t next_random(uint64_t &state)
{
    constexpr uint64_t kMultiplier = 6364136223846793005ull;
    constexpr uint64_t kIncrement = 1442695040888963407ull;
    state = state * kMultiplier + kIncrement;
    constexpr unsigned kHighBits = 33;  // the low bits of an LCG are poor
    return state >> kHighBits;
}

enum class Wait { Idle, Busy };

struct Round {
    demo::RunningStats entry;
    demo::RunningStats handler;
    demo::Samples<kSamplesPerRound> entry_samples;
    demo::Samples<kSamplesPerRound> handler_samples;
    demo::Log2Histogram<kHistogramBuckets> histogram;
    unsigned early = 0;  // an interrupt before its deadline would be a bug in timer or GIC

    void reset()
    {
        entry.reset();
        handler.reset();
        entry_samples.clear();
        handler_samples.clear();
        histogram = {};
        early = 0;
    }
};
// One round at a time; static because the samples (16 KiB) are more than a demo's stack wants.
Round this_round;

void measure_one(Wait wait, uint64_t lead_ticks, Round &round)
{
    sample.fired = false;
    const uint64_t deadline = demo::timer::now() + lead_ticks;
    sample.deadline = deadline;
    demo::timer::arm_at(deadline);
    while (!sample.fired) {
        if (wait == Wait::Idle)
            demo::arch::wfi();
    }
    const int64_t entry = static_cast<int64_t>(sample.entry - deadline);
    const int64_t handler = static_cast<int64_t>(sample.handler - deadline);
    if (entry < 0)
        round.early++;
    round.entry.add(entry);
    round.handler.add(handler);
    round.entry_samples.add(entry);
    round.handler_samples.add(handler);
    round.histogram.add(handler);
}

// min/avg/max on one line (qemu.direct-latency and docs/benchmarks.md read it), the median and
// 99th percentile on the next: with another vCPU's slice in the way now and then (QEMU), the
// average moves with one late sample where the percentiles say how most interrupts fared.
void print_stats(const char *mode, const char *what, const demo::RunningStats &s,
                 demo::Samples<kSamplesPerRound> &samples)
{
    demo::printf("timer-latency: mode=%s %s samples=%llu min=%lld avg=%lld max=%lld ticks"
                 " min_ns=%lld avg_ns=%lld max_ns=%lld\n",
                 mode, what, static_cast<unsigned long long>(s.count()), static_cast<long long>(s.min()),
                 static_cast<long long>(s.avg()), static_cast<long long>(s.max()),
                 static_cast<long long>(demo::ticks_to_ns_signed(s.min(), demo::timer::frequency())),
                 static_cast<long long>(demo::ticks_to_ns_signed(s.avg(), demo::timer::frequency())),
                 static_cast<long long>(demo::ticks_to_ns_signed(s.max(), demo::timer::frequency())));
    demo::printf("timer-latency: mode=%s %s p50=%lld p99=%lld ticks\n", mode, what,
                 static_cast<long long>(samples.percentile(50)), static_cast<long long>(samples.percentile(99)));
}

void print_histogram(const char *mode, const demo::Log2Histogram<kHistogramBuckets> &h)
{
    for (size_t i = 0; i < h.buckets(); i++) {
        if (h.count(i) == 0)
            continue;  // keep the log short: empty buckets say nothing
        demo::printf("timer-latency: mode=%s hist [%llu,%llu) ticks: %llu\n", mode,
                     static_cast<unsigned long long>(h.bucket_lower(i)),
                     static_cast<unsigned long long>(h.bucket_upper(i)), static_cast<unsigned long long>(h.count(i)));
    }
    if (h.above())
        demo::printf("timer-latency: mode=%s hist >=%llu ticks: %llu\n", mode,
                     static_cast<unsigned long long>(h.bucket_upper(h.buckets() - 1)),
                     static_cast<unsigned long long>(h.above()));
}

bool run_round(Wait wait, uint64_t &rng)
{
    const char *mode = wait == Wait::Idle ? "wfi" : "busy";
    this_round.reset();
    for (unsigned i = 0; i < kSamplesPerRound; i++) {
        const uint64_t lead_ns = kMinLeadNs + next_random(rng) % kLeadSpreadNs;
        measure_one(wait, demo::timer::from_ns(lead_ns), this_round);
    }
    print_stats(mode, "entry", this_round.entry, this_round.entry_samples);
    print_stats(mode, "handler", this_round.handler, this_round.handler_samples);
    print_histogram(mode, this_round.histogram);
    if (this_round.early)
        demo::printf("timer-latency: mode=%s ERROR: %u interrupts before their deadline\n", mode, this_round.early);
    return this_round.early == 0 && this_round.handler.count() == kSamplesPerRound;
}

}  // namespace

int demo_main()
{
    demo::set_program_name("timer-latency");
    demo::printf("timer-latency: %s flavour, CNTFRQ=%llu Hz, %u samples per round, deadlines %llu-%llu us ahead\n",
                 demo::kFlavour, static_cast<unsigned long long>(demo::timer::frequency()), kSamplesPerRound,
                 static_cast<unsigned long long>(kMinLeadNs / 1000),
                 static_cast<unsigned long long>((kMinLeadNs + kLeadSpreadNs) / 1000));
    if (!demo::timer::attach_interrupt(on_timer, nullptr)) {
        demo::printf("timer-latency: ERROR: cannot enable the virtual timer interrupt\n");
        return 1;
    }
    demo::arch::irq_enable();
    uint64_t rng = 1;
    const bool idle_ok = run_round(Wait::Idle, rng);
    const bool busy_ok = run_round(Wait::Busy, rng);
    demo::arch::irq_disable();
    demo::printf("timer-latency: done, %s\n", idle_ok && busy_ok ? "ok" : "FAILED");
    return idle_ok && busy_ok ? 0 : 1;
}
