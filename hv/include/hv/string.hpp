// SPDX-License-Identifier: GPL-2.0
// Memory and string helpers with names of their own, so that host builds link against the
// same code the hypervisor runs (and not against libc's).
#pragma once

#include "lib/types.hpp"

namespace moat {
void mem_set(void *dst, int c, size_t n);
void mem_copy(void *dst, const void *src, size_t n);
int mem_compare(const void *a, const void *b, size_t n);
size_t str_length(const char *s);
}  // namespace moat
