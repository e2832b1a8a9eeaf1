// SPDX-License-Identifier: MIT
// The parts of a GICv3 an inmate needs: the CPU interface through system registers, the
// redistributor of the running CPU (PPIs and SGIs), and per-SPI set-up in the distributor.
// Distributor-wide state (GICD_CTLR) belongs to whoever owns the machine: bare-metal that is us;
// in a cell, the root cell already enabled it and the hypervisor filters what a cell may touch.
#pragma once

#include <stdint.h>

namespace demo::gic {

enum class Trigger { Level, Edge };

// INTID ranges (GICv3 architecture): SGIs 0-15, PPIs 16-31, SPIs 32-1019, then special INTIDs.
inline constexpr uint32_t kFirstPpi = 16;
inline constexpr uint32_t kFirstSpi = 32;
inline constexpr uint32_t kFirstSpecial = 1020;  // 1023 = spurious: nothing to acknowledge

// Higher value = lower priority. The demos use one level for everything.
inline constexpr uint8_t kDefaultPriority = 0xa0;

// Brings up this CPU's redistributor and CPU interface; returns false if no redistributor
// frame carries this CPU's affinity (then no PPI can work).
bool init_cpu();

// Sets the distributor's affinity routing and group-1 enable if nobody did yet.
void init_distributor();

void enable_ppi(uint32_t intid, uint8_t priority, Trigger trigger);
void disable_ppi(uint32_t intid);
// Routes an SPI to the calling CPU (by affinity) as group 1 and enables it.
void enable_spi(uint32_t intid, uint8_t priority, Trigger trigger);
void disable_spi(uint32_t intid);

// Base of the running CPU's redistributor (RD_base), 0 before init_cpu() found it.
uintptr_t redistributor();

uint32_t acknowledge();                    // ICC_IAR1_EL1: INTID of the highest pending
void end_of_interrupt(uint32_t intid);     // ICC_EOIR1_EL1: priority drop and deactivate

}  // namespace demo::gic
