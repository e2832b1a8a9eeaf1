// SPDX-License-Identifier: GPL-2.0
// Cells: the root cell from its descriptor, and other cells carved out of it and given back.
#include "arch/cell.hpp"

#include "arch/cpu.hpp"
#include "arch/gic.hpp"
#include "arch/mmu.hpp"
#include "arch/psci.hpp"
#include "arch/sysreg.h"
#include "hv/cell_validate.hpp"
#include "hv/console.hpp"
#include "hv/format.hpp"
#include "hv/ownership.hpp"
#include "hv/spinlock.hpp"
#include "hv/stats.hpp"
#include "hv/string.hpp"

namespace moat::arm64 {

namespace {
Cell cells[MAX_CELLS];
// Cell management runs on root CPUs, one request at a time.
SpinLock cells_lock;
// A root CPU has left the hypervisor (MOAT_HC_DISABLE): no cell may be created any more, its
// memory would be open to that CPU. Cleared by the next enable, which loads a fresh image.
bool leaving;
constexpr u16 VMID_BASE = 1;  // cell id + 1: VMID 0 is what the kernel's stub leaves in VTTBR
constexpr u32 SPI_FIRST = 32, INTID_LIMIT = 1020;

MmioResult gicd_handler(void *ctx, MmioAccess &a)
{
    const Cell *c = static_cast<const Cell *>(ctx);
    GicdOwner o = c->gicd_owner();
    o.targets = gic_targets_of(c->cpu_mask);
    return gic_dist_access(o, a);
}

bool irq_owned(const u32 *bits, u32 intid) { return (bits[intid / 32] >> (intid % 32)) & 1; }

// Root IPA -> physical address, if the root may read (and write) that page.
bool root_phys(u64 ipa, bool write, u64 *pa)
{
    u64 attrs;
    if (!cell_root().s2.table.translate(ipa, pa, &attrs))
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
        if (pc && (pc->mpidr & MPIDR_AFFINITY_MASK) == (mpidr & MPIDR_AFFINITY_MASK))
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
void hand_over_interrupts(const Cell &c, bool to_cell)
{
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++)
        if (c.cpu_mask & (1u << cpu))
            to_cell ? gic_lend_cpu(cpu) : gic_return_cpu(cpu);
    if (!to_cell) {
        gic_return_spis(c.irqs);
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
// gave it there (a region taken from the root lies wholly in one root region, hv/ownership.cpp),
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
    Cell &root = cell_root();
    for (u32 i = 0; i < regions && i < c.desc.num_mem_regions; i++) {
        const moat_cell_mem_region &m = c.desc.mem_regions[i];
        if (taken_from_root(m) && root.s2.table.map(m.phys_start, m.phys_start, m.size, root_attrs(m)) != PtError::OK)
            log("cell \"%s\": mem_regions[%u] %#lx+%#lx could not go back to the root cell (page pool "
                "exhausted): it stays unmapped", c.desc.name, i, static_cast<unsigned long>(m.phys_start),
                static_cast<unsigned long>(m.size));
    }
}

// Give the root back what a cell took (also used to undo a half-done create). The cell's
// reserve (return_reserve) is released first: these maps use it.
void return_to_root(Cell &c)
{
    Cell &root = cell_root();
    page_pool().release(c.pool_reserve);
    c.pool_reserve = 0;
    give_regions_back(c, c.desc.num_mem_regions);
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++) {
        if (!(c.cpu_mask & (1u << cpu)))
            continue;
        GicFrame f = gic_cpu_frame(cpu);
        if (f.size && f.exclusive && root.s2.table.map(f.ipa, f.pa, f.size, io_attrs()) != PtError::OK)
            log("CPU %u's GIC frame could not go back to the root cell (page pool exhausted)", cpu);
        root.cpu_mask |= 1u << cpu;
        root.cpu_mpidr[root.num_cpus++] = cpu_data(cpu)->mpidr;
        cpu_data(cpu)->cell = &root;
    }
    for (u32 w = 0; w < MOAT_CELL_IRQ_WORDS; w++)
        root.irqs[w] |= c.irqs[w];
    asm volatile("dsb ishst\n tlbi vmalls12e1is\n dsb ish\n isb" ::: "memory");
}

void take_cpu_from_root(u32 cpu)
{
    Cell &root = cell_root();
    u64 mpidr = cpu_data(cpu)->mpidr;
    root.cpu_mask &= ~(1u << cpu);
    for (u32 i = 0; i < root.num_cpus; i++) {
        if (root.cpu_mpidr[i] == mpidr) {
            root.cpu_mpidr[i] = root.cpu_mpidr[--root.num_cpus];
            break;
        }
    }
}

// Ask the CPUs in `mask`, except `self`, to park: the management SGI takes each to EL2, which
// sees stop_request (hv_trap_irq). Called under the cell's cpu_lock: a CPU is kicked only while
// it is on, and clears its request itself when it parks.
void kick_cpus(u32 mask, u32 self)
{
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++) {
        if (cpu == self || !(mask & (1u << cpu)))
            continue;
        cpu_data(cpu)->stop_request = 1;
        dsb(ish);
        gic_kick(cpu, cpu_data(cpu)->mpidr);
    }
}

void log_shut_down(const Cell &c) { log("cell \"%s\" shut down", c.desc.name); }

// Ask the firmware about the cell's CPUs that left it: those it reports off are the cell's no
// longer (caller holds c.cpu_lock).
void confirm_parked_locked(Cell &c)
{
    u32 parking = c.cpus.mask(CellCpus::Cpu::PARKING);
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++)
        if ((parking & (1u << cpu)) && psci_firmware_cpu_is_off(cpu_data(cpu)->mpidr) && c.cpus.off_confirmed(cpu))
            log_shut_down(c);
}

