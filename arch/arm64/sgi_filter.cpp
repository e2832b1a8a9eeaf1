// SPDX-License-Identifier: GPL-2.0
#include "arch/sgi_filter.hpp"

namespace moat::arm64 {

namespace {
constexpr u64 TARGET_LIST_MASK = 0xffff;
constexpr unsigned AFF1_SHIFT = 16, INTID_SHIFT = 24, AFF2_SHIFT = 32, IRM_SHIFT = 40;
constexpr unsigned RS_SHIFT = 44, AFF3_SHIFT = 48;
constexpr u64 INTID_MASK = 0xf, RS_MASK = 0xf, AFF_MASK = 0xff;
constexpr unsigned TARGETS_PER_RANGE = 16;

// Everything of an MPIDR but Aff0, in the positions ICC_SGI1R_EL1 uses.
u64 group_bits(u64 mpidr)
{
    return (((mpidr >> 8) & AFF_MASK) << AFF1_SHIFT) | (((mpidr >> 16) & AFF_MASK) << AFF2_SHIFT) |
           (((mpidr >> 32) & AFF_MASK) << AFF3_SHIFT);
}

u64 mpidr_of(u64 group, u64 aff0)
{
    return (((group >> AFF1_SHIFT) & AFF_MASK) << 8) | (((group >> AFF2_SHIFT) & AFF_MASK) << 16) |
           (((group >> AFF3_SHIFT) & AFF_MASK) << 32) | aff0;
}

bool is_allowed(u64 mpidr, const u64 *allowed, u32 n)
{
    constexpr u64 AFFINITY = 0xff00ffffffull;
    for (u32 i = 0; i < n; i++)
        if ((allowed[i] & AFFINITY) == (mpidr & AFFINITY))
            return true;
    return false;
}

// Add target `mpidr` to the request for its group, creating it if needed.
u32 add_target(u64 intid_bits, u64 mpidr, u64 *out, u32 count)
{
    u64 aff0 = mpidr & AFF_MASK;
    u64 key = group_bits(mpidr) | ((aff0 / TARGETS_PER_RANGE) << RS_SHIFT) | intid_bits;
    u64 bit = u64{1} << (aff0 % TARGETS_PER_RANGE);
    for (u32 i = 0; i < count; i++) {
        if ((out[i] & ~TARGET_LIST_MASK) == key) {
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
    u64 intid_bits = ((value >> INTID_SHIFT) & INTID_MASK) << INTID_SHIFT;
    u32 count = 0;
    if ((value >> IRM_SHIFT) & 1) {
        // "Every PE but me": as many explicit requests as the cell's other CPUs need.
        for (u32 i = 0; i < num_allowed; i++)
            if ((allowed[i] & 0xff00ffffffull) != (self & 0xff00ffffffull))
                count = add_target(intid_bits, allowed[i], out, count);
        return count;
    }
    u64 group = value & ((AFF_MASK << AFF1_SHIFT) | (AFF_MASK << AFF2_SHIFT) | (AFF_MASK << AFF3_SHIFT));
    u64 range = (value >> RS_SHIFT) & RS_MASK;
    for (unsigned n = 0; n < TARGETS_PER_RANGE; n++) {
        if (!((value >> n) & 1))
            continue;
        u64 mpidr = mpidr_of(group, range * TARGETS_PER_RANGE + n);
        if (is_allowed(mpidr, allowed, num_allowed))
            count = add_target(intid_bits, mpidr, out, count);
    }
    return count;
}

}  // namespace moat::arm64
