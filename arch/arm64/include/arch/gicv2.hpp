// SPDX-License-Identifier: GPL-2.0
// GICv2 with the virtualization extensions (GIC-400 and QEMU's GICv2): the hypervisor drives
// the physical CPU interface (GICC) and the virtual interface control (GICH) at EL2; cells get
// the virtual CPU interface (GICV) mapped where they expect the GICC. Register offsets and
// fields from the GICv2 architecture specification (IHI 0048B); the pure encodings here are
// host-tested (tests/unit/arch/gicv2_test.cpp). The rest of the hypervisor uses arch/gic.hpp.
#pragma once

#include <moat/cell.h>

#include "arch/gic.hpp"
#include "lib/types.hpp"

namespace moat::arm64 {

namespace gicc {
constexpr u64 CTLR = 0x0000, PMR = 0x0004, BPR = 0x0008, IAR = 0x000c, EOIR = 0x0010;
constexpr u64 ABPR = 0x001c, IIDR = 0x00fc, DIR = 0x1000;
constexpr u64 PAGE1 = 0x1000;             // the second 4 KiB page (GICC_DIR) in the architecture's layout
constexpr u32 CTLR_ENABLE = 1u << 0;      // EnableGrp0 (EnableGrp1 in the Non-secure view)
constexpr u32 CTLR_EOIMODE = 1u << 9;     // EOImode (EOImodeNS in the Non-secure view)
constexpr u32 IAR_INTID_MASK = 0x3ff;
constexpr u32 IAR_CPUID_SHIFT = 10;       // source CPU of an SGI
constexpr u32 IAR_CPUID_MASK = 0x7;
constexpr u32 PMR_ALLOW_ALL = 0xff;
constexpr u32 INTID_SPECIAL_FIRST = 1020;  // 1020..1023: nothing to acknowledge
}  // namespace gicc

namespace gich {
constexpr u64 HCR = 0x000, VTR = 0x004, VMCR = 0x008, MISR = 0x010, APR = 0x0f0, LR0 = 0x100;
constexpr u32 HCR_EN = 1u << 0;
constexpr u32 HCR_UIE = 1u << 1;          // maintenance interrupt when at most one LR is valid
constexpr u32 VTR_LISTREGS_MASK = 0x3f;
constexpr u32 VMCR_GRP0EN = 1u << 0;
constexpr u32 VMCR_GRP1EN = 1u << 1;
constexpr u32 VMCR_ACKCTL = 1u << 2;
constexpr u32 VMCR_FIQEN = 1u << 3;
constexpr u32 VMCR_CBPR = 1u << 4;
constexpr u32 VMCR_VEM = 1u << 9;         // virtual EOImode
constexpr u32 VMCR_ABP_SHIFT = 18, VMCR_BP_SHIFT = 21, VMCR_BP_MASK = 0x7;
constexpr u32 VMCR_PMR_SHIFT = 27, VMCR_PMR_MASK = 0x1f;  // priority mask bits [7:3]
constexpr u32 LR_VIRTUALID_MASK = 0x3ff;
constexpr u32 LR_PHYSICALID_SHIFT = 10;   // HW = 1: the physical INTID to deactivate
constexpr u32 LR_PHYSICALID_MASK = 0x3ff;
constexpr u32 LR_CPUID_SHIFT = 10;        // HW = 0, SGI: the source CPU the cell sees in GICC_IAR
constexpr u32 LR_CPUID_MASK = 0x7;
constexpr u32 LR_PRIORITY_SHIFT = 23;     // priority bits [7:3]
constexpr u32 LR_PRIORITY_MASK = 0x1f;
constexpr u32 LR_STATE_SHIFT = 28;
constexpr u32 LR_STATE_MASK = 0x3;
constexpr u32 LR_STATE_PENDING = 0x1;
constexpr u32 LR_STATE_ACTIVE = 0x2;
constexpr u32 LR_GRP1 = 1u << 30;
constexpr u32 LR_HW = 1u << 31;
}  // namespace gich

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

// Keep the board's GICv2 frames; the operations table for gic.cpp. Reads GICC_IIDR to find the
// CPU interface's second page (gicv2_cpu_page1).
const GicOps *gicv2_setup(const moat_cell_platform &p);
// Physical address of GICC_DIR, as gicv2_setup() found it.
u64 gicv2_dir_address();
// The GICD_ITARGETSR bit of logical CPU `cpu` (learnt when it entered; before that, 1 << cpu).
u32 gicv2_cpu_targets(u32 cpu);

}  // namespace moat::arm64
