// SPDX-License-Identifier: GPL-2.0
// What the cell lifecycle (hv/cells.cpp) asks of the architecture: the mechanism of carving a
// cell out of the root cell and giving it back (translation tables, interrupt controller, TLBs,
// physical memory, powering and kicking CPUs). The core decides who owns what and when; these
// only do it. arch/arm64/cell.cpp implements them at EL2; tests/unit/hv/fake_arch.cpp on the host
// records what was taken and lent, to check that everything comes back.
//
// Calls that change a cell's resources are made under the core's cells lock, one at a time.
#pragma once

#include "lib/types.hpp"

namespace moat {

struct Cell;

// --- The machine ---------------------------------------------------------------------------
// Why no cell can be created on this machine (no interrupt controller the hypervisor drives),
// or nullptr.
const char *arch_cells_unsupported();
// Logical id of the CPU with affinity `mpidr`, or -1.
int arch_cpu_of(u64 mpidr);
u64 arch_cpu_mpidr(u32 cpu);
// Logical id of the calling CPU.
u32 arch_cpu_current();
// Is `cpu` powered on (or on its way) as far as the hypervisor's PSCI view of it goes?
bool arch_cpu_powered(u32 cpu);
// Does the firmware report `cpu` off (PSCI AFFINITY_INFO)?
bool arch_cpu_firmware_off(u32 cpu);
// If every CPU in `mask` is off, call take(cpu) for each, in one step with the PSCI view (a root
// CPU_ON decides on the root's CPU mask under the same lock); else *busy = one that is on.
bool arch_cpus_take_if_off(u32 mask, void (*take)(u32 cpu), u32 *busy);

// --- The root cell's memory ------------------------------------------------------------------
// Root IPA -> physical address, if the root may read (and, with `write`, write) that RAM page.
bool arch_root_phys(u64 ipa, bool write, u64 *pa);
// Copy physical memory into the hypervisor; false if it cannot be mapped.
bool arch_copy_from_phys(void *dst, u64 pa, u64 size);
// Write a refusal into the root's error buffer at `root_ipa` (nothing if it is not the root's).
void arch_report_error(u64 root_ipa, const char *msg);
// The root's stage 2 allows this access now (called under the cells lock).
bool arch_root_maps(u64 ipa, bool write, bool exec);

// --- A cell's resources --------------------------------------------------------------------
// The root cell's address space and emulated devices, after cells_init_root. On failure, err.
// (Declared by the arch with its own arguments: it runs at enable, from arch code.)
//
// Carve cell `c` (desc, cpu_mask and irqs filled in, not yet taken from the root) out of the
// root: build its address space, take its memory and per-CPU interrupt controller frames from the
// root's, zero what it keeps to itself. MOAT_HC_OK, or a status and the reason in err, with
// nothing changed.
s64 arch_cell_create(Cell &c, char *err, size_t errlen);
// After the core gave `c` its CPUs and interrupts: point its CPUs at it and hand the interrupts
// over (quiet, the root's configuration saved).
void arch_cell_hand_over(Cell &c);
// Every SPI in `irqs` (the root's) routed where it could reach a CPU in `cpus` (which a cell has
// just taken) is routed to logical CPU `to` (a root CPU) instead. How many were moved.
u32 arch_route_spis_off(const u32 *irqs, u32 cpus, u32 to);
// Give back everything arch_cell_create and arch_cell_hand_over took, to the root: memory zeroed
// first (false and the reason in err if that cannot be done: then nothing changed), interrupts as
// the root had them, its CPUs pointed at the root, no translation of the cell left in any TLB.
// An SPI whose saved route could reach a CPU in `avoid` (other cells' now) goes to `route_to`.
bool arch_cell_destroy(Cell &c, u32 avoid, u32 route_to, char *err, size_t errlen);
// Copy `size` bytes of the root's memory at physical `src` into the cell's at physical `dst`
// and make them what the cell sees with caches off; false if either cannot be mapped.
bool arch_cell_load(u64 dst, u64 src, u64 size);

// Clean and invalidate [va, va + size) of the hypervisor's own memory to the point of coherency:
// what it just wrote there (zeros, before a page changes hands) reaches memory, for an owner that
// reads with its caches off, and no older dirty line is written back over it later.
void arch_clean_to_poc(const void *va, u64 size);

// --- Links (hv/link.cpp) ---------------------------------------------------------------------
// Set SPI `intid` pending in the distributor: a doorbell rung (its receiver owns it).
void arch_link_doorbell(u32 intid);
// Is SPI `intid` pending in the distributor (rung, not yet taken by the CPU it is routed to)?
bool arch_link_doorbell_pending(u32 intid);
// Microseconds of the system counter (for the doorbell budget; monotonic, any origin).
u64 arch_time_us();
// Zero physical memory (a link section) and clean it to the point of coherency; false if it
// cannot be mapped.
bool arch_zero_phys(u64 pa, u64 size);

// --- A cell's CPUs -------------------------------------------------------------------------
// `cpu` enters its cell at `entry`, with `x0` in x0, next time it is powered on.
void arch_cpu_prepare(u32 cpu, u64 entry, u64 x0);
// Power `cpu` on through the firmware; the PSCI status.
s64 arch_cpu_power_on(u32 cpu);
// Make `cpu` (on, another CPU) park: it takes an interrupt to the hypervisor and stops.
void arch_cpu_kick(u32 cpu);
// The calling CPU parks on its way out of the current trap.
void arch_cpu_stop_on_return(u32 cpu);
// `cpu` arrived for its cell: forget an earlier request to park.
void arch_cpu_clear_stop(u32 cpu);
// Send SGI `sgi` to `cpu` as a virtual interrupt of its cell (cooperative shutdown).
void arch_cpu_send_sgi(u32 cpu, u32 sgi);

}  // namespace moat
