// SPDX-License-Identifier: GPL-2.0
// GICv2 with the virtualization extensions (GIC-400 and QEMU's GICv2): the hypervisor drives
// the physical CPU interface (GICC) and the virtual interface control (GICH) at EL2; cells get
// the virtual CPU interface (GICV) mapped where they expect the GICC. The register offsets and
// fields (GICv2 architecture specification, IHI 0048B) are in arch/gic_regs.hpp; the pure
// encodings here are host-tested (tests/unit/arch/gicv2_test.cpp). The rest of the hypervisor uses arch/gic.hpp.
#pragma once

#include <moat/cell.h>

#include "arch/gic.hpp"
#include "arch/gic_regs.hpp"
#include "lib/types.hpp"

namespace moat::arm64 {

// Where the CPU interface's second 4 KiB page (the one holding GICC_DIR) begins, as an offset
// from the GICC base. The architecture puts it right after the first (gicc::PAGE1). A GIC-400
// integrated with 64 KiB spacing, as on the ZynqMP, repeats each 4 KiB page through a 64 KiB
// slot; its tree then gives the CPU interface two slots (128 KiB), and the second page begins
// the second slot. `iidr_base` and `iidr_page1` are GICC_IIDR as read at the base and at the
// same offset 4 KiB higher: the same non-zero value there means the first page repeats.
constexpr u64 GICV2_ALIAS_SLOT = 0x10000;
constexpr u64 gicv2_cpu_page1(u64 gicc_size, u32 iidr_base, u32 iidr_page1)
{
    bool repeats = iidr_base != 0 && iidr_base == iidr_page1;
    return gicc_size >= 2 * GICV2_ALIAS_SLOT && repeats ? GICV2_ALIAS_SLOT : gicc::PAGE1;
}

// The physical GICC_IAR value of an interrupt as a pending-queue entry: INTID and, for SGIs,
// the source CPU.
constexpr u32 gicv2_iar_intid(u32 iar) { return iar & gicc::IAR_INTID_MASK; }
constexpr u32 gicv2_iar_cpuid(u32 iar) { return (iar >> gicc::IAR_CPUID_SHIFT) & gicc::IAR_CPUID_MASK; }

// Making an SGI acknowledged as `iar` pending again: GICD_SPENDSGIR<n> holds one byte per SGI,
// one bit per source CPU. It is written one byte at a time: a word write also writes the three
// neighbouring SGIs' bytes (as zeros), which QEMU's GICv2 took as pending SGIs of no source CPU
// and aborted on (seen with a 2-CPU Linux cell). The byte's offset from the GICD base and its
// value: the source CPU's bit.
struct GicdByteWrite {
    u64 offset;
    u8 value;
};
constexpr GicdByteWrite gicv2_sgi_repend(u32 iar)
{
    return {gicd::SPENDSGIR + (gicv2_iar_intid(iar) & 0xf), static_cast<u8>(1u << gicv2_iar_cpuid(iar))};
}

// The GICH_LR value that injects the interrupt acknowledged as `iar` (GICC_IAR: INTID and, for
// an SGI, its source CPU), pending, in virtual group 0 (what the cell's GICV_CTLR.EnableGrp0
// enables, as a GICv2 guest without security extensions sees it). PPIs and SPIs carry the
// hardware bit with the same physical INTID; SGIs cannot (the architecture has no hardware link
// for them) and carry their source CPU instead.
constexpr u32 gicv2_lr_value(u32 iar, u8 priority)
{
    u32 intid = gicv2_iar_intid(iar);
    u32 lr = (gich::LR_STATE_PENDING << gich::LR_STATE_SHIFT) |
             ((static_cast<u32>(priority) >> 3) << gich::LR_PRIORITY_SHIFT) | intid;
    if (intid >= 16)
        lr |= gich::LR_HW | (intid << gich::LR_PHYSICALID_SHIFT);
    else
        lr |= gicv2_iar_cpuid(iar) << gich::LR_CPUID_SHIFT;
    return lr;
}
constexpr u32 gicv2_lr_state(u32 lr) { return (lr >> gich::LR_STATE_SHIFT) & gich::LR_STATE_MASK; }
constexpr u32 gicv2_lr_intid(u32 lr) { return lr & gich::LR_VIRTUALID_MASK; }
// The GICC_IAR value an LR stands for (INTID, and for an SGI its source CPU).
constexpr u32 gicv2_lr_iar(u32 lr)
{
    return (lr & gich::LR_HW) ? gicv2_lr_intid(lr) : (lr & (gich::LR_VIRTUALID_MASK | (gich::LR_CPUID_MASK << gich::LR_CPUID_SHIFT)));
}

// The virtual INTID a list register holds pending and/or active, or GIC_LR_NONE.
constexpr u32 gicv2_lr_live_intid(u32 lr) { return gicv2_lr_state(lr) ? gicv2_lr_intid(lr) : GIC_LR_NONE; }
// The list register holding an INTID that came again (GicInject::HELD), rewritten: state,
// priority, INTID (and an SGI's source) kept; no hardware link (its physical activation was
// ended by someone else, and the new one is the waiting copy's, which goes in with the link),
// and an end-of-interrupt maintenance interrupt when the guest deactivates it.
constexpr u32 gicv2_lr_hold(u32 lr)
{
    if (lr & gich::LR_HW)
        lr &= ~(gich::LR_HW | (gich::LR_PHYSICALID_MASK << gich::LR_PHYSICALID_SHIFT));
    return lr | gich::LR_EOI;
}

// GICH_VMCR from the physical CPU interface as the kernel programmed it, and back.
constexpr u32 gicv2_vmcr_from_gicc(u32 ctlr, u32 pmr, u32 bpr, u32 abpr)
{
    u32 vmcr = ((pmr >> 3) & gich::VMCR_PMR_MASK) << gich::VMCR_PMR_SHIFT |
               (bpr & gich::VMCR_BP_MASK) << gich::VMCR_BP_SHIFT |
               (abpr & gich::VMCR_BP_MASK) << gich::VMCR_ABP_SHIFT;
    if (ctlr & gicc::CTLR_ENABLE)
        vmcr |= gich::VMCR_GRP0EN;
    if (ctlr & gicc::CTLR_EOIMODE)
        vmcr |= gich::VMCR_VEM;
    return vmcr;
}
constexpr u32 gicv2_vmcr_pmr(u32 vmcr) { return ((vmcr >> gich::VMCR_PMR_SHIFT) & gich::VMCR_PMR_MASK) << 3; }
constexpr u32 gicv2_vmcr_bpr(u32 vmcr) { return (vmcr >> gich::VMCR_BP_SHIFT) & gich::VMCR_BP_MASK; }
constexpr u32 gicv2_vmcr_abpr(u32 vmcr) { return (vmcr >> gich::VMCR_ABP_SHIFT) & gich::VMCR_BP_MASK; }
// The physical GICC_CTLR that gives the kernel back what it had in its virtual interface:
// the stub's value with the enable and EOImode bits from GICH_VMCR.
constexpr u32 gicv2_ctlr_from_vmcr(u32 stub_ctlr, u32 vmcr)
{
    u32 ctlr = stub_ctlr & ~(gicc::CTLR_ENABLE | gicc::CTLR_EOIMODE);
    if (vmcr & gich::VMCR_GRP0EN)
        ctlr |= gicc::CTLR_ENABLE;
    if (vmcr & gich::VMCR_VEM)
        ctlr |= gicc::CTLR_EOIMODE;
    return ctlr;
}

// Trapped delivery ends on the calling CPU (gicv2_cpu_leave): what its list registers and its
// queue (g.pending) still hold. Hardware-linked list registers and queued PPIs and SPIs are
// active physically: they are deactivated, whoever leaves. With `repend` (the root cell leaves:
// moat disable, or Linux taking the CPU offline) whatever was not taken yet goes back to the
// physical GIC as pending, for Linux to take at EL1. Without (an isolated cell's CPU goes back
// to the root), nothing does: SGIs and PPIs the cell made pending for itself would otherwise be
// the root's on that CPU (SGI 2 is Linux's IPI_CPU_STOP). `hw`: lr_read(n), lr_write(n, v),
// deactivate(iar) (GICC_DIR), repend(iar) (gicv2_sgi_repend or GICD_ISPENDR).
template <typename Hw>
void gicv2_leave_in_flight(GicCpu &g, bool repend, Hw &hw)
{
    for (unsigned n = 0; n < g.nr_lrs; n++) {
        u32 lr = hw.lr_read(n);
        u32 state = gicv2_lr_state(lr);
        hw.lr_write(n, 0);
        if (!state)
            continue;
        if (lr & gich::LR_HW)
            hw.deactivate(gicv2_lr_intid(lr));
        if (repend && (state & gich::LR_STATE_PENDING))
            hw.repend(gicv2_lr_iar(lr));
    }
    for (unsigned i = 0; i < g.npending; i++) {
        if (gicv2_iar_intid(g.pending[i]) >= GIC_SGI_COUNT)  // SGIs were deactivated when taken
            hw.deactivate(g.pending[i]);
        if (repend)
            hw.repend(g.pending[i]);
    }
    g.npending = 0;
}

// Nothing of the calling CPU's banked SGIs and PPIs pending or active (`write32(offset, value)`
// on the distributor): what an isolated cell leaves on its CPU goes nowhere. Enables,
// priorities and groups stay: the management SGI and the maintenance PPI keep EL2's settings.
template <typename Write32>
void gicv2_clear_private_pending(Write32 write32)
{
    write32(gicd::ICPENDR, ~0u);
    write32(gicd::ICACTIVER, ~0u);
    for (u64 i = 0; i < GIC_SGI_COUNT / 4; i++)  // GICD_CPENDSGIR0-3: a byte per SGI, a bit per source CPU
        write32(gicd::CPENDSGIR + 4 * i, ~0u);
}

// Keep the board's GICv2 frames; the operations table for gic.cpp. Reads GICC_IIDR to find the
// CPU interface's second page (gicv2_cpu_page1).
const GicOps *gicv2_setup(const moat_cell_platform &p);
// Physical address of GICC_DIR, as gicv2_setup() found it.
u64 gicv2_dir_address();
// The GICD_ITARGETSR bit of logical CPU `cpu` (learnt when it entered; before that, 1 << cpu).
u32 gicv2_cpu_targets(u32 cpu);

}  // namespace moat::arm64
