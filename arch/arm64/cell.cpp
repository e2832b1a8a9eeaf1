// SPDX-License-Identifier: GPL-2.0
#include "arch/cell.hpp"

#include "arch/gicv3.hpp"
#include "hv/format.hpp"
#include "hv/string.hpp"

namespace moat::arm64 {

namespace {
Cell cells[MAX_CELLS];
constexpr u16 VMID_BASE = 1;  // cell id + 1: VMID 0 is what the kernel's stub leaves in VTTBR

MmioResult gicd_handler(void *ctx, MmioAccess &a)
{
    const Cell *c = static_cast<const Cell *>(ctx);
    return gicv3_dist_access(c->gicd_owner(), a);
}
}  // namespace

Cell &cell_root() { return cells[ROOT_CELL]; }

Cell *cell_get(u32 id)
{
    return id < MAX_CELLS && cells[id].state != CellState::FREE ? &cells[id] : nullptr;
}

u64 stage2_region_attrs(u32 flags)
{
    u64 a = pte::AF;
    a |= (flags & MOAT_CELL_MEM_IO) ? pte::S2_MEMATTR_DEVICE_nGnRE
                                    : (pte::S2_MEMATTR_NORMAL_WB | pte::S2_SH_INNER);
    if (flags & MOAT_CELL_MEM_READ)
        a |= pte::S2_AP_R;
    if (flags & MOAT_CELL_MEM_WRITE)
        a |= pte::S2_AP_W;
    if (!(flags & MOAT_CELL_MEM_EXEC) || (flags & MOAT_CELL_MEM_IO))
        a |= pte::S2_XN;
    return a;
}

bool cell_root_init(const moat_cell_desc &desc, PagePool &pool, unsigned ia_bits, char *err, size_t errlen)
{
    Cell &c = cells[ROOT_CELL];
    c.id = ROOT_CELL;
    mem_copy(&c.desc, &desc, sizeof(desc));
    c.s2.vmid = VMID_BASE + ROOT_CELL;
    if (c.s2.table.init(pool, ia_bits, 1) != PtError::OK) {
        format(err, errlen, "no memory for the root cell's stage-2 tables");
        return false;
    }
    for (u32 i = 0; i < desc.num_mem_regions; i++) {
        const moat_cell_mem_region &m = desc.mem_regions[i];
        if (m.virt_start + m.size > (u64{1} << ia_bits)) {
            format(err, errlen, "root cell mem_regions[%u] ends at %#lx, beyond the %u-bit address space", i,
                   static_cast<unsigned long>(m.virt_start + m.size), ia_bits);
            return false;
        }
        PtError e = c.s2.table.map(m.virt_start, m.phys_start, m.size, stage2_region_attrs(m.flags));
        if (e != PtError::OK) {
            format(err, errlen, "root cell mem_regions[%u]: cannot map (%s)", i,
                   e == PtError::NO_MEMORY ? "page pool exhausted" : "bad range");
            return false;
        }
    }
    mem_copy(c.irqs, desc.irq_bitmap, sizeof(c.irqs));
    c.num_cpus = desc.num_cpus;
    for (u32 i = 0; i < desc.num_cpus; i++)
        c.cpu_mpidr[i] = desc.cpu_mpidr[i];
    c.mmio.clear();
    const moat_cell_platform &p = desc.platform;
    if (p.gic_version == 3)
        c.mmio.add(p.gicd_base, p.gicd_size, gicd_handler, &c);
    c.state = CellState::RUNNING;
    return true;
}

}  // namespace moat::arm64
