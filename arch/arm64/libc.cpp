// SPDX-License-Identifier: GPL-2.0
// The few C library symbols the compiler may call on its own (struct copies, zeroing).
#include "hv/string.hpp"

extern "C" {
void *memset(void *dst, int c, size_t n)
{
    moat::mem_set(dst, c, n);
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    moat::mem_copy(dst, src, n);
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    auto *d = static_cast<unsigned char *>(dst);
    auto *s = static_cast<const unsigned char *>(src);
    if (d < s || d >= s + n)
        return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) { return moat::mem_compare(a, b, n); }
}