void confirm_parked(Cell &c)
{
    LockGuard g(c.cpu_lock);
    confirm_parked_locked(c);
}

s64 fail(char *err, size_t errlen, s64 status, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
s64 fail(char *err, size_t errlen, s64 status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    format_v(err, errlen, fmt, ap);
    va_end(ap);
    return status;
}

const char *name_of(const Cell &c) { return c.desc.name; }

Cell *find_free()
{
    for (u32 i = 1; i < MAX_CELLS; i++)
        if (cells[i].state == CellState::FREE)
            return &cells[i];
    return nullptr;
}
}  // namespace

Cell &cell_root() { return cells[ROOT_CELL]; }

Cell *cell_get(u32 id)
{
    return id < MAX_CELLS && cells[id].state != CellState::FREE ? &cells[id] : nullptr;
}

Cell *cell_of_cpu(u32 cpu)
{
    PerCpu *pc = cpu_data(cpu);
    return pc ? pc->cell : nullptr;
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
    // Cells are carved out of the root by physical address: it must see its memory there.
    if (!root_layout_check(desc, err, errlen))
        return false;
    if (c.s2.table.init(pool, ia_bits, STAGE2_START_LEVEL) != PtError::OK) {
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
        PtError e = c.s2.table.map(m.virt_start, m.phys_start, m.size, stage2_region_attrs(m.flags));
        if (e != PtError::OK) {
            format(err, errlen, "root cell mem_regions[%u]: cannot map (%s)", i,
                   e == PtError::NO_MEMORY ? "page pool exhausted" : "bad range");
            return false;
        }
    }
    // From now on other CPUs of the root walk these tables while cells are carved out of them.
    c.s2.table.set_break_hook(stage2_break_root);
    mem_copy(c.irqs, desc.irq_bitmap, sizeof(c.irqs));
    c.num_cpus = 0;
    c.cpu_mask = 0;
    for (u32 i = 0; i < desc.num_cpus; i++) {
        c.cpu_mpidr[c.num_cpus++] = desc.cpu_mpidr[i];
        int cpu = psci_cpu_of(desc.cpu_mpidr[i]);
        if (cpu >= 0)
            c.cpu_mask |= 1u << cpu;
    }
    c.mmio.clear();
    const moat_cell_platform &p = desc.platform;
    if (gic_enabled()) {
        c.mmio.add(p.gicd_base, p.gicd_size, gicd_handler, &c);
        // Frames of CPUs lent to cells: a CPU coming back to Linux walks all of them.
        gic_add_cell_mmio(c.mmio, 0);
    }
    c.state = CellState::RUNNING;
    return true;
}

