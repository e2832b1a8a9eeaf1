// SPDX-License-Identifier: GPL-2.0
// The arm64 mechanism of cells (hv/arch_cell.hpp): stage 2 built, carved out of the root's and
// given back, GIC frames and interrupts lent and returned, memory zeroed and loaded through the
// EL2 window, CPUs powered on and kicked. Who owns what, and when, is hv/cells.cpp's.
#include "arch/cell.hpp"

#include "arch/affinity.hpp"
#include "arch/tlb.hpp"

#include "arch/cpu.hpp"
#include "arch/gic.hpp"
#include "arch/gic_regs.hpp"
#include "arch/mmu.hpp"
#include "arch/psci.hpp"
#include "arch/sysreg.h"
#include "hv/arch_cell.hpp"
#include "hv/console.hpp"
#include "hv/link.hpp"
#include "hv/spinlock.hpp"
#include "hv/string.hpp"
#include "lib/format.hpp"
#include "lib/ownership.hpp"

namespace moat::arm64 {

namespace {
CellArch arch_cells[MAX_CELLS];
constexpr u16 VMID_BASE = 1;  // cell id + 1: VMID 0 is what the kernel's stub leaves in VTTBR

MmioResult gicd_handler(void *ctx, MmioAccess &a)
{
    const Cell *c = static_cast<const Cell *>(ctx);
    GicdOwner o = c->gicd_owner();
    o.targets = gic_targets_of(c->cpu_mask);
    return gic_dist_access(o, a);
}

// Root IPA -> physical address, if the root may read (and write) that page.
bool root_phys(u64 ipa, bool write, u64 *pa)
{
    u64 attrs;
    if (!cell_arch(cell_root()).s2.table.translate(ipa, pa, &attrs))
        return false;
    if (!(attrs & pte::S2_AP_R) || (write && !(attrs & pte::S2_AP_W)))
        return false;
    return (attrs & (u64{0xf} << pte::S2_MEMATTR_SHIFT)) == pte::S2_MEMATTR_NORMAL_WB;
}

// Memory outside the hypervisor is reached through the CPU's EL2 window (mmu.hpp), never by
// mapping it where it lies: that could replace or, when unmapped, remove a mapping of the
// hypervisor's own. False when the window cannot hold the range.
bool phys_copy_in(void *dst, u64 pa, u64 size)
{
    El2Window w;
    const void *src = w.map(pa, size);
    if (!src)
        return false;
    mem_copy(dst, src, size);
    return true;
}

void clean_poc(u64 va, u64 size)
{
    u64 line = 4ull << ((read_sysreg(ctr_el0) >> 16) & 0xf);
    for (u64 p = align_down(va, line); p < va + size; p += line)
        asm volatile("dc civac, %0" : : "r"(p) : "memory");
    dsb(ish);
}

// Zero physical memory in chunks: no data of a cell may reach the root or the next cell. The
// zeros are cleaned to the point of coherency: a cell starts with its caches off and reads
// memory, and no dirty line of the previous owner may be written back over them later.
bool phys_zero(u64 pa, u64 size)
{
    for (u64 off = 0; off < size; off += EL2_WINDOW_CHUNK) {
        u64 n = size - off < EL2_WINDOW_CHUNK ? size - off : EL2_WINDOW_CHUNK;
        El2Window w;
        void *va = w.map(pa + off, n);
        if (!va)
            return false;
        mem_set(va, 0, n);
        clean_poc(reinterpret_cast<u64>(va), n);
    }
    return true;
}

int find_cpu(u64 mpidr)
{
    for (u32 i = 0; i < cpu_count(); i++) {
        PerCpu *pc = cpu_data(i);
        if (pc && same_cpu(pc->mpidr, mpidr))
            return static_cast<int>(i);
    }
    return psci_cpu_of(mpidr);
}

bool taken_from_root(const moat_cell_mem_region &m) { return region_taken_from_root(cell_root().desc, m); }

u64 io_attrs() { return stage2_region_attrs(MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE | MOAT_CELL_MEM_IO); }

// A cell's interrupts change hands: its SPIs and its CPUs' SGIs and PPIs. To the cell they come
// quiet (disabled, not pending, not active) and the root's configuration is kept; back to the
// root they go as the root had them, whatever the cell did to them meanwhile (another group, a
// low priority, left active: the root's device would never interrupt again).
// Back to the root, an SPI whose saved route could reach a CPU in `avoid` (another cell's since)
// goes to the root's CPU `to`.
void hand_over_interrupts(const Cell &c, bool to_cell, u32 avoid = 0, u32 to = 0)
{
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++)
        if (c.cpu_mask & (1u << cpu))
            to_cell ? gic_lend_cpu(cpu) : gic_return_cpu(cpu);
    if (!to_cell) {
        gic_return_spis(c.irqs, avoid, to);
        return;
    }
    int cpu = find_cpu(c.cpu_mpidr[0]);
    gic_lend_spis(c.irqs, cpu < 0 ? 0 : static_cast<u32>(cpu), c.cpu_mpidr[0]);
}

// Pages the root's tables may need to give back what a cell took: kept in reserve from create
// to destroy, so that giving back cannot fail because other cells used up the pool.
u64 return_reserve(const moat_cell_desc &d, u32 cpu_mask)
{
    u64 ranges = 0;
    for (u32 i = 0; i < d.num_mem_regions; i++)
        ranges += taken_from_root(d.mem_regions[i]);
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++) {
        GicFrame f = (cpu_mask & (1u << cpu)) ? gic_cpu_frame(cpu) : GicFrame{};
        ranges += f.size && f.exclusive;
    }
    return ranges * MAX_TABLES_PER_RANGE;
}

