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
// the map under the cells lock while the CPU runs). LPIs are not in that map and belong to the
// root only: one whose ITS collection still names a CPU a cell took is never given to that cell.
// The special and reserved INTIDs between SPIs and LPIs name no interrupt of anyone.
inline bool gic_cell_owns(const Cell *c, u32 intid)
{
    if (intid < GIC_PRIVATE_COUNT || (intid >= GIC_SPI_END && intid < GIC_LPI_FIRST))
        return true;
    if (intid >= GIC_LPI_FIRST)
        return !c || c->is_root();
    return c && (__atomic_load_n(&c->irqs[intid / 32], __ATOMIC_RELAXED) >> (intid % 32)) & 1;
}

}  // namespace moat::arm64
