// SPDX-License-Identifier: GPL-2.0
// The GIC implementation the board has, chosen once from the root descriptor.
#include "arch/gic.hpp"

#include "arch/affinity.hpp"
#include "arch/cpu.hpp"
#include "arch/gic_owner.hpp"
#include "arch/gicv2.hpp"
#include "arch/gicv3.hpp"
#include "hv/cell.hpp"

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

GicdReroute gic_reroute_of(u32 cpus, u32 to, u64 (&mpidr)[MOAT_MAX_CPUS])
{
    GicdReroute r{mpidr, 0, 0, 0};
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++) {
        PerCpu *pc = cpu_data(cpu);
        if (!(cpus & (1u << cpu)) || !pc)
            continue;
        mpidr[r.num_off++] = pc->mpidr;
        if (gic_version() == 2)
            r.off_targets |= gicv2_cpu_targets(cpu) & 0xff;
    }
    PerCpu *dst = cpu_data(to);
    if (gic_version() == 2)
        r.to = gicv2_cpu_targets(to) & 0xff;
    else if (dst)
        r.to = irouter_of(dst->mpidr);
    return r;
}

bool gic_owner_has_shared(u32 cpu, u32 intid)
{
    PerCpu *pc = cpu_data(cpu);
    return gic_cell_owns(pc ? pc->cell : nullptr, intid);
}

}  // namespace moat::arm64