// What the root may do with memory a cell gives back: exactly what the root's own descriptor
// gave it there (a region taken from the root lies wholly in one root region, lib/ownership.cpp),
// never more than it had before the cell took it.
u64 root_attrs(const moat_cell_mem_region &m)
{
    const moat_cell_desc &r = cell_root().desc;
    for (u32 i = 0; i < r.num_mem_regions; i++) {
        const moat_cell_mem_region &n = r.mem_regions[i];
        if (!(n.flags & MOAT_CELL_MEM_CELL_POOL) && m.phys_start >= n.phys_start &&
            m.phys_start + m.size <= n.phys_start + n.size)
            return stage2_region_attrs(n.flags);
    }
    return stage2_region_attrs((m.flags & MOAT_CELL_MEM_IO) | MOAT_CELL_MEM_READ);  // not reached
}

// Map the first `regions` memory regions the cell took back into the root's stage 2.
void give_regions_back(const Cell &c, u32 regions)
{
    CellArch &root = cell_arch(cell_root());
    for (u32 i = 0; i < regions && i < c.desc.num_mem_regions; i++) {
        const moat_cell_mem_region &m = c.desc.mem_regions[i];
        if (taken_from_root(m) && root.s2.table.map(m.phys_start, m.phys_start, m.size, root_attrs(m)) != PtError::OK)
            log("cell \"%s\": mem_regions[%u] %#lx+%#lx could not go back to the root cell (page pool "
                "exhausted): it stays unmapped", c.desc.name, i, static_cast<unsigned long>(m.phys_start),
                static_cast<unsigned long>(m.size));
    }
}

// Give the root back what a cell took: memory and GIC frames into its stage 2, the CPUs pointed
// at it. The cell's reserve (return_reserve) is released first: these maps use it.
void return_to_root(const Cell &c)
{
    Cell &root = cell_root();
    CellArch &ra = cell_arch(root);
    page_pool().release(cell_arch(c).pool_reserve);
    cell_arch(c).pool_reserve = 0;
    give_regions_back(c, c.desc.num_mem_regions);
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++) {
        if (!(c.cpu_mask & (1u << cpu)))
            continue;
        GicFrame f = gic_cpu_frame(cpu);
        if (f.size && f.exclusive && ra.s2.table.map(f.ipa, f.pa, f.size, io_attrs()) != PtError::OK)
            log("CPU %u's GIC frame could not go back to the root cell (page pool exhausted)", cpu);
        cpu_data(cpu)->cell = &root;
    }
    tlb::guest_all_all_cpus_sync();
}

// Each link endpoint of the cell: its doorbell register page trapped (an emulated device), its
// state page (a page of the hypervisor's that holds nothing else) mapped read-only, never
// executable. False if the pool ran out or the map is full.
bool add_links(Cell &c)
{
    CellArch &a = cell_arch(c);
    for (u32 i = 0; i < c.desc.links.num_links && i < MOAT_CELL_MAX_LINKS; i++) {
        const moat_cell_link &l = c.desc.links.link[i];
        if (!a.mmio.add(l.regs_ipa, MOAT_LINK_STATE_OFFSET, link_regs_handler, link_regs_ctx(c, i)))
            return false;
        u64 page = reinterpret_cast<u64>(link_state_page(c.id, i));  // identity-mapped image
        if (a.s2.table.map(l.regs_ipa + MOAT_LINK_STATE_OFFSET, page, MOAT_LINK_STATE_OFFSET,
                           stage2_region_attrs(MOAT_CELL_MEM_READ)) != PtError::OK)
            return false;
    }
    return true;
}

