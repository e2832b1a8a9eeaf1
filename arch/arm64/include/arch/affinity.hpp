// SPDX-License-Identifier: GPL-2.0
// CPU affinity (MPIDR_EL1.Aff3..Aff0) and where the GICv3 puts it in each register that names a
// CPU. One home for these packings; pure, host-tested (tests/unit/arch/affinity_test.cpp).
//
//   MPIDR_EL1         Aff3 [39:32]                Aff2 [23:16] Aff1 [15:8] Aff0 [7:0]
//   GICD_IROUTER<n>   Aff3 [39:32]                Aff2 [23:16] Aff1 [15:8] Aff0 [7:0]  (IRM [31])
//   GICR_TYPER        Aff3 [63:56] Aff2 [55:48] Aff1 [47:40] Aff0 [39:32]
//   ICC_SGI1R_EL1     Aff3 [55:48] RS [47:44] Aff2 [39:32] INTID [27:24] Aff1 [23:16]
//                     TargetList [15:0] (bit n: Aff0 == RS * 16 + n)
#pragma once

#include <moat/cell.h>

#include "arch/sysreg.h"
#include "lib/types.hpp"

namespace moat::arm64 {

// The affinity fields of MPIDR_EL1 (the rest is U, MT and RES0/RES1 bits); what a descriptor's
// cpu_mpidr[] may hold. sysreg.h's MPIDR_AFFINITY_MASK is the same mask for C and assembly.
constexpr u64 MPIDR_AFF_MASK = MOAT_MPIDR_AFFINITY_MASK;
static_assert(MPIDR_AFF_MASK == MPIDR_AFFINITY_MASK);
constexpr u64 mpidr_affinity(u64 mpidr) { return mpidr & MPIDR_AFF_MASK; }
// Affinity level 0..3 of an MPIDR.
constexpr u64 mpidr_aff(u64 mpidr, unsigned level)
{
    return (mpidr >> (level == 3 ? 32 : 8 * level)) & 0xff;
}
constexpr bool same_cpu(u64 mpidr_a, u64 mpidr_b) { return mpidr_affinity(mpidr_a) == mpidr_affinity(mpidr_b); }

// GICD_IROUTER: the affinity fields sit where MPIDR has them.
constexpr u64 IROUTER_AFF_MASK = MPIDR_AFF_MASK;
constexpr u64 IROUTER_IRM = u64{1} << 31;
constexpr u64 irouter_of(u64 mpidr) { return mpidr_affinity(mpidr); }

// GICR_TYPER.Affinity_Value (bits [63:32], gicr::TYPER_AFFINITY_SHIFT) as a 32-bit value:
// Aff3.Aff2.Aff1.Aff0.
constexpr u32 gicr_typer_affinity(u64 mpidr)
{
    return static_cast<u32>((mpidr & 0xffffff) | mpidr_aff(mpidr, 3) << 24);
}

// ICC_SGI1R_EL1 (and ASGI1R, SGI0R).
namespace sgi1r {
constexpr u64 TARGET_LIST_MASK = 0xffff;
constexpr unsigned AFF1_SHIFT = 16, INTID_SHIFT = 24, AFF2_SHIFT = 32, IRM_SHIFT = 40;
constexpr unsigned RS_SHIFT = 44, AFF3_SHIFT = 48;
constexpr u64 INTID_MASK = 0xf, RS_MASK = 0xf, AFF_MASK = 0xff;
constexpr unsigned TARGETS_PER_RANGE = 16;
constexpr u64 IRM = u64{1} << IRM_SHIFT;  // "every PE but the sender"
// Aff3.Aff2.Aff1 of every CPU the request addresses.
constexpr u64 GROUP_MASK = (AFF_MASK << AFF1_SHIFT) | (AFF_MASK << AFF2_SHIFT) | (AFF_MASK << AFF3_SHIFT);
}  // namespace sgi1r

// Aff3.Aff2.Aff1 of `mpidr` in the positions ICC_SGI1R_EL1 uses.
constexpr u64 sgi1r_group(u64 mpidr)
{
    return mpidr_aff(mpidr, 1) << sgi1r::AFF1_SHIFT | mpidr_aff(mpidr, 2) << sgi1r::AFF2_SHIFT |
           mpidr_aff(mpidr, 3) << sgi1r::AFF3_SHIFT;
}
// The range selector and target-list bit that address Aff0 of `mpidr` within its group.
constexpr u64 sgi1r_range(u64 mpidr) { return (mpidr_aff(mpidr, 0) / sgi1r::TARGETS_PER_RANGE) << sgi1r::RS_SHIFT; }
constexpr u64 sgi1r_target_bit(u64 mpidr) { return u64{1} << (mpidr_aff(mpidr, 0) % sgi1r::TARGETS_PER_RANGE); }
// The ICC_SGI1R_EL1 value that sends SGI `intid` to the one CPU `mpidr`.
constexpr u64 sgi1r_to(u64 mpidr, u32 intid)
{
    return (u64{intid} & sgi1r::INTID_MASK) << sgi1r::INTID_SHIFT | sgi1r_group(mpidr) | sgi1r_range(mpidr) |
           sgi1r_target_bit(mpidr);
}
constexpr u32 sgi1r_intid(u64 value) { return static_cast<u32>((value >> sgi1r::INTID_SHIFT) & sgi1r::INTID_MASK); }
// The MPIDR affinity of target `aff0` of a request whose Aff3.Aff2.Aff1 are in `value`.
constexpr u64 sgi1r_mpidr(u64 value, u64 aff0)
{
    return ((value >> sgi1r::AFF1_SHIFT) & sgi1r::AFF_MASK) << 8 | ((value >> sgi1r::AFF2_SHIFT) & sgi1r::AFF_MASK) << 16 |
           ((value >> sgi1r::AFF3_SHIFT) & sgi1r::AFF_MASK) << 32 | aff0;
}

}  // namespace moat::arm64
