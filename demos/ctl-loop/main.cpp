// SPDX-License-Identifier: MIT
// ctl-loop: a 10 kHz periodic control task on the virtual timer interrupt, running a PID
// speed controller on a simulated DC motor (motor_control.hpp). Every second of guest time it
// reports how many periods ran, how many missed their deadline, the period jitter and the state
// of the plant. After CTL_LOOP_SECONDS seconds (0: never) it stops; the exit status is 0 when
// no deadline was missed.
//
// The whole job runs in the interrupt handler, so its timing is the interrupt's timing; the
// main thread only prints. Between interrupts the CPU spins rather than sleeping in WFI: on a
// CPU the cell owns alone, waking from WFI costs latency for nothing (timer-latency measures
// both); build with -DCTL_LOOP_IDLE_WFI=1 to sleep instead.
//
// Built with CTL_LOOP_LINK=1 (the ctl-steer image, cells/qemu-virt-steer/ctl-steer.dtso) it is
// steerable from Linux over link "ctl" (steering.hpp, docs/steering.md): every period, after
// the control job, it polls the command queue (at most one command) and pushes telemetry at the
// rate Linux chose. Its doorbell stays masked, so Linux's rings cost the cell no exit; the cell
// rings Linux once per answer, from the main thread, never from the 10 kHz path.
//
// In a cell it asks to be asked before shutdown (demo/shutdown.hpp): when the root requests it,
// the controller brakes the motor to rest first and only then approves, so that the plant is
// never left spinning with nobody in control.
#include "demo/console.hpp"
#include "demo/flavour.hpp"
#include "demo/periodic.hpp"
#include "demo/runtime.hpp"
#include "demo/shutdown.hpp"
#include "demo/stats.hpp"
#include "demo/sysreg.hpp"
#include "demo/timer.hpp"
#include "motor_control.hpp"

#ifndef CTL_LOOP_SECONDS
#define CTL_LOOP_SECONDS 0
#endif
#ifndef CTL_LOOP_IDLE_WFI
#define CTL_LOOP_IDLE_WFI 0
#endif
#ifndef CTL_LOOP_LINK
#define CTL_LOOP_LINK 0
#endif
#if CTL_LOOP_LINK
#include "demo/link.hpp"
#include "steering.hpp"
#endif

