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
    u32 cpus;                      // one EL2 window each
};

// Temporary EL2 mappings of memory outside the hypervisor: cell memory to zero or load, root
// buffers to read a descriptor from or write an answer to. Each CPU has a window of its own, a
// range of EL2 virtual addresses that no permanent mapping uses, whose level-3 tables are made
// with the rest of the tables: mapping into a window never allocates (it cannot fail because
// cells used up the page pool) and never replaces or removes a mapping the hypervisor owns (its
// console ring, its GIC frames). Only the CPU that owns a window uses it, so it needs no lock.
constexpr u64 EL2_WINDOW_BASE = 0xffffc0000000ull;  // the last GiB of the 48-bit EL2 space
constexpr u64 EL2_WINDOW_PAGES = 1024;              // per CPU: one 2 MiB chunk and some pages
constexpr u64 EL2_WINDOW_CHUNK = u64{2} << 20;      // most a caller maps at once

// Scoped use of the calling CPU's window: what map() mapped is unmapped (and its TLB entries
// invalidated) when the object goes away. Nested objects on one CPU stack.
class El2Window {
public:
    El2Window();
    ~El2Window();
    El2Window(const El2Window &) = delete;
    El2Window &operator=(const El2Window &) = delete;
    // [pa, pa + size) mapped read-write (Normal memory): the address pa is seen at, or nullptr
    // when the range is empty, wraps, or does not fit in what is left of the window.
    void *map(u64 pa, u64 size);

private:
    u32 cpu_;
    u64 first_;  // the first window page this object uses
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
