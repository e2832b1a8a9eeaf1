// SPDX-License-Identifier: MIT
// The few C library functions GCC may call on its own for structure copies and zeroing, even
// in freestanding code. Byte loops: the MMU is off, so memory is Device memory and an unaligned
// wider access would fault. This file is compiled with -fno-tree-loop-distribute-patterns so
// that GCC does not turn these loops back into calls to themselves.
#include <stddef.h>

extern "C" {

void *memset(void *dst, int c, size_t n)
{
    auto *d = static_cast<unsigned char *>(dst);
    while (n--)
        *d++ = static_cast<unsigned char>(c);
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    auto *d = static_cast<unsigned char *>(dst);
    const auto *s = static_cast<const unsigned char *>(src);
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    auto *d = static_cast<unsigned char *>(dst);
    const auto *s = static_cast<const unsigned char *>(src);
    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const auto *x = static_cast<const unsigned char *>(a);
    const auto *y = static_cast<const unsigned char *>(b);
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x < *y ? -1 : 1;
    return 0;
}

}  // extern "C"
