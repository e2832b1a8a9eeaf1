// SPDX-License-Identifier: GPL-2.0
// The GICv3 distributor belongs to the hypervisor. A cell's accesses to it trap and come here:
// each register is read or written only in the bits of the interrupts the cell owns, so no
// cell can enable, route, reprioritise or trigger another cell's interrupts.
#pragma once

#include "hv/mmio.hpp"
#include "hv/types.hpp"

namespace moat {

// How the filter reaches the real distributor (a fake one in host tests). Offsets from GICD base.
struct GicdBackend {
    u32 (*read32)(u64 offset);
    void (*write32)(u64 offset, u32 value);
    u64 (*read64)(u64 offset);
    void (*write64)(u64 offset, u64 value);
};

// What the calling cell owns.
struct GicdOwner {
    const u32 *irq_bitmap;   // 32 words: bit (i % 32) of word i / 32 is INTID i
    const u64 *cpu_mpidr;    // affinities its interrupts may be routed to
    u32 num_cpus;
};

namespace gicd {
constexpr u64 CTLR = 0x0000, TYPER = 0x0004, IIDR = 0x0008, TYPER2 = 0x000c;
constexpr u64 IGROUPR = 0x0080, ISENABLER = 0x0100, ICENABLER = 0x0180, ISPENDR = 0x0200;
constexpr u64 ICPENDR = 0x0280, ISACTIVER = 0x0300, ICACTIVER = 0x0380, IPRIORITYR = 0x0400;
constexpr u64 ITARGETSR = 0x0800, ICFGR = 0x0c00, IGRPMODR = 0x0d00, NSACR = 0x0e00;
constexpr u64 IROUTER = 0x6000, ID_REGS = 0xffd0, SIZE = 0x10000;
constexpr u64 IROUTER_IRM = u64{1} << 31;
constexpr u64 IROUTER_AFF_MASK = 0xff00ffffffull;
}  // namespace gicd

MmioResult gicd_access(const GicdBackend &hw, const GicdOwner &owner, MmioAccess &a);

}  // namespace moat
