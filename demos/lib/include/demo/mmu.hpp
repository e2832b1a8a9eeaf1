// SPDX-License-Identifier: MIT
// A flat identity map so that the demo runs with caches on. With the MMU off every data access
// is a Device access: uncached, and on hardware tens of times slower, which would make every
// timing a demo reports meaningless.
//
// The map covers the first 4 GiB in 1 GiB blocks: the block holding the image is Normal
// write-back memory, every other block Device-nGnRE (the board's UART and GIC must lie outside
// the image's gigabyte; mmu.cpp checks that at compile time against the board header).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace demo::mmu {

// Builds the table and turns on the MMU and both caches. Call once, early, from one CPU.
void enable();

bool enabled();

// Whether [addr, addr + size) is Normal cacheable memory in the map (the MMU on, the image's
// gigabyte): memory another CPU reads with its caches on must be written so.
bool normal(uintptr_t addr, size_t size);

}  // namespace demo::mmu