bool cell_root_maps(u64 ipa, bool write, bool exec)
{
    // Cell create and destroy change the root's tables under this lock (break-before-make
    // included): once it is free, the root's stage 2 is whole again.
    LockGuard guard(cells_lock);
    u64 pa, attrs;
    if (!cell_root().s2.table.translate(ipa, &pa, &attrs))
        return false;
    // Only what the access may now do: retrying a denied one would loop for ever.
    if (exec)
        return !(attrs & pte::S2_XN);
    return attrs & (write ? pte::S2_AP_W : pte::S2_AP_R);
}

void cell_report_error(u64 root_ipa, const char *msg)
{
    // Under the cells lock, like every other look at the root's stage 2: another root CPU's
    // create could otherwise take this page for a cell between the look and the write (and the
    // write would land in the cell's memory), or free the table pages the look walks.
    LockGuard guard(cells_lock);
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

s64 cell_create(u64 desc_ipa, u64 size, u64 *id, char *err, size_t errlen)
{
    LockGuard guard(cells_lock);
    u64 pa;
    if (leaving)
        return fail(err, errlen, MOAT_HC_DENIED, "the hypervisor is being disabled (a CPU has left it): "
                    "enable it again to create cells");
    if (!gic_enabled())
        return fail(err, errlen, MOAT_HC_DENIED, "the hypervisor drives no GIC on this board (GICv2 or GICv3 "
                    "in the root descriptor): no interrupts for cells");
    if (size != sizeof(moat_cell_desc) || align_down(desc_ipa, PAGE_SIZE) != align_down(desc_ipa + size - 1, PAGE_SIZE))
        return fail(err, errlen, MOAT_HC_INVALID, "descriptor must be %zu bytes within one page",
                    sizeof(moat_cell_desc));
    if (!root_phys(desc_ipa, false, &pa))
        return fail(err, errlen, MOAT_HC_DENIED, "descriptor at %#lx is not in the root cell's RAM",
                    static_cast<unsigned long>(desc_ipa));
    Cell *c = find_free();
    if (!c)
        return fail(err, errlen, MOAT_HC_DENIED, "all %u cell slots are in use", MAX_CELLS - 1);
    // Copy first, check the copy: the root could change its buffer while we look at it.
    if (!phys_copy_in(&c->desc, pa, size))
        return fail(err, errlen, MOAT_HC_DENIED, "descriptor at %#lx: the hypervisor cannot map it",
                    static_cast<unsigned long>(desc_ipa));
    const moat_cell_desc &d = c->desc;
    char why[160];
    if (!cell_validate(&d, size, why, sizeof(why)))
        return fail(err, errlen, MOAT_HC_INVALID, "invalid descriptor: %s", why);
    if (d.flags & MOAT_CELL_FLAG_ROOT)
        return fail(err, errlen, MOAT_HC_INVALID, "a root cell descriptor cannot be created as a cell");
    for (u32 i = 1; i < MAX_CELLS; i++)
        if (cells[i].state != CellState::FREE && mem_compare(cells[i].desc.name, d.name, MOAT_CELL_NAME_LEN) == 0)
            return fail(err, errlen, MOAT_HC_DENIED, "a cell named \"%s\" exists already", d.name);

    Cell &root = cell_root();
    u32 mask = 0;
    for (u32 i = 0; i < d.num_cpus; i++) {
        int cpu = find_cpu(d.cpu_mpidr[i]);
        if (cpu < 0)
            return fail(err, errlen, MOAT_HC_INVALID, "CPU with MPIDR %#lx does not exist",
                        static_cast<unsigned long>(d.cpu_mpidr[i]));
        if (!(root.cpu_mask & (1u << cpu)))
            return fail(err, errlen, MOAT_HC_DENIED, "CPU %d belongs to another cell", cpu);
        if (psci_cpu_power(static_cast<u32>(cpu)) != CpuPower::OFF)
            return fail(err, errlen, MOAT_HC_DENIED,
                        "CPU %d is still online in the root cell: take it offline first", cpu);
        mask |= 1u << cpu;
    }
    if (mask == root.cpu_mask)
        return fail(err, errlen, MOAT_HC_DENIED, "the root cell would have no CPU left");
    const moat_cell_desc *others[MAX_CELLS];
    size_t num_others = 0;
    for (u32 j = 1; j < MAX_CELLS; j++)
        if (cells[j].state != CellState::FREE && &cells[j] != c)
            others[num_others++] = &cells[j].desc;
    if (!ownership_check(root.desc, others, num_others, d, err, errlen))
        return MOAT_HC_DENIED;
    for (u32 intid = SPI_FIRST; intid < INTID_LIMIT; intid++)
        if (irq_owned(d.irq_bitmap, intid) && !irq_owned(root.irqs, intid))
            return fail(err, errlen, MOAT_HC_DENIED, "interrupt %u is not the root cell's to give", intid);

    // Build the cell's address space.
    PagePool &pool = page_pool();
    c->id = static_cast<u32>(c - cells);
    c->s2.vmid = static_cast<u16>(VMID_BASE + c->id);
    c->pool_reserve = 0;
    if (c->s2.table.init(pool, cell_root().s2.table.ia_bits(), STAGE2_START_LEVEL) != PtError::OK)
        return fail(err, errlen, MOAT_HC_DENIED, "hypervisor page pool exhausted (%lu of %lu pages free): "
                    "destroy a cell first", static_cast<unsigned long>(pool.free_pages()),
                    static_cast<unsigned long>(pool.total_pages()));
    const moat_cell_platform &p = root.desc.platform;
    bool ok = true;
    for (u32 i = 0; i < d.num_mem_regions && ok; i++) {
        const moat_cell_mem_region &m = d.mem_regions[i];
        ok = c->s2.table.map(m.virt_start, m.phys_start, m.size, stage2_region_attrs(m.flags)) == PtError::OK;
    }
    c->mmio.clear();
    c->mmio.add(p.gicd_base, p.gicd_size, gicd_handler, c);
    gic_add_cell_mmio(c->mmio, mask);
    // The GIC's per-CPU frames: v3 redistributors (the cell's CPUs' own), v2 the virtual CPU
    // interface at the GICC address (banked: one mapping serves every CPU).
    bool shared_frame_mapped = false;
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS && ok; cpu++) {
        if (!(mask & (1u << cpu)))
            continue;
        GicFrame f = gic_cpu_frame(cpu);
        if (f.size <= f.trapped || (!f.exclusive && shared_frame_mapped))
            continue;
        ok = c->s2.table.map(f.ipa + f.trapped, f.pa + f.trapped, f.size - f.trapped, io_attrs()) == PtError::OK;
        shared_frame_mapped |= !f.exclusive;
    }
    // What taking from the root may allocate, and what giving it back at destroy may: both must
    // be there before anything is taken.
    u64 reserve = return_reserve(d, mask);
    if (ok && (pool.free_pages() < 2 * reserve || !pool.reserve(reserve)))
        ok = false;
    if (!ok) {
        c->s2.table.destroy();
        return fail(err, errlen, MOAT_HC_DENIED,
                    "hypervisor page pool exhausted: the cell's tables and %lu pages to give its memory back need "
                    "more than the %lu free; destroy a cell, or give IPAs the offset in 2 MiB of the physical address",
                    static_cast<unsigned long>(reserve), static_cast<unsigned long>(pool.free_pages()));
    }
    c->pool_reserve = reserve;

    // Take the memory and the GIC frames from the root, then make every CPU forget them.
    u32 taken = 0;
    for (; taken < d.num_mem_regions && ok; taken++) {
        const moat_cell_mem_region &m = d.mem_regions[taken];
        if (taken_from_root(m))
            ok = root.s2.table.unmap(m.phys_start, m.size) == PtError::OK;
    }
    u32 frames_taken = 0;
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS && ok; cpu++) {
        GicFrame f = (mask & (1u << cpu)) ? gic_cpu_frame(cpu) : GicFrame{};
        if (f.size && f.exclusive && (ok = root.s2.table.unmap(f.ipa, f.size) == PtError::OK))
            frames_taken |= 1u << cpu;
    }
    asm volatile("dsb ishst\n tlbi vmalls12e1is\n dsb ish\n isb" ::: "memory");
    // Nothing of a previous user of this memory may be visible to the new cell.
    for (u32 i = 0; i < d.num_mem_regions && ok; i++) {
        const moat_cell_mem_region &m = d.mem_regions[i];
        if (!(m.flags & (MOAT_CELL_MEM_IO | MOAT_CELL_MEM_SHARED | MOAT_CELL_MEM_ROOT_SHARED)))
            ok = phys_zero(m.phys_start, m.size);
    }
    // The CPUs were off at the check above, but a root CPU may have powered one on since with
    // PSCI CPU_ON, which decides on the root's CPU mask under the PSCI state lock: check again
    // and take them out of that mask in one step under that lock. Otherwise the root's code
    // would run on a CPU the hypervisor counts as the cell's (and talk, CPU_ON and resume as
    // the cell).
    u32 busy = MOAT_MAX_CPUS;
    if (ok && !psci_take_if_off(mask, take_cpu_from_root, &busy))
        ok = false;
    if (!ok) {
        pool.release(c->pool_reserve);
        c->pool_reserve = 0;
        give_regions_back(*c, taken);
        for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++) {
            GicFrame f = (frames_taken & (1u << cpu)) ? gic_cpu_frame(cpu) : GicFrame{};
            if (f.size)
                root.s2.table.map(f.ipa, f.pa, f.size, io_attrs());
        }
        asm volatile("dsb ishst\n tlbi vmalls12e1is\n dsb ish\n isb" ::: "memory");
        c->s2.table.destroy();
        if (busy < MOAT_MAX_CPUS)
            return fail(err, errlen, MOAT_HC_DENIED, "CPU %u was powered on in the root cell while the cell was "
                        "being created (PSCI CPU_ON from the root): take it offline and create the cell again; "
                        "nothing was changed", busy);
        return fail(err, errlen, MOAT_HC_DENIED, "taking the cell's memory from the root cell failed (hypervisor "
                    "page pool exhausted or memory it cannot map); nothing was changed");
    }

    c->num_cpus = 0;
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++) {
        if (!(mask & (1u << cpu)))
            continue;  // taken from the root's mask above (psci_take_if_off)
        c->cpu_mpidr[c->num_cpus++] = cpu_data(cpu)->mpidr;
        cpu_data(cpu)->cell = c;
    }
    c->cpu_mask = mask;
    c->cpus.reset(mask);
    c->console.reset();
    mem_copy(c->irqs, d.irq_bitmap, sizeof(c->irqs));
    for (u32 w = 0; w < MOAT_CELL_IRQ_WORDS; w++)
        root.irqs[w] &= ~d.irq_bitmap[w];
    hand_over_interrupts(*c, true);
    c->state = CellState::STOPPED;
    *id = c->id;
    log("cell \"%s\" created: id %u, CPUs %#x, %u memory regions", d.name, c->id, mask, d.num_mem_regions);
    return MOAT_HC_OK;
}

