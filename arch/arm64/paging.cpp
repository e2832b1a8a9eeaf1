// SPDX-License-Identifier: GPL-2.0
#include "arch/paging.hpp"

namespace moat::arm64 {

namespace {
constexpr u64 ENTRIES = 512;

u64 *table_ptr(u64 table) { return reinterpret_cast<u64 *>(table); }
bool is_valid(u64 e) { return e & pte::VALID; }
bool is_table(u64 e, unsigned level) { return level < 3 && (e & pte::TABLE); }
// 4 KiB granule: blocks exist at levels 1 and 2 only.
bool block_allowed(unsigned level) { return level == 1 || level == 2; }
u64 leaf_bits(unsigned level) { return level == 3 ? pte::VALID | pte::TABLE : pte::VALID; }
bool table_empty(u64 table)
{
    const u64 *t = table_ptr(table);
    for (u64 i = 0; i < ENTRIES; i++)
        if (t[i])
            return false;
    return true;
}
}  // namespace

PtError PageTable::init(PagePool &pool, unsigned ia_bits, unsigned start_level)
{
    if (start_level > 2 || ia_bits < 25 || ia_bits > 48)
        return PtError::OUT_OF_RANGE;
    u64 covered = level_shift(start_level) + 9;
    if (ia_bits > covered + 4)  // at most 16 concatenated tables
        return PtError::OUT_OF_RANGE;
    unsigned pages = ia_bits > covered ? 1u << (ia_bits - covered) : 1;
    u64 root = pool.alloc(pages);
    if (!root)
        return PtError::NO_MEMORY;
    pool_ = &pool;
    root_ = root;
    ia_bits_ = ia_bits;
    start_level_ = start_level;
    root_pages_ = pages;
    return PtError::OK;
}

PtError PageTable::split_block(u64 *entry, unsigned level, u64 ia)
{
    u64 table = pool_->alloc();
    if (!table)
        return PtError::NO_MEMORY;
    u64 old = *entry;
    u64 base = old & pte::ADDR_MASK & ~(level_size(level) - 1);
    u64 attrs = old & pte::ATTR_MASK;
    u64 *t = table_ptr(table);
    for (u64 i = 0; i < ENTRIES; i++)
        t[i] = (base + i * level_size(level + 1)) | attrs | leaf_bits(level + 1);
    // Break before make: a TLB must never hold the block and the table's entries at once.
    // A CPU that touches the range in between faults; the root cell's fault handler retries
    // once the change is done (handle_abort).
    if (break_hook_) {
        *entry = 0;
        break_hook_(align_down(ia, level_size(level)));
    }
    *entry = table | pte::VALID | pte::TABLE;
    return PtError::OK;
}

PtError PageTable::walk(u64 table, unsigned level, u64 ia, u64 pa, u64 size, u64 attrs, bool map)
{
    u64 *t = table_ptr(table);
    u64 span = level_size(level);
    while (size) {
        u64 idx = (ia >> level_shift(level)) & (ENTRIES - 1);
        if (level == start_level_)
            idx = (ia >> level_shift(level)) & (ENTRIES * root_pages_ - 1);
        u64 *e = &t[idx];
        u64 next = align_down(ia, span) + span;
        u64 chunk = (next - ia < size) ? next - ia : size;
        bool leaf_here = chunk == span &&
                         (level == 3 || (block_allowed(level) && (!map || is_aligned(pa, span))));

        if (leaf_here) {
            u64 old = *e, now = map ? (pa | (attrs & pte::ATTR_MASK) | leaf_bits(level)) : 0;
            // Replacing a live entry (a table by a block, or another output): break first, so
            // no CPU caches the old one next to the new one or walks a table being freed. A
            // leaf simply removed is the break itself; the caller invalidates after the unmap.
            if (is_valid(old) && old != now && (now || is_table(old, level)) && break_hook_) {
                *e = 0;
                break_hook_(align_down(ia, span));
            }
            if (is_table(old, level))
                free_tables(old & pte::ADDR_MASK, level + 1);
            *e = now;
        } else if (is_valid(*e) || map) {
            if (!is_valid(*e)) {
                u64 sub = pool_->alloc();
                if (!sub)
                    return PtError::NO_MEMORY;
                *e = sub | pte::VALID | pte::TABLE;
            } else if (!is_table(*e, level)) {
                PtError err = split_block(e, level, ia);
                if (err != PtError::OK)
                    return err;
            }
            u64 sub = *e & pte::ADDR_MASK;
            PtError err = walk(sub, level + 1, ia, pa, chunk, attrs, map);
            if (err != PtError::OK)
                return err;
            // A table emptied by an unmap goes back to the pool: repeated map/unmap cycles
            // (cells coming and going, temporary EL2 windows) must not leak pages.
            if (!map && table_empty(sub)) {
                *e = 0;
                if (break_hook_)
                    break_hook_(align_down(ia, span));  // no walk may still use the table
                pool_->free(sub);
            }
        }
        ia += chunk;
        pa += chunk;
        size -= chunk;
    }
    return PtError::OK;
}

PtError PageTable::map(u64 ia, u64 pa, u64 size, u64 attrs)
{
    if (!root_)
        return PtError::OUT_OF_RANGE;
    if (!is_aligned(ia | pa | size, PAGE_SIZE))
        return PtError::BAD_ALIGNMENT;
    if (size == 0 || ia + size < ia || ia + size > (u64{1} << ia_bits_) || pa + size < pa ||
        (pa + size - 1) > pte::ADDR_MASK)
        return PtError::OUT_OF_RANGE;
    return walk(root_, start_level_, ia, pa, size, attrs, true);
}

PtError PageTable::unmap(u64 ia, u64 size)
{
    if (!root_)
        return PtError::OUT_OF_RANGE;
    if (!is_aligned(ia | size, PAGE_SIZE))
        return PtError::BAD_ALIGNMENT;
    if (size == 0 || ia + size < ia || ia + size > (u64{1} << ia_bits_))
        return PtError::OUT_OF_RANGE;
    return walk(root_, start_level_, ia, 0, size, 0, false);
}

bool PageTable::translate(u64 ia, u64 *pa, u64 *attrs, unsigned *level_out) const
{
    if (!root_ || ia >= (u64{1} << ia_bits_))
        return false;
    u64 table = root_;
    for (unsigned level = start_level_; level < LEVELS; level++) {
        u64 idx = (ia >> level_shift(level)) & (ENTRIES - 1);
        if (level == start_level_)
            idx = (ia >> level_shift(level)) & (ENTRIES * root_pages_ - 1);
        u64 e = table_ptr(table)[idx];
        if (!is_valid(e))
            return false;
        if (is_table(e, level)) {
            table = e & pte::ADDR_MASK;
            continue;
        }
        u64 off = ia & (level_size(level) - 1);
        *pa = (e & pte::ADDR_MASK & ~(level_size(level) - 1)) + off;
        if (attrs)
            *attrs = e & pte::ATTR_MASK;
        if (level_out)
            *level_out = level;
        return true;
    }
    return false;
}

u64 *PageTable::leaf_table(u64 ia)
{
    if (!root_ || ia >= (u64{1} << ia_bits_))
        return nullptr;
    u64 table = root_;
    for (unsigned level = start_level_; level < 3; level++) {
        u64 idx = (ia >> level_shift(level)) & (ENTRIES - 1);
        if (level == start_level_)
            idx = (ia >> level_shift(level)) & (ENTRIES * root_pages_ - 1);
        u64 *e = &table_ptr(table)[idx];
        if (!is_valid(*e)) {
            u64 sub = pool_->alloc();
            if (!sub)
                return nullptr;
            *e = sub | pte::VALID | pte::TABLE;
        } else if (!is_table(*e, level)) {
            return nullptr;
        }
        table = *e & pte::ADDR_MASK;
    }
    return table_ptr(table);
}

void PageTable::free_tables(u64 table, unsigned level)
{
    u64 *t = table_ptr(table);
    for (u64 i = 0; i < ENTRIES && level < 3; i++)
        if (is_valid(t[i]) && is_table(t[i], level))
            free_tables(t[i] & pte::ADDR_MASK, level + 1);
    pool_->free(table);
}

void PageTable::destroy()
{
    if (!root_)
        return;
    u64 *t = table_ptr(root_);
    for (u64 i = 0; i < ENTRIES * root_pages_; i++)
        if (is_valid(t[i]) && is_table(t[i], start_level_))
            free_tables(t[i] & pte::ADDR_MASK, start_level_ + 1);
    pool_->free(root_, root_pages_);
    root_ = 0;
}

}  // namespace moat::arm64
