// SPDX-License-Identifier: GPL-2.0
#include "arch/stage2.hpp"

#include "arch/sysreg.h"
#ifdef __aarch64__
#include "arch/tlb.hpp"
#endif

namespace moat::arm64 {

namespace {
constexpr unsigned STAGE2_MAX_IA_BITS = 40;
constexpr unsigned PARANGE_BITS[] = {32, 36, 40, 42, 44, 48, 52};
constexpr u64 PARANGE_48 = 5;
}  // namespace

unsigned stage2_ia_bits(u64 mmfr0)
{
    u64 parange = mmfr0 & ID_AA64MMFR0_PARANGE_MASK;
    unsigned pa_bits = parange < 7 ? PARANGE_BITS[parange] : 48;
    return pa_bits < STAGE2_MAX_IA_BITS ? pa_bits : STAGE2_MAX_IA_BITS;
}

u64 stage2_vtcr(unsigned ia_bits, u64 mmfr0)
{
    u64 parange = mmfr0 & ID_AA64MMFR0_PARANGE_MASK;
    if (parange > PARANGE_48)
        parange = PARANGE_48;
    return VTCR_EL2_RES1 | (u64(64 - ia_bits) << VTCR_EL2_T0SZ_SHIFT) | VTCR_EL2_SL0_LEVEL1 |
           VTCR_EL2_IRGN0_WBWA | VTCR_EL2_ORGN0_WBWA | VTCR_EL2_SH0_INNER | VTCR_EL2_TG0_4K |
           (parange << VTCR_EL2_PS_SHIFT);
}

namespace {
u64 *root_entries(const PageTable &t) { return reinterpret_cast<u64 *>(t.root()); }
u32 root_entry_count(const PageTable &t) { return t.root_pages() * static_cast<u32>(PAGE_SIZE / sizeof(u64)); }
}  // namespace

u32 stage2_live_root_entries(const PageTable &t)
{
    u32 n = 0;
    for (u32 i = 0; i < root_entry_count(t); i++)
        n += root_entries(t)[i] != 0;
    return n;
}

bool stage2_revoke_root(PageTable &t, Stage2Revoked &r)
{
    if (r.active)
        return true;
    if (stage2_live_root_entries(t) > STAGE2_REVOKE_MAX)
        return false;
    u64 *e = root_entries(t);
    r.count = 0;
    for (u32 i = 0; i < root_entry_count(t); i++) {
        if (!e[i])
            continue;
        r.entries[r.count++] = {i, e[i]};
        e[i] = 0;
    }
    r.active = true;
    return true;
}

void stage2_restore_root(PageTable &t, Stage2Revoked &r)
{
    if (!r.active)
        return;
    u64 *e = root_entries(t);
    for (u32 i = 0; i < r.count; i++)
        e[r.entries[i].index] = r.entries[i].value;
    r.count = 0;
    r.active = false;
}

#ifdef __aarch64__
void stage2_flush_local()
{
    tlb::guest_all_local();
}

void stage2_break_root(u64 ipa)
{
    // Runs on a root CPU (cell create/destroy are root hypercalls): VTTBR_EL2 holds the root's
    // VMID. The stage-2 entry by IPA, then what stage 1 combined with it, on every CPU.
    tlb::guest_ipa_all_cpus(ipa);
}

void stage2_flush_vmid(const Stage2 &s2)
{
    u64 own = read_sysreg(vttbr_el2);
    write_sysreg(vttbr_el2, s2.table.root() | (u64{s2.vmid} << VTTBR_VMID_SHIFT));
    isb();
    tlb::guest_all_all_cpus();
    write_sysreg(vttbr_el2, own);
    isb();
}

void stage2_activate(const Stage2 &s2, u64 vtcr)
{
    write_sysreg(vtcr_el2, vtcr);
    write_sysreg(vttbr_el2, s2.table.root() | (u64{s2.vmid} << VTTBR_VMID_SHIFT));
    isb();
    stage2_flush_local();
}
#endif

}  // namespace moat::arm64
