// SPDX-License-Identifier: MIT
// What only the GICv2 backend (src/gicv2.cpp) offers beyond demo/gic.hpp, and its register
// encodings that the host unit tests check (tests/unit/demos/gic_fields_test.cpp). Offsets and
// fields from the GICv2 architecture specification (Arm IHI 0048B).
#pragma once

#include "demo/gic.hpp"

namespace demo::gic {

// GICC_IAR / GICC_EOIR: INTID in bits 9:0; for an SGI, the CPU that sent it in bits 12:10
// (EOIR must get the IAR value back unchanged, source included).
inline constexpr uint32_t kGiccIarIntidMask = 0x3ff;
inline constexpr unsigned kGiccIarCpuidShift = 10;
inline constexpr uint32_t kGiccIarCpuidMask = 0x7;

constexpr uint32_t gicv2_iar_intid(uint32_t iar) { return iar & kGiccIarIntidMask; }
constexpr uint32_t gicv2_iar_source_cpu(uint32_t iar) { return (iar >> kGiccIarCpuidShift) & kGiccIarCpuidMask; }
// What acknowledge() returns for a GICC_IAR value: the INTID, and the whole value for the EOI.
constexpr Acknowledged gicv2_acknowledged(uint32_t iar) { return {gicv2_iar_intid(iar), iar}; }

// GICD_ITARGETSR0..7 (SGIs and PPIs) are banked and read-only: each byte reads as the calling
// CPU's own CPU interface bit. 0 means a uniprocessor GIC, where the targets are RAZ/WI.
inline constexpr uint32_t kTargetMask = 0xff;
constexpr uint8_t gicv2_own_target(uint32_t itargetsr0) { return static_cast<uint8_t>(itargetsr0 & kTargetMask); }

// This CPU's interface bit as init_cpu() read it from GICD_ITARGETSR0 (0 before, or on a
// uniprocessor GIC).
uint8_t cpu_interface_mask();

}  // namespace demo::gic
