// SPDX-License-Identifier: MIT
// C++ side of start-up and of the unexpected-exception vectors.
#include "demo/runtime.hpp"

#include "demo/arch_bits.h"
#include "demo/console.hpp"
#include "demo/flavour.hpp"
#include "demo/gic.hpp"
#include "demo/mmu.hpp"
#include "demo/psci.hpp"
#include "demo/sysreg.hpp"

extern "C" {
using InitFunction = void (*)();
extern InitFunction __init_array_start[];
extern InitFunction __init_array_end[];
[[noreturn]] void demo_start(uint64_t entry_x0);
[[noreturn]] void demo_unexpected_exception(const uint64_t *frame, uint64_t kind);
}

namespace demo {

namespace {

const char *program_name = "demo";
bool stopping = false;  // set on the way out: an exception while stopping must not recurse
bool reporting = false;  // inside the exception reporter: a fault while printing must not recurse

const char *exception_kind_name(uint64_t kind)
{
    static const char *const names[] = {
        "sync (EL1, SP0)",  "IRQ (EL1, SP0)",  "FIQ (EL1, SP0)",  "SError (EL1, SP0)",
        "sync (EL1, SPx)",  "IRQ (EL1, SPx)",  "FIQ (EL1, SPx)",  "SError (EL1, SPx)",
        "sync (EL0, A64)",  "IRQ (EL0, A64)",  "FIQ (EL0, A64)",  "SError (EL0, A64)",
        "sync (EL0, A32)",  "IRQ (EL0, A32)",  "FIQ (EL0, A32)",  "SError (EL0, A32)",
    };
    return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}

void run_constructors()
{
    for (InitFunction *f = __init_array_start; f != __init_array_end; f++)
        (*f)();
}

}  // namespace

void set_program_name(const char *name) { program_name = name; }

void halt()
{
    arch::irq_disable();
    for (;;)
        arch::wfi();
}

void exit(int status)
{
    arch::irq_disable();
    if (kInCell)
        printf("%s: exit status %d\n", program_name, status);
    else
        printf("MOAT-TEST-EXIT=%d\n", status);
    stopping = true;
    psci::system_off();
    printf("%s: PSCI SYSTEM_OFF returned; halting\n", program_name);
    halt();
}

}  // namespace demo

void demo_start(uint64_t entry_x0)
{
#if DEMO_MMU
    demo::mmu::enable();
#endif
    demo::run_constructors();
    demo::console_init();
    // A cell's first CPU gets its console ring's IPA in x0 (0: none); QEMU's loader gives a
    // bare-metal demo something else there.
    if (demo::kInCell && entry_x0 && !demo::console_use_ring(entry_x0))
        demo::printf("%s: console ring at %#llx is not Normal memory in the demo's map: printing through "
                     "hypercalls\n", demo::program_name, static_cast<unsigned long long>(entry_x0));
    demo::gic::init_distributor();
    if (!demo::gic::init_cpu())
        demo::printf("%s: no GIC interface for this CPU (MPIDR %#llx): interrupts will not work\n",
                     demo::program_name, static_cast<unsigned long long>(demo::arch::read_mpidr()));
    demo::exit(demo_main());
}

void demo_unexpected_exception(const uint64_t *frame, uint64_t kind)
{
    using demo::printf;
    // A second exception while reporting the first (say the console itself faults) would
    // recurse until the stack overflows: stop quietly instead.
    if (demo::reporting)
        demo::halt();
    demo::reporting = true;
    constexpr unsigned kRegsPerLine = 4;
    const auto reg = [frame](unsigned offset) { return static_cast<unsigned long long>(frame[offset / 8]); };
    const unsigned long long esr = reg(EXC_FRAME_ESR);
    printf("\n%s: unexpected exception: %s\n", demo::program_name, demo::exception_kind_name(kind));
    printf("  ESR %#llx (EC %#llx ISS %#llx) ELR %#llx FAR %#llx SPSR %#llx SP %#llx\n", esr,
           (esr >> ESR_EC_SHIFT) & ESR_EC_MASK, esr & ESR_ISS_MASK, reg(EXC_FRAME_ELR), reg(EXC_FRAME_FAR),
           reg(EXC_FRAME_SPSR), reg(EXC_FRAME_SP));
    for (unsigned r = 0; r < EXC_FRAME_GPRS; r++)
        printf("  x%-2u %016llx%s", r, static_cast<unsigned long long>(frame[r]),
               (r % kRegsPerLine == kRegsPerLine - 1 || r == EXC_FRAME_GPRS - 1) ? "\n" : "");
    // Stop the whole run with a failure status rather than hang until a timeout; but if the
    // exception came from the way out itself (say an SMC the platform does not implement), just
    // park the CPU.
    if (demo::stopping)
        demo::halt();
    constexpr int kExitException = 3;
    demo::exit(kExitException);
}
