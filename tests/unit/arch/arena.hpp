// SPDX-License-Identifier: GPL-2.0
// Host memory standing in for physical memory in the table-builder tests: a page pool over an
// aligned buffer, the builder treating addresses as identity mapped. The pool starts `skip` pages
// into a 64 KiB aligned buffer, so where naturally aligned runs fall is known.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>

#include "hv/page_pool.hpp"

namespace moat::test {

struct Arena {
    explicit Arena(size_t pages, size_t skip = 0)
        : bytes(pages * PAGE_SIZE),
          mem(std::aligned_alloc(16 * PAGE_SIZE, align_up((pages + skip) * PAGE_SIZE, 16 * PAGE_SIZE)))
    {
        EXPECT_TRUE(pool.init(reinterpret_cast<u64>(mem) + skip * PAGE_SIZE, bytes));
    }
    ~Arena() { std::free(mem); }
    Arena(const Arena &) = delete;
    Arena &operator=(const Arena &) = delete;
    size_t bytes;
    void *mem;
    PagePool pool;
};

}  // namespace moat::test