// A cell with console = "ring": its slot's ring page (the hypervisor's, holding nothing else)
// read-write at the IPA its descriptor names, normal cacheable memory, never executable. The
// validator made sure no region and no link page of the cell covers that page; anything else
// mapped there (its GIC frame, say) the cell would only take away from itself.
bool add_console_ring(Cell &c)
{
    if (c.desc.console.type != MOAT_CELL_CONSOLE_RING)
        return true;
    u64 page = reinterpret_cast<u64>(cell_console_ring(c.id));  // identity-mapped image
    return cell_arch(c).s2.table.map(c.desc.console.base, page, MOAT_CELL_PAGE_SIZE,
                                     stage2_region_attrs(MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE)) == PtError::OK;
}

}  // namespace

CellArch &cell_arch(const Cell &c) { return arch_cells[c.id]; }

// Break-before-make without the make: entries invalid, the writes visible to the table walkers,
// then TLB and walk caches of the cell's VMID invalidated on every CPU (broadcast, completed).
// The entry count was checked at create, so the revoke cannot be refused.
void revoke_stage2(CellArch &a)
{
    if (a.revoked.active || !stage2_revoke_root(a.s2.table, a.revoked))
        return;
    stage2_flush_vmid(a.s2);  // dsb ishst; tlbi vmalls12e1is under the cell's VMID; dsb ish
}

void restore_stage2(CellArch &a)
{
    stage2_restore_root(a.s2.table, a.revoked);
    dsb(ishst);
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
    if (!cells_init_root(desc, err, errlen))
        return false;
    Cell &c = cell_root();
    CellArch &a = cell_arch(c);
    a.s2.vmid = VMID_BASE + ROOT_CELL;
    if (a.s2.table.init(pool, ia_bits, STAGE2_START_LEVEL) != PtError::OK) {
        format(err, errlen, "no memory for the root cell's stage-2 tables");
        return false;
    }
    for (u32 i = 0; i < desc.num_mem_regions; i++) {
        const moat_cell_mem_region &m = desc.mem_regions[i];
        if (m.flags & MOAT_CELL_MEM_CELL_POOL)
            continue;  // kept from the root for cells
        if (m.virt_start + m.size > (u64{1} << ia_bits)) {
            format(err, errlen, "root cell mem_regions[%u] ends at %#lx, beyond the %u-bit address space", i,
                   static_cast<unsigned long>(m.virt_start + m.size), ia_bits);
            return false;
        }
        PtError e = a.s2.table.map(m.virt_start, m.phys_start, m.size, stage2_region_attrs(m.flags));
        if (e != PtError::OK) {
            format(err, errlen, "root cell mem_regions[%u]: cannot map (%s)", i,
                   e == PtError::NO_MEMORY ? "page pool exhausted" : "bad range");
            return false;
        }
    }
    // From now on other CPUs of the root walk these tables while cells are carved out of them.
    a.s2.table.set_break_hook(stage2_break_root);
    a.mmio.clear();
    const moat_cell_platform &p = desc.platform;
    if (gic_enabled()) {
        a.mmio.add(p.gicd_base, p.gicd_size, gicd_handler, &c);
        // Frames of CPUs lent to cells: a CPU coming back to Linux walks all of them.
        gic_add_cell_mmio(a.mmio, 0);
    }
    if (!add_links(c)) {
        format(err, errlen, "root cell links: cannot map the doorbell pages (page pool exhausted)");
        return false;
    }
    links_publish(false);  // the root's state pages, cleared as they were mapped
    return true;
}

}  // namespace moat::arm64

