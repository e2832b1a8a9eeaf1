// SPDX-License-Identifier: GPL-2.0
// A cell's SGI requests (trapped writes of ICC_SGI1R_EL1 and its siblings) reach only the CPUs
// of that cell: the target list is cut down to them, and "all but self" becomes an explicit
// list. Pure logic on the register encoding (GICv3 architecture spec, ICC_SGI1R_EL1).
#pragma once

#include "lib/types.hpp"

namespace moat::arm64 {

constexpr u32 SGI_FILTER_MAX_OUT = 8;  // one request per (Aff3.Aff2.Aff1, range) group

// Fills out[] with the requests to send instead of `value` and returns how many (0: none of
// the targets is allowed). `allowed` are the MPIDRs of the caller's cell, `self` the caller's.
u32 sgi1r_filter(u64 value, const u64 *allowed, u32 num_allowed, u64 self,
                 u64 out[SGI_FILTER_MAX_OUT]);

}  // namespace moat::arm64
