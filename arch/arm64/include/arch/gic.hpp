// SPDX-License-Identifier: GPL-2.0
// The interrupt controller as the rest of the hypervisor sees it: one small interface, two
// implementations chosen from the root descriptor's platform block (gic_version).
//
//   GICv3 (gicv3.cpp): physical IRQs acknowledged through ICC_*_EL1 at EL2, injected through
//          ICH_LR<n>_EL2; SGIs from trapped ICC_SGI1R_EL1 (and ASGI1R, SGI0R); the root maps its
//          CPUs' redistributor frames, an isolated cell reaches its own through the hypervisor.
//   GICv2 (gicv2.cpp): physical IRQs acknowledged through the memory-mapped GICC at EL2,
//          injected through GICH_LR<n>; the cell's GICC address maps the virtual CPU interface
//          (GICV); SGIs are GICD_SGIR writes, trapped with the rest of the distributor.
//
// In both, injected PPIs and SPIs carry the hardware bit (the cell's deactivation deactivates
// the physical interrupt: no exit for EOI), EOImode is 1 at EL2 (EOI drops the priority, DIR
// deactivates), the distributor is trapped and filtered per cell (hv/gic_dist.cpp), and SGI 15
// is kept for the hypervisor.
#pragma once

#include <moat/cell.h>

#include "arch/gic_regs.hpp"
#include "hv/gic_dist.hpp"
#include "hv/mmio.hpp"
#include "lib/types.hpp"

