// SPDX-License-Identifier: GPL-2.0
// Stage-2 translation: the address space a cell (the root cell first) sees as "physical".
#pragma once

#include "arch/paging.hpp"

namespace moat::arm64 {

struct Stage2 {
    PageTable table;
    u16 vmid;
};

// Input-address size for stage 2 on this CPU: what PARange allows, at most 40 bits (QEMU virt's
// highest MMIO, the high PCIe window, sits just below 2^40). Walks start at level 1.
unsigned stage2_ia_bits(u64 id_aa64mmfr0);
constexpr unsigned STAGE2_START_LEVEL = 1;  // VTCR_EL2.SL0 in stage2_vtcr says the same
u64 stage2_vtcr(unsigned ia_bits, u64 id_aa64mmfr0);


// A cell stopped without its cooperation (direct interrupt delivery, arch/arm64/cell.cpp): every
// live entry of its stage-2 root table saved and made invalid, so that its next access faults;
// put back before it starts again or its tables are freed (destroy walks from the root).
constexpr u32 STAGE2_REVOKE_MAX = 64;  // 1 GiB each at level 1: a cell using more is refused
struct Stage2Revoked {
    struct Entry {
        u32 index;
        u64 value;
    } entries[STAGE2_REVOKE_MAX];
    u32 count;
    bool active;
};
// Root-table entries of `t` in use.
u32 stage2_live_root_entries(const PageTable &t);
// Save and invalidate every live root entry of `t` (the caller then flushes the VMID). False,
// with nothing changed, if more than STAGE2_REVOKE_MAX are live; true if already revoked.
bool stage2_revoke_root(PageTable &t, Stage2Revoked &r);
// Put back what stage2_revoke_root took (nothing if it took nothing).
void stage2_restore_root(PageTable &t, Stage2Revoked &r);

// Point the calling CPU's stage 2 at s2 and invalidate what its VMID cached before.
void stage2_activate(const Stage2 &s2, u64 vtcr);
// Drop every stage-1 and stage-2 TLB entry of the current VMID on this CPU.
void stage2_flush_local();
// Every CPU forgets the root cell's translation of the block or page at `ipa` (the root's
// break-before-make hook; runs on a root CPU).
void stage2_break_root(u64 ipa);
// Every CPU forgets everything it cached for s2's VMID: a destroyed cell's VMID is reused by
// the next cell in its slot, and its table pages by anything.
void stage2_flush_vmid(const Stage2 &s2);

}  // namespace moat::arm64
