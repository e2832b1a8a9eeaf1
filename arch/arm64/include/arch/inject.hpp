// SPDX-License-Identifier: GPL-2.0
// Making an exception happen at EL1 as if the hardware had raised it there.
#pragma once

#include "arch/cpu.hpp"

namespace moat::arm64 {
// A synchronous external abort on the data access (or instruction fetch) that trapped: the
// access fails in the cell, which handles it like a bus error; the hypervisor goes on.
void inject_external_abort(TrapFrame &f, bool instruction, u64 far);
// An undefined-instruction exception for the instruction that trapped.
void inject_undefined(TrapFrame &f);
}  // namespace moat::arm64
