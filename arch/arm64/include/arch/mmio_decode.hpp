// SPDX-License-Identifier: GPL-2.0
// What a trapped data abort says about the access, from its syndrome alone (ESR_EL2.ISV = 1:
// single-register loads and stores without writeback). Anything else cannot be emulated.
#pragma once

#include "lib/types.hpp"

namespace moat::arm64 {

struct DecodedAccess {
    bool valid;        // ISV was set: the fields below mean something
    bool write;
    u32 size;          // 1, 2, 4, 8
    u32 reg;           // Rt; 31 is xzr/wzr
    bool sign_extend;  // load: sign-extend to the register width
    bool reg64;        // load: destination is an X register
};

DecodedAccess decode_data_abort(u64 esr);
// The register value a load leaves, given the bytes read.
u64 load_result(const DecodedAccess &d, u64 raw);

}  // namespace moat::arm64
