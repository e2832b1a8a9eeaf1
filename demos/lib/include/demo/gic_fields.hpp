// SPDX-License-Identifier: MIT
// Where an interrupt's field lies in the GIC's per-interrupt register arrays (enable, priority,
// configuration, GICv2 targets): the same packing in GICv2 and GICv3 distributors and in the
// GICv3 redistributor's SGI frame. Host-tested (tests/unit/demos/gic_fields_test.cpp).
#pragma once

#include <stdint.h>

namespace demo::gic {

inline constexpr unsigned kBitsPerWord = 32;
inline constexpr unsigned kEnableBits = 1;     // ISENABLER/ICENABLER, IGROUPR
inline constexpr unsigned kPriorityBits = 8;   // IPRIORITYR
inline constexpr unsigned kTargetBits = 8;     // GICv2 ITARGETSR
inline constexpr unsigned kConfigBits = 2;     // ICFGR
inline constexpr uint32_t kConfigEdge = 1u << 1;  // ICFGR's upper bit: 1 = edge, 0 = level

// Byte offset, from the start of the array, of the 32-bit register holding `intid`'s field.
constexpr uintptr_t word_offset(uint32_t intid, unsigned bits_per_irq)
{
    return (intid * bits_per_irq / kBitsPerWord) * sizeof(uint32_t);
}
// Position of `intid`'s field inside that register.
constexpr unsigned field_shift(uint32_t intid, unsigned bits_per_irq) { return intid * bits_per_irq % kBitsPerWord; }
// The bit of `intid` in a one-bit-per-interrupt register.
constexpr uint32_t bit(uint32_t intid) { return 1u << field_shift(intid, kEnableBits); }
// Mask of `intid`'s field of `bits_per_irq` bits (at most 8) in its register.
constexpr uint32_t field_mask(uint32_t intid, unsigned bits_per_irq)
{
    return ((1u << bits_per_irq) - 1) << field_shift(intid, bits_per_irq);
}
// `word` with `intid`'s field replaced by `value`.
constexpr uint32_t with_field(uint32_t word, uint32_t intid, unsigned bits_per_irq, uint32_t value)
{
    return (word & ~field_mask(intid, bits_per_irq)) | ((value << field_shift(intid, bits_per_irq)) & field_mask(intid, bits_per_irq));
}

}  // namespace demo::gic
