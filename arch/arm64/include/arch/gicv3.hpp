// SPDX-License-Identifier: GPL-2.0
// GICv3: physical interrupts are taken at EL2 and handed to the running cell through the list
// registers of the virtual CPU interface, with the hardware bit set so that the cell's own
// deactivation deactivates the physical interrupt: no exit for EOI or deactivation.
// The rest of the hypervisor uses it through arch/gic.hpp.
#pragma once

#include <moat/cell.h>

#include "arch/gic.hpp"
#include "lib/types.hpp"

namespace moat::arm64 {

// Keep the board's GICv3 frames; the operations table for gic.cpp.
const GicOps *gicv3_setup(const moat_cell_platform &p);

// The list register value that injects `intid`; host-testable.
u64 gicv3_lr_value(u32 intid, bool hw, u8 priority);

}  // namespace moat::arm64
