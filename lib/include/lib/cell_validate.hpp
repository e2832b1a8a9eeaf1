// SPDX-License-Identifier: GPL-2.0
// Checks a cell descriptor (include/moat/cell.h) before anything trusts it. Freestanding: no heap,
// no libc, no exceptions; the hypervisor, the host tools and the fuzzers compile the same code.
#pragma once

#include <moat/cell.h>

#include "lib/types.hpp"

namespace moat {

// FNV-1a 32 over len bytes, the four bytes of moat_cell_desc.checksum counted as zero.
u32 cell_checksum(const void *buf, size_t len);

// True if buf[0..len) is a complete, consistent descriptor for this ABI. Otherwise false, and
// err (if errlen > 0) holds one NUL-terminated line naming the field and what is wrong with it,
// e.g. "mem_regions[3].size: 0x0 is zero". buf must be 8-byte aligned.
bool cell_validate(const void *buf, size_t len, char *err, size_t errlen);

}  // namespace moat

// The same for C callers (the kernel module). Return 0 if valid, -1 otherwise.
extern "C" int moat_cell_validate(const void *buf, size_t len, char *err, size_t errlen);
extern "C" moat_u32 moat_cell_checksum(const void *buf, size_t len);
