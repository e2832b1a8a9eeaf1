// SPDX-License-Identifier: MIT
// handover: the two CPUs of a cell power each other on and off through PSCI, forever. The first
// CPU powers the second on (it waits about 15 ms and powers itself off), waits until the
// firmware reports it off, and again; every fourth time it hands over instead: it powers itself
// off while the second CPU is still on its way, and the second one powers it back on at the
// image's entry (the program starts again). This is what a cell may do to the hypervisor's CPU
// accounting: CPUs on their way, CPUs leaving, a cell with no CPU up for a moment.
//
// console-race (HANDOVER_CONSOLE_RACE): both CPUs print 40-byte chunks at once, the first 'a's,
// the second 'b's, with a newline now and then: the hypervisor must assemble the cell's lines
// without mixing in anything else or overrunning its line buffer.
#include <moat/abi.h>

#include "demo/board.hpp"
#include "demo/console.hpp"
#include "demo/runtime.hpp"
#include "demo/sysreg.hpp"
#include "demo/timer.hpp"

extern "C" char handover_secondary_entry[];

namespace {
#if DEMO_FLAVOUR_CELL
static_assert(!demo::board::kPsciConduitHvc, "secondary.S calls PSCI with smc");
#endif

constexpr uint64_t kCpuOn64 = 0xc4000003, kCpuOff = 0x84000002, kAffinityInfo64 = 0xc4000004;
constexpr int64_t kAlreadyOn = -4, kOnPending = -5;
constexpr uint64_t kAffinityMask = 0xff00ffffffull;
constexpr uint64_t kBringBack = uint64_t{1} << 63, kConsoleRace = uint64_t{1} << 62;
constexpr unsigned kHandOverEvery = 4;
// Survives the restart after a hand-over (.data is not cleared; .bss is).
[[maybe_unused]] unsigned generation = 1;

int64_t smc(uint64_t fn, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0)
{
    register uint64_t x0 asm("x0") = fn;
    register uint64_t x1 asm("x1") = a1;
    register uint64_t x2 asm("x2") = a2;
    register uint64_t x3 asm("x3") = a3;
    asm volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "x4", "x5", "x6", "x7", "x8", "x9", "x10",
                 "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory");
    return static_cast<int64_t>(x0);
}

// The other CPU of the cell: on QEMU virt the cell has two neighbours (2 and 3); a cell with one
// CPU gets INVALID_PARAMETERS for it and just keeps running.
uint64_t partner_of(uint64_t self) { return self ^ 1; }

// Power the partner on, riding out the moment the firmware still has it on from last time.
int64_t power_on(uint64_t partner, uint64_t context)
{
    int64_t r;
    while ((r = smc(kCpuOn64, partner, reinterpret_cast<uint64_t>(handover_secondary_entry), context)) == kAlreadyOn ||
           r == kOnPending)
        demo::timer::delay_ns(100'000);
    return r;
}

void wait_off(uint64_t cpu)
{
    while (smc(kAffinityInfo64, cpu, 0) != 1)  // 1: OFF
        demo::timer::delay_ns(100'000);
}

#if HANDOVER_CONSOLE_RACE
void console_write(uint64_t len, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3, uint64_t w4)
{
    register uint64_t x0 asm("x0") = MOAT_HC_CONSOLE_WRITE;
    register uint64_t x1 asm("x1") = len;
    register uint64_t x2 asm("x2") = w0;
    register uint64_t x3 asm("x3") = w1;
    register uint64_t x4 asm("x4") = w2;
    register uint64_t x5 asm("x5") = w3;
    register uint64_t x6 asm("x6") = w4;
    asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6) : :
                 "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory");
}

// What the hypervisor tells a cell about itself: its ABI and its own CPU count, nothing more.
void show_info()
{
    register uint64_t x0 asm("x0") = MOAT_HC_GET_INFO;
    register uint64_t x1 asm("x1") = 0;
    register uint64_t x2 asm("x2") = 0;
    register uint64_t x3 asm("x3") = 0;
    asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "x4", "x5", "x6", "x7", "x8", "x9", "x10",
                 "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory");
    demo::printf("console-race: GET_INFO status %lld: ABI %#llx, %llu CPUs, %llu bytes of hypervisor memory\n",
                 static_cast<long long>(x0), static_cast<unsigned long long>(x1), static_cast<unsigned long long>(x2),
                 static_cast<unsigned long long>(x3));
}

int console_race(uint64_t self)
{
    demo::printf("console-race: CPU %#llx and its partner print at once\n", static_cast<unsigned long long>(self));
    int64_t r = power_on(partner_of(self), kConsoleRace);
    if (r != 0) {
        demo::printf("console-race: CPU_ON of the partner returned %lld\n", static_cast<long long>(r));
        return 1;
    }
    constexpr uint64_t a = 0x6161616161616161ull, a_nl = 0x0a61616161616161ull;
    for (unsigned i = 1; i <= 600; i++)
        console_write(40, a, a, a, a, i % 5 == 0 ? a_nl : a);
    console_write(1, '\n', 0, 0, 0, 0);
    wait_off(partner_of(self));
    show_info();  // last: the console ring keeps only the end of the race
    demo::printf("console-race: done\n");
    return 0;
}
#endif
}  // namespace

int demo_main()
{
    const uint64_t self = demo::arch::read_mpidr() & kAffinityMask;
#if HANDOVER_CONSOLE_RACE
    demo::set_program_name("console-race");
    return console_race(self);
#else
    demo::set_program_name("handover");
    const uint64_t partner = partner_of(self);
    demo::printf("handover: generation %u on CPU %#llx\n", generation, static_cast<unsigned long long>(self));
    generation++;
    for (unsigned i = 1;; i++) {
        bool hand_over = i % kHandOverEvery == 0;
        int64_t r = power_on(partner, hand_over ? (kBringBack | self) : 0);
        if (r != 0) {
            demo::printf("handover: CPU_ON of %#llx returned %lld; running alone\n",
                         static_cast<unsigned long long>(partner), static_cast<long long>(r));
            for (;;)
                demo::timer::delay_ns(1'000'000'000);
        }
        if (hand_over) {
            demo::printf("handover: CPU %#llx hands over to %#llx\n", static_cast<unsigned long long>(self),
                         static_cast<unsigned long long>(partner));
            smc(kCpuOff);
            demo::printf("handover: CPU_OFF returned\n");
            return 1;
        }
        wait_off(partner);
    }
#endif
}