// hv/arch_cell.hpp, for hv/cells.cpp.
namespace moat {
using namespace moat::arm64;

namespace {
// The cell's stage 2 with its memory, its emulated distributor and the GIC's per-CPU frames
// (v3 redistributors, the cell's CPUs' own; v2 the virtual CPU interface at the GICC address,
// banked: one mapping serves every CPU). False if the pool ran out.
bool build_address_space(Cell &c)
{
    CellArch &a = cell_arch(c);
    const moat_cell_desc &d = c.desc;
    const moat_cell_platform &p = cell_root().desc.platform;
    bool ok = true;
    for (u32 i = 0; i < d.num_mem_regions && ok; i++) {
        const moat_cell_mem_region &m = d.mem_regions[i];
        ok = a.s2.table.map(m.virt_start, m.phys_start, m.size, stage2_region_attrs(m.flags)) == PtError::OK;
    }
    a.mmio.clear();
    a.mmio.add(p.gicd_base, p.gicd_size, gicd_handler, &c);
    gic_add_cell_mmio(a.mmio, c.cpu_mask);
    bool shared_frame_mapped = false;
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS && ok; cpu++) {
        if (!(c.cpu_mask & (1u << cpu)))
            continue;
        GicFrame f = gic_cpu_frame(cpu, c.direct_irq());
        if (f.size <= f.trapped || (!f.exclusive && shared_frame_mapped))
            continue;
        ok = a.s2.table.map(f.ipa + f.trapped, f.pa + f.trapped, f.size - f.trapped, io_attrs()) == PtError::OK;
        shared_frame_mapped |= !f.exclusive;
    }
    return ok && add_links(c) && add_console_ring(c);
}

// Take the cell's memory and GIC frames from the root, make every CPU forget them, and zero what
// the cell keeps to itself. False, with everything given back, if any step fails.
bool take_from_root(Cell &c)
{
    const moat_cell_desc &d = c.desc;
    CellArch &root = cell_arch(cell_root());
    bool ok = true;
    u32 taken = 0;
    for (; taken < d.num_mem_regions && ok; taken++) {
        const moat_cell_mem_region &m = d.mem_regions[taken];
        if (taken_from_root(m))
            ok = root.s2.table.unmap(m.phys_start, m.size) == PtError::OK;
    }
    u32 frames_taken = 0;
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS && ok; cpu++) {
        GicFrame f = (c.cpu_mask & (1u << cpu)) ? gic_cpu_frame(cpu) : GicFrame{};
        if (f.size && f.exclusive && (ok = root.s2.table.unmap(f.ipa, f.size) == PtError::OK))
            frames_taken |= 1u << cpu;
    }
    tlb::guest_all_all_cpus_sync();
    // Nothing of a previous user of this memory may be visible to the new cell.
    for (u32 i = 0; i < d.num_mem_regions && ok; i++) {
        const moat_cell_mem_region &m = d.mem_regions[i];
        if (!(m.flags & (MOAT_CELL_MEM_IO | MOAT_CELL_MEM_SHARED | MOAT_CELL_MEM_ROOT_SHARED)))
            ok = phys_zero(m.phys_start, m.size);
    }
    if (ok)
        return true;
    page_pool().release(cell_arch(c).pool_reserve);
    cell_arch(c).pool_reserve = 0;
    give_regions_back(c, taken);
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++) {
        GicFrame f = (frames_taken & (1u << cpu)) ? gic_cpu_frame(cpu) : GicFrame{};
        if (f.size)
            root.s2.table.map(f.ipa, f.pa, f.size, io_attrs());
    }
    tlb::guest_all_all_cpus_sync();
    return false;
}
}  // namespace

const char *arch_cells_unsupported()
{
    return gic_enabled() ? nullptr
                         : "the hypervisor drives no GIC on this board (GICv2 or GICv3 in the root descriptor): "
                           "no interrupts for cells";
}

int arch_cpu_of(u64 mpidr) { return find_cpu(mpidr); }
u64 arch_cpu_mpidr(u32 cpu) { return cpu_data(cpu)->mpidr; }
u32 arch_cpu_current() { return this_cpu().id; }
bool arch_cpu_powered(u32 cpu) { return psci_cpu_power(cpu) != CpuPower::OFF; }
bool arch_cpu_firmware_off(u32 cpu) { return psci_firmware_cpu_is_off(cpu_data(cpu)->mpidr); }
bool arch_cpus_take_if_off(u32 mask, void (*take)(u32 cpu), u32 *busy) { return psci_take_if_off(mask, take, busy); }
bool arch_root_phys(u64 ipa, bool write, u64 *pa) { return root_phys(ipa, write, pa); }
bool arch_copy_from_phys(void *dst, u64 pa, u64 size) { return phys_copy_in(dst, pa, size); }