namespace {

constexpr uint64_t kRateHz = 10'000;
constexpr uint64_t kRunSeconds = CTL_LOOP_SECONDS;
constexpr bool kIdleWfi = CTL_LOOP_IDLE_WFI != 0;
// First release a little after start-up, so that the set-up below is not counted as latency.
constexpr uint64_t kStartDelayNs = 1'000'000;
constexpr double kMilli = 1000.0;
// The SGI through which the hypervisor asks for shutdown (any of 0..14 the demo does not use).
constexpr uint32_t kShutdownSgi = 8;
#if CTL_LOOP_LINK
// ctl-steer.dtso: link "ctl"'s 64 KiB section at IPA 0x50000000, then its register and state
// pages; the cell's doorbell is INTID 243 (never enabled: the queue is polled).
constexpr demo::link::Layout kLinkLayout{0x50000000, 0x50010000, 243};
#endif

// Shutdown as the handlers see it; the main thread reports each step.
enum class Stop : uint32_t { Running, Braking, AtRest };

// What the interrupt handler publishes once per second of guest time.
struct Report {
    uint64_t second;
    uint64_t periods;
    uint64_t misses;
    demo::RunningStats jitter;   // ticks: (start - previous start) - period
    demo::RunningStats latency;  // ticks: start - release
    demo::RunningStats exec;     // ticks: job run time
    double speed;
    double setpoint;
    double voltage;
    double load;
    bool settled;
};

struct Loop {
    demo::PeriodicTask task{0, 0};
    ctl::MotorControl control{kRateHz};
    Report window{};           // being filled by the handler
    Report published{};        // last complete second
    volatile uint64_t seq = 0;  // bumped after `published` is written
    uint64_t total_misses = 0;
    volatile Stop stop = Stop::Running;
    uint64_t brake_period = 0;  // control periods run when the request came
};

Loop loop;
#if CTL_LOOP_LINK
ctl::Steering *steering = nullptr;
#endif

// The periodic job: one control step per timer interrupt.
void on_tick(uint32_t, uint64_t, void *)
{
    const uint64_t start = demo::timer::now();
    const demo::PeriodicTask::Job job = loop.task.start(start);

    loop.control.step();
    if (loop.stop == Stop::Braking && loop.control.at_rest())
        loop.stop = Stop::AtRest;

    const uint64_t end = demo::timer::now();
    const bool met = loop.task.complete(end);
    demo::timer::arm_at(loop.task.next_release());  // also drops the level-triggered line

    Report &w = loop.window;
    if (!job.first)  // the very first job has no previous start to measure a period from
        w.jitter.add(job.period_jitter);
    w.latency.add(job.latency);
    w.exec.add(static_cast<int64_t>(end - start));
    w.periods++;
    if (!met) {
        w.misses++;
        loop.total_misses++;
    }
#if CTL_LOOP_LINK
    // After the job and the next release are set: the link's bounded share of the period.
    steering->period(loop.control, {!job.first, job.period_jitter, job.latency, static_cast<int64_t>(end - start), !met},
                     loop.total_misses);
#endif
    if (w.periods == kRateHz) {
        w.second++;
        w.speed = loop.control.speed();
        w.setpoint = loop.control.setpoint();
        w.voltage = loop.control.voltage();
        w.load = loop.control.load();
        w.settled = loop.control.settled();
        loop.published = w;
        loop.seq = loop.seq + 1;
        const uint64_t second = w.second;
        w = Report{};
        w.second = second;
    }
}

// The root asks for shutdown: brake first (the answer comes from the main thread once at rest).
void on_shutdown_request(void *)
{
    if (loop.stop != Stop::Running)
        return;
    loop.brake_period = loop.control.periods();
    loop.control.brake();
    loop.stop = Stop::Braking;
}

long long ns(int64_t ticks) { return static_cast<long long>(demo::ticks_to_ns_signed(ticks, demo::timer::frequency())); }

// Fixed-point text for a plant value: the formatter has no floating point.
const char *milli(char (&buf)[32], double v)
{
    demo::format_milli(buf, sizeof(buf), static_cast<int64_t>(v * kMilli + (v < 0 ? -0.5 : 0.5)));
    return buf;
}

void print_report(const Report &r)
{
    char speed[32], setpoint[32], voltage[32], load[32];
#if CTL_LOOP_LINK
    demo::printf("ctl-loop: link accepted=%u refused=%u dropped=%u telemetry=%uHz\n", steering->accepted(),
                 steering->refused(), steering->dropped(), steering->rate_hz());
#endif
    demo::printf("ctl-loop: t=%llus periods=%llu misses=%llu jitter_min=%lldns jitter_avg=%lldns jitter_max=%lldns"
                 " latency_max=%lldns exec_max=%lldns speed=%s setpoint=%s voltage=%s load=%s settled=%d\n",
                 static_cast<unsigned long long>(r.second), static_cast<unsigned long long>(r.periods),
                 static_cast<unsigned long long>(r.misses), ns(r.jitter.min()), ns(r.jitter.avg()),
                 ns(r.jitter.max()), ns(r.latency.max()), ns(r.exec.max()), milli(speed, r.speed),
                 milli(setpoint, r.setpoint), milli(voltage, r.voltage), milli(load, r.load), r.settled ? 1 : 0);
}

// Report a step of the shutdown; at rest, approve it (which does not return).
void follow_shutdown(Stop &reported)
{
    const Stop now = loop.stop;
    if (now == reported)
        return;
    char speed[32];
    if (now == Stop::Braking)
        demo::printf("ctl-loop: shutdown requested at speed=%s: braking the motor first\n",
                     milli(speed, loop.control.speed()));
    if (now == Stop::AtRest) {
        demo::printf("ctl-loop: motor at rest (speed=%s) after %llu ms of braking: shutdown approved\n",
                     milli(speed, loop.control.speed()),
                     static_cast<unsigned long long>((loop.control.periods() - loop.brake_period) * 1000 / kRateHz));
        demo::shutdown::approve();
    }
    reported = now;
}

#if CTL_LOOP_LINK
// Ring Linux when answers were pushed since the last ring: one exit per ring, outside the tick.
void ring_for_answers(const demo::link::Endpoint &link)
{
    static uint32_t rung = 0;
    const uint32_t answers = steering->answers();
    if (answers != rung) {
        rung = answers;
        link.ring(MOAT_CTL_PEER_LINUX);
    }
}
#endif

Report wait_for_report(uint64_t &seen)
{
    static Stop reported = Stop::Running;
#if CTL_LOOP_LINK
    static const demo::link::Endpoint link(kLinkLayout);
#endif
    while (loop.seq == seen) {
        follow_shutdown(reported);
#if CTL_LOOP_LINK
        ring_for_answers(link);
#endif
        if (kIdleWfi)
            demo::arch::wfi();
    }
    // Copy with the handler held off, so that the copy is never half old, half new.
    demo::arch::irq_disable();
    const Report r = loop.published;
    seen = loop.seq;
    demo::arch::irq_enable();
    return r;
}

}  // namespace