s64 cell_load(u32 id, u64 src_ipa, u64 dst_ipa, u64 size, char *err, size_t errlen)
{
    LockGuard guard(cells_lock);
    Cell *c = cell_get(id);
    if (!c || c->is_root())
        return fail(err, errlen, MOAT_HC_INVALID, "no cell with id %u", id);
    confirm_parked(*c);
    bool quiet;
    {
        LockGuard g(c->cpu_lock);
        quiet = c->cpus.quiescent();
    }
    if (!quiet)
        return fail(err, errlen, MOAT_HC_DENIED, "cell \"%s\" is running: shut it down before loading",
                    name_of(*c));
    if (size == 0 || size > PAGE_SIZE || align_down(src_ipa, PAGE_SIZE) != align_down(src_ipa + size - 1, PAGE_SIZE))
        return fail(err, errlen, MOAT_HC_INVALID, "load chunks are 1..4096 bytes within one root page");
    u64 src;
    if (!root_phys(src_ipa, false, &src))
        return fail(err, errlen, MOAT_HC_DENIED, "source %#lx is not in the root cell's RAM",
                    static_cast<unsigned long>(src_ipa));
    for (u32 i = 0; i < c->desc.num_mem_regions; i++) {
        const moat_cell_mem_region &m = c->desc.mem_regions[i];
        if (!(m.flags & MOAT_CELL_MEM_LOADABLE) || dst_ipa < m.virt_start || dst_ipa + size < dst_ipa ||
            dst_ipa + size > m.virt_start + m.size)
            continue;
        u64 dst = m.phys_start + (dst_ipa - m.virt_start);
        El2Window w;
        const void *from = w.map(src, size);
        void *to = w.map(dst, size);
        if (!from || !to)
            return fail(err, errlen, MOAT_HC_DENIED, "the hypervisor cannot map %#lx+%#lx of cell \"%s\" to load it",
                        static_cast<unsigned long>(dst), static_cast<unsigned long>(size), name_of(*c));
        mem_copy(to, from, size);
        clean_poc(reinterpret_cast<u64>(to), size);  // the cell starts with its MMU and caches off
        // ... and turns its instruction cache on later: no line of what a previous cell ran
        // from these addresses may survive in any CPU's instruction cache.
        asm volatile("ic ialluis\n dsb ish\n isb" ::: "memory");
        return MOAT_HC_OK;
    }
    return fail(err, errlen, MOAT_HC_DENIED,
                "%#lx+%#lx is not inside a loadable memory region of cell \"%s\"",
                static_cast<unsigned long>(dst_ipa), static_cast<unsigned long>(size), name_of(*c));
}

