// SPDX-License-Identifier: GPL-2.0
// TLB maintenance, one named function per sequence the hypervisor uses, each with the barriers
// it needs: a DSB before (the table writes reach the walker first) and a DSB after (the
// invalidation has completed), an ISB where the next instruction must see the result.
// "local": this CPU only; "all CPUs": broadcast to the Inner Shareable domain (every CPU).
// aarch64 only.
#pragma once

#include "lib/types.hpp"

namespace moat::arm64::tlb {

// EL2 stage 1: everything, on this CPU, and the instruction cache with it (EL2 MMU switched on).
inline void el2_all_local_with_icache()
{
    asm volatile("tlbi alle2\n dsb ish\n ic iallu\n dsb ish\n isb" ::: "memory");
}

// EL2 stage 1: the page at `va`, on every CPU. No barriers: the caller issues one DSB ISHST
// before a batch of these and one DSB ISH + ISB after (el2_pages_done).
inline void el2_page_all_cpus_unordered(u64 va)
{
    asm volatile("tlbi vae2is, %0" : : "r"(va >> 12) : "memory");
}
inline void el2_pages_done() { asm volatile("dsb ish\n isb" ::: "memory"); }

// Stage 1 and stage 2 of the VMID in VTTBR_EL2, on this CPU.
inline void guest_all_local()
{
    asm volatile("dsb ishst\n tlbi vmalls12e1\n dsb nsh\n isb" ::: "memory");
}

// Stage 1 and stage 2 of the VMID in VTTBR_EL2, on every CPU (no ISB: the caller switches
// VTTBR_EL2 back and synchronises).
inline void guest_all_all_cpus()
{
    asm volatile("dsb ishst\n tlbi vmalls12e1is\n dsb ish" ::: "memory");
}

// The same, then synchronised: for a change to the running VMID's own tables (the root's).
inline void guest_all_all_cpus_sync()
{
    asm volatile("dsb ishst\n tlbi vmalls12e1is\n dsb ish\n isb" ::: "memory");
}

// The stage-2 entry for `ipa` of the VMID in VTTBR_EL2, then every stage-1 entry of that VMID
// (they may have been combined with it), on every CPU.
inline void guest_ipa_all_cpus(u64 ipa)
{
    asm volatile("dsb ishst\n tlbi ipas2e1is, %0\n dsb ish\n tlbi vmalle1is\n dsb ish\n isb"
                 : : "r"(ipa >> 12) : "memory");
}

}  // namespace moat::arm64::tlb
