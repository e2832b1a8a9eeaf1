// SPDX-License-Identifier: MIT
#include "demo/irq.hpp"

#include "demo/gic.hpp"

extern "C" void demo_irq_dispatch(uint64_t entry_ticks);

namespace demo::irq {

namespace {
struct Slot {
    Handler handler;
    void *ctx;
};
Slot slots[kMaxIntid];
uint64_t taken_count;
uint64_t unhandled_count;
}  // namespace

bool attach(uint32_t intid, Handler handler, void *ctx)
{
    if (intid >= kMaxIntid)
        return false;
    slots[intid] = {handler, ctx};
    return true;
}

void detach(uint32_t intid)
{
    if (intid < kMaxIntid)
        slots[intid] = {nullptr, nullptr};
}

uint64_t taken() { return taken_count; }
uint64_t unhandled() { return unhandled_count; }

}  // namespace demo::irq

// Called by the IRQ vector. One interrupt per exception: if another is pending, the CPU takes
// the exception again right after ERET, and each one gets its own entry time stamp.
void demo_irq_dispatch(uint64_t entry_ticks)
{
    using namespace demo;
    const gic::Acknowledged irq = gic::acknowledge();
    const uint32_t intid = irq.intid;
    if (intid >= gic::kFirstSpecial)
        return;  // spurious: withdrawn before we acknowledged it; nothing to end
    irq::taken_count++;
    const irq::Slot &slot = intid < irq::kMaxIntid ? irq::slots[intid] : irq::Slot{nullptr, nullptr};
    if (slot.handler)
        slot.handler(intid, entry_ticks, slot.ctx);
    else
        irq::unhandled_count++;
    gic::end_of_interrupt(irq);
}