s64 cell_start(u32 id, char *err, size_t errlen)
{
    LockGuard guard(cells_lock);
    Cell *c = cell_get(id);
    if (!c || c->is_root())
        return fail(err, errlen, MOAT_HC_INVALID, "no cell with id %u", id);
    u32 cpu = static_cast<u32>(find_cpu(c->desc.cpu_mpidr[0]));
    PerCpu *pc = cpu_data(cpu);
    CellCpus::Start started;
    u32 active;
    {
        LockGuard g(c->cpu_lock);
        confirm_parked_locked(*c);
        started = c->cpus.start(cpu);
        active = c->cpus.active();
    }
    switch (started) {
    case CellCpus::Start::OK:
        break;
    case CellCpus::Start::ALREADY_RUNNING:
        return fail(err, errlen, MOAT_HC_DENIED, "cell \"%s\" is already running", name_of(*c));
    case CellCpus::Start::CPUS_STILL_ACTIVE:
        return fail(err, errlen, MOAT_HC_DENIED,
                    "cell \"%s\" still has CPUs %#x on or powering off: wait until its state is no longer "
                    "running, then start it", name_of(*c), active);
    case CellCpus::Start::NOT_OWNED:
        return fail(err, errlen, MOAT_HC_INVALID, "cell \"%s\": its first CPU %u is not its own", name_of(*c), cpu);
    }
    // Its first CPU counts as the cell's from here on: a stop or destroy now waits for it.
    pc->on_entry = c->desc.entry;
    pc->on_context = 0;
    pc->stop_request = 0;
    stats_reset(cpu);
    c->shutdown.reset();
    s64 r = psci_power_on(cpu);
    if (r != 0) {
        LockGuard g(c->cpu_lock);
        c->cpus.start_failed(cpu);
        return fail(err, errlen, MOAT_HC_DENIED, "the firmware did not power CPU %u on (PSCI %ld)", cpu,
                    static_cast<long>(r));
    }
    log("cell \"%s\" started on CPU %u at %#lx", name_of(*c), cpu, static_cast<unsigned long>(c->desc.entry));
    return MOAT_HC_OK;
}

