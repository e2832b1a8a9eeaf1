// SPDX-License-Identifier: GPL-2.0
#include "hv/string.hpp"

namespace moat {

// Byte loops on purpose: the hypervisor may run them with the MMU off (Device memory, where
// unaligned accesses fault), and the compiler must not turn them back into calls to themselves.
void mem_set(void *dst, int c, size_t n)
{
    volatile u8 *d = static_cast<u8 *>(dst);
    if (is_aligned(reinterpret_cast<u64>(dst), 8) && is_aligned(n, 8) && c == 0) {
        volatile u64 *q = reinterpret_cast<volatile u64 *>(dst);
        for (size_t i = 0; i < n / 8; i++)
            q[i] = 0;
        return;
    }
    for (size_t i = 0; i < n; i++)
        d[i] = static_cast<u8>(c);
}

void mem_copy(void *dst, const void *src, size_t n)
{
    volatile u8 *d = static_cast<u8 *>(dst);
    const volatile u8 *s = static_cast<const u8 *>(src);
    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
}

int mem_compare(const void *a, const void *b, size_t n)
{
    const u8 *x = static_cast<const u8 *>(a);
    const u8 *y = static_cast<const u8 *>(b);
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t str_length(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

}  // namespace moat
