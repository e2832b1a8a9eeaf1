// SPDX-License-Identifier: GPL-2.0
// The merged device tree: the board's .dtb with cell overlays applied by libfdt, plus which file
// each node came from, and bounds-checked readers for the properties moat-cellc needs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "diag.hpp"

namespace cellc {

using u32 = std::uint32_t;
using u64 = std::uint64_t;

// A flattened tree read from a file (or handed over by a test/fuzzer), checked by libfdt.
struct Blob {
    std::string file;
    std::vector<char> bytes;
};

// Reads `path` and checks it is a complete, well-formed FDT; `what` ("board tree", "overlay")
// goes into the error message.
Blob load_blob(const std::string &path, const char *what);
// The same for bytes already in memory; `name` stands in for the file name in messages.
Blob make_blob(std::string name, const void *data, size_t size, const char *what);

struct AddressRange {
    u64 base = 0;
    u64 size = 0;
    // Last byte, so that ranges ending at 2^64 stay representable.
    u64 last() const { return base + size - 1; }
    bool contains(const AddressRange &o) const { return o.base >= base && o.last() <= last(); }
    bool overlaps(const AddressRange &o) const { return base <= o.last() && o.base <= last(); }
};

class Tree {
public:
    explicit Tree(const Blob &board);

    // Applies the overlays, each one after every overlay defining a label it uses, whatever
    // the order given. Throws Error naming the overlay on a label nobody defines, a fragment
    // target the tree does not have, or a libfdt failure.
    void apply_overlays(const std::vector<Blob> &overlays);

    const void *fdt() const { return buf_.data(); }
    const std::string &board_file() const { return board_file_; }

    // Node helpers; offsets are libfdt node offsets into fdt().
    std::string path(int node) const;
    // The file that added the node: an overlay, or the board.
    const std::string &origin(int node) const;
    Location at(int node, std::string property = {}) const { return {origin(node), path(node), std::move(property)}; }
    int parent(int node) const;
    int node_by_path(const std::string &path) const;
    int node_by_phandle(u32 phandle) const;

    bool has(int node, const char *prop) const;
    // The property as big-endian 32-bit cells; Error if its length is not a multiple of 4.
    std::optional<std::vector<u32>> cells(int node, const char *prop) const;
    // A NUL-terminated string property; Error if the bytes are not one.
    std::optional<std::string> string(int node, const char *prop) const;
    std::vector<std::string> strings(int node, const char *prop) const;
    bool compatible(int node, const char *compat) const;
    // #address-cells / #size-cells that apply to the children of `node` (1..2 supported).
    int address_cells(int node) const;
    int size_cells(int node) const;

    // The node's reg entries translated to CPU physical addresses through the parents' ranges.
    // std::nullopt if the node is not memory-mapped (no reg, or a parent without ranges).
    std::optional<std::vector<AddressRange>> mmio_reg(int node) const;
    // The node's reg entries in its parent's address space (no translation).
    std::vector<AddressRange> raw_reg(int node) const;
    // A child-bus address translated to a CPU address, or nullopt if no ranges cover it.
    std::optional<u64> translate(int bus, u64 addr) const;

    // All node offsets in document order.
    std::vector<int> nodes() const;

private:
    void apply_one(const Blob &overlay);
    void check_fixups(const Blob &overlay) const;
    void check_targets(const Blob &overlay) const;

    std::string board_file_;
    std::vector<char> buf_;
    std::map<std::string, std::string> origin_;  // node path -> file that added it
};

// Reads `n` (1 or 2) big-endian cells starting at cells[i] as one number.
u64 read_number(const std::vector<u32> &cells, size_t i, int n);

}  // namespace cellc
