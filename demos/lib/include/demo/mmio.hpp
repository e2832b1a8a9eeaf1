// SPDX-License-Identifier: MIT
// Device register access. Only 32-bit accesses: a hypervisor may trap and emulate GIC
// distributor (and other) accesses, and plain 32-bit loads/stores with a simple base register
// are what such an emulator decodes reliably (no pair, pre-index or writeback forms).
#pragma once

#include <stdint.h>

namespace demo::mmio {

inline uint32_t read32(uintptr_t addr)
{
    uint32_t v;
    asm volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

inline void write32(uintptr_t addr, uint32_t v) { asm volatile("str %w0, [%1]" ::"rZ"(v), "r"(addr) : "memory"); }

// Read-modify-write of one field; the register is still touched only by 32-bit accesses.
inline void update32(uintptr_t addr, uint32_t clear_mask, uint32_t set_bits)
{
    write32(addr, (read32(addr) & ~clear_mask) | set_bits);
}

}  // namespace demo::mmio