void arch_report_error(u64 root_ipa, const char *msg)
{
    u64 pa;
    if (!root_phys(root_ipa, true, &pa) || align_down(pa, PAGE_SIZE) != align_down(pa + MOAT_HC_ERROR_LEN - 1, PAGE_SIZE))
        return;
    El2Window w;
    char *dst = static_cast<char *>(w.map(pa, MOAT_HC_ERROR_LEN));
    if (!dst)
        return;
    size_t i = 0;
    for (; msg[i] && i + 1 < MOAT_HC_ERROR_LEN; i++)
        dst[i] = msg[i];
    dst[i] = '\0';
}

bool arch_root_maps(u64 ipa, bool write, bool exec)
{
    u64 pa, attrs;
    if (!cell_arch(cell_root()).s2.table.translate(ipa, &pa, &attrs))
        return false;
    // Only what the access may now do: retrying a denied one would loop for ever.
    if (exec)
        return !(attrs & pte::S2_XN);
    return attrs & (write ? pte::S2_AP_W : pte::S2_AP_R);
}

s64 arch_cell_create(Cell &c, char *err, size_t errlen)
{
    PagePool &pool = page_pool();
    CellArch &a = cell_arch(c);
    a.s2.vmid = static_cast<u16>(VMID_BASE + c.id);
    a.pool_reserve = 0;
    a.revoked.count = 0;
    a.revoked.active = false;
    if (a.s2.table.init(pool, cell_arch(cell_root()).s2.table.ia_bits(), STAGE2_START_LEVEL) != PtError::OK) {
        format(err, errlen, "hypervisor page pool exhausted (%lu of %lu pages free): destroy a cell first",
               static_cast<unsigned long>(pool.free_pages()), static_cast<unsigned long>(pool.total_pages()));
        return MOAT_HC_DENIED;
    }
    bool ok = build_address_space(c);
    // What taking from the root may allocate, and what giving it back at destroy may: both must
    // be there before anything is taken.
    u64 reserve = return_reserve(c.desc, c.cpu_mask);
    if (ok && (pool.free_pages() < 2 * reserve || !pool.reserve(reserve)))
        ok = false;
    if (!ok) {
        a.s2.table.destroy();
        format(err, errlen, "hypervisor page pool exhausted: the cell's tables and %lu pages to give its memory back "
               "need more than the %lu free; destroy a cell, or give IPAs the offset in 2 MiB of the physical address",
               static_cast<unsigned long>(reserve), static_cast<unsigned long>(pool.free_pages()));
        return MOAT_HC_DENIED;
    }
    if (c.direct_irq() && stage2_live_root_entries(a.s2.table) > STAGE2_REVOKE_MAX) {
        a.s2.table.destroy();
        format(err, errlen, "cell \"%s\": its memory spreads over %u stage-2 root entries (1 GiB each); a cell with "
               "direct interrupt delivery may use at most %u (they are taken away to stop it): bring its IPAs closer "
               "together", c.desc.name, stage2_live_root_entries(a.s2.table), STAGE2_REVOKE_MAX);
        return MOAT_HC_DENIED;
    }
    a.pool_reserve = reserve;
    if (!take_from_root(c)) {
        a.s2.table.destroy();
        format(err, errlen, "taking the cell's memory from the root cell failed (hypervisor page pool exhausted or "
               "memory it cannot map); nothing was changed");
        return MOAT_HC_DENIED;
    }
    return MOAT_HC_OK;
}

void arch_cell_hand_over(Cell &c)
{
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++)
        if (c.cpu_mask & (1u << cpu))
            cpu_data(cpu)->cell = &c;
    hand_over_interrupts(c, true);
}

u32 arch_route_spis_off(const u32 *irqs, u32 cpus, u32 to) { return gic_route_spis_off(irqs, cpus, to); }

bool arch_cell_destroy(Cell &c, u32 avoid, u32 route_to, char *err, size_t errlen)
{
    for (u32 i = 0; i < c.desc.num_mem_regions; i++) {
        const moat_cell_mem_region &m = c.desc.mem_regions[i];
        // Regions were checked at create: the window maps every one of them.
        if (!(m.flags & (MOAT_CELL_MEM_IO | MOAT_CELL_MEM_SHARED | MOAT_CELL_MEM_ROOT_SHARED)) &&
            !phys_zero(m.phys_start, m.size)) {
            format(err, errlen, "cell \"%s\": mem_regions[%u] cannot be mapped to zero it; it stays with the cell",
                   c.desc.name, i);
            return false;
        }
    }
    hand_over_interrupts(c, false, avoid, route_to);
    // The next cell in this slot gets the same VMID, and the table pages go back to the pool:
    // no CPU may keep a translation of this cell's.
    CellArch &a = cell_arch(c);
    restore_stage2(a);  // the tables a stop took away are freed with the rest
    stage2_flush_vmid(a.s2);
    a.s2.table.destroy();
    return_to_root(c);
    return true;
}

