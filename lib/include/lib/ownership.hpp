// SPDX-License-Identifier: GPL-2.0
// Who owns each piece of the physical address space, and whether a new cell may have what its
// descriptor asks for. A descriptor is only self-consistent after cell_validate(); the root cell
// writes it, so every region must also be checked against the system: the hypervisor's memory and
// devices, the root cell's RAM, devices and cell pool, and every other cell.
// Pure: runs at EL2 (cell_create) and on the host (unit tests, fuzzer).
#pragma once

#include <moat/cell.h>

#include "lib/types.hpp"

namespace moat {

// The root descriptor's promises the hypervisor builds on: the root sees every region it maps
// at its physical address (create and destroy move pages between root and cells by address).
// False and a message naming the region otherwise.
bool root_layout_check(const moat_cell_desc &root, char *err, size_t errlen);

// May `cell` (already passed cell_validate, not a root descriptor) be created next to `others`
// (the live cells other than the root), with `root` the root cell's descriptor? Every region
// must be:
//  - clear of the hypervisor's memory and of every device the hypervisor drives (GIC
//    distributor, redistributors, CPU interface frames, its console UART);
//  - IO: wholly inside one of the root's device regions;
//  - RAM: wholly inside one root region of RAM, of the cell pool or of root-shared memory; RAM
//    the cell keeps to itself (neither SHARED nor ROOT_SHARED) not in memory the root shares;
//  - clear of every region of every other cell, unless both regions are SHARED;
//  - shared memory that overlaps a link's section (of another cell or the root) only as a
//    section of the same link, both descriptors naming each other as its peers.
// False and one line naming the region, its owner and what to change otherwise.
bool ownership_check(const moat_cell_desc &root, const moat_cell_desc *const *others, size_t num_others,
                     const moat_cell_desc &cell, char *err, size_t errlen);

// Does creating a cell with region `m` (which passed ownership_check) take it away from the root
// cell's stage 2? True for the cell's own RAM carved out of the root's RAM and for its devices.
bool region_taken_from_root(const moat_cell_desc &root, const moat_cell_mem_region &m);

// Two link names (MOAT_LINK_NAME_LEN bytes, NUL-terminated when shorter) are the same.
bool same_link_name(const char *a, const char *b);

}  // namespace moat
