// SPDX-License-Identifier: MIT
// hello: the smallest demo. Says where it runs (MPIDR, exception level, counter frequency),
// counts with a delay between the lines to show time passes, and exits.
#include "demo/board.hpp"
#include "demo/console.hpp"
#include "demo/flavour.hpp"
#include "demo/psci.hpp"
#include "demo/runtime.hpp"
#include "demo/sysreg.hpp"
#include "demo/timer.hpp"

namespace {
constexpr unsigned kCount = 5;
constexpr uint64_t kStepNs = 10'000'000;  // 10 ms of guest time between lines
}  // namespace

int demo_main()
{
    using demo::printf;
    demo::set_program_name("hello");
    printf("hello: Hello from a moat demo (%s flavour, board tree %s)\n", demo::kFlavour, demo::board::kTree);
    printf("hello: MPIDR=%#llx CurrentEL=EL%u CNTFRQ=%llu Hz\n",
           static_cast<unsigned long long>(demo::arch::read_mpidr()), demo::arch::current_el(),
           static_cast<unsigned long long>(demo::timer::frequency()));
    const uint64_t sctlr = demo::arch::read_sctlr();
    printf("hello: MMU=%s dcache=%s icache=%s\n", (sctlr & SCTLR_EL1_M) ? "on" : "off",
           (sctlr & SCTLR_EL1_C) ? "on" : "off", (sctlr & SCTLR_EL1_I) ? "on" : "off");
    const uint64_t start = demo::timer::now();
    for (unsigned i = 1; i <= kCount; i++) {
        demo::timer::delay_ns(kStepNs);
        printf("hello: count %u/%u at %llu us\n", i, kCount,
               static_cast<unsigned long long>(demo::timer::to_ns(demo::timer::now() - start) / 1000));
    }
    printf("hello: done\n");
    return 0;
}
