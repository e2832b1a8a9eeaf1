// SPDX-License-Identifier: MIT
#include "demo/timer.hpp"

#include "demo/arch_bits.h"
#include "demo/board.hpp"
#include "demo/gic.hpp"
#include "demo/sysreg.hpp"

namespace demo::timer {

uint64_t frequency()
{
    // Read once: CNTFRQ_EL0 is set by firmware and never changes while we run.
    static uint64_t hz = 0;
    if (!hz)
        hz = arch::read_cntfrq();
    return hz;
}

uint64_t now()
{
    arch::isb();
    return arch::read_cntvct();
}

void arm_at(uint64_t deadline)
{
    arch::write_cntv_cval(deadline);
    arch::write_cntv_ctl(CNTV_CTL_ENABLE);  // enabled, not masked
    arch::isb();
}

void stop()
{
    arch::write_cntv_ctl(CNTV_CTL_IMASK);
    arch::isb();
}

void reassert_if_expired()
{
    // The line is asserted while the timer is enabled, not masked, and its condition is met.
    constexpr uint64_t kLineBits = CNTV_CTL_ENABLE | CNTV_CTL_IMASK | CNTV_CTL_ISTATUS;
    constexpr uint64_t kAsserted = CNTV_CTL_ENABLE | CNTV_CTL_ISTATUS;
    const uint64_t ctl = arch::read_cntv_ctl();
    if ((ctl & kLineBits) != kAsserted)
        return;
    arch::write_cntv_ctl(ctl | CNTV_CTL_IMASK);
    arch::isb();
    arch::write_cntv_ctl(ctl & ~CNTV_CTL_IMASK);
    arch::isb();
}

bool attach_interrupt(irq::Handler handler, void *ctx)
{
    if (!irq::attach(board::kVirtualTimerIntid, handler, ctx) || !gic::cpu_ready())
        return false;
    gic::enable_ppi(board::kVirtualTimerIntid, gic::kDefaultPriority,
                    board::kVirtualTimerLevel ? gic::Trigger::Level : gic::Trigger::Edge);
    return true;
}

void delay_ticks(uint64_t ticks)
{
    const uint64_t end = now() + ticks;
    while (now() < end) {
    }
}

}  // namespace demo::timer
