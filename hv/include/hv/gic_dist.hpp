// SPDX-License-Identifier: GPL-2.0
// The GIC distributor belongs to the hypervisor. A cell's accesses to it trap and come here:
// each register is read or written only in the bits of the interrupts the cell owns, so no
// cell can enable, route, reprioritise or trigger another cell's interrupts. Two layouts:
// GICv3 with affinity routing (GICD_IROUTER; SGIs and PPIs live in the redistributors) and
// GICv2 (GICD_ITARGETSR targets by CPU interface bit; the banked registers of SGIs and PPIs and
// GICD_SGIR, through which SGIs are sent, are in the distributor).
#pragma once

#include "arch/gic_regs.hpp"
#include "hv/mmio.hpp"
#include "lib/types.hpp"

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
    // GICv2 only:
    u32 private_mask;        // SGIs and PPIs (INTID 0..31) of the calling CPU it may configure
    u32 targets;             // GICD_ITARGETSR bits of its CPUs
    u32 self_target;         // the calling CPU's bit
};

namespace gicd {
// The SGI the hypervisor keeps for itself (to stop a cell's CPU): never sent for a cell.
constexpr u32 MGMT_SGI = 15;

// A GICD_SGIR write by a CPU whose own bit is `self`, in a cell whose CPUs are `targets`: the
// value to write instead (always an explicit target list, only the cell's CPUs), or 0 when
// nothing may be sent (no target left, a reserved filter, or `reserved_sgi`, the hypervisor's).
u32 sgir_filter(u32 value, u32 targets, u32 self, u32 reserved_sgi);
// A GICD_ITARGETSR word: `cur` in the hardware, `req` what the cell writes, `writable` the bytes
// of its interrupts. Each written byte keeps only the cell's CPUs; a byte left with none keeps
// its current targets (an interrupt cannot be sent to another cell's CPU, nor to none).
u32 itargetsr_filter(u32 cur, u32 req, u32 writable, u32 targets);
}  // namespace gicd

// Group registers (IGROUPR, IGRPMODR) read as they are and ignore writes, for every cell: the
// group decides which physical interface acknowledges an interrupt, and the hypervisor takes
// them all as Group 1 at EL2 (GICv3; on GICv2 the group the root had). A cell that moved its
// interrupt to Group 0 would have it signalled as a physical FIQ to EL1 behind the hypervisor's
// back, or never (GICv2 with Group 1 off).
MmioResult gicd_access(const GicdBackend &hw, const GicdOwner &owner, MmioAccess &a);
// GICv2 layout. A GICD_SGIR write goes to hw.write32 filtered (counted by the caller).
MmioResult gicd_access_v2(const GicdBackend &hw, const GicdOwner &owner, MmioAccess &a);

// GICv3: the SGI_base frame of a redistributor of one of the cell's own CPUs (offsets from
// SGI_base). Its per-interrupt registers sit at the distributor's offsets; a cell reaches the
// bits of the SGIs and PPIs in `private_mask` (every one but the hypervisor's management SGI and
// maintenance PPI), groups are read-only as in the distributor, everything else reads as zero
// and ignores writes. Without this, the cell could make the management SGI undeliverable
// (Group 0, active, disabled, lowest priority) and never be stopped.
MmioResult gicr_sgi_access(const GicdBackend &hw, u32 private_mask, MmioAccess &a);

// An SPI's configuration as the root cell had it when a cell took it: what the root gets back.
struct GicdSpiSaved {
    u32 route_lo;  // v3: GICD_IROUTER[31:0] (Aff2.Aff1.Aff0, IRM); v2: the GICD_ITARGETSR byte
    u8 route_hi;   // v3: GICD_IROUTER[39:32] (Aff3)
    u8 priority;
    u8 flags;      // gicd::SAVED_*
    u8 reserved;
};
namespace gicd {
constexpr u8 SAVED_GROUP1 = 1u << 0, SAVED_GRPMOD = 1u << 1, SAVED_ENABLED = 1u << 2, SAVED_EDGE = 1u << 3;
}
// Taking SPI `intid` from the root (GIC `version` 2 or 3): its configuration into `saved`, then
// disabled, not pending, not active. The group stays (the hypervisor's interface takes that one).
void gicd_spi_lend(const GicdBackend &hw, u32 version, u32 intid, GicdSpiSaved &saved);
// Giving it back: disabled, not pending, not active, then group, priority, trigger, route and
// finally the enable as `saved` has them, whatever the cell did meanwhile. With `off`, the saved
// route is first passed through gicd::reroute (it may name a CPU another cell has taken since).
struct GicdReroute;
void gicd_spi_return(const GicdBackend &hw, u32 version, u32 intid, const GicdSpiSaved &saved,
                     const GicdReroute *off = nullptr);

// CPUs an SPI must no longer be routed to (they go to another owner), and where it goes instead.
struct GicdReroute {
    const u64 *off_mpidr;  // v3: the affinities of those CPUs
    u32 num_off;
    u32 off_targets;       // v2: their GICD_ITARGETSR bits
    u64 to;                // v3: the GICD_IROUTER value of the CPU to go to; v2: its ITARGETSR bit
};
namespace gicd {
// The route `route` (v3: GICD_IROUTER; v2: the ITARGETSR byte) becomes: unchanged if it cannot
// reach a CPU of `r`. v3: a route to one of them, or 1-of-N (IRM: any CPU, theirs included),
// becomes r.to. v2: their bits leave the byte; if none is left, r.to.
u64 reroute(u32 version, u64 route, const GicdReroute &r);
}  // namespace gicd
// Every SPI in `irqs` whose route in the distributor could reach a CPU of `r` is routed as
// gicd::reroute says (enable, pending and active state untouched). How many were changed.
u32 gicd_reroute_spis(const GicdBackend &hw, u32 version, const u32 *irqs, const GicdReroute &r);

}  // namespace moat