bool arch_cell_load(u64 dst, u64 src, u64 size)
{
    El2Window w;
    const void *from = w.map(src, size);
    void *to = w.map(dst, size);
    if (!from || !to)
        return false;
    mem_copy(to, from, size);
    clean_poc(reinterpret_cast<u64>(to), size);  // the cell starts with its MMU and caches off
    // ... and turns its instruction cache on later: no line of what a previous cell ran from
    // these addresses may survive in any CPU's instruction cache.
    asm volatile("ic ialluis\n dsb ish\n isb" ::: "memory");
    return true;
}

void arch_cpu_prepare(u32 cpu, u64 entry, u64 x0)
{
    PerCpu *pc = cpu_data(cpu);
    // A cell stopped by taking its stage 2 away starts again with it (none of its CPUs is on).
    restore_stage2(cell_arch(*pc->cell));
    pc->on_entry = entry;
    pc->on_context = x0;
    pc->stop_request = 0;
}

s64 arch_cpu_power_on(u32 cpu) { return psci_power_on(cpu); }

// The management SGI takes the CPU to EL2, which sees stop_request (hv_trap_irq). A cell with
// direct delivery takes that SGI itself, at EL1, if at all (it may mask it, or sit in an
// interrupt it never ends): its stage 2 is taken away first, so that its next instruction fetch
// faults to EL2 (handle_abort parks it); the SGI still wakes a CPU waiting in WFI.
void arch_cpu_kick(u32 cpu)
{
    PerCpu *pc = cpu_data(cpu);
    pc->stop_request = 1;
    pc->stop_started = read_sysreg(cntpct_el0);
    dsb(ish);
    if (pc->cell->direct_irq())
        revoke_stage2(cell_arch(*pc->cell));
    gic_kick(cpu, pc->mpidr);
    // A cell waiting in WFE (not trapped) wakes on an event: its next fetch faults.
    if (pc->cell->direct_irq())
        asm volatile("sev" ::: "memory");
}

void arch_cpu_stop_on_return(u32 cpu) { cpu_data(cpu)->stop_request = 1; }
void arch_cpu_clear_stop(u32 cpu)
{
    cpu_data(cpu)->stop_request = 0;
    cpu_data(cpu)->stop_started = 0;
}
void arch_cpu_send_sgi(u32 cpu, u32 sgi) { gic_send_sgi_to(cpu, cpu_data(cpu)->mpidr, sgi); }

void arch_link_doorbell(u32 intid)
{
    // GICD_ISPENDR is at the same offset in GICv2 and GICv3; the receiver owns the SPI, routed
    // and enabled as it chose. A doorbell rung before it enabled it waits, pending.
    u64 reg = cell_root().desc.platform.gicd_base + gicd::ISPENDR + (intid / 32) * 4;
    *reinterpret_cast<volatile u32 *>(reg) = 1u << (intid % 32);
}

bool arch_link_doorbell_pending(u32 intid)
{
    u64 reg = cell_root().desc.platform.gicd_base + gicd::ISPENDR + (intid / 32) * 4;
    return (*reinterpret_cast<volatile u32 *>(reg) >> (intid % 32)) & 1;
}

u64 arch_time_us()
{
    // The counter may be read out of order, before the cells lock the caller holds was taken:
    // the doorbell budget wants the time of the ring, not of the wait for the lock.
    isb();
    u64 ticks = read_sysreg(cntpct_el0), hz = read_sysreg(cntfrq_el0);
    if (!hz)
        return 0;  // no frequency: one endless window (the budget still bounds a storm)
    return ticks / hz * 1000000 + ticks % hz * 1000000 / hz;
}

bool arch_zero_phys(u64 pa, u64 size) { return phys_zero(pa, size); }

void arch_clean_to_poc(const void *va, u64 size) { clean_poc(reinterpret_cast<u64>(va), size); }

}  // namespace moat
