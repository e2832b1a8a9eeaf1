// SPDX-License-Identifier: GPL-2.0
#include "arch/mmio_decode.hpp"

#include "arch/sysreg.h"

namespace moat::arm64 {

DecodedAccess decode_data_abort(u64 esr)
{
    DecodedAccess d{};
    if (!(esr & ESR_DABT_ISV))
        return d;
    d.valid = true;
    d.write = esr & ESR_DABT_WNR;
    d.size = 1u << ((esr >> ESR_DABT_SAS_SHIFT) & ESR_DABT_SAS_MASK);
    d.reg = static_cast<u32>((esr >> ESR_DABT_SRT_SHIFT) & ESR_DABT_SRT_MASK);
    d.sign_extend = esr & ESR_DABT_SSE;
    d.reg64 = esr & ESR_DABT_SF;
    return d;
}

u64 load_result(const DecodedAccess &d, u64 raw)
{
    unsigned bits = d.size * 8;
    u64 v = bits == 64 ? raw : raw & ((u64{1} << bits) - 1);
    if (d.sign_extend && bits < 64 && (v >> (bits - 1)) & 1)
        v |= ~u64{0} << bits;
    if (!d.reg64)
        v &= 0xffffffffull;
    return v;
}

}  // namespace moat::arm64
