// SPDX-License-Identifier: GPL-2.0
// A cell as the arm64 hypervisor keeps it: its validated descriptor, its stage-2 address space,
// its emulated device regions, and what it owns right now (the root cell's share shrinks while
// other cells run).
#pragma once

#include <moat/cell.h>

#include "arch/stage2.hpp"
#include "hv/gic_dist.hpp"
#include "hv/mmio.hpp"

namespace moat::arm64 {

constexpr u32 MAX_CELLS = 8;
constexpr u32 ROOT_CELL = 0;

enum class CellState : u32 { FREE = 0, STOPPED, RUNNING, SHUT_DOWN, FAILED };

struct Cell {
    CellState state;
    u32 id;
    moat_cell_desc desc;                  // as handed in, validated
    Stage2 s2;
    MmioMap mmio;
    u32 irqs[MOAT_CELL_IRQ_WORDS];        // INTIDs it owns now
    u64 cpu_mpidr[MOAT_MAX_CPUS];         // CPUs it owns now
    u32 num_cpus;
    u32 cpu_mask;                         // the same CPUs as logical ids
    GicdOwner gicd_owner() const { return {irqs, cpu_mpidr, num_cpus}; }
};

Cell &cell_root();
Cell *cell_get(u32 id);  // nullptr unless in use

// Attributes of one descriptor region in stage 2 (host-testable).
u64 stage2_region_attrs(u32 flags);

// The root cell from its descriptor: stage 2 from its regions, the GIC distributor emulated.
// On failure, err holds the reason.
bool cell_root_init(const moat_cell_desc &desc, PagePool &pool, unsigned ia_bits, char *err, size_t errlen);

}  // namespace moat::arm64
