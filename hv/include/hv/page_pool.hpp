// SPDX-License-Identifier: GPL-2.0
// Allocator of zeroed 4 KiB pages from one contiguous region, for page tables. Not locked: the
// hypervisor allocates only while building its tables and under the cells lock (arch/arm64/cell.cpp).
// No heap: the bitmap lives in the first page(s) of the region itself. Identity-mapped at EL2,
// so a page's address is its physical address; on the host it is simply a pointer.
#pragma once

#include "lib/types.hpp"

namespace moat {

class PagePool {
public:
    // Takes [base, base + bytes); base must be page aligned. Returns false if not even one
    // usable page remains after the bitmap.
    bool init(u64 base, u64 bytes);

    // A zeroed, naturally aligned run of `count` pages (count a power of two, <= 16), or 0.
    u64 alloc(u64 count = 1);
    void free(u64 addr, u64 count = 1);

    // Set aside n pages that alloc() will not hand out until release(n) gives them back: what
    // undoing an operation later needs is kept before the operation starts. False (nothing
    // reserved) if fewer than n pages are free.
    bool reserve(u64 n);
    void release(u64 n) { reserved_ = n < reserved_ ? reserved_ - n : 0; }
    // Pages alloc() may still hand out.
    u64 free_pages() const { return pages_ - used_ > reserved_ ? pages_ - used_ - reserved_ : 0; }

    u64 total_pages() const { return pages_; }
    u64 used_pages() const { return used_; }
    bool contains(u64 addr) const { return addr >= first_ && addr < first_ + pages_ * PAGE_SIZE; }

private:
    bool test(u64 i) const { return bitmap()[i / 64] & (u64{1} << (i % 64)); }
    void set(u64 i, bool v);
    u64 *bitmap() const { return reinterpret_cast<u64 *>(base_); }

    u64 base_ = 0;   // bitmap
    u64 first_ = 0;  // first allocatable page
    u64 pages_ = 0;
    u64 used_ = 0;
    u64 reserved_ = 0;
};

}  // namespace moat
