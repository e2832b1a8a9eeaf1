// SPDX-License-Identifier: MIT
// The interrupt controller as an inmate needs it, for either GIC version: the CPU interface,
// the running CPU's private interrupts (PPIs) and per-SPI set-up in the distributor. The build
// links the backend the board tree names (src/gicv3.cpp or src/gicv2.cpp; demos/CMakeLists.txt).
// Distributor-wide state (GICD_CTLR) belongs to whoever owns the machine: bare-metal that is us;
// in a cell, the root cell already enabled it and the hypervisor filters what a cell may touch.
#pragma once

#include <stdint.h>

namespace demo::gic {

enum class Trigger { Level, Edge };

// INTID ranges (both architectures): SGIs 0-15, PPIs 16-31, SPIs 32-1019, then special INTIDs.
inline constexpr uint32_t kFirstPpi = 16;
inline constexpr uint32_t kFirstSpi = 32;
inline constexpr uint32_t kFirstSpecial = 1020;  // 1020-1023, 1023 = spurious: nothing to end

// Higher value = lower priority. The demos use one level for everything.
inline constexpr uint8_t kDefaultPriority = 0xa0;

// An acknowledged interrupt: its INTID, and the acknowledge register's value as end_of_interrupt
// must hand it back (on GICv2 an SGI's source CPU is part of it).
struct Acknowledged {
    uint32_t intid;
    uint32_t iar;
};

// Brings up this CPU's side of the GIC (GICv3: its redistributor; both: the CPU interface).
// Returns false if this CPU's part cannot be found (then no PPI can work).
bool init_cpu();
// Whether init_cpu() found this CPU's part: PPIs can be enabled.
bool cpu_ready();

// Enables the distributor (GICv3: with affinity routing) if nobody did yet.
void init_distributor();

void enable_ppi(uint32_t intid, uint8_t priority, Trigger trigger);
void disable_ppi(uint32_t intid);
// Routes an SPI to the calling CPU and enables it.
void enable_spi(uint32_t intid, uint8_t priority, Trigger trigger);
void disable_spi(uint32_t intid);

Acknowledged acknowledge();                 // the highest-priority pending interrupt
void end_of_interrupt(Acknowledged irq);    // priority drop and deactivation

}  // namespace demo::gic
