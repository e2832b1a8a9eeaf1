// SPDX-License-Identifier: MIT
// GICv2 for an inmate. Register offsets and fields from the GICv2 architecture specification
// (Arm IHI 0048B). The CPU interface is memory-mapped at the board tree's GICC address: on the
// bare machine the physical one; in a moat cell the hypervisor maps the virtual CPU interface
// (GICV) there, which has the same layout, and traps and filters the distributor. Every access
// is a plain 32-bit one (see mmio.hpp).
#include "demo/gicv2.hpp"

#include "demo/board.hpp"
#include "demo/flavour.hpp"
#include "demo/gic_fields.hpp"
#include "demo/mmio.hpp"
#include "demo/timer.hpp"

namespace demo::gic {

namespace {

static_assert(board::kGicVersion == 2, "src/gicv2.cpp built for a board whose tree names another GIC");

// Distributor (GICD_*).
constexpr uintptr_t kGicdCtlr = 0x000;
constexpr uintptr_t kGicdIsenabler = 0x100;
constexpr uintptr_t kGicdIcenabler = 0x180;
constexpr uintptr_t kGicdIpriorityr = 0x400;
constexpr uintptr_t kGicdItargetsr = 0x800;
constexpr uintptr_t kGicdIcfgr = 0xc00;
// GICD_CTLR bit 0: forwards group 0 interrupts (without security extensions; group 1 in the
// non-secure view of a GIC that has them).
constexpr uint32_t kGicdCtlrEnable = 1u << 0;

// CPU interface (GICC_*, or GICV_* in a cell).
constexpr uintptr_t kGiccCtlr = 0x000;
constexpr uintptr_t kGiccPmr = 0x004;
constexpr uintptr_t kGiccBpr = 0x008;
constexpr uintptr_t kGiccIar = 0x00c;
constexpr uintptr_t kGiccEoir = 0x010;
// GICC_CTLR: bit 0 signals group 0 (group 1 in the non-secure view); FIQEn (bit 3) would
// signal group 0 as FIQ, which the vectors do not take; EOImode (bit 9) would make EOIR only
// drop the priority and leave deactivation to GICC_DIR. A cell's GICV starts with whatever the
// CPU's physical interface had, so all three are set explicitly.
constexpr uint32_t kGiccCtlrEnable = 1u << 0;
constexpr uint32_t kGiccCtlrFiqEn = 1u << 3;
constexpr uint32_t kGiccCtlrEoiMode = 1u << 9;
constexpr uint32_t kPriorityMaskAll = 0xff;     // GICC_PMR: let every priority through
constexpr uint32_t kBinaryPointAllPreempt = 0;  // GICC_BPR: no sub-priority grouping (clamped to the minimum)

uint8_t own_target = 0;
bool cpu_up = false;

uintptr_t gicd(uintptr_t offset) { return board::kGicdBase + offset; }
uintptr_t gicc(uintptr_t offset) { return board::kGiccBase + offset; }

void update_field(uintptr_t array, uint32_t intid, unsigned bits, uint32_t value)
{
    const uintptr_t reg = gicd(array + word_offset(intid, bits));
    mmio::write32(reg, with_field(mmio::read32(reg), intid, bits, value));
}

// Priority and trigger of one interrupt. The group stays as the distributor's owner set it:
// without security extensions every interrupt resets to group 0, which the CPU interface
// signals as IRQ; in a cell the hypervisor injects every interrupt as virtual group 0.
void configure(uint32_t intid, uint8_t priority, Trigger trigger)
{
    update_field(kGicdIpriorityr, intid, kPriorityBits, priority);
    // Only the upper bit of the 2-bit field is the trigger; the lower one is reserved.
    const uintptr_t cfg = gicd(kGicdIcfgr + word_offset(intid, kConfigBits));
    const uint32_t edge = kConfigEdge << field_shift(intid, kConfigBits);
    mmio::update32(cfg, edge, trigger == Trigger::Edge ? edge : 0);
}

void init_cpu_interface()
{
    mmio::write32(gicc(kGiccPmr), kPriorityMaskAll);
    mmio::write32(gicc(kGiccBpr), kBinaryPointAllPreempt);
    mmio::update32(gicc(kGiccCtlr), kGiccCtlrFiqEn | kGiccCtlrEoiMode, kGiccCtlrEnable);
}

}  // namespace

bool init_cpu()
{
    own_target = gicv2_own_target(mmio::read32(gicd(kGicdItargetsr)));
    init_cpu_interface();
    cpu_up = true;  // the CPU interface is at the same address for every CPU (banked)
    return cpu_up;
}

bool cpu_ready() { return cpu_up; }

uint8_t cpu_interface_mask() { return own_target; }

void init_distributor()
{
    const uint32_t ctlr = mmio::read32(gicd(kGicdCtlr));
    if (ctlr & kGicdCtlrEnable)
        return;  // the root cell (or firmware) did it: leave its configuration alone
    mmio::write32(gicd(kGicdCtlr), ctlr | kGicdCtlrEnable);
}

// SGI and PPI registers (the first word of each array) are banked per CPU: these reach ours.
void enable_ppi(uint32_t intid, uint8_t priority, Trigger trigger)
{
    configure(intid, priority, trigger);
    mmio::write32(gicd(kGicdIsenabler + word_offset(intid, kEnableBits)), bit(intid));
}

void disable_ppi(uint32_t intid) { mmio::write32(gicd(kGicdIcenabler + word_offset(intid, kEnableBits)), bit(intid)); }

void enable_spi(uint32_t intid, uint8_t priority, Trigger trigger)
{
    configure(intid, priority, trigger);
    if (own_target)  // a uniprocessor GIC has no targets to set
        update_field(kGicdItargetsr, intid, kTargetBits, own_target);
    mmio::write32(gicd(kGicdIsenabler + word_offset(intid, kEnableBits)), bit(intid));
}

void disable_spi(uint32_t intid) { mmio::write32(gicd(kGicdIcenabler + word_offset(intid, kEnableBits)), bit(intid)); }

Acknowledged acknowledge()
{
    return gicv2_acknowledged(mmio::read32(gicc(kGiccIar)));
}

// In a cell, the EOI of a virtual interrupt that the hypervisor linked to the physical one (the
// list register's hardware bit) deactivates the physical interrupt as well. QEMU's GICv2 (7.2)
// then does not look at the physical CPU interface again: if the line is still asserted - a
// periodic task that re-armed the timer for a deadline already past, catching up after a late
// period - the interrupt waits for some unrelated distributor event, milliseconds later, and the
// task never catches up. Dropping and raising the timer's line after the EOI makes QEMU look; on
// a real GIC it changes nothing (the interrupt is pending either way).
void end_of_interrupt(Acknowledged irq)
{
    mmio::write32(gicc(kGiccEoir), irq.iar);
    if (kInCell && irq.intid == board::kVirtualTimerIntid)
        timer::reassert_if_expired();
}

}  // namespace demo::gic