s64 cell_shutdown(u32 id, u64 flags, char *err, size_t errlen)
{
    LockGuard guard(cells_lock);
    Cell *c = cell_get(id);
    if (!c || c->is_root())
        return fail(err, errlen, MOAT_HC_INVALID, "no cell with id %u", id);
    if (flags & ~u64{MOAT_SHUTDOWN_FORCE})
        return fail(err, errlen, MOAT_HC_INVALID, "unknown shutdown flags %#lx", static_cast<unsigned long>(flags));
    u32 on;
    {
        LockGuard g(c->cpu_lock);
        confirm_parked_locked(*c);
        // Not running, or being stopped already: the caller waits for the CPUs (CELL_STATE).
        if (c->cpus.run() != CellCpus::Run::RUNNING || c->cpus.stopping())
            return MOAT_HC_OK;
        on = c->cpus.mask(CellCpus::Cpu::ON);
    }
    switch (c->shutdown.ask(flags & MOAT_SHUTDOWN_FORCE)) {
    case ShutdownRequest::Ask::NOTIFY: {
        u32 cpu = static_cast<u32>(__builtin_ctz(on ? on : c->cpu_mask));
        log("cell \"%s\" asked to shut down (SGI %u to CPU %u)", name_of(*c), c->shutdown.sgi(), cpu);
        gic_send_sgi_to(cpu, cpu_data(cpu)->mpidr, c->shutdown.sgi());
        return MOAT_HC_PENDING;
    }
    case ShutdownRequest::Ask::WAIT:
        return MOAT_HC_PENDING;
    case ShutdownRequest::Ask::REFUSED:
        return fail(err, errlen, MOAT_HC_DENIED,
                    "cell \"%s\" refused to shut down; ask again later, or add --force to stop it anyway",
                    name_of(*c));
    case ShutdownRequest::Ask::STOP:
        break;
    }
    // CPUs that are on are kicked; those on their way park when they arrive.
    LockGuard g(c->cpu_lock);
    bool ended;
    kick_cpus(c->cpus.stop(&ended), MOAT_MAX_CPUS);
    if (ended)
        log_shut_down(*c);
    return MOAT_HC_OK;
}

