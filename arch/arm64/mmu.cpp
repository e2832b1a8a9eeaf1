// SPDX-License-Identifier: GPL-2.0
#include "arch/mmu.hpp"

#include "arch/sysreg.h"

namespace moat::arm64 {

namespace {
constexpr unsigned EL2_VA_BITS = 48;      // T0SZ = 16: four levels from level 0
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
        if (end > start && t.map(start, start, end - start, r.attrs) != PtError::OK)
            return false;
    }
    for (const auto &d : l.devices) {
        u64 start = align_down(d.base, PAGE_SIZE), end = align_up(d.base + d.size, PAGE_SIZE);
        if (d.size && t.map(start, start, end - start, el2_attrs_device()) != PtError::OK)
            return false;
    }
    if (l.console_base) {
        u64 page = align_down(l.console_base, PAGE_SIZE);
        if (t.map(page, page, PAGE_SIZE, el2_attrs_device()) != PtError::OK)
            return false;
    }
    return true;
}

#ifdef __aarch64__
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
    asm volatile("tlbi alle2\n dsb ish\n ic iallu\n dsb ish\n isb" ::: "memory");
    u64 sctlr = SCTLR_EL2_RES1 | SCTLR_EL2_M | SCTLR_EL2_C | SCTLR_EL2_I | SCTLR_EL2_SA |
                SCTLR_EL2_WXN;
    write_sysreg(sctlr_el2, sctlr);
    isb();
}
#endif

}  // namespace moat::arm64
