// SPDX-License-Identifier: GPL-2.0
// A cell as the overlays describe it, resolved against the board: CPUs, memory mappings,
// devices and interrupts, and the rules a cell and a whole system of cells must satisfy.
#pragma once

#include <string>
#include <vector>

#include "board.hpp"

namespace cellc {

// One RAM or shared-memory mapping of a cell.
struct MemoryMapping {
    AddressRange phys;
    u64 ipa = 0;
    u32 flags = 0;        // MOAT_CELL_MEM_*
    Location where;       // the cell's child node that asked for it (or the board's /memory)
    Location region;      // the reserved-memory node it maps (empty for the root's own RAM)
    std::string link;     // a section of this link (its node path), or empty
};

// One shared-memory section of a link: every peer reads it; owner (a peer's name) alone writes
// it, or every peer when owner is empty.
struct LinkSection {
    Location where;       // the link's child node
    AddressRange phys;
    Location region;      // the moat,shared-memory node
    std::string owner;
};

// A "moat,link" node: its peers in order, the doorbell SPI each receives, its sections.
struct Link {
    Location where;
    std::string name;
    std::vector<std::string> peers;
    std::vector<u32> doorbells;  // INTID per peer
    std::vector<LinkSection> sections;
};

// A cell's end of a link (a child node of the cell with `link = <&...>`).
struct LinkEndpoint {
    Location where;
    Link link;
    u32 self = 0;         // index of the cell among link.peers (checked by check_cell)
    bool is_peer = false;
    u64 ipa = 0;          // where the first section appears (cells; the root: physical)
    u64 regs_ipa = 0;     // the doorbell register page, then the state page
    std::vector<u64> section_ipa;
};

struct Cell {
    Location where;       // file and path of the moat,cell / moat,root-cell node
    bool root = false;
    bool direct_irq = false;  // moat,irq-delivery = "direct"
    bool linux_os = false;    // moat,os = "linux"
    bool dma_unconfined = false;  // moat,dma-unconfined: the cell may own DMA masters (no SMMU)
    std::string name;
    std::vector<Cpu> cpus;
    std::vector<MemoryMapping> memory;
    std::vector<const Device *> devices;
    std::vector<u32> spis;  // sorted, unique
    u32 console_type = 0;   // MOAT_CELL_CONSOLE_*
    u64 console_base = 0;
    int console_device = -1;  // console-device's node (pl011; a Linux cell's with "none"/"hypercall")
    u64 entry = 0;
    std::vector<LinkEndpoint> links;
};

// Reads every cell node (compatible "moat,cell" or "moat,root-cell") of the merged tree. A cell
// whose properties cannot be read is reported in `diags` and left out.
std::vector<Cell> read_cells(const Tree &tree, const Board &board, Diagnostics &diags);

// The rules one cell must satisfy on its own; problems are appended to `diags`.
void check_cell(const Cell &cell, const Board &board, Diagnostics &diags);

// The rules between cells: one root cell, unique names, no CPU, memory, device or interrupt
// given to two cells.
void check_cells_together(const std::vector<Cell> &cells, Diagnostics &diags);

// The root cell's RAM: the board's RAM minus the hypervisor's region and the cell pools.
std::vector<AddressRange> root_ram(const Board &board);

}  // namespace cellc