s64 cell_destroy(u32 id, char *err, size_t errlen)
{
    LockGuard guard(cells_lock);
    Cell *c = cell_get(id);
    if (!c || c->is_root())
        return fail(err, errlen, MOAT_HC_INVALID, "no cell with id %u", id);
    {
        // Nothing of the cell may run, be on its way or still be powering off: its CPUs go to the
        // root next. A cell being stopped gets there by itself: PENDING, ask again.
        LockGuard g(c->cpu_lock);
        confirm_parked_locked(*c);
        if (!c->cpus.quiescent()) {
            s64 st = c->cpus.stopping() ? MOAT_HC_PENDING : MOAT_HC_DENIED;
            return fail(err, errlen, st, "cell \"%s\" is running (CPUs %#x on, on their way or powering off): "
                        "shut it down first", name_of(*c), c->cpus.active());
        }
    }
    for (u32 i = 0; i < c->desc.num_mem_regions; i++) {
        const moat_cell_mem_region &m = c->desc.mem_regions[i];
        // Regions were checked at create: the window maps every one of them.
        if (!(m.flags & (MOAT_CELL_MEM_IO | MOAT_CELL_MEM_SHARED | MOAT_CELL_MEM_ROOT_SHARED)) &&
            !phys_zero(m.phys_start, m.size))
            return fail(err, errlen, MOAT_HC_DENIED, "cell \"%s\": mem_regions[%u] cannot be mapped to zero it; "
                        "it stays with the cell", name_of(*c), i);
    }
    hand_over_interrupts(*c, false);
    // The next cell in this slot gets the same VMID, and the table pages go back to the pool:
    // no CPU may keep a translation of this cell's.
    stage2_flush_vmid(c->s2);
    c->s2.table.destroy();
    return_to_root(*c);
    log("cell \"%s\" destroyed: memory zeroed, CPUs %#x and its interrupts back to the root cell",
        name_of(*c), c->cpu_mask);
    c->state = CellState::FREE;
    c->cpu_mask = 0;
    return MOAT_HC_OK;
}

s64 cell_shutdown_notify(u64 sgi)
{
    Cell &c = *this_cpu().cell;
    LockGuard guard(cells_lock);
    u32 before = c.shutdown.sgi();
    if (!c.shutdown.set_notify(sgi))
        return MOAT_HC_INVALID;
    // Logged when it changes only: a cell calling this in a loop must not keep the cells lock
    // (and with it the root's requests, a forced stop included) busy writing to the UART.
    if (c.shutdown.sgi() != before)
        log("cell \"%s\" wants to be asked before shutdown (SGI %u)", name_of(c), c.shutdown.sgi());
    return MOAT_HC_OK;
}

s64 cell_shutdown_reply(u64 answer)
{
    PerCpu &pc = this_cpu();
    Cell &c = *pc.cell;
    LockGuard guard(cells_lock);
    switch (c.shutdown.reply(answer)) {
    case ShutdownRequest::Reply::STOP:
    {
        log("cell \"%s\" approved its shutdown", name_of(c));
        LockGuard g(c.cpu_lock);
        bool ended;
        kick_cpus(c.cpus.stop(&ended), pc.id);
        pc.stop_request = 1;  // this CPU parks on the way out of the hypercall
        return MOAT_HC_OK;
    }
    case ShutdownRequest::Reply::NOTED:
        log("cell \"%s\" refused to shut down", name_of(c));
        return MOAT_HC_OK;
    case ShutdownRequest::Reply::INVALID:
        break;
    }
    return MOAT_HC_INVALID;
}

