// SPDX-License-Identifier: GPL-2.0
// GICv2 with the virtualization extensions: physical interrupts are acknowledged at EL2 through
// the memory-mapped CPU interface (GICC) and handed to the running cell through the list
// registers of the virtual interface control (GICH_LR<n>), PPIs and SPIs with the hardware bit
// so that the cell's deactivation deactivates the physical interrupt. Each cell finds the
// virtual CPU interface (GICV) where the board tree puts the GICC; the distributor is trapped
// and filtered (hv/gic_dist.cpp gicd_access_v2), and GICD_SGIR writes are how cells send SGIs.
#include "arch/gicv2.hpp"

#include <moat/abi.h>

#include "arch/cpu.hpp"
#include "arch/sysreg.h"
#include "hv/spinlock.hpp"
#include "hv/stats.hpp"

namespace moat::arm64 {

namespace {
struct GicConfig {
    u64 gicd_base, gicc_base, gich_base, gicv_base;
    u64 gicc_dir;        // GICC_DIR: in the second page, which is not always 4 KiB above the first
    u64 cpu_frame_size;  // what a cell maps of the GICV at its GICC address
    u32 maint_intid;
} gic;

// Linux's default interrupt priority; injected interrupts keep the guest's masking working.
constexpr u8 INJECT_PRIORITY = 0xa0;

u32 read32(u64 a) { return *reinterpret_cast<volatile u32 *>(a); }
void write32(u64 a, u32 v) { *reinterpret_cast<volatile u32 *>(a) = v; }
void write8(u64 a, u8 v) { *reinterpret_cast<volatile u8 *>(a) = v; }
u32 gicc_read(u64 off) { return read32(gic.gicc_base + off); }
void gicc_write(u64 off, u32 v) { write32(gic.gicc_base + off, v); }
void gicc_deactivate(u32 iar) { write32(gic.gicc_dir, iar); }
u32 gich_read(u64 off) { return read32(gic.gich_base + off); }
void gich_write(u64 off, u32 v) { write32(gic.gich_base + off, v); }

// The distributor as the filter sees it: offsets from GICD base. GICv2 has no 64-bit registers.
u32 gicd_read32(u64 off) { return read32(gic.gicd_base + off); }
void gicd_write32(u64 off, u32 v) { write32(gic.gicd_base + off, v); }
u64 gicd_read64(u64 off) { return gicd_read32(off) | u64{gicd_read32(off + 4)} << 32; }
void gicd_write64(u64 off, u64 v)
{
    gicd_write32(off, static_cast<u32>(v));
    gicd_write32(off + 4, static_cast<u32>(v >> 32));
}
constexpr GicdBackend gicd_hw{gicd_read32, gicd_write32, gicd_read64, gicd_write64};
// Read-modify-write of shared distributor registers by two cells at once must not interleave.
SpinLock gicd_lock;

u32 lr_read(unsigned n) { return gich_read(gich::LR0 + 4 * n); }
void lr_write(unsigned n, u32 v) { gich_write(gich::LR0 + 4 * n, v); }

// `iar` as acknowledged: INTID and, for an SGI, the source CPU. An LR is free when it holds
// nothing pending or active (one whose end-of-interrupt maintenance has not been taken yet too:
// every acknowledgement ends with flush_pending, which offers the waiting copy again).
// The owner was checked by the caller (gic_take after gicv2_handle_irq's check; a waiting copy
// by gic_retry_pending, as on GICv3).
GicInject try_inject(GicCpu &g, u32 iar)
{
    u32 lrs[64];
    u64 used = 0;
    for (unsigned n = 0; n < g.nr_lrs; n++) {
        lrs[n] = lr_read(n);
        if (gicv2_lr_state(lrs[n]))
            used |= u64{1} << n;
    }
    u64 all = g.nr_lrs >= 64 ? ~u64{0} : (u64{1} << g.nr_lrs) - 1;
    GicLrPick pick = gic_pick_lr(used, all, gicv2_iar_intid(iar), [&](unsigned n) { return gicv2_lr_live_intid(lrs[n]); });
    if (pick.result == GicInject::DONE)
        lr_write(pick.lr, gicv2_lr_value(iar, INJECT_PRIORITY));
    else if (pick.result == GicInject::HELD)
        lr_write(pick.lr, gicv2_lr_hold(lrs[pick.lr]));
    return pick.result;
}

// List registers the guest deactivated that asked for an end-of-interrupt maintenance interrupt
// (gicv2_lr_hold): emptied, so that their bit in GICH_EISR goes.
void clear_ended_holds(const GicCpu &g)
{
    for (unsigned w = 0; w * 32 < g.nr_lrs; w++)
        for (u32 ended = gich_read(gich::EISR0 + 4 * w); ended; ended &= ended - 1)
            lr_write(w * 32 + static_cast<unsigned>(__builtin_ctz(ended)), 0);
}

void flush_pending(GicCpu &g, u32 cpu)
{
    u32 kept = gic_retry_pending(g, [cpu](u32 iar) { return gic_owner_has(cpu, gicv2_iar_intid(iar)); }, try_inject);
    u32 hcr = gich_read(gich::HCR);
    u32 want = kept ? (hcr | gich::HCR_UIE) : (hcr & ~gich::HCR_UIE);
    if (want != hcr)
        gich_write(gich::HCR, want);
}

// Make the interrupt acknowledged as `iar` pending again in the physical GIC. SGIs and PPIs are
// banked: this reaches the calling CPU's.
void repend_physical(u32 iar)
{
    u32 intid = gicv2_iar_intid(iar);
    if (intid < GIC_SGI_COUNT) {
        GicdByteWrite w = gicv2_sgi_repend(iar);
        write8(gic.gicd_base + w.offset, w.value);
    } else
        gicd_write32(gicd::ISPENDR + (intid / 32) * 4, 1u << (intid % 32));
}

// SGI 15 and the maintenance interrupt are the hypervisor's; the other SGIs and PPIs of the
// calling CPU are its cell's to configure.
u32 private_mask() { return ~((1u << GIC_MGMT_SGI) | (1u << gic.maint_intid)); }

MmioResult gicv2_dist_access(const GicdOwner &owner, MmioAccess &a)
{
    GicdOwner o = owner;
    o.private_mask = private_mask();
    o.self_target = gicv2_cpu_targets(this_cpu().id);
    MmioResult r;
    {
        LockGuard guard(gicd_lock);
        r = gicd_access_v2(gicd_hw, o, a);
    }
    if (r == MmioResult::HANDLED && a.write && a.offset == gicd::SGIR)
        stats_count(this_cpu().id, MOAT_EXIT_SGI);
    return r;
}

// Every active priority of the physical CPU interface forgotten, and nothing of the calling
// CPU's banked SGIs and PPIs left pending or active: a cell with direct delivery had the
// physical GICC and may have left anything there.
void clear_private_state()
{
    for (u64 i = 0; i < gicc::APR_COUNT; i++) {
        gicc_write(gicc::APR0 + 4 * i, 0);
        gicc_write(gicc::NSAPR0 + 4 * i, 0);
    }
    gicv2_clear_private_pending(gicd_write32);
}

// Direct delivery: the cell's stage 2 maps the physical GICC (gicv2_cpu_frame) and HCR_EL2.IMO
// is clear, so its interrupts reach it at EL1 with no exit; the virtual interface is off. The
// cell finds the interface enabled, every priority let through, EOImode 0.
void enter_direct(GicCpu &g)
{
    g.stub_ctlr = gicc_read(gicc::CTLR);
    gich_write(gich::HCR, 0);
    gich_write(gich::VMCR, 0);
    clear_private_state();
    gicc_write(gicc::PMR, gicc::PMR_ALLOW_ALL);
    gicc_write(gicc::CTLR, gicc::CTLR_ENABLE);
    dsb(ish);
    isb();
}

// The cell is gone from this CPU: whatever it did to the physical CPU interface and to the CPU's
// banked SGIs and PPIs is undone; EL2's settings are back (the CPU powers off next, and
// gicv2_cpu_power_on opens it again).
void leave_direct(GicCpu &g)
{
    gicc_write(gicc::CTLR, 0);
    clear_private_state();
    gicc_write(gicc::PMR, gicc::PMR_ALLOW_ALL);
    gicc_write(gicc::BPR, 0);
    gicc_write(gicc::CTLR, gicc::CTLR_ENABLE | gicc::CTLR_EOIMODE);
    g.npending = 0;
    g.direct = false;
    dsb(ish);
    isb();
}

bool gicv2_cpu_enter(GicCpu &g, u64, bool direct)
{
    // GICD_ITARGETSR0 is banked: each byte reads as the calling CPU's own bit.
    u32 targets = gicd_read32(gicd::ITARGETSR) & 0xff;
    if (targets)
        g.targets = targets;
    g.nr_lrs = (gich_read(gich::VTR) & gich::VTR_LISTREGS_MASK) + 1;
    g.npending = 0;
    for (unsigned n = 0; n < g.nr_lrs; n++)
        lr_write(n, 0);
    gich_write(gich::APR, 0);
    g.direct = direct;
    if (direct) {
        enter_direct(g);
        return true;
    }

    // The virtual interface starts where the kernel left the physical one.
    u32 ctlr = gicc_read(gicc::CTLR);
    g.stub_ctlr = ctlr;
    gich_write(gich::VMCR, gicv2_vmcr_from_gicc(ctlr, gicc_read(gicc::PMR), gicc_read(gicc::BPR),
                                                gicc_read(gicc::ABPR)));
    gich_write(gich::HCR, gich::HCR_EN);

    // At EL2: EOIR only drops the priority; the cell's deactivation of the virtual interrupt
    // deactivates the physical one through the hardware bit.
    gicc_write(gicc::CTLR, ctlr | gicc::CTLR_EOIMODE);
    gicd_write32(gicd::ISENABLER, 1u << gic.maint_intid);
    dsb(ish);
    isb();
    return true;
}

void gicv2_cpu_power_on()
{
    // A CPU fresh from power-on has its physical interface disabled and masked. The kernel
    // will program the virtual one; the physical one is the hypervisor's to open.
    gicc_write(gicc::PMR, gicc::PMR_ALLOW_ALL);
    gicc_write(gicc::CTLR, gicc::CTLR_ENABLE | gicc::CTLR_EOIMODE);
    dsb(ish);
    isb();
}

// The physical interface as EL2 uses it, for gicv2_leave_in_flight.
struct LeaveHw {
    u32 lr_read(unsigned n) { return moat::arm64::lr_read(n); }
    void lr_write(unsigned n, u32 v) { moat::arm64::lr_write(n, v); }
    void deactivate(u32 iar) { gicc_deactivate(iar); }
    void repend(u32 iar) { repend_physical(iar); }
};

void gicv2_cpu_leave(GicCpu &g, bool isolated)
{
    if (g.direct) {
        leave_direct(g);
        return;
    }
    gicd_write32(gicd::ICENABLER, 1u << gic.maint_intid);
    // The root's interrupts not taken yet go back to the physical GIC as pending; an isolated
    // cell's go nowhere, nor does anything it left pending or active in the CPU's SGIs and PPIs
    // (docs/security.md, invariant 1).
    LeaveHw hw;
    gicv2_leave_in_flight(g, !isolated, hw);
    if (isolated)
        gicv2_clear_private_pending(gicd_write32);

    // Back to the physical interface with the kernel's current settings.
    u32 vmcr = gich_read(gich::VMCR);
    gicc_write(gicc::PMR, gicv2_vmcr_pmr(vmcr));
    gicc_write(gicc::BPR, gicv2_vmcr_bpr(vmcr));
    gicc_write(gicc::ABPR, gicv2_vmcr_abpr(vmcr));
    gicc_write(gicc::CTLR, gicv2_ctlr_from_vmcr(static_cast<u32>(g.stub_ctlr), vmcr));
    gich_write(gich::HCR, 0);
    gich_write(gich::VMCR, 0);
    gich_write(gich::APR, 0);
    dsb(ish);
    isb();
}

u32 gicv2_handle_irq(GicCpu &g, u32 cpu)
{
    u32 iar = gicc_read(gicc::IAR);
    u32 intid = gicv2_iar_intid(iar);
    if (intid >= GIC_INTID_SPECIAL_FIRST)
        return intid;
    gicc_write(gicc::EOIR, iar);  // priority drop only (EOImode 1)
    if (intid == gic.maint_intid) {
        gicc_deactivate(iar);
        stats_count(cpu, MOAT_EXIT_MAINTENANCE);
        clear_ended_holds(g);
    } else if (intid == GIC_MGMT_SGI) {
        gicc_deactivate(iar);
    } else {
        stats_count(cpu, MOAT_EXIT_IRQ);
        if (intid < GIC_SGI_COUNT)
            gicc_deactivate(iar);  // SGIs have no hardware link: done physically
        if (!gic_owner_has(cpu, intid)) {
            // An SPI of another owner routed here: never injected, never linked; ended here.
            gicc_deactivate(iar);
            flush_pending(g, cpu);
            return intid;
        }
        GicTake t = gic_take(g, iar, try_inject);
        if (t == GicTake::HELD) {
            stats_count(cpu, MOAT_EXIT_IRQ_HELD);
        } else if (t == GicTake::NO_ROOM) {
            // Nowhere to keep it: give it back to the distributor to be taken again later.
            if (intid >= GIC_SGI_COUNT)
                gicc_deactivate(iar);
            repend_physical(iar);
        }
    }
    flush_pending(g, cpu);
    return intid;
}

void gicv2_route_irqs(const u32 *irqs, u32 cpu, u64)
{
    LockGuard guard(gicd_lock);
    u32 target = gicv2_cpu_targets(cpu) & 0xff;
    for (u32 intid = GIC_PRIVATE_COUNT; intid < GIC_SPI_END; intid++) {
        if (!((irqs[intid / 32] >> (intid % 32)) & 1))
            continue;
        gicd_write32(gicd::ICENABLER + (intid / 32) * 4, 1u << (intid % 32));
        u64 word = gicd::ITARGETSR + (intid & ~3u);
        u32 shift = (intid % 4) * 8;
        gicd_write32(word, (gicd_read32(word) & ~(0xffu << shift)) | (target << shift));
    }
}

void gicv2_send_sgi_to(u32 cpu, u64, u32 intid)
{
    // SGI 15's enable and priority are banked on the target and kept from the cells by the
    // distributor filter; SGIs are always enabled on GICv2 implementations that fix them.
    dsb(ish);
    gicd_write32(gicd::SGIR, (gicv2_cpu_targets(cpu) & 0xff) << gicd::SGIR_TARGETS_SHIFT | (intid & gicd::SGIR_INTID_MASK));
    dsb(ish);
}

// Every cell maps the virtual CPU interface where it expects the GICC: the GICV is banked, each
// CPU reaches its own. A cell with direct delivery maps the physical GICC there instead (banked
// too: each of its CPUs reaches only its own interface).
GicFrame gicv2_cpu_frame(u32, bool direct)
{
    return {gic.gicc_base, direct ? gic.gicc_base : gic.gicv_base, gic.cpu_frame_size, false, 0};
}

void gicv2_add_cell_mmio(MmioMap &, u32) {}

// The root's configuration of each SPI a cell has taken (an SPI has one owner at a time).
GicdSpiSaved spi_saved[GIC_SPI_END];

void gicv2_lend_spis(const u32 *irqs)
{
    LockGuard guard(gicd_lock);
    for (u32 intid = GIC_PRIVATE_COUNT; intid < GIC_SPI_END; intid++)
        if ((irqs[intid / 32] >> (intid % 32)) & 1)
            gicd_spi_lend(gicd_hw, 2, intid, spi_saved[intid]);
}

void gicv2_return_spis(const u32 *irqs, const GicdReroute &off)
{
    LockGuard guard(gicd_lock);
    for (u32 intid = GIC_PRIVATE_COUNT; intid < GIC_SPI_END; intid++)
        if ((irqs[intid / 32] >> (intid % 32)) & 1)
            gicd_spi_return(gicd_hw, 2, intid, spi_saved[intid], &off);
}

u32 gicv2_reroute_spis(const u32 *irqs, const GicdReroute &r)
{
    LockGuard guard(gicd_lock);
    return gicd_reroute_spis(gicd_hw, 2, irqs, r);
}

bool gicv2_mgmt_sgi_can_signal()
{
    return (gicc_read(gicc::CTLR) & gicc::CTLR_ENABLE) && (gicc_read(gicc::PMR) & 0xff) != 0 &&
           (gicc_read(gicc::RPR) & 0xff) != 0;
}

constexpr GicOps gicv2_ops{
    2,
    gicv2_cpu_enter,
    gicv2_cpu_power_on,
    gicv2_cpu_leave,
    gicv2_handle_irq,
    nullptr,  // no ICC_SGI*R system registers: SGIs go through GICD_SGIR
    gicv2_route_irqs,
    gicv2_send_sgi_to,
    gicv2_dist_access,
    gicv2_cpu_frame,
    gicv2_add_cell_mmio,
    gicv2_lend_spis,
    gicv2_return_spis,
    gicv2_reroute_spis,
    // A CPU's SGIs and PPIs are banked: only that CPU reaches them, and it is off while it
    // changes hands. The distributor filter keeps SGI 15 and the maintenance PPI from the cell,
    // and Linux programs the rest again when the CPU comes back online.
    nullptr,
    nullptr,
    gicv2_mgmt_sgi_can_signal,
};
}  // namespace

u64 gicv2_dir_address() { return gic.gicc_dir; }

u32 gicv2_cpu_targets(u32 cpu)
{
    PerCpu *pc = cpu_data(cpu);
    return pc && pc->gic.targets ? pc->gic.targets : (1u << cpu) & 0xff;
}

const GicOps *gicv2_setup(const moat_cell_platform &p)
{
    if (!p.gicc_base || !p.gich_base || !p.gicv_base)
        return nullptr;
    u64 size = p.gicc_size < p.gicv_size ? p.gicc_size : p.gicv_size;
    // Only a window with room for 64 KiB spacing is probed: no read of the second page's
    // reserved offsets where the architected layout is all there is.
    u64 page1 = gicc::PAGE1;
    if (p.gicc_size >= 2 * GICV2_ALIAS_SLOT)
        page1 = gicv2_cpu_page1(p.gicc_size, read32(p.gicc_base + gicc::IIDR),
                                read32(p.gicc_base + gicc::PAGE1 + gicc::IIDR));
    gic = {p.gicd_base, p.gicc_base, p.gich_base, p.gicv_base, p.gicc_base + page1 + (gicc::DIR - gicc::PAGE1),
           align_up(size, PAGE_SIZE), p.maint_irq};
    return &gicv2_ops;
}

}  // namespace moat::arm64
