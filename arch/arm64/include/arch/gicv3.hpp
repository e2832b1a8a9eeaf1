// SPDX-License-Identifier: GPL-2.0
// GICv3: physical interrupts are taken at EL2 and handed to the running cell through the list
// registers of the virtual CPU interface, with the hardware bit set so that the cell's own
// deactivation deactivates the physical interrupt: no exit for EOI or deactivation.
#pragma once

#include "hv/gic_dist.hpp"
#include "hv/types.hpp"

namespace moat::arm64 {

struct GicConfig {
    u64 gicd_base, gicd_size;
    u64 gicr_base, gicr_size;
    u32 maint_intid;
};

// Interrupts acknowledged at EL2 that found no free list register wait here.
constexpr unsigned GIC_PENDING_MAX = 32;

struct GicCpu {
    u64 redist;          // this CPU's redistributor frame (RD_base)
    u32 nr_lrs;
    u32 npending;
    u32 pending[GIC_PENDING_MAX];
    u64 stub_ctlr;       // physical ICC_CTLR_EL1 as Linux left it
};

void gicv3_init(const GicConfig &cfg);
bool gicv3_enabled();
// Switch the calling CPU's EL1 to the virtual CPU interface, carrying over what the kernel had
// programmed in the physical one. False if this CPU's redistributor cannot be found.
bool gicv3_cpu_enter(GicCpu &g, u64 mpidr);
// Open the physical CPU interface of a CPU that just powered on (before gicv3_cpu_enter).
void gicv3_cpu_power_on();
// Hand everything still in flight back to the physical interface, then switch EL1 back to it.
void gicv3_cpu_leave(GicCpu &g);
// An IRQ exception at EL2: acknowledge, inject. Returns the INTID handled (1023 if spurious);
// GIC_MGMT_SGI is acknowledged and deactivated but left to the caller.
u32 gicv3_handle_irq(GicCpu &g, u32 cpu);
// A trapped write to ICC_SGI1R_EL1 (or ICC_ASGI1R_EL1/ICC_SGI0R_EL1): generate it physically.
void gicv3_send_sgi(u64 value, unsigned which);

// The SGI the hypervisor sends itself to stop a CPU of a cell; cells never get it injected.
constexpr u32 GIC_MGMT_SGI = 15;
// Route every SPI in `irqs` to the CPU with affinity `mpidr`, disabled until its owner enables it.
void gicv3_route_irqs(const u32 *irqs, u64 mpidr);
// Interrupt the CPU with affinity `mpidr` (redistributor state in `target`) with GIC_MGMT_SGI.
void gicv3_kick(const GicCpu &target, u64 mpidr);

// A trapped access to the distributor by a cell owning `owner`'s interrupts and CPUs.
MmioResult gicv3_dist_access(const GicdOwner &owner, MmioAccess &a);

// The list register value that injects `intid`; host-testable.
u64 gicv3_lr_value(u32 intid, bool hw, u8 priority);

}  // namespace moat::arm64
