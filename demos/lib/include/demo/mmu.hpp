// SPDX-License-Identifier: MIT
// A flat identity map so that the demo runs with caches on. With the MMU off every data access
// is a Device access: uncached, and on hardware tens of times slower, which would make every
// timing a demo reports meaningless.
//
// The map covers the first 4 GiB in 1 GiB blocks: the block holding the image is Normal
// write-back memory, every other block Device-nGnRE (the board's UART and GIC must lie outside
// the image's gigabyte; mmu.cpp checks that at compile time against the board header).
#pragma once

namespace demo::mmu {

// Builds the table and turns on the MMU and both caches. Call once, early, from one CPU.
void enable();

bool enabled();

}  // namespace demo::mmu
