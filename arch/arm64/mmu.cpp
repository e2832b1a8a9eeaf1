// SPDX-License-Identifier: GPL-2.0
#include "arch/mmu.hpp"

#include "arch/cpu.hpp"
#include "arch/sysreg.h"
#include "arch/tlb.hpp"

namespace moat::arm64 {

namespace {
constexpr unsigned EL2_VA_BITS = 48;      // T0SZ = 16: four levels from level 0
constexpr u64 ENTRIES_PER_TABLE = 512;
constexpr u64 WINDOW_TABLES = EL2_WINDOW_PAGES / ENTRIES_PER_TABLE;
static_assert(EL2_WINDOW_BASE + MOAT_MAX_CPUS * EL2_WINDOW_PAGES * PAGE_SIZE <= u64{1} << EL2_VA_BITS);
static_assert(EL2_WINDOW_CHUNK / PAGE_SIZE + 3 <= EL2_WINDOW_PAGES);

// Per CPU: the level-3 tables of its window, and the next free page in it.
u64 *window_tables[MOAT_MAX_CPUS][WINDOW_TABLES];
u64 window_next[MOAT_MAX_CPUS];

u64 window_va(u32 cpu, u64 page) { return EL2_WINDOW_BASE + (cpu * EL2_WINDOW_PAGES + page) * PAGE_SIZE; }
u64 &window_entry(u32 cpu, u64 page) { return window_tables[cpu][page / ENTRIES_PER_TABLE][page % ENTRIES_PER_TABLE]; }

bool windows_build(PagePool &pool, PageTable &t, u32 cpus)
{
    for (u32 cpu = 0; cpu < cpus && cpu < MOAT_MAX_CPUS; cpu++) {
        for (u64 i = 0; i < WINDOW_TABLES; i++) {
            window_tables[cpu][i] = t.leaf_table(window_va(cpu, i * ENTRIES_PER_TABLE));
            if (!window_tables[cpu][i])
                return false;
        }
        window_next[cpu] = 0;
    }
    (void)pool;
    return true;
}
constexpr u64 PARANGE_48_BITS = 5;
constexpr u64 normal() { return pte::AF | pte::S1_SH_INNER | (u64{MAIR_IDX_NORMAL} << pte::S1_ATTRIDX_SHIFT); }
}  // namespace

u64 el2_attrs_text() { return normal() | pte::S1_AP_RO; }
u64 el2_attrs_rodata() { return normal() | pte::S1_AP_RO | pte::S1_XN; }
u64 el2_attrs_data() { return normal() | pte::S1_XN; }
u64 el2_attrs_device() { return pte::AF | pte::S1_XN | (u64{MAIR_IDX_DEVICE} << pte::S1_ATTRIDX_SHIFT); }

bool el2_map_build(PagePool &pool, const El2Layout &l, PageTable &t)
{
    if (t.init(pool, EL2_VA_BITS, 0) != PtError::OK)
        return false;
    struct Range {
        u64 start, end, attrs;
    } ranges[] = {
        {l.head_start, l.head_end, el2_attrs_rodata()},
        {l.text_start, l.text_end, el2_attrs_text()},
        {l.rodata_start, l.rodata_end, el2_attrs_rodata()},
        {l.data_start, l.data_end, el2_attrs_data()},
        {l.pool_start, l.pool_end, el2_attrs_data()},
    };
    for (const Range &r : ranges) {
        u64 start = align_down(r.start, PAGE_SIZE), end = align_up(r.end, PAGE_SIZE);
        if (end > EL2_WINDOW_BASE)
            return false;
        if (end > start && t.map(start, start, end - start, r.attrs) != PtError::OK)
            return false;
    }
    for (const auto &d : l.devices) {
        u64 start = align_down(d.base, PAGE_SIZE), end = align_up(d.base + d.size, PAGE_SIZE);
        if (d.size && (end > EL2_WINDOW_BASE || end < start))
            return false;  // identity-mapped devices must stay below the windows
        if (d.size && t.map(start, start, end - start, el2_attrs_device()) != PtError::OK)
            return false;
    }
    if (l.console_base) {
        u64 page = align_down(l.console_base, PAGE_SIZE);
        if (page >= EL2_WINDOW_BASE || t.map(page, page, PAGE_SIZE, el2_attrs_device()) != PtError::OK)
            return false;
    }
    return windows_build(pool, t, l.cpus);
}

El2Window::El2Window() : cpu_(this_cpu().id), first_(window_next[cpu_]) {}

El2Window::~El2Window()
{
    u64 end = window_next[cpu_];
    for (u64 p = first_; p < end; p++)
        window_entry(cpu_, p) = 0;
    asm volatile("dsb ishst" ::: "memory");
    for (u64 p = first_; p < end; p++)
        tlb::el2_page_all_cpus_unordered(window_va(cpu_, p));
    tlb::el2_pages_done();
    window_next[cpu_] = first_;
}

void *El2Window::map(u64 pa, u64 size)
{
    if (size == 0 || pa + size < pa || pa + size - 1 > pte::ADDR_MASK)
        return nullptr;
    u64 first = align_down(pa, PAGE_SIZE), pages = (align_up(pa + size, PAGE_SIZE) - first) / PAGE_SIZE;
    u64 next = window_next[cpu_];
    if (pages > EL2_WINDOW_PAGES - next)
        return nullptr;
    for (u64 i = 0; i < pages; i++)
        window_entry(cpu_, next + i) = (first + i * PAGE_SIZE) | el2_attrs_data() | pte::VALID | pte::TABLE;
    // The entries were invalid and their TLB entries invalidated when last unmapped: no break
    // needed, only the table writes visible to the walker before the first access.
    asm volatile("dsb ishst\n isb" ::: "memory");
    window_next[cpu_] = next + pages;
    return reinterpret_cast<void *>(window_va(cpu_, next) + (pa - first));
}

void el2_mmu_enable(const PageTable &t)
{
    u64 parange = read_sysreg(id_aa64mmfr0_el1) & ID_AA64MMFR0_PARANGE_MASK;
    if (parange > PARANGE_48_BITS)
        parange = PARANGE_48_BITS;
    u64 tcr = TCR_EL2_RES1 | ((64 - EL2_VA_BITS) << TCR_EL2_T0SZ_SHIFT) | TCR_EL2_IRGN0_WBWA |
              TCR_EL2_ORGN0_WBWA | TCR_EL2_SH0_INNER | TCR_EL2_TG0_4K |
              (parange << TCR_EL2_PS_SHIFT);
    write_sysreg(mair_el2, MAIR_EL2_VALUE);
    write_sysreg(tcr_el2, tcr);
    write_sysreg(ttbr0_el2, t.root());
    isb();
    tlb::el2_all_local_with_icache();
    u64 sctlr = SCTLR_EL2_RES1 | SCTLR_EL2_M | SCTLR_EL2_C | SCTLR_EL2_I | SCTLR_EL2_SA |
                SCTLR_EL2_WXN;
    write_sysreg(sctlr_el2, sctlr);
    isb();
}

}  // namespace moat::arm64
