// SPDX-License-Identifier: GPL-2.0
#include "arch/sgi_filter.hpp"

#include "arch/affinity.hpp"

namespace moat::arm64 {

namespace {
bool is_allowed(u64 mpidr, const u64 *allowed, u32 n)
{
    for (u32 i = 0; i < n; i++)
        if (same_cpu(allowed[i], mpidr))
            return true;
    return false;
}

// Add target `mpidr` to the request for its group, creating it if needed.
u32 add_target(u64 intid_bits, u64 mpidr, u64 *out, u32 count)
{
    u64 key = sgi1r_group(mpidr) | sgi1r_range(mpidr) | intid_bits;
    u64 bit = sgi1r_target_bit(mpidr);
    for (u32 i = 0; i < count; i++) {
        if ((out[i] & ~sgi1r::TARGET_LIST_MASK) == key) {
            out[i] |= bit;
            return count;
        }
    }
    if (count == SGI_FILTER_MAX_OUT)
        return count;
    out[count] = key | bit;
    return count + 1;
}
}  // namespace

u32 sgi1r_filter(u64 value, const u64 *allowed, u32 num_allowed, u64 self, u64 out[SGI_FILTER_MAX_OUT])
{
    u64 intid_bits = u64{sgi1r_intid(value)} << sgi1r::INTID_SHIFT;
    u32 count = 0;
    if (value & sgi1r::IRM) {
        // "Every PE but me": as many explicit requests as the cell's other CPUs need.
        for (u32 i = 0; i < num_allowed; i++)
            if (!same_cpu(allowed[i], self))
                count = add_target(intid_bits, allowed[i], out, count);
        return count;
    }
    u64 range = (value >> sgi1r::RS_SHIFT) & sgi1r::RS_MASK;
    for (unsigned n = 0; n < sgi1r::TARGETS_PER_RANGE; n++) {
        if (!((value >> n) & 1))
            continue;
        u64 mpidr = sgi1r_mpidr(value, range * sgi1r::TARGETS_PER_RANGE + n);
        if (is_allowed(mpidr, allowed, num_allowed))
            count = add_target(intid_bits, mpidr, out, count);
    }
    return count;
}

}  // namespace moat::arm64
