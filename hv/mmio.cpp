// SPDX-License-Identifier: GPL-2.0
#include "hv/mmio.hpp"

namespace moat {

bool MmioMap::add(u64 base, u64 size, MmioHandler handler, void *ctx)
{
    if (count_ == MAX_REGIONS || size == 0 || base + size < base || !handler)
        return false;
    regions_[count_++] = {base, size, handler, ctx};
    return true;
}

MmioResult MmioMap::dispatch(MmioAccess &a) const
{
    for (u32 i = 0; i < count_; i++) {
        const Region &r = regions_[i];
        if (a.addr >= r.base && a.addr - r.base <= r.size - a.size && a.size <= r.size) {
            a.offset = a.addr - r.base;
            return r.handler(r.ctx, a);
        }
    }
    return MmioResult::DENIED;
}

}  // namespace moat
