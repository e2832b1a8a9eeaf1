// SPDX-License-Identifier: GPL-2.0
// Which interrupts the cell a CPU runs may be given (docs/security.md, invariant 2): the rule
// gic_owner_has (arch/arm64/gic.cpp) applies at EL2, here on its own so that it is host-tested
// (tests/unit/hv/gic_owner_test.cpp).
#pragma once

#include "arch/gic_regs.hpp"
#include "hv/cell.hpp"

namespace moat::arm64 {

// Does cell `c` (nullptr: the CPU has no owner) own `intid`? SGIs and PPIs are banked per CPU:
// always the CPU's owner's. SPIs by the cell's map, read one word at a time (the core changes
// the map under the cells lock while the CPU runs). The special INTIDs 1020..1023 name no
// interrupt of anyone. Everything above is the root's only: LPIs, which are not in that map (one
// whose ITS collection still names a CPU a cell took is never given to that cell), and GICv3.1's
// extended PPI and SPI ranges (1056..1119, 4096..5119), which moat neither filters nor routes
// (attack review: a root extended SPI routed to a lent CPU would have reached the cell).
inline bool gic_cell_owns(const Cell *c, u32 intid)
{
    if (intid < GIC_PRIVATE_COUNT)
        return true;
    if (intid < GIC_SPI_END)
        return c && (__atomic_load_n(&c->irqs[intid / 32], __ATOMIC_RELAXED) >> (intid % 32)) & 1;
    if (intid < GIC_SPECIAL_END)
        return true;
    return !c || c->is_root();
}

}  // namespace moat::arm64
