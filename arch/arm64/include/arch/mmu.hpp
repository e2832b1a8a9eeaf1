// SPDX-License-Identifier: GPL-2.0
// The hypervisor's own EL2 stage-1 address space: an identity map of its image, its page pool
// and the few devices it drives.
#pragma once

#include "arch/paging.hpp"

namespace moat::arm64 {

struct El2Layout {
    u64 head_start, head_end;      // the image header: read-only
    u64 text_start, text_end;      // executable, read-only
    u64 rodata_start, rodata_end;  // read-only
    u64 data_start, data_end;      // read-write (data, bss, stacks, per-CPU pages)
    u64 pool_start, pool_end;      // read-write page pool
    u64 console_base;              // one device page, or 0
    struct {
        u64 base, size;
    } devices[3];                  // interrupt controller frames the hypervisor drives
};

// Builds the tables in `pool`. Returns false when the pool is too small.
bool el2_map_build(PagePool &pool, const El2Layout &layout, PageTable &table);
// Turn on the MMU of the calling CPU with the tables built above.
void el2_mmu_enable(const PageTable &table);

// Leaf attributes for EL2 stage 1.
u64 el2_attrs_text();
u64 el2_attrs_rodata();
u64 el2_attrs_data();
u64 el2_attrs_device();

}  // namespace moat::arm64
