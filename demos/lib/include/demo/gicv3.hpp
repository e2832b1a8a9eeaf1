// SPDX-License-Identifier: MIT
// What only the GICv3 backend (src/gicv3.cpp) offers beyond demo/gic.hpp.
#pragma once

#include "demo/gic.hpp"

namespace demo::gic {

// Base of the running CPU's redistributor (RD_base), 0 before init_cpu() found it.
uintptr_t redistributor();

}  // namespace demo::gic
