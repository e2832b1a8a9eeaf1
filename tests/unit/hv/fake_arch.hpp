// SPDX-License-Identifier: GPL-2.0
// A fake of the architecture's side of cells (hv/arch_cell.hpp) for host tests of the lifecycle in
// the core (hv/cells.cpp). A machine of 8 CPUs (MPIDR = CPU number) laid out like QEMU virt: root
// RAM, a cell pool, devices. It records what each cell was given (memory taken from the root,
// CPUs pointed at it, interrupts lent) and complains — `violations` — when asked to take what is
// not the root's to give or to return what was never taken, so a test can check that everything
// comes back. The firmware is simulated too: powered CPUs, CPUs kicked, CPUs reported off.
#pragma once

#include <moat/cell.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "hv/cell.hpp"

namespace fake {

using moat::u32;
using moat::u64;

constexpr u32 CPUS = 8;
constexpr u64 DESC_PA = 0x41000000;  // where tests put descriptors in root RAM
constexpr u64 IMAGE_PA = 0x41001000; // and images to load

struct Region {
    u64 phys, size;
    bool operator<(const Region &o) const { return phys < o.phys || (phys == o.phys && size < o.size); }
};

struct Arch {
    // The machine.
    u32 root_online = 1;                 // CPUs the root has on (its PSCI view)
    bool firmware_off[CPUS] = {true, true, true, true, true, true, true, true};
    bool cells_supported = true;
    // Injected failures.
    bool create_fails = false, destroy_fails = false, load_fails = false, copy_fails = false;
    moat::s64 power_on_status = 0;
    // What the core asked for.
    std::map<Region, u32> taken;         // memory out of the root's stage 2, and by which cell
    u32 cpu_owner[CPUS] = {};            // where each CPU's per-CPU data points
    std::map<u32, u32> lent_irqs;        // INTID -> cell
    std::set<u32> created;               // cells with an address space
    std::vector<u32> powered_on, kicked, sgi_to;
    bool stop_request[CPUS] = {};
    u64 entry_x0[CPUS] = {};             // x0 the CPU enters its cell with
    bool booting[CPUS] = {};             // powered on, not arrived yet
    std::vector<std::pair<u64, u64>> loads;  // (dst, size)
    std::vector<u64> zeroed;             // phys of regions zeroed
    std::vector<u32> doorbells;          // SPIs set pending by a link's doorbell, in order
    bool doorbells_stay_pending = false; // receivers do not take their doorbells (they stay
    std::set<u32> pending_doorbells;     // in this set until a test takes them)
    moat::u64 time_us = 0;               // arch_time_us()
    std::vector<Region> link_zeroed;     // link sections zeroed (arch_zero_phys), in order
    struct Clean {
        const void *va;
        u64 size;
        bool all_zero;                   // what reached memory was zeros only
    };
    std::vector<Clean> cleaned;          // hypervisor memory cleaned to the PoC, in order
    std::string reported;                // last message to the root's error buffer
    // SPI routes (a logical CPU each, CPU 0 at reset), as the distributor would hold them. A
    // cell's SPIs are routed to its first CPU at hand-over; at destroy they get back the route
    // saved then, or `route_to` if that CPU is in `avoid`.
    u32 spi_route[MOAT_CELL_IRQ_BITS] = {};
    u32 saved_route[MOAT_CELL_IRQ_BITS] = {};
    u32 current_cpu = 0;                 // arch_cpu_current()
    struct RouteOff {
        u32 cpus, to, moved;
    };
    std::vector<RouteOff> routed_off;    // arch_route_spis_off calls, in order
    struct RouteBack {
        u32 cell, avoid, to;
    };
    std::vector<RouteBack> routed_back;  // arch_cell_destroy's avoid and route_to, in order
    std::vector<std::string> violations; // what the core should never have asked
    std::vector<unsigned char> phys;     // root RAM from DESC_PA, as the fake copies it
};

extern Arch arch;

// A root descriptor of the fake machine (QEMU virt, GICv3, 8 CPUs, SPIs 32..63 the root's).
moat_cell_desc root_desc();
// A fresh machine and core: the root cell made from root_desc().
void reset();
// The same with another root descriptor (e.g. one with links); its checksum is not checked.
void reset_with_root(const moat_cell_desc &root);
// Put bytes in the fake root RAM at `pa` (at least DESC_PA).
void put(u64 pa, const void *bytes, size_t size);

}  // namespace fake
