// SPDX-License-Identifier: MIT
// libtest: checks on the target what the host unit tests cannot see: the aarch64 varargs of
// printf, the IRQ vector keeping FP/SIMD state, this CPU's part of the GIC (GICv3: the
// redistributor; GICv2: its CPU interface bit in the distributor), the delay,
// and finally the unexpected-exception report (an undefined instruction), which ends the run
// with the reporter's exit status 3.
#include "demo/console.hpp"
#include "demo/flavour.hpp"
#include "demo/mmio.hpp"
#include "demo/runtime.hpp"
#include "demo/sysreg.hpp"
#include "demo/timer.hpp"
#if DEMO_GIC_VERSION == 3
#include "demo/gicr_walk.hpp"
#include "demo/gicv3.hpp"
#else
#include "demo/gicv2.hpp"
#endif

extern "C" {
bool libtest_fp_check(const volatile uint64_t *counter, uint64_t target);
void libtest_fp_scramble();
}

namespace {

unsigned failures = 0;

void check(bool ok, const char *what)
{
    demo::printf("libtest: %s: %s\n", ok ? "PASS" : "FAIL", what);
    failures += ok ? 0 : 1;
}

bool streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

void check_format()
{
    char buf[96];
    demo::snformat(buf, sizeof(buf), "%d|%lld|%s|%c|%#x|%p|%5u|%-3d|", -1, -1234567890123ll, "str", 'c', 0xabcu,
                   reinterpret_cast<void *>(0x40100000), 42u, 7);
    check(streq(buf, "-1|-1234567890123|str|c|0xabc|0x40100000|   42|7  |"), "printf varargs on aarch64");
}

// Timer interrupts every 20 us, each scrambling the FP/SIMD registers and FPCR.
volatile uint64_t ticks = 0;
uint64_t next_deadline = 0;
constexpr uint64_t kTickNs = 20'000;
constexpr uint64_t kFpInterrupts = 200;

void on_tick(uint32_t, uint64_t, void *)
{
    libtest_fp_scramble();
    ticks = ticks + 1;
    next_deadline += demo::timer::from_ns(kTickNs);
    demo::timer::arm_at(next_deadline);
}

void check_fp_across_interrupts()
{
    if (!demo::timer::attach_interrupt(on_tick, nullptr)) {
        check(false, "virtual timer interrupt attached");
        return;
    }
    next_deadline = demo::timer::now() + demo::timer::from_ns(kTickNs);
    demo::timer::arm_at(next_deadline);
    demo::arch::irq_enable();
    const bool ok = libtest_fp_check(&ticks, kFpInterrupts);
    demo::arch::irq_disable();
    demo::timer::stop();
    check(ticks >= kFpInterrupts, "timer interrupts arrived while spinning");
    check(ok, "FP/SIMD registers and FPCR survive interrupts that clobber them");
    check(demo::irq::unhandled() == 0, "no interrupt without a handler");
}

#if DEMO_GIC_VERSION == 3
void check_gic_cpu()
{
    const uintptr_t rd = demo::gic::redistributor();
    check(rd != 0, "redistributor found");
    if (rd)
        check(demo::mmio::read32(rd + demo::gic::kGicrTyperHigh) ==
                  demo::gic::affinity_of_mpidr(demo::arch::read_mpidr()),
              "redistributor's GICR_TYPER affinity is this CPU's MPIDR");
}
#else
// Every CPU of a multiprocessor GICv2 reads its own single interface bit in GICD_ITARGETSR0.
void check_gic_cpu()
{
    const uint8_t mask = demo::gic::cpu_interface_mask();
    demo::printf("libtest: GICD_ITARGETSR0 names CPU interface mask %#x\n", mask);
    check(mask != 0 && (mask & (mask - 1)) == 0, "this CPU's interface is exactly one bit of GICD_ITARGETSR0");
}
#endif

void check_delay()
{
    constexpr uint64_t kDelayNs = 100'000;
    const uint64_t start = demo::timer::now();
    demo::timer::delay_ns(kDelayNs);
    const uint64_t elapsed_ns = demo::timer::to_ns(demo::timer::now() - start);
    demo::printf("libtest: delay_ns(%llu) took %llu ns\n", static_cast<unsigned long long>(kDelayNs),
                 static_cast<unsigned long long>(elapsed_ns));
    check(elapsed_ns >= kDelayNs, "delay is never shorter than asked");
}

}  // namespace

int demo_main()
{
    demo::set_program_name("libtest");
    demo::printf("libtest: %s flavour\n", demo::kFlavour);
    check_format();
    check_gic_cpu();
    check_delay();
    check_fp_across_interrupts();
    demo::printf("libtest: %u failure(s)\n", failures);
    if (failures)
        return 1;
    demo::printf("libtest: now an undefined instruction: expect the exception report and exit status 3\n");
    asm volatile("udf #0");
    demo::printf("libtest: FAIL: execution continued after an undefined instruction\n");
    return 1;
}
