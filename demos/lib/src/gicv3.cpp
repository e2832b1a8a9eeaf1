// SPDX-License-Identifier: MIT
// GICv3 for an inmate. Register offsets and fields from the GICv3/v4 architecture specification
// (Arm IHI 0069). Every memory-mapped access is a plain 32-bit one (see mmio.hpp).
#include "demo/gicv3.hpp"

#include "demo/arch_bits.h"
#include "demo/board.hpp"
#include "demo/gic_fields.hpp"
#include "demo/gicr_walk.hpp"
#include "demo/mmio.hpp"
#include "demo/sysreg.hpp"

namespace demo::gic {

namespace {

static_assert(board::kGicVersion == 3, "src/gicv3.cpp built for a board whose tree names another GIC");

// Distributor (GICD_*).
constexpr uintptr_t kGicdCtlr = 0x0000;
constexpr uintptr_t kGicdIgroupr = 0x0080;
constexpr uintptr_t kGicdIsenabler = 0x0100;
constexpr uintptr_t kGicdIcenabler = 0x0180;
constexpr uintptr_t kGicdIpriorityr = 0x0400;
constexpr uintptr_t kGicdIcfgr = 0x0c00;
constexpr uintptr_t kGicdIgrpmodr = 0x0d00;
constexpr uintptr_t kGicdIrouter = 0x6000;  // 64-bit per SPI, written as two 32-bit halves
// GICD_CTLR as seen by non-secure software (or with DS=1): bit 1 enables (non-secure) group 1,
// bit 4 turns on affinity routing for it; RWP says a write is still propagating.
constexpr uint32_t kGicdCtlrEnableGrp1 = 1u << 1;
constexpr uint32_t kGicdCtlrAre = 1u << 4;
constexpr uint32_t kGicdCtlrRwp = 1u << 31;

// Redistributor RD_base frame (GICR_*); GICR_TYPER and the frame layout are in gicr_walk.hpp.
constexpr uintptr_t kGicrWaker = 0x0014;
constexpr uint32_t kGicrWakerProcessorSleep = 1u << 1;
constexpr uint32_t kGicrWakerChildrenAsleep = 1u << 2;
constexpr uintptr_t kGicrSgiFrame = kGicrFrameSize;  // SGI_base follows RD_base

// Redistributor SGI_base frame: the SGI/PPI counterparts of the distributor registers.
constexpr uintptr_t kGicrIgroupr0 = kGicrSgiFrame + 0x0080;
constexpr uintptr_t kGicrIsenabler0 = kGicrSgiFrame + 0x0100;
constexpr uintptr_t kGicrIcenabler0 = kGicrSgiFrame + 0x0180;
constexpr uintptr_t kGicrIpriorityr = kGicrSgiFrame + 0x0400;
constexpr uintptr_t kGicrIcfgr = kGicrSgiFrame + 0x0c00;
constexpr uintptr_t kGicrIgrpmodr0 = kGicrSgiFrame + 0x0d00;

// Field packing (demo/gic_fields.hpp) is shared by distributor and redistributor arrays.
constexpr uint32_t kPriorityMaskAll = 0xff;          // ICC_PMR: let every priority through
constexpr uint32_t kBinaryPointAllPreempt = 0;       // ICC_BPR1: no sub-priority grouping

uintptr_t rd_base = 0;

void wait_distributor_write()
{
    while (mmio::read32(board::kGicdBase + kGicdCtlr) & kGicdCtlrRwp) {
    }
}

// Priority, trigger and group of one interrupt in a register block (GICD_ or GICR_ SGI frame).
void configure(uintptr_t igroupr, uintptr_t igrpmodr, uintptr_t ipriorityr, uintptr_t icfgr, uint32_t intid,
               uint8_t priority, Trigger trigger)
{
    const unsigned prio_shift = field_shift(intid, kPriorityBits);
    mmio::update32(ipriorityr + word_offset(intid, kPriorityBits), field_mask(intid, kPriorityBits),
                   static_cast<uint32_t>(priority) << prio_shift);
    const unsigned cfg_shift = field_shift(intid, kConfigBits);
    mmio::update32(icfgr + word_offset(intid, kConfigBits), kConfigEdge << cfg_shift,
                   trigger == Trigger::Edge ? kConfigEdge << cfg_shift : 0);
    // Non-secure group 1 (IGROUPR = 1, IGRPMODR = 0): the group EL1 acknowledges via IAR1.
    mmio::update32(igrpmodr + word_offset(intid, kEnableBits), bit(intid), 0);
    mmio::update32(igroupr + word_offset(intid, kEnableBits), 0, bit(intid));
}

// A redistributor comes out of reset asleep: tell it this CPU is awake and wait until its
// interface to the CPU is up, or no PPI/SGI will be forwarded.
void wake_redistributor(uintptr_t rd)
{
    mmio::update32(rd + kGicrWaker, kGicrWakerProcessorSleep, 0);
    while (mmio::read32(rd + kGicrWaker) & kGicrWakerChildrenAsleep) {
    }
}

void init_cpu_interface()
{
    arch::write_icc_sre(arch::read_icc_sre() | ICC_SRE_SRE);  // system-register interface
    arch::isb();
    arch::write_icc_pmr(kPriorityMaskAll);
    arch::write_icc_bpr1(kBinaryPointAllPreempt);
    arch::write_icc_ctlr(arch::read_icc_ctlr() & ~ICC_CTLR_EOIMODE);  // EOIR also deactivates
    arch::write_icc_igrpen1(ICC_IGRPEN1_ENABLE);
    arch::isb();
}

}  // namespace

bool init_cpu()
{
    rd_base = find_redistributor(board::kGicrBase, board::kGicrSize, affinity_of_mpidr(arch::read_mpidr()),
                                 mmio::read32);
    if (rd_base)
        wake_redistributor(rd_base);
    init_cpu_interface();
    return rd_base != 0;
}

void init_distributor()
{
    const uint32_t ctlr = mmio::read32(board::kGicdBase + kGicdCtlr);
    constexpr uint32_t kWanted = kGicdCtlrAre | kGicdCtlrEnableGrp1;
    if ((ctlr & kWanted) == kWanted)
        return;  // the root cell (or firmware) did it: leave its configuration alone
    mmio::write32(board::kGicdBase + kGicdCtlr, ctlr | kWanted);
    wait_distributor_write();
}

uintptr_t redistributor() { return rd_base; }

bool cpu_ready() { return rd_base != 0; }

void enable_ppi(uint32_t intid, uint8_t priority, Trigger trigger)
{
    if (!rd_base)
        return;
    configure(rd_base + kGicrIgroupr0, rd_base + kGicrIgrpmodr0, rd_base + kGicrIpriorityr, rd_base + kGicrIcfgr,
              intid, priority, trigger);
    mmio::write32(rd_base + kGicrIsenabler0, bit(intid));
}

void disable_ppi(uint32_t intid)
{
    if (rd_base)
        mmio::write32(rd_base + kGicrIcenabler0, bit(intid));
}

void enable_spi(uint32_t intid, uint8_t priority, Trigger trigger)
{
    const uintptr_t d = board::kGicdBase;
    configure(d + kGicdIgroupr, d + kGicdIgrpmodr, d + kGicdIpriorityr, d + kGicdIcfgr, intid, priority, trigger);
    // Affinity routing to this CPU: IROUTER holds Aff3 in bits 39:32 and Aff2.Aff1.Aff0 in 23:0,
    // which is the MPIDR layout minus its non-affinity bits.
    constexpr uint64_t kAffinityMask = (MPIDR_AFF_MASK << MPIDR_AFF3_SHIFT) | (MPIDR_AFF_MASK << MPIDR_AFF2_SHIFT) |
                                       (MPIDR_AFF_MASK << MPIDR_AFF1_SHIFT) | (MPIDR_AFF_MASK << MPIDR_AFF0_SHIFT);
    const uint64_t route = arch::read_mpidr() & kAffinityMask;
    const uintptr_t irouter = d + kGicdIrouter + intid * sizeof(uint64_t);
    mmio::write32(irouter, static_cast<uint32_t>(route));
    mmio::write32(irouter + sizeof(uint32_t), static_cast<uint32_t>(route >> kBitsPerWord));
    mmio::write32(d + kGicdIsenabler + word_offset(intid, kEnableBits), bit(intid));
    wait_distributor_write();
}

void disable_spi(uint32_t intid)
{
    mmio::write32(board::kGicdBase + kGicdIcenabler + word_offset(intid, kEnableBits), bit(intid));
    wait_distributor_write();
}

Acknowledged acknowledge()
{
    const auto intid = static_cast<uint32_t>(arch::read_icc_iar1() & ICC_IAR_INTID_MASK);
    return {intid, intid};  // ICC_IAR1 holds nothing but the INTID
}

void end_of_interrupt(Acknowledged irq) { arch::write_icc_eoir1(irq.iar); }

}  // namespace demo::gic