namespace moat::arm64 {

// Interrupts acknowledged at EL2 that found no free list register wait here.
constexpr unsigned GIC_PENDING_MAX = 32;
// The SGI the hypervisor sends itself to stop a CPU of a cell; cells never get it injected.
constexpr u32 GIC_MGMT_SGI = gicd::MGMT_SGI;

// Per-CPU state of the GIC (in PerCpu). Fields a version does not use stay zero.
struct GicCpu {
    u64 redist;          // v3: this CPU's redistributor frame (RD_base)
    u64 stub_ctlr;       // physical ICC_CTLR_EL1 (v3) or GICC_CTLR (v2) as Linux left it
    u32 nr_lrs;
    u32 npending;
    u32 pending[GIC_PENDING_MAX];  // INTIDs; v2 SGIs also carry the source CPU in bits [12:10]
    u32 targets;         // v2: this CPU's bit in GICD_ITARGETSR (its CPU interface); 0 = unknown
    bool underflow_armed; // v3: ICH_HCR_EL2.UIE is set (interrupts wait for a list register)
    bool direct;         // the CPU's cell takes physical interrupts at EL1 (MOAT_CELL_FLAG_DIRECT_IRQ)
    bool entered;        // gic_cpu_enter succeeded: gic_cpu_leave has something to undo
};

// What became of an interrupt offered to the list registers.
enum class GicInject : u8 {
    DONE,  // written to a free list register
    FULL,  // every list register in use: wait for one (underflow maintenance)
    HELD,  // its INTID is already in a list register (pending, active or both): wait until that
           // one ends (end-of-interrupt maintenance on it). Two list registers with the same
           // virtual INTID are UNPREDICTABLE in the architecture; a physical interrupt can come
           // again while its first copy is in a list register if something ended it physically
           // (a direct-mode cell's end of interrupt, which the GIC matches by INTID only).
};

// Where `intid` goes. `used` has a bit per list register that holds something (within `all`);
// `live(n)` is the virtual INTID list register n holds pending and/or active, or GIC_LR_NONE.
// The scan reads only the registers in use (a handful at most).
constexpr u32 GIC_LR_NONE = ~0u;
struct GicLrPick {
    GicInject result;
    unsigned lr;  // DONE: the free one to write; HELD: the one holding the INTID
};
template <typename Live>
GicLrPick gic_pick_lr(u64 used, u64 all, u32 intid, Live live)
{
    for (u64 m = used & all; m; m &= m - 1) {
        unsigned n = static_cast<unsigned>(__builtin_ctzll(m));
        if (live(n) == intid)
            return {GicInject::HELD, n};
    }
    u64 empty = all & ~used;
    if (!empty)
        return {GicInject::FULL, 0};
    return {GicInject::DONE, static_cast<unsigned>(__builtin_ctzll(empty))};
}

// Offer each waiting interrupt to `inject` and keep the rest, in order. Each is checked with
// `owns(entry)` first: a copy whose SPI changed owners since it was taken (a create or destroy
// on another CPU) is dropped, never offered (the hand-over quiesced the SPI, so its activation
// is gone, and the hardware link would make this owner's deactivation end the new owner's).
// Returns how many wait for a free list register (FULL): the caller arms its underflow
// maintenance on that. The HELD ones wait for the end-of-interrupt maintenance of the list
// register holding their INTID; the underflow one would fire at once when that is the only
// valid list register.
template <typename Owns, typename Inject>
u32 gic_retry_pending(GicCpu &g, Owns owns, Inject inject)
{
    u32 kept = 0, full = 0;
    for (u32 i = 0; i < g.npending; i++) {
        if (!owns(g.pending[i]))
            continue;
        GicInject r = inject(g, g.pending[i]);
        if (r == GicInject::DONE)
            continue;
        full += r == GicInject::FULL;
        g.pending[kept++] = g.pending[i];
    }
    g.npending = kept;
    return full;
}

// What became of an interrupt just acknowledged at EL2.
enum class GicTake : u8 {
    INJECTED,  // in a list register
    WAITING,   // queued until a list register is free
    HELD,      // its INTID is still in a list register, or already waiting: queued until that one
               // ends, or merged with the one waiting (the GIC keeps one pending state per
               // interrupt; for a PPI or SPI this happens only when its activation was ended
               // behind the list register's or the queue's back)
    NO_ROOM,   // queue full: the caller gives it back to the distributor
};
inline bool gic_is_waiting(const GicCpu &g, u32 entry)
{
    for (u32 i = 0; i < g.npending; i++)
        if (g.pending[i] == entry)
            return true;
    return false;
}
// `entry` (INTID; v2 SGIs: and source CPU) into a list register through `inject`, or queued.
// `inject` does not check the owner: the caller has, for this interrupt, in this exception
// (gic_owner_has; a copy that waits is checked again by gic_retry_pending when it is offered).
template <typename Inject>
GicTake gic_take(GicCpu &g, u32 entry, Inject inject)
{
    if (g.npending && gic_is_waiting(g, entry))
        return GicTake::HELD;
    GicInject r = inject(g, entry);
    if (r == GicInject::DONE)
        return GicTake::INJECTED;
    if (g.npending >= GIC_PENDING_MAX)
        return GicTake::NO_ROOM;
    g.pending[g.npending++] = entry;
    return r == GicInject::HELD ? GicTake::HELD : GicTake::WAITING;
}

// One per-CPU frame of the GIC that a cell needs in its stage 2 while it runs on a CPU.
struct GicFrame {
    u64 ipa, pa, size;   // size 0: none
    bool exclusive;      // v3 redistributor: taken from the root while the cell has the CPU;
                         // v2 GICV: banked per CPU, every cell maps the same page
    u64 trapped;         // bytes at its start that an isolated cell reaches only through the
                         // hypervisor (v3: the whole redistributor: RD_base, whose LPI table
                         // registers would let the redistributor write anywhere in memory, and
                         // SGI_base, where the management SGI could be made undeliverable)
};

// The implementation: one table per version.
struct GicOps {
    u32 version;
    bool (*cpu_enter)(GicCpu &g, u64 mpidr, bool direct);
    void (*cpu_power_on)();
    void (*cpu_leave)(GicCpu &g, bool isolated);
    u32 (*handle_irq)(GicCpu &g, u32 cpu);
    bool (*send_sgi_sysreg)(u64 value, unsigned which);
    void (*route_irqs)(const u32 *irqs, u32 cpu, u64 mpidr);
    void (*send_sgi_to)(u32 cpu, u64 mpidr, u32 intid);
    MmioResult (*dist_access)(const GicdOwner &owner, MmioAccess &a);
    GicFrame (*cpu_frame)(u32 cpu, bool direct);
    void (*add_cell_mmio)(MmioMap &m, u32 cpu_mask);
    void (*lend_spis)(const u32 *irqs);
    void (*return_spis)(const u32 *irqs, const GicdReroute &off);
    u32 (*reroute_spis)(const u32 *irqs, const GicdReroute &r);
    void (*lend_cpu)(u32 cpu);    // nullptr: nothing to do
    void (*return_cpu)(u32 cpu);
    bool (*mgmt_sgi_can_signal)();
};

// Pick the implementation for the board (p.gic_version 2 or 3). False for anything else: the
// hypervisor then leaves interrupts physical.
bool gic_init(const moat_cell_platform &p);
const GicOps *gic_ops();  // nullptr before gic_init / without a GIC
inline bool gic_enabled() { return gic_ops() != nullptr; }
inline u32 gic_version() { return gic_enabled() ? gic_ops()->version : 0; }

// Switch the calling CPU's EL1 to the virtual CPU interface, carrying over what the kernel had
// programmed in the physical one; or, `direct`, leave EL1 the physical one (a cell with direct
// interrupt delivery; the caller keeps HCR_EL2.IMO clear). False if the CPU's interface cannot be
// found.
inline bool gic_cpu_enter(GicCpu &g, u64 mpidr, bool direct = false)
{
    g.entered = gic_ops()->cpu_enter(g, mpidr, direct);
    return g.entered;
}
// Open the physical CPU interface of a CPU that just powered on (before gic_cpu_enter).
inline void gic_cpu_power_on() { gic_ops()->cpu_power_on(); }
// Switch EL1 back to the physical interface. The root cell's interrupts still in flight go back
// to it as pending; an `isolated` cell's are dropped (hardware-linked ones deactivated), and
// nothing it left pending or active in the CPU's SGIs and PPIs stays: the CPU goes back to the
// root in no state the cell chose.
inline void gic_cpu_leave(GicCpu &g, bool isolated)
{
    gic_ops()->cpu_leave(g, isolated);
    g.entered = false;
}
// An IRQ exception at EL2: acknowledge, inject. Returns the INTID handled (1023 if spurious);
// GIC_MGMT_SGI is acknowledged and deactivated but left to the caller.
inline u32 gic_handle_irq(GicCpu &g, u32 cpu) { return gic_ops()->handle_irq(g, cpu); }
// A trapped write to ICC_SGI1R_EL1 (which 0), ICC_ASGI1R_EL1 (1) or ICC_SGI0R_EL1 (2): generate
// it physically. False when the GIC has no such register (v2: the access is undefined).
inline bool gic_send_sgi_sysreg(u64 value, unsigned which)
{
    return gic_ops()->send_sgi_sysreg && gic_ops()->send_sgi_sysreg(value, which);
}
// Route every SPI in `irqs` to logical CPU `cpu` (affinity `mpidr`), disabled until its owner
// enables it.
inline void gic_route_irqs(const u32 *irqs, u32 cpu, u64 mpidr) { gic_ops()->route_irqs(irqs, cpu, mpidr); }
// Send SGI `intid` to logical CPU `cpu` (affinity `mpidr`) from the hypervisor.
inline void gic_send_sgi_to(u32 cpu, u64 mpidr, u32 intid) { gic_ops()->send_sgi_to(cpu, mpidr, intid); }
// Interrupt logical CPU `cpu` with GIC_MGMT_SGI (made sure to get through on the target).
inline void gic_kick(u32 cpu, u64 mpidr) { gic_send_sgi_to(cpu, mpidr, GIC_MGMT_SGI); }
// A trapped access to the distributor by a cell owning `owner`'s interrupts and CPUs.
inline MmioResult gic_dist_access(const GicdOwner &owner, MmioAccess &a) { return gic_ops()->dist_access(owner, a); }
// The frame a cell running on logical CPU `cpu` maps (v3: its redistributor; v2: GICV at the
// GICC address, or with `direct` delivery the physical GICC itself).
inline GicFrame gic_cpu_frame(u32 cpu, bool direct = false) { return gic_ops()->cpu_frame(cpu, direct); }
// Trapped GIC regions a cell has beside the distributor; an isolated cell's own CPUs in cpu_mask
// (the root cell passes 0).
inline void gic_add_cell_mmio(MmioMap &m, u32 cpu_mask) { gic_ops()->add_cell_mmio(m, cpu_mask); }
// A cell takes the SPIs in `irqs` from the root and runs on logical CPU `cpu` (affinity
// `mpidr`): the root's configuration of each is kept, the cell finds it disabled, not pending
// and not active, routed to `cpu`.
inline void gic_lend_spis(const u32 *irqs, u32 cpu, u64 mpidr)
{
    gic_ops()->lend_spis(irqs);
    gic_ops()->route_irqs(irqs, cpu, mpidr);
}
// The CPUs in `cpus` as SPI routes must leave them, for logical CPU `to` (gicd::reroute).
// `mpidr` holds their affinities for as long as the result is used.
GicdReroute gic_reroute_of(u32 cpus, u32 to, u64 (&mpidr)[MOAT_MAX_CPUS]);
// They go back: the root's configuration as it was (group, priority, trigger, route, enable),
// nothing pending or active, whatever the cell did; except that a saved route that could reach
// a CPU in `avoid` (another cell's now) goes to logical CPU `to` (a root CPU) instead.
inline void gic_return_spis(const u32 *irqs, u32 avoid, u32 to)
{
    u64 mpidr[MOAT_MAX_CPUS];
    gic_ops()->return_spis(irqs, gic_reroute_of(avoid, to, mpidr));
}
// Every SPI in `irqs` routed where it could reach a CPU in `cpus` (to one of them, or 1-of-N on
// GICv3) is routed to logical CPU `to` instead (GICv3 GICD_IROUTER, GICv2 GICD_ITARGETSR: those
// CPUs' bits dropped, `to`'s if none is left). How many SPIs were moved.
inline u32 gic_route_spis_off(const u32 *irqs, u32 cpus, u32 to)
{
    u64 mpidr[MOAT_MAX_CPUS];
    return gic_ops()->reroute_spis(irqs, gic_reroute_of(cpus, to, mpidr));
}
// Does the cell logical CPU `cpu` runs now own `intid`? SGIs and PPIs always count as owned;
// SPIs by the ownership map; LPIs and GICv3.1's extended ranges (not in that map) belong to
// the root cell only (gic_cell_owns, arch/gic_owner.hpp). The private INTIDs are answered inline: they are most of
// what a cell's CPU takes (its timer), and this is on every interrupt's path.
bool gic_owner_has_shared(u32 cpu, u32 intid);
inline bool gic_owner_has(u32 cpu, u32 intid)
{
    return intid < GIC_PRIVATE_COUNT || gic_owner_has_shared(cpu, intid);
}
// Logical CPU `cpu` (off) goes to a cell / comes back: its SGIs and PPIs (v3: in its
// redistributor) start clean for the cell, and go back to the root as the root had them.
inline void gic_lend_cpu(u32 cpu)
{
    if (gic_ops()->lend_cpu)
        gic_ops()->lend_cpu(cpu);
}
inline void gic_return_cpu(u32 cpu)
{
    if (gic_ops()->return_cpu)
        gic_ops()->return_cpu(cpu);
}
// Direct delivery: would the management SGI (priority 0, Group 1) be signalled to the calling
// CPU now, as the cell left its physical CPU interface (group enable, priority mask, running
// priority)? If not, a WFI of the cell would never wake for a stop.
inline bool gic_mgmt_sgi_can_signal() { return gic_ops()->mgmt_sgi_can_signal(); }
// v2: the GICD_ITARGETSR bits of the logical CPUs in `cpu_mask` (0 on v3).
u32 gic_targets_of(u32 cpu_mask);

}  // namespace moat::arm64
