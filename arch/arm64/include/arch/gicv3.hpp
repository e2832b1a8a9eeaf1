// SPDX-License-Identifier: GPL-2.0
// GICv3: physical interrupts are taken at EL2 and handed to the running cell through the list
// registers of the virtual CPU interface, with the hardware bit set so that the cell's own
// deactivation deactivates the physical interrupt: no exit for EOI or deactivation.
// The rest of the hypervisor uses it through arch/gic.hpp.
#pragma once

#include <moat/cell.h>

#include "arch/gic.hpp"
#include "arch/sysreg.h"
#include "lib/types.hpp"

namespace moat::arm64 {

// Keep the board's GICv3 frames; the operations table for gic.cpp.
const GicOps *gicv3_setup(const moat_cell_platform &p);

// The list register value that injects `intid`, pending, in Group 1; `hw`: linked to the
// physical INTID of the same number (the guest's deactivation deactivates it). Host-tested.
constexpr u64 gicv3_lr_value(u32 intid, bool hw, u8 priority)
{
    u64 lr = (ICH_LR_STATE_PENDING << ICH_LR_STATE_SHIFT) | ICH_LR_GROUP1 |
             (u64{priority} << ICH_LR_PRIORITY_SHIFT) | (intid & ICH_LR_VINTID_MASK);
    if (hw)
        lr |= ICH_LR_HW | ((u64{intid} & ICH_LR_PINTID_MASK) << ICH_LR_PINTID_SHIFT);
    return lr;
}
constexpr u64 gicv3_lr_state(u64 lr) { return (lr >> ICH_LR_STATE_SHIFT) & ICH_LR_STATE_MASK; }
// The virtual INTID a list register holds pending and/or active, or GIC_LR_NONE.
constexpr u32 gicv3_lr_live_intid(u64 lr)
{
    return gicv3_lr_state(lr) ? static_cast<u32>(lr & ICH_LR_VINTID_MASK) : GIC_LR_NONE;
}
// The list register holding an INTID that came again (GicInject::HELD), rewritten: state,
// priority and INTID kept; no hardware link (its physical activation was ended by someone else,
// and the new one is the waiting copy's, which goes in with the link), and an end-of-interrupt
// maintenance interrupt when the guest deactivates it: the waiting copy goes in then.
constexpr u64 gicv3_lr_hold(u64 lr)
{
    return (lr & ~(ICH_LR_HW | (ICH_LR_PINTID_MASK << ICH_LR_PINTID_SHIFT))) | ICH_LR_EOI;
}

// Trapped delivery ends on the calling CPU (gicv3_cpu_leave): as gicv2_leave_in_flight, for
// ICH_LR<n>_EL2. `hw`: lr_read(n), lr_write(n, v), deactivate(intid) (ICC_DIR_EL1),
// repend(intid) (the redistributor's or the distributor's ISPENDR). Only the root's leave
// (`repend`) gives anything back as pending; an isolated cell's SGIs and PPIs go nowhere.
template <typename Hw>
void gicv3_leave_in_flight(GicCpu &g, bool repend, Hw &hw)
{
    for (unsigned n = 0; n < g.nr_lrs; n++) {
        u64 lr = hw.lr_read(n);
        u64 state = gicv3_lr_state(lr);
        u32 intid = static_cast<u32>(lr & ICH_LR_VINTID_MASK);
        hw.lr_write(n, 0);
        if (!state)
            continue;
        if (lr & ICH_LR_HW)
            hw.deactivate(intid);
        if (repend && (state & ICH_LR_STATE_PENDING))
            hw.repend(intid);
    }
    for (unsigned i = 0; i < g.npending; i++) {
        if (g.pending[i] >= 16)  // SGIs were deactivated when taken
            hw.deactivate(g.pending[i]);
        if (repend)
            hw.repend(g.pending[i]);
    }
    g.npending = 0;
}

}  // namespace moat::arm64
