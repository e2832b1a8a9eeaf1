// SPDX-License-Identifier: GPL-2.0
// VMSAv8-64 translation tables with the 4 KiB granule, for EL2 stage 1 and for stage 2.
// Pure data-structure code: it runs at EL2 on identity-mapped memory and on the host in tests.
// TLB maintenance is the caller's business.
#pragma once

#include "hv/page_pool.hpp"
#include "lib/types.hpp"

namespace moat::arm64 {

// Descriptor bits common to both stages (Arm ARM D8.3).
namespace pte {
constexpr u64 VALID = u64{1} << 0;
constexpr u64 TABLE = u64{1} << 1;  // at levels 0-2: table (1) or block (0); at level 3: page
constexpr u64 AF = u64{1} << 10;
constexpr u64 ADDR_MASK = 0x0000fffffffff000ull;
constexpr u64 ATTR_MASK = ~ADDR_MASK & ~(VALID | TABLE);

// Stage 1 (EL2) lower/upper attributes.
constexpr u64 S1_ATTRIDX_SHIFT = 2;
constexpr u64 S1_AP_RO = u64{1} << 7;  // AP[2]: read-only
constexpr u64 S1_SH_INNER = u64{3} << 8;
constexpr u64 S1_XN = u64{1} << 54;   // EL2 regime has a single XN bit

// Stage 2 lower/upper attributes.
constexpr u64 S2_MEMATTR_SHIFT = 2;
constexpr u64 S2_MEMATTR_DEVICE_nGnRE = u64{0x1} << 2;
constexpr u64 S2_MEMATTR_NORMAL_WB = u64{0xf} << 2;
constexpr u64 S2_AP_R = u64{1} << 6;
constexpr u64 S2_AP_W = u64{1} << 7;
constexpr u64 S2_SH_INNER = u64{3} << 8;
constexpr u64 S2_XN = u64{2} << 53;   // XN[1:0] = 0b10: not executable at EL1 and EL0
}  // namespace pte

constexpr unsigned LEVELS = 4;
constexpr u64 level_shift(unsigned level) { return 12 + 9 * (3 - level); }
constexpr u64 level_size(unsigned level) { return u64{1} << level_shift(level); }

enum class PtError { OK = 0, NO_MEMORY, BAD_ALIGNMENT, OUT_OF_RANGE };

// map() or unmap() of one range in a table that starts at level 1 or 2, with ia and pa at the
// same offset in a 1 GiB block (identity, as the root cell's), allocates at most this many
// tables: one per end of the range at each of levels 2 and 3. Callers keep this many pages per
// range in reserve to undo what they did.
constexpr u64 MAX_TABLES_PER_RANGE = 4;

class PageTable {
public:
    // A table whose input addresses span `ia_bits` bits, starting its walk at `start_level`.
    // When one start-level table cannot cover ia_bits, up to 16 are concatenated (stage 2).
    PtError init(PagePool &pool, unsigned ia_bits, unsigned start_level);

    // Map [ia, ia + size) to [pa, pa + size) with `attrs` (AF and shareability included by the
    // caller). Uses 1 GiB and 2 MiB blocks where both addresses are aligned. Replaces what was
    // there, splitting blocks as needed.
    PtError map(u64 ia, u64 pa, u64 size, u64 attrs);
    // Remove [ia, ia + size), splitting blocks that are only partly covered.
    PtError unmap(u64 ia, u64 size);
    // Walk the table like the MMU would: true and the output address and leaf attributes if mapped.
    bool translate(u64 ia, u64 *pa, u64 *attrs = nullptr, unsigned *level = nullptr) const;
    // The level-3 table (512 entries) that translates `ia`, created with the tables above it if
    // missing; nullptr when the pool is empty or a block maps ia. For ranges whose page entries
    // the caller writes itself and that map()/unmap() never touch (the EL2 windows).
    u64 *leaf_table(u64 ia);
    // Give every table page back to the pool.
    void destroy();

    u64 root() const { return root_; }
    unsigned start_level() const { return start_level_; }
    unsigned ia_bits() const { return ia_bits_; }
    unsigned root_pages() const { return root_pages_; }

    // Called between clearing a live block entry and installing the table that replaces it
    // (break-before-make): the owner makes every CPU forget the block at `ia`. Tables no CPU
    // walks yet need none.
    void set_break_hook(void (*hook)(u64 ia)) { break_hook_ = hook; }

private:
    PtError walk(u64 table, unsigned level, u64 ia, u64 pa, u64 size, u64 attrs, bool map);
    PtError split_block(u64 *entry, unsigned level, u64 ia);
    void free_tables(u64 table, unsigned level);

    PagePool *pool_ = nullptr;
    u64 root_ = 0;
    unsigned ia_bits_ = 0;
    unsigned start_level_ = 0;
    unsigned root_pages_ = 0;
    void (*break_hook_)(u64 ia) = nullptr;
};

}  // namespace moat::arm64
