// SPDX-License-Identifier: GPL-2.0
#include "fdt_tree.hpp"

#include <libfdt.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>

namespace cellc {

namespace {

constexpr size_t MAX_INPUT_BYTES = 64u << 20;  // no real tree comes close; refuse to slurp more
constexpr int MAX_PATH_LEN = 4096;

std::string fdt_error(int err) { return fdt_strerror(err); }

// Names of the properties of node `path` in `fdt` (e.g. the labels in /__symbols__).
std::vector<std::string> property_names(const void *fdt, const char *path)
{
    std::vector<std::string> names;
    int node = fdt_path_offset(fdt, path);
    if (node < 0)
        return names;
    int prop;
    fdt_for_each_property_offset(prop, fdt, node) {
        const char *name = nullptr;
        if (fdt_getprop_by_offset(fdt, prop, &name, nullptr) && name)
            names.emplace_back(name);
    }
    return names;
}

// The target-path of every fragment: nodes that must exist before the overlay can apply.
std::vector<std::string> target_paths(const void *fdto)
{
    std::vector<std::string> out;
    int fragment;
    fdt_for_each_subnode(fragment, fdto, 0) {
        int len = 0;
        const char *p = static_cast<const char *>(fdt_getprop(fdto, fragment, "target-path", &len));
        if (p && len > 0 && p[len - 1] == '\0')
            out.emplace_back(p);
    }
    return out;
}

bool has_symbol(const void *fdt, const std::string &label)
{
    int symbols = fdt_path_offset(fdt, "/__symbols__");
    return symbols >= 0 && fdt_getprop(fdt, symbols, label.c_str(), nullptr);
}

// Labels of the board that look like `label` (same name, other number): a hint for typos.
std::string similar_labels(const void *fdt, const std::string &label)
{
    std::string stem = label;
    while (!stem.empty() && std::isdigit(static_cast<unsigned char>(stem.back())))
        stem.pop_back();
    std::string list;
    for (const std::string &name : property_names(fdt, "/__symbols__")) {
        if (stem.empty() || name.rfind(stem, 0) != 0)
            continue;
        bool rest_is_number = name.size() > stem.size() &&
            std::all_of(name.begin() + stem.size(), name.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
        if (rest_is_number || name == stem)
            list += (list.empty() ? "" : ", ") + std::string("&") + name;
    }
    return list;
}

}  // namespace

Blob make_blob(std::string name, const void *data, size_t size, const char *what)
{
    Location where{name, {}, {}};
    if (size < sizeof(fdt_header))
        throw Error(where, std::string("truncated ") + what + ": " + std::to_string(size) +
                               " bytes is less than an FDT header; rebuild it with dtc");
    int err = fdt_check_header(data);
    if (err)
        throw Error(where, std::string("not a valid ") + what + " (" + fdt_error(err) +
                               "); expected a .dtb/.dtbo compiled by dtc -@");
    // libfdt 1.6's fdt_check_full() crashes on some trees of the pre-2008 versions 2..16, and
    // nothing produces those any more: accept what dtc writes, version 17.
    if (fdt_version(data) < 17 || fdt_last_comp_version(data) > 17)
        throw Error(where, std::string("unsupported ") + what + ": FDT version " + std::to_string(fdt_version(data)) +
                               " (compatible down to " + std::to_string(fdt_last_comp_version(data)) +
                               "); rebuild it with dtc, which writes version 17");
    if (fdt_totalsize(data) > size)
        throw Error(where, std::string("truncated ") + what + ": header says " +
                               std::to_string(fdt_totalsize(data)) + " bytes, file has " +
                               std::to_string(size) + "; rebuild it with dtc");
    err = fdt_check_full(data, size);
    if (err)
        throw Error(where, std::string("corrupted ") + what + " (" + fdt_error(err) +
                               "); rebuild it with dtc");
    const char *bytes = static_cast<const char *>(data);
    return Blob{std::move(name), std::vector<char>(bytes, bytes + fdt_totalsize(data))};
}

Blob load_blob(const std::string &path, const char *what)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(Location{path, {}, {}}, std::string("cannot read the ") + what + ": " + std::strerror(errno));
    std::vector<char> bytes;
    char chunk[65536];
    while (in.read(chunk, sizeof(chunk)) || in.gcount() > 0) {
        bytes.insert(bytes.end(), chunk, chunk + in.gcount());
        if (bytes.size() > MAX_INPUT_BYTES)
            throw Error(Location{path, {}, {}}, std::string("the ") + what + " is larger than 64 MiB; not a device tree");
    }
    return make_blob(path, bytes.data(), bytes.size(), what);
}

u64 read_number(const std::vector<u32> &cells, size_t i, int n)
{
    u64 v = 0;
    for (int k = 0; k < n; k++)
        v = (v << 32) | cells.at(i + k);
    return v;
}

Tree::Tree(const Blob &board) : board_file_(board.file), buf_(board.bytes)
{
    for (int node : nodes())
        origin_[path(node)] = board.file;
}

std::vector<int> Tree::nodes() const
{
    std::vector<int> all;
    int depth = 0;
    for (int node = 0; node >= 0; node = fdt_next_node(fdt(), node, &depth))
        all.push_back(node);
    return all;
}

std::string Tree::path(int node) const
{
    char buf[MAX_PATH_LEN];
    if (fdt_get_path(fdt(), node, buf, sizeof(buf)) < 0)
        return "<node at offset " + std::to_string(node) + ">";
    return buf;
}

const std::string &Tree::origin(int node) const
{
    auto it = origin_.find(path(node));
    return it == origin_.end() ? board_file_ : it->second;
}

int Tree::parent(int node) const { return fdt_parent_offset(fdt(), node); }
int Tree::node_by_path(const std::string &p) const { return fdt_path_offset(fdt(), p.c_str()); }
int Tree::node_by_phandle(u32 phandle) const
{
    if (phandle == 0 || phandle == 0xffffffffu)
        return -FDT_ERR_BADPHANDLE;
    return fdt_node_offset_by_phandle(fdt(), phandle);
}

bool Tree::has(int node, const char *prop) const { return fdt_getprop(fdt(), node, prop, nullptr) != nullptr; }

std::optional<std::vector<u32>> Tree::cells(int node, const char *prop) const
{
    int len = 0;
    const void *data = fdt_getprop(fdt(), node, prop, &len);
    if (!data)
        return std::nullopt;
    if (len % 4)
        throw Error(at(node, prop), "length " + std::to_string(len) +
                                        " bytes is not a whole number of 32-bit cells");
    std::vector<u32> out(len / 4);
    for (size_t i = 0; i < out.size(); i++) {
        fdt32_t raw;
        std::memcpy(&raw, static_cast<const char *>(data) + 4 * i, 4);
        out[i] = fdt32_to_cpu(raw);
    }
    return out;
}

std::optional<std::string> Tree::string(int node, const char *prop) const
{
    int len = 0;
    const char *data = static_cast<const char *>(fdt_getprop(fdt(), node, prop, &len));
    if (!data)
        return std::nullopt;
    if (len <= 0 || data[len - 1] != '\0')
        throw Error(at(node, prop), "is not a string; write it as prop = \"text\";");
    return std::string(data);
}

std::vector<std::string> Tree::strings(int node, const char *prop) const
{
    std::vector<std::string> out;
    int len = 0;
    const char *data = static_cast<const char *>(fdt_getprop(fdt(), node, prop, &len));
    if (!data || len <= 0 || data[len - 1] != '\0')
        return out;
    for (int i = 0; i < len; i += static_cast<int>(std::strlen(data + i)) + 1)
        out.emplace_back(data + i);
    return out;
}

bool Tree::compatible(int node, const char *compat) const
{
    return fdt_node_check_compatible(fdt(), node, compat) == 0;
}

int Tree::address_cells(int node) const
{
    auto v = cells(node, "#address-cells");
    if (!v)
        return 2;  // the devicetree specification's default
    if (v->size() != 1 || (*v)[0] < 1 || (*v)[0] > 3)
        throw Error(at(node, "#address-cells"), "must be one cell of value 1, 2 or 3");
    return static_cast<int>((*v)[0]);
}

int Tree::size_cells(int node) const
{
    auto v = cells(node, "#size-cells");
    if (!v)
        return 1;
    if (v->size() != 1 || (*v)[0] > 2)
        throw Error(at(node, "#size-cells"), "must be one cell of value 0, 1 or 2");
    return static_cast<int>((*v)[0]);
}

std::vector<AddressRange> Tree::raw_reg(int node) const
{
    std::vector<AddressRange> out;
    auto reg = cells(node, "reg");
    int bus = parent(node);
    if (!reg || bus < 0)
        return out;
    int ac = address_cells(bus), sc = size_cells(bus);
    if (ac > 2)
        throw Error(at(node, "reg"), "addresses of " + std::to_string(ac) +
                                         " cells (a PCI bus?) are not memory-mapped registers");
    size_t entry = static_cast<size_t>(ac + sc);
    if (reg->size() % entry)
        throw Error(at(node, "reg"), std::to_string(reg->size()) + " cells is not a multiple of "
                    "#address-cells + #size-cells = " + std::to_string(entry) + " of " + path(bus));
    for (size_t i = 0; i < reg->size(); i += entry)
        out.push_back({read_number(*reg, i, ac), sc ? read_number(*reg, i + ac, sc) : 0});
    return out;
}

std::optional<u64> Tree::translate(int bus, u64 addr) const
{
    int len = 0;
    if (!fdt_getprop(fdt(), bus, "ranges", &len))
        return std::nullopt;
    if (len == 0)
        return addr;  // "ranges;": identity mapping
    int up = parent(bus);
    int cac = address_cells(bus), pac = address_cells(up), sc = size_cells(bus);
    if (cac > 2 || pac > 2 || sc == 0)
        return std::nullopt;
    auto ranges = *cells(bus, "ranges");
    size_t entry = static_cast<size_t>(cac + pac + sc);
    for (size_t i = 0; i + entry <= ranges.size(); i += entry) {
        u64 child = read_number(ranges, i, cac), parent_base = read_number(ranges, i + cac, pac);
        u64 size = read_number(ranges, i + cac + pac, sc);
        if (addr >= child && addr - child < size)
            return parent_base + (addr - child);
    }
    return std::nullopt;
}

std::optional<std::vector<AddressRange>> Tree::mmio_reg(int node) const
{
    if (!has(node, "reg"))
        return std::nullopt;
    std::vector<AddressRange> regs = raw_reg(node);
    for (AddressRange &r : regs) {
        for (int bus = parent(node); bus > 0; bus = parent(bus)) {
            auto cpu_addr = translate(bus, r.base);
            if (!cpu_addr)
                return std::nullopt;
            r.base = *cpu_addr;
        }
    }
    return regs;
}

// A user-facing path for a node of an overlay: "/fragment@0/__overlay__/x" with target-path "/"
// is shown as "/x", the node it becomes in the merged tree.
static std::string overlay_display_path(const void *fdto, const std::string &p)
{
    const std::string marker = "/__overlay__";
    size_t at = p.find(marker);
    if (at == std::string::npos)
        return p;
    int fragment = fdt_path_offset(fdto, p.substr(0, at).c_str());
    const char *target = fragment >= 0 ? static_cast<const char *>(fdt_getprop(fdto, fragment, "target-path", nullptr)) : nullptr;
    if (!target)
        return p;
    std::string rest = p.substr(at + marker.size());
    std::string t = target;
    if (t == "/")
        return rest.empty() ? "/" : rest;
    return t + rest;
}

// libfdt 1.6 trusts the offsets in an overlay's fixup tables and writes wherever they point, so
// every one is checked against the property it patches before fdt_overlay_apply() sees it.
namespace {

constexpr int MAX_FIXUP_DEPTH = 64;

[[noreturn]] void corrupted_fixup(const std::string &file, const std::string &where, const std::string &what)
{
    throw Error(Location{file, where, {}}, "corrupted overlay: " + what + "; rebuild it with dtc -@");
}

void check_local_fixups(const std::string &file, const void *fdto, int fixup_node, int tree_node, int depth)
{
    if (depth > MAX_FIXUP_DEPTH)
        corrupted_fixup(file, "/__local_fixups__", "nested too deeply");
    int prop;
    fdt_for_each_property_offset(prop, fdto, fixup_node) {
        const char *name = nullptr;
        int len = 0;
        const char *offsets = static_cast<const char *>(fdt_getprop_by_offset(fdto, prop, &name, &len));
        int target_len = -1;
        if (!name || !offsets || !fdt_getprop(fdto, tree_node, name, &target_len) || len % 4)
            corrupted_fixup(file, "/__local_fixups__", std::string("entry ") + (name ? name : "?") + " matches no property");
        for (int i = 0; i < len; i += 4) {
            fdt32_t raw;
            std::memcpy(&raw, offsets + i, 4);
            u32 offset = fdt32_to_cpu(raw);
            if (offset > static_cast<u32>(target_len) || static_cast<u32>(target_len) - offset < 4)
                corrupted_fixup(file, "/__local_fixups__", "offset " + std::to_string(offset) + " of " + name +
                                                                " is outside the property");
        }
    }
    int child;
    fdt_for_each_subnode(child, fdto, fixup_node) {
        const char *name = fdt_get_name(fdto, child, nullptr);
        int tree_child = name ? fdt_subnode_offset(fdto, tree_node, name) : -1;
        if (tree_child < 0)
            corrupted_fixup(file, "/__local_fixups__", std::string("node ") + (name ? name : "?") + " matches no node");
        check_local_fixups(file, fdto, child, tree_child, depth + 1);
    }
}

// Each use in __fixups__ is "path:property:offset" and must name 4 bytes inside that property.
void check_external_fixup(const std::string &file, const void *fdto, const std::string &use)
{
    size_t c2 = use.rfind(':');
    size_t c1 = c2 == std::string::npos || c2 == 0 ? std::string::npos : use.rfind(':', c2 - 1);
    if (c1 == std::string::npos)
        corrupted_fixup(file, "/__fixups__", "\"" + use + "\" is not path:property:offset");
    std::string path = use.substr(0, c1), prop = use.substr(c1 + 1, c2 - c1 - 1), offset = use.substr(c2 + 1);
    int node = fdt_path_offset(fdto, path.c_str());
    int len = -1;
    if (node < 0 || !fdt_getprop(fdto, node, prop.c_str(), &len))
        corrupted_fixup(file, "/__fixups__", "\"" + use + "\" names no property");
    bool digits = !offset.empty() && offset.size() < 10 &&
                  std::all_of(offset.begin(), offset.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || std::stoul(offset) + 4 > static_cast<unsigned long>(len))
        corrupted_fixup(file, "/__fixups__", "\"" + use + "\" points outside the property");
}

void check_fixup_tables(const Blob &overlay)
{
    const void *fdto = overlay.bytes.data();
    int local = fdt_path_offset(fdto, "/__local_fixups__");
    if (local >= 0)
        check_local_fixups(overlay.file, fdto, local, 0, 0);
    int fixups = fdt_path_offset(fdto, "/__fixups__");
    if (fixups < 0)
        return;
    int prop;
    fdt_for_each_property_offset(prop, fdto, fixups) {
        int len = 0;
        const char *uses = static_cast<const char *>(fdt_getprop_by_offset(fdto, prop, nullptr, &len));
        if (!uses || len <= 0 || uses[len - 1] != '\0')
            corrupted_fixup(overlay.file, "/__fixups__", "an entry is not a list of strings");
        for (int i = 0; i < len; i += static_cast<int>(std::strlen(uses + i)) + 1)
            check_external_fixup(overlay.file, fdto, uses + i);
    }
}

}  // namespace

void Tree::check_fixups(const Blob &overlay) const
{
    const void *fdto = overlay.bytes.data();
    int fixups = fdt_path_offset(fdto, "/__fixups__");
    if (fixups < 0)
        return;
    if (fdt_path_offset(fdt(), "/__symbols__") < 0)
        throw Error(Location{board_file_, "/__symbols__", {}},
                    "the board tree has no labels (no /__symbols__); compile it with dtc -@");
    int prop;
    fdt_for_each_property_offset(prop, fdto, fixups) {
        const char *label = nullptr;
        int len = 0;
        const char *uses = static_cast<const char *>(fdt_getprop_by_offset(fdto, prop, &label, &len));
        if (!label || has_symbol(fdt(), label))
            continue;
        // Each use is "path:property:offset"; name the first one.
        std::string use = (uses && len > 0 && uses[len - 1] == '\0') ? uses : "";
        size_t c1 = use.find(':'), c2 = use.find(':', c1 == std::string::npos ? c1 : c1 + 1);
        std::string node = c1 == std::string::npos ? "" : overlay_display_path(fdto, use.substr(0, c1));
        std::string property = (c1 == std::string::npos || c2 == std::string::npos) ? "" : use.substr(c1 + 1, c2 - c1 - 1);
        std::string hint = similar_labels(fdt(), label);
        throw Error(Location{overlay.file, node, property},
                    "references &" + std::string(label) +
                        ", which neither the board tree nor any other overlay defines" +
                        (hint.empty() ? "; pass the overlay that defines it, or use a label of the board tree"
                                      : "; the board has " + hint));
    }
}

void Tree::check_targets(const Blob &overlay) const
{
    const void *fdto = overlay.bytes.data();
    int fragment;
    bool any = false;
    fdt_for_each_subnode(fragment, fdto, 0) {
        if (fdt_subnode_offset(fdto, fragment, "__overlay__") < 0)
            continue;
        any = true;
        std::string where = "/" + std::string(fdt_get_name(fdto, fragment, nullptr));
        int len = 0;
        const char *target_path = static_cast<const char *>(fdt_getprop(fdto, fragment, "target-path", &len));
        if (target_path) {
            if (len <= 0 || target_path[len - 1] != '\0')
                throw Error(Location{overlay.file, where, "target-path"}, "is not a string");
            if (fdt_path_offset(fdt(), target_path) < 0)
                throw Error(Location{overlay.file, where, "target-path"},
                            "targets " + std::string(target_path) +
                                ", which the board tree does not have; target an existing node, e.g. &{/}");
            continue;
        }
        if (!fdt_getprop(fdto, fragment, "target", &len) || len != 4)
            throw Error(Location{overlay.file, where, "target"},
                        "the fragment has neither a target nor a target-path");
    }
    if (!any)
        throw Error(Location{overlay.file, {}, {}},
                    "not an overlay (no fragment with __overlay__); compile the .dtso with dtc -@");
}

void Tree::apply_one(const Blob &overlay)
{
    check_targets(overlay);
    check_fixup_tables(overlay);
    check_fixups(overlay);
    std::set<std::string> before;
    for (int node : nodes())
        before.insert(path(node));

    std::vector<char> fdto = overlay.bytes;  // fdt_overlay_apply() consumes its overlay
    std::vector<char> merged(buf_.size() + 2 * fdto.size() + 4096);
    int err = fdt_open_into(buf_.data(), merged.data(), static_cast<int>(merged.size()));
    if (!err)
        err = fdt_overlay_apply(merged.data(), fdto.data());
    if (err)
        throw Error(Location{overlay.file, {}, {}},
                    "libfdt cannot apply the overlay to the board tree (" + fdt_error(err) +
                        "); check its targets and labels");
    fdt_pack(merged.data());
    merged.resize(fdt_totalsize(merged.data()));
    buf_ = std::move(merged);
    for (int node : nodes()) {
        std::string p = path(node);
        if (!before.count(p))
            origin_[p] = overlay.file;
    }
}

void Tree::apply_overlays(const std::vector<Blob> &overlays)
{
    std::vector<const Blob *> pending;
    for (const Blob &o : overlays)
        pending.push_back(&o);
    while (!pending.empty()) {
        // The first overlay whose labels all exist by now; otherwise the first one, which will
        // then report its missing label.
        auto ready = std::find_if(pending.begin(), pending.end(), [&](const Blob *o) {
            for (const std::string &label : property_names(o->bytes.data(), "/__fixups__"))
                if (!has_symbol(fdt(), label))
                    return false;
            for (const std::string &target : target_paths(o->bytes.data()))
                if (fdt_path_offset(fdt(), target.c_str()) < 0)
                    return false;
            return true;
        });
        if (ready == pending.end())
            ready = pending.begin();
        apply_one(**ready);
        pending.erase(ready);
    }
}

}  // namespace cellc