int demo_main()
{
    demo::set_program_name("ctl-loop");
    const uint64_t period = demo::timer::frequency() / kRateHz;
    demo::printf("ctl-loop: %s flavour, %llu Hz task (period %llu ticks = %llu ns), idle=%s, run=%llus%s\n",
                 demo::kFlavour, static_cast<unsigned long long>(kRateHz), static_cast<unsigned long long>(period),
                 static_cast<unsigned long long>(demo::timer::to_ns(period)), kIdleWfi ? "wfi" : "spin",
                 static_cast<unsigned long long>(kRunSeconds), kRunSeconds ? "" : " (forever)");
    if (demo::timer::frequency() % kRateHz != 0)
        demo::printf("ctl-loop: note: CNTFRQ is not a multiple of %llu Hz; the period is rounded down\n",
                     static_cast<unsigned long long>(kRateHz));
    if (!demo::timer::attach_interrupt(on_tick, nullptr)) {
        demo::printf("ctl-loop: ERROR: cannot enable the virtual timer interrupt\n");
        return 1;
    }

    if (demo::shutdown::ask_me_first(kShutdownSgi, on_shutdown_request, nullptr))
        demo::printf("ctl-loop: shutdown requests come as SGI %u; the motor is brought to rest before approving\n",
                     kShutdownSgi);

#if CTL_LOOP_LINK
    static ctl::Steering steer(reinterpret_cast<moat_linkq *>(kLinkLayout.first_section + MOAT_CTL_QUEUE_TO_CELL),
                               reinterpret_cast<moat_linkq *>(kLinkLayout.first_section + MOAT_CTL_QUEUE_TO_LINUX),
                               kRateHz, demo::timer::frequency());
    steering = &steer;
    demo::printf("ctl-loop: steerable over link \"%s\": commands polled every period, protocol version %u\n",
                 MOAT_CTL_LINK_NAME, MOAT_CTL_VERSION);
#endif
    loop.task = demo::PeriodicTask(demo::timer::now() + demo::timer::from_ns(kStartDelayNs), period);
    demo::timer::arm_at(loop.task.next_release());
    demo::arch::irq_enable();

    uint64_t seen = 0;
    for (;;) {
        const Report r = wait_for_report(seen);
        print_report(r);
        if (kRunSeconds && r.second >= kRunSeconds)
            break;
    }
    demo::arch::irq_disable();
    demo::timer::stop();
    const uint64_t misses = loop.total_misses;
    demo::printf("ctl-loop: done seconds=%llu periods=%llu misses=%llu\n", static_cast<unsigned long long>(kRunSeconds),
                 static_cast<unsigned long long>(loop.task.jobs()), static_cast<unsigned long long>(misses));
    return misses == 0 ? 0 : 1;
}
