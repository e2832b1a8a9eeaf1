// SPDX-License-Identifier: GPL-2.0
// Cells as the hypervisor core keeps them (hv/cells.cpp): the table, each cell's state and what it
// owns right now (the root cell's share shrinks while other cells run), and the lifecycle the
// root cell drives through hypercalls. What a cell's address space and interrupts physically are
// is the architecture's business (hv/arch_cell.hpp); this is who owns what, and when.
#pragma once

#include <moat/abi.h>
#include <moat/cell.h>

#include "hv/cell_cpus.hpp"
#include "hv/console_line.hpp"
#include "hv/gic_dist.hpp"
#include "hv/shutdown_request.hpp"
#include "hv/spinlock.hpp"

namespace moat {

constexpr u32 MAX_CELLS = MOAT_MAX_CELLS;
constexpr u32 ROOT_CELL = 0;

enum class CellState : u32 {
    FREE = MOAT_CELL_STATE_FREE,
    STOPPED = MOAT_CELL_STATE_STOPPED,
    RUNNING = MOAT_CELL_STATE_RUNNING,
    SHUT_DOWN = MOAT_CELL_STATE_SHUT_DOWN,
    FAILED = MOAT_CELL_STATE_FAILED,
};

struct Cell {
    CellState state;                      // FREE or in use; what it is doing: cpus.run()
    u32 id;
    moat_cell_desc desc;                  // as handed in, validated
    u32 irqs[MOAT_CELL_IRQ_WORDS];        // INTIDs it owns now
    u64 cpu_mpidr[MOAT_MAX_CPUS];         // CPUs it owns now
    u32 num_cpus;
    u32 cpu_mask;                         // the same CPUs as logical ids
    // Which of its CPUs are on, on their way or powering off, and so whether it runs. Changed
    // by its own CPUs (arrive, leave, CPU_ON, fail) and by the root's requests, under cpu_lock.
    SpinLock cpu_lock;
    CellCpus cpus;
    // Console output not yet ended by a newline; its CPUs print at once, under console_lock.
    SpinLock console_lock;
    ConsoleLine console;
    ShutdownRequest shutdown;             // cooperative shutdown, reset at every start
    GicdOwner gicd_owner() const { return {irqs, cpu_mpidr, num_cpus, 0, 0, 0}; }
    bool is_root() const { return id == ROOT_CELL; }
    // Physical interrupts straight to the cell at EL1 (moat,irq-delivery = "direct").
    bool direct_irq() const { return desc.flags & MOAT_CELL_FLAG_DIRECT_IRQ; }
    // The cell runs Linux (moat,os = "linux"): debug and PMU registers read as zero.
    bool linux_os() const { return desc.flags & MOAT_CELL_FLAG_LINUX; }
};

Cell &cell_root();
Cell *cell_get(u32 id);  // nullptr unless in use

// The root cell from its descriptor (at enable, before any other CPU runs): every other slot is
// free. The root's address space is then built by the arch (arch_cell_root_init). On failure,
// err holds the reason.
bool cells_init_root(const moat_cell_desc &desc, char *err, size_t errlen);

// Cell management requested by the root cell. Each returns a MOAT_HC_* status and, on failure,
// the reason in err.
s64 cell_create(u64 desc_ipa, u64 size, u64 *id, char *err, size_t errlen);
s64 cell_load(u32 id, u64 src_ipa, u64 dst_ipa, u64 size, char *err, size_t errlen);
s64 cell_start(u32 id, char *err, size_t errlen);
// flags: MOAT_SHUTDOWN_FORCE. MOAT_HC_PENDING while a cooperative cell has not answered.
s64 cell_shutdown(u32 id, u64 flags, char *err, size_t errlen);
s64 cell_destroy(u32 id, char *err, size_t errlen);
// MOAT_CELL_STATE_*, the cell's CPUs and those powered on; false if there is no such cell.
bool cell_state(u32 id, u32 *state, u32 *cpus, u32 *cpus_on);
// MOAT_HC_DISABLE from a root CPU: false (and nothing changes) while any other cell exists;
// true, and no cell can be created from now on, once a CPU may leave.
bool cells_begin_leave();
// Does the root cell's stage 2 allow this access to ipa, once no cell create or destroy is
// changing it? A root access that faulted while a block was being split is then retried.
bool cell_root_maps(u64 ipa, bool write, bool exec);
// Write a refusal into the root's error buffer (a root IPA), under the cells lock.
void cell_report_error(u64 root_ipa, const char *msg);

// Cell `c` rings peer `peer` of its link endpoint `link` (hv/link.hpp), under the cells lock.
u32 cell_link_ring(Cell &c, u32 link, u32 peer);

// From cell `c`'s CPU `cpu`: cooperative shutdown (MOAT_HC_SHUTDOWN_NOTIFY/REPLY).
s64 cell_shutdown_notify(Cell &c, u64 sgi);
s64 cell_shutdown_reply(Cell &c, u32 cpu, u64 answer);

// Events on the CPUs of a cell.
// `cpu` arrived under the hypervisor for its cell. False: the cell is being stopped, park it.
bool cell_cpu_started(Cell &c, u32 cpu);
// `cpu` left its cell; it counts until the firmware confirms it off.
void cell_cpu_stopped(Cell &c, u32 cpu);
// A CPU of cell `c` asks PSCI CPU_ON for `cpu`: 0 to go ahead, or the PSCI status to answer.
s64 cell_cpu_on_request(Cell &c, u32 cpu);
// The firmware refused that CPU_ON.
void cell_cpu_on_failed(Cell &c, u32 cpu);
// A CPU of the cell asked for system off or reset: the whole cell stops (`self` parks itself).
void cell_system_off(Cell &c, u32 self);
void cell_console_putc(Cell &c, char ch);
// The cell did something forbidden: mark it failed and park its CPUs other than `self` (the
// caller parks that one).
void cell_fail(Cell &c, u32 self, const char *why);

}  // namespace moat
