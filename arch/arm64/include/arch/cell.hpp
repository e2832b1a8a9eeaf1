// SPDX-License-Identifier: GPL-2.0
// The arm64 side of a cell: its stage-2 address space, its emulated device regions, and the pool
// pages kept to give the root back what it took. Who owns what is the core's (hv/cell.hpp); this
// implements hv/arch_cell.hpp, the carving, in arch/arm64/cell.cpp.
#pragma once

#include <moat/cell.h>

#include "arch/stage2.hpp"
#include "hv/cell.hpp"
#include "hv/mmio.hpp"

namespace moat::arm64 {

struct CellArch {
    Stage2 s2;
    MmioMap mmio;
    u64 pool_reserve;  // pool pages kept to give the root back what it took
    // Direct delivery: the stage-2 root entries taken away by a stop (revoke_stage2), restored
    // before the cell starts again or its tables are freed.
    Stage2Revoked revoked;
};

// Stop a cell that takes its interrupts directly, without its cooperation: every entry of its
// stage-2 root table invalid (saved), then its VMID flushed from every CPU's TLB, so its next
// instruction fetch or data access faults to EL2, whatever it masked. Idempotent.
void revoke_stage2(CellArch &a);
// Put back what revoke_stage2 took (the cell's CPUs are all off).
void restore_stage2(CellArch &a);

// The arm64 side of cell `c` (one per slot of the core's table).
CellArch &cell_arch(const Cell &c);

// Attributes of one descriptor region in stage 2 (host-testable).
u64 stage2_region_attrs(u32 flags);

// The root cell from its descriptor: the core's books (cells_init_root), then its stage 2 from
// its regions and the GIC distributor emulated. On failure, err holds the reason.
bool cell_root_init(const moat_cell_desc &desc, PagePool &pool, unsigned ia_bits, char *err, size_t errlen);

}  // namespace moat::arm64
