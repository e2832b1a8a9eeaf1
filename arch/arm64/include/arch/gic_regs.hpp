// SPDX-License-Identifier: GPL-2.0
// The GIC's architectural facts in one place: INTID ranges and the register offsets and fields
// of the distributor (GICD, both versions), the GICv3 redistributor (GICR) and the GICv2 CPU
// interface (GICC) and virtual interface control (GICH). From the GICv3/v4 architecture
// specification (IHI 0069) and the GICv2 one (IHI 0048B). The GICv3 system registers (ICC_*,
// ICH_*) are in arch/sysreg.h; where the affinity goes in GICR_TYPER, GICD_IROUTER and
// ICC_SGI1R_EL1 is arch/affinity.hpp. Constants only: host code includes this too.
#pragma once

#include "lib/types.hpp"

namespace moat {

// INTID ranges.
constexpr u32 GIC_SGI_COUNT = 16;            // 0..15: SGIs
constexpr u32 GIC_PRIVATE_COUNT = 32;        // 0..31: SGIs and PPIs, banked per CPU
constexpr u32 GIC_SPI_FIRST = GIC_PRIVATE_COUNT;
constexpr u32 GIC_SPI_END = 1020;            // SPIs are 32..1019
constexpr u32 GIC_INTID_SPECIAL_FIRST = 1020;  // 1020..1023: nothing to acknowledge (1023 spurious)
constexpr u32 GIC_INTID_LIMIT = 1024;        // what a 10-bit INTID field (and the cell IRQ bitmap) holds
constexpr u32 GIC_SPECIAL_END = 1024;        // 1020..1023: special INTIDs (spurious and the like)
constexpr u32 GIC_LPI_FIRST = 8192;          // LPIs (GICv3 with an ITS): 8192 and up

// Distributor, offsets from GICD base.
namespace gicd {
constexpr u64 CTLR = 0x0000, TYPER = 0x0004, IIDR = 0x0008, TYPER2 = 0x000c;
constexpr u64 IGROUPR = 0x0080, ISENABLER = 0x0100, ICENABLER = 0x0180, ISPENDR = 0x0200;
constexpr u64 ICPENDR = 0x0280, ISACTIVER = 0x0300, ICACTIVER = 0x0380, IPRIORITYR = 0x0400;
constexpr u64 ITARGETSR = 0x0800, ICFGR = 0x0c00, IGRPMODR = 0x0d00, NSACR = 0x0e00;
constexpr u64 IROUTER = 0x6000, ID_REGS = 0xffd0, SIZE = 0x10000;
// GICv2
constexpr u64 SGIR = 0x0f00, CPENDSGIR = 0x0f10, SPENDSGIR = 0x0f20, V2_ID_REGS = 0x0fd0;
constexpr u32 SGIR_INTID_MASK = 0xf;
constexpr u32 SGIR_NSATT = 1u << 15;
constexpr u32 SGIR_TARGETS_SHIFT = 16, SGIR_TARGETS_MASK = 0xff;
constexpr u32 SGIR_FILTER_SHIFT = 24, SGIR_FILTER_MASK = 0x3;
constexpr u32 SGIR_FILTER_LIST = 0, SGIR_FILTER_OTHERS = 1, SGIR_FILTER_SELF = 2;
}  // namespace gicd

// GICv3 redistributor: two 64 KiB frames per CPU, RD_base then SGI_base. Offsets from RD_base.
namespace gicr {
constexpr u64 FRAME_STRIDE = 0x20000;
constexpr u64 RD_FRAME_SIZE = 0x10000;
constexpr u64 CTLR = 0x0000, IIDR = 0x0004, TYPER = 0x0008, STATUSR = 0x0010, WAKER = 0x0014;
constexpr u64 ID_REGS = 0xffd0;
constexpr u32 CTLR_ENABLE_LPIS = 1u << 0;
constexpr u32 CTLR_RWP = 1u << 3;
constexpr u64 TYPER_LAST = u64{1} << 4;
constexpr unsigned TYPER_AFFINITY_SHIFT = 32;  // Affinity_Value [63:32] (arch/affinity.hpp)
constexpr u32 WAKER_PROCESSOR_SLEEP = 1u << 1;
// SGI_base: the SGI and PPI registers, at the distributor's offsets for INTIDs 0..31.
constexpr u64 SGI_BASE = 0x10000;
constexpr u64 IGROUPR0 = SGI_BASE + 0x0080;
constexpr u64 ISENABLER0 = SGI_BASE + 0x0100;
constexpr u64 ICENABLER0 = SGI_BASE + 0x0180;
constexpr u64 ISPENDR0 = SGI_BASE + 0x0200;
constexpr u64 ICPENDR0 = SGI_BASE + 0x0280;
constexpr u64 ICACTIVER0 = SGI_BASE + 0x0380;
constexpr u64 IPRIORITYR0 = SGI_BASE + 0x0400;
constexpr u64 ICFGR1 = SGI_BASE + 0x0c04;
constexpr u64 IGRPMODR0 = SGI_BASE + 0x0d00;
constexpr u32 PRIORITY_WORDS = 8;  // GICR_IPRIORITYR0..7: one byte for each of INTIDs 0..31
}  // namespace gicr

// GICv2 CPU interface (GICC) and virtual interface control (GICH), offsets from their bases.
namespace gicc {
constexpr u64 CTLR = 0x0000, PMR = 0x0004, BPR = 0x0008, IAR = 0x000c, EOIR = 0x0010;
constexpr u64 ABPR = 0x001c, IIDR = 0x00fc, DIR = 0x1000;
constexpr u64 RPR = 0x0014;                    // running priority
constexpr u64 APR0 = 0x00d0, NSAPR0 = 0x00e0;  // active priorities, 4 registers each
constexpr u64 APR_COUNT = 4;
constexpr u64 PAGE1 = 0x1000;             // the second 4 KiB page (GICC_DIR) in the architecture's layout
constexpr u32 CTLR_ENABLE = 1u << 0;      // EnableGrp0 (EnableGrp1 in the Non-secure view)
constexpr u32 CTLR_EOIMODE = 1u << 9;     // EOImode (EOImodeNS in the Non-secure view)
constexpr u32 IAR_INTID_MASK = 0x3ff;
constexpr u32 IAR_CPUID_SHIFT = 10;       // source CPU of an SGI
constexpr u32 IAR_CPUID_MASK = 0x7;
constexpr u32 PMR_ALLOW_ALL = 0xff;
}  // namespace gicc

namespace gich {
constexpr u64 HCR = 0x000, VTR = 0x004, VMCR = 0x008, MISR = 0x010, EISR0 = 0x020, APR = 0x0f0, LR0 = 0x100;
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
constexpr u32 LR_EOI = 1u << 19;          // HW = 0: maintenance interrupt when the guest deactivates it
constexpr u32 LR_GRP1 = 1u << 30;
constexpr u32 LR_HW = 1u << 31;
}  // namespace gich

}  // namespace moat
