// SPDX-License-Identifier: GPL-2.0
// Emulated device regions: a cell's access to a trapped region is decoded by arch code into an
// MmioAccess and handed to the region's handler, which performs it (filtered) or refuses it.
#pragma once

#include "lib/types.hpp"

namespace moat {

struct MmioAccess {
    u64 addr;    // address the cell used (IPA)
    u64 offset;  // from the start of the region
    u32 size;    // bytes: 1, 2, 4 or 8
    bool write;
    u64 value;   // write: the value stored; read: filled by the handler
};

enum class MmioResult { HANDLED, DENIED };

using MmioHandler = MmioResult (*)(void *ctx, MmioAccess &a);

class MmioMap {
public:
    // The distributor, a cell's own redistributors (one per CPU), everyone else's, the register
    // page of each link (4), and spares.
    static constexpr u32 MAX_REGIONS = 16;
    bool add(u64 base, u64 size, MmioHandler handler, void *ctx);
    void clear() { count_ = 0; }
    // DENIED when no region covers the whole access.
    MmioResult dispatch(MmioAccess &a) const;

private:
    struct Region {
        u64 base, size;
        MmioHandler handler;
        void *ctx;
    } regions_[MAX_REGIONS];
    u32 count_ = 0;
};

}  // namespace moat
