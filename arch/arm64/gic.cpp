// SPDX-License-Identifier: GPL-2.0
// The GIC implementation the board has, chosen once from the root descriptor.
#include "arch/gic.hpp"

#include "arch/cpu.hpp"
#include "arch/gicv2.hpp"
#include "arch/gicv3.hpp"

namespace moat::arm64 {

namespace {
// Written once by the first CPU during the global set-up (MMU off), like the rest of it.
const GicOps *ops;
}  // namespace

bool gic_init(const moat_cell_platform &p)
{
    ops = nullptr;
    if (p.gic_version == 3)
        ops = gicv3_setup(p);
    else if (p.gic_version == 2)
        ops = gicv2_setup(p);
    return ops != nullptr;
}

const GicOps *gic_ops() { return ops; }

u32 gic_targets_of(u32 cpu_mask)
{
    if (gic_version() != 2)
        return 0;
    u32 t = 0;
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++)
        if (cpu_mask & (1u << cpu))
            t |= gicv2_cpu_targets(cpu);
    return t;
}

}  // namespace moat::arm64
