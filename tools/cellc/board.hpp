// SPDX-License-Identifier: GPL-2.0
// What moat needs to know about the board, read from the merged tree: RAM, the hypervisor's and
// the cells' reserved memory, CPUs, the GIC, timer, PSCI, debug UART and every memory-mapped
// device with its registers and interrupts.
#pragma once

#include <string>
#include <vector>

#include "fdt_tree.hpp"

namespace cellc {

struct NamedRange {
    AddressRange range;
    std::string node;  // path
    std::string file;  // file that defined it
};

struct Cpu {
    int node = -1;
    std::string path;
    u64 mpidr = 0;
    bool boot = false;  // the FDT header's boot_cpuid_phys: the CPU Linux booted on
};

struct Device {
    int node = -1;
    std::string path;
    std::vector<AddressRange> mmio;  // translated to physical addresses
    std::vector<u32> spis;           // GIC INTIDs (32 + n)
    std::vector<u32> ppis;           // GIC INTIDs (16 + n)
    std::string irq_problem;         // why its interrupts cannot be routed, if they cannot
    bool is_gic = false;
    bool is_pci_host = false;
    std::string dma_master;  // why it is a DMA master ("compatible \"virtio,mmio\""), or empty
    std::vector<AddressRange> pci_windows;  // CPU-side windows of a PCI host's ranges
};

struct Gic {
    int node = -1;
    std::string path;
    u32 phandle = 0;
    int version = 0;
    std::vector<AddressRange> regs;  // v3: GICD, GICR...; v2: GICD, GICC, GICH, GICV
    u64 gicr_stride = 0;
    u32 maint_intid = 0;
};

struct Board {
    std::string file;
    std::vector<AddressRange> ram;       // /memory reg entries
    NamedRange hypervisor;               // the "moat,hypervisor" reserved-memory node
    std::vector<NamedRange> cell_pools;  // "moat,cell-pool" reserved-memory nodes
    std::vector<Cpu> cpus;               // /cpus/cpu@*, in tree order
    Gic gic;
    u32 timer_intids[4] = {};            // secure phys, non-secure phys, virtual, hypervisor
    u32 psci_method = 0;                 // MOAT_CELL_PSCI_*
    u64 debug_uart_base = 0;             // PL011 named by /chosen stdout-path, 0 if none
    std::vector<Device> devices;         // every memory-mapped device, GIC included

    const Device *device_at(int node) const;
    const Cpu *cpu_at(int node) const;
};

// Reads the board facts; throws Error naming the node and property that is missing or malformed.
Board read_board(const Tree &tree);

}  // namespace cellc
