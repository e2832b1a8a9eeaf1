// SPDX-License-Identifier: GPL-2.0
#include "hv/page_pool.hpp"

#include "hv/string.hpp"

namespace moat {

bool PagePool::init(u64 base, u64 bytes)
{
    base_ = first_ = pages_ = used_ = reserved_ = 0;
    if (!is_aligned(base, PAGE_SIZE) || bytes < 2 * PAGE_SIZE)
        return false;
    u64 total = bytes / PAGE_SIZE;
    // Each bitmap page tracks 8 * 4096 pages; reserve enough of them at the start.
    u64 bitmap_pages = (total + 8 * PAGE_SIZE - 1) / (8 * PAGE_SIZE);
    if (bitmap_pages >= total)
        return false;
    base_ = base;
    first_ = base + bitmap_pages * PAGE_SIZE;
    pages_ = total - bitmap_pages;
    mem_set(reinterpret_cast<void *>(base_), 0, bitmap_pages * PAGE_SIZE);
    return true;
}

void PagePool::set(u64 i, bool v)
{
    u64 bit = u64{1} << (i % 64);
    if (v)
        bitmap()[i / 64] |= bit;
    else
        bitmap()[i / 64] &= ~bit;
}

u64 PagePool::alloc(u64 count)
{
    if (count == 0 || count > 16 || (count & (count - 1)) || free_pages() < count)
        return 0;
    // Naturally aligned in physical memory: concatenated stage-2 roots need it.
    u64 start = (align_up(first_, count * PAGE_SIZE) - first_) / PAGE_SIZE;
    for (u64 i = start; i + count <= pages_; i += count) {
        u64 n = 0;
        while (n < count && !test(i + n))
            n++;
        if (n != count)
            continue;
        for (n = 0; n < count; n++)
            set(i + n, true);
        used_ += count;
        u64 addr = first_ + i * PAGE_SIZE;
        mem_set(reinterpret_cast<void *>(addr), 0, count * PAGE_SIZE);
        return addr;
    }
    return 0;
}

bool PagePool::reserve(u64 n)
{
    if (free_pages() < n)
        return false;
    reserved_ += n;
    return true;
}

void PagePool::free(u64 addr, u64 count)
{
    if (!contains(addr) || !is_aligned(addr, PAGE_SIZE))
        return;
    u64 i = (addr - first_) / PAGE_SIZE;
    for (u64 n = 0; n < count && i + n < pages_; n++) {
        if (test(i + n)) {
            set(i + n, false);
            used_--;
        }
    }
}

}  // namespace moat