bool cell_cpu_started(Cell &c, u32 cpu)
{
    if (c.is_root())
        return true;
    LockGuard g(c.cpu_lock);
    if (!c.cpus.arrive(cpu))
        return false;
    cpu_data(cpu)->stop_request = 0;
    return true;
}

void cell_cpu_stopped(Cell &c, u32 cpu)
{
    if (c.is_root())
        return;
    LockGuard g(c.cpu_lock);
    c.cpus.leave(cpu);
}

s64 cell_cpu_on_request(Cell &c, u32 cpu)
{
    LockGuard g(c.cpu_lock);
    confirm_parked_locked(c);  // a CPU that powered itself off may be on again
    switch (c.cpus.cpu_on(cpu)) {
    case CellCpus::On::OK:
        return psci::SUCCESS;
    case CellCpus::On::STOPPING:
        return psci::DENIED;
    case CellCpus::On::ALREADY_ON:
        return psci::ALREADY_ON;
    case CellCpus::On::ON_PENDING:
        return psci::ON_PENDING;
    case CellCpus::On::NOT_OWNED:
        break;
    }
    return psci::INVALID_PARAMETERS;
}

void cell_cpu_on_failed(Cell &c, u32 cpu)
{
    LockGuard g(c.cpu_lock);
    if (c.cpus.cpu_on_failed(cpu))
        log_shut_down(c);
}

void cell_system_off(Cell &c, u32 self)
{
    LockGuard g(c.cpu_lock);
    bool ended;
    kick_cpus(c.cpus.stop(&ended), self);
}

void cell_fail(Cell &c, u32 self, const char *why)
{
    LockGuard g(c.cpu_lock);
    bool newly;
    u32 kick = c.cpus.fail(&newly);
    if (newly)
        log("cell \"%s\" failed: %s; its CPUs are parked, 'moat cell destroy %s' gives them back",
            name_of(c), why, name_of(c));
    kick_cpus(kick, self);
}

void cell_console_putc(Cell &c, char ch)
{
    LockGuard g(c.console_lock);
    if (const char *line = c.console.put(ch))
        console_line(name_of(c), line);
}

}  // namespace moat::arm64

namespace moat::cell_ops {
using namespace moat::arm64;
s64 create(u64 desc_ipa, u64 size, u64 *id, char *err, size_t errlen) { return cell_create(desc_ipa, size, id, err, errlen); }
s64 load(u32 id, u64 src, u64 dst, u64 size, char *err, size_t errlen) { return cell_load(id, src, dst, size, err, errlen); }
s64 start(u32 id, char *err, size_t errlen) { return cell_start(id, err, errlen); }
s64 shutdown(u32 id, u64 flags, char *err, size_t errlen) { return cell_shutdown(id, flags, err, errlen); }
s64 shutdown_notify(u64 sgi) { return cell_shutdown_notify(sgi); }
s64 shutdown_reply(u64 answer) { return cell_shutdown_reply(answer); }
s64 destroy(u32 id, char *err, size_t errlen) { return cell_destroy(id, err, errlen); }
void report_error(u64 root_ipa, const char *msg) { cell_report_error(root_ipa, msg); }
bool state(u32 id, u32 *st, u32 *cpus, u32 *on)
{
    LockGuard guard(cells_lock);
    Cell *c = cell_get(id);
    if (!c)
        return false;
    *cpus = c->cpu_mask;
    if (c->is_root()) {
        *st = MOAT_CELL_STATE_RUNNING;
        *on = 0;
        for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++)
            if ((c->cpu_mask & (1u << cpu)) && psci_cpu_power(cpu) != CpuPower::OFF)
                *on |= 1u << cpu;
        return true;
    }
    // State and CPUs from one look: never "shut down" with a CPU still on or on its way.
    LockGuard g(c->cpu_lock);
    confirm_parked_locked(*c);
    *st = static_cast<u32>(c->cpus.run());
    *on = c->cpus.active();
    return true;
}
void console_putc(char ch) { cell_console_putc(*this_cpu().cell, ch); }
bool begin_leave()
{
    LockGuard guard(cells_lock);
    for (u32 i = 1; i < MAX_CELLS; i++)
        if (cells[i].state != CellState::FREE)
            return false;
    leaving = true;
    return true;
}
}  // namespace moat::cell_ops
