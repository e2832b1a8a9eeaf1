// SPDX-License-Identifier: MIT
// Finding the running CPU's GICv3 redistributor: the redistributor region holds one frame set
// per CPU, each saying in GICR_TYPER which CPU (affinity) it serves, whether it is the last one,
// and (VLPIS) whether it has the two extra GICv4 frames. The walk is a template over the 32-bit
// read so that the host unit tests can run it on a fake region.
#pragma once

#include <stdint.h>

#include "demo/arch_bits.h"

namespace demo::gic {

// MPIDR_EL1's four affinity levels packed as Aff3.Aff2.Aff1.Aff0 in 32 bits, the layout of
// GICR_TYPER's Affinity_Value (MPIDR keeps Aff3 apart, in bits 39:32).
constexpr uint32_t affinity_of_mpidr(uint64_t mpidr)
{
    const auto field = [mpidr](unsigned shift) { return static_cast<uint32_t>((mpidr >> shift) & MPIDR_AFF_MASK); };
    return field(MPIDR_AFF3_SHIFT) << 24 | field(MPIDR_AFF2_SHIFT) << 16 | field(MPIDR_AFF1_SHIFT) << 8 |
           field(MPIDR_AFF0_SHIFT);
}

inline constexpr uintptr_t kGicrTyperLow = 0x0008;
inline constexpr uintptr_t kGicrTyperHigh = 0x000c;  // Affinity_Value: Aff3.Aff2.Aff1.Aff0
inline constexpr uint32_t kGicrTyperVlpis = 1u << 1;  // GICv4: VLPI_base + reserved frames follow
inline constexpr uint32_t kGicrTyperLast = 1u << 4;   // last redistributor of the region
inline constexpr uintptr_t kGicrFrameSize = 0x10000;  // 64 KiB
inline constexpr unsigned kGicrFramesV3 = 2;          // RD_base + SGI_base
inline constexpr unsigned kGicrFramesV4 = 4;          // + VLPI_base + reserved

// RD_base of the redistributor serving `affinity` (affinity_of_mpidr layout), or 0 if none does.
// Reads only GICR_TYPER, 32 bits at a time.
template <typename Read32>
uintptr_t find_redistributor(uintptr_t region_base, uintptr_t region_size, uint32_t affinity, Read32 read32)
{
    for (uintptr_t rd = region_base; rd < region_base + region_size;) {
        const uint32_t typer = read32(rd + kGicrTyperLow);
        if (read32(rd + kGicrTyperHigh) == affinity)
            return rd;
        if (typer & kGicrTyperLast)
            break;
        rd += kGicrFrameSize * ((typer & kGicrTyperVlpis) ? kGicrFramesV4 : kGicrFramesV3);
    }
    return 0;
}

}  // namespace demo::gic
