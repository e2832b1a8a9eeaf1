// SPDX-License-Identifier: GPL-2.0
#include "linux_boot.hpp"
#include "dma_master.hpp"

#include <unistd.h>

#include <cstring>

namespace moat::tools {

namespace {
constexpr std::uint64_t MiB2 = 2ull << 20;
constexpr std::uint64_t PAGE = 4096;
constexpr std::uint32_t IMAGE_MAGIC = 0x644d5241;  // "ARM\x64" at offset 56
constexpr std::size_t IMAGE_HEADER = 64;

std::uint64_t le64(const std::uint8_t *p)
{
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}
std::uint32_t le32(const std::uint8_t *p) { return static_cast<std::uint32_t>(le64(p) & 0xffffffff) ; }
std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) & ~(a - 1); }

// FDT: big-endian header fields and structure-block tokens.
constexpr std::uint32_t FDT_MAGIC = 0xd00dfeed, FDT_BEGIN_NODE = 1, FDT_END_NODE = 2, FDT_PROP = 3,
                        FDT_NOP = 4, FDT_END = 9;
constexpr std::size_t FDT_HEADER = 40;
std::uint32_t be32(const std::uint8_t *p) { return std::uint32_t(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3]; }
void put_be32(std::vector<std::uint8_t> &v, std::uint32_t x)
{
    for (int s = 24; s >= 0; s -= 8)
        v.push_back(static_cast<std::uint8_t>(x >> s));
}
void set_be32(std::uint8_t *p, std::uint32_t x)
{
    for (int i = 0; i < 4; i++)
        p[i] = static_cast<std::uint8_t>(x >> (24 - 8 * i));
}
void pad4(std::vector<std::uint8_t> &v)
{
    while (v.size() % 4)
        v.push_back(0);
}
}  // namespace

bool parse_kernel_image(const std::vector<std::uint8_t> &image, KernelImage &out, std::string &err)
{
    if (image.size() < IMAGE_HEADER || le32(image.data() + 56) != IMAGE_MAGIC) {
        err = image.size() >= 2 && image[0] == 0x1f && image[1] == 0x8b
                  ? "a gzip-compressed kernel; give the uncompressed arm64 Image (zcat it first)"
                  : "no arm64 Image header (magic \"ARM\\x64\" at offset 56): not an arm64 Linux Image";
        return false;
    }
    out.text_offset = le64(image.data() + 8);
    out.image_size = le64(image.data() + 16);
    // Kernels before 3.17 leave image_size zero; booting.rst then asks for text_offset 0x80000
    // and a guess of the size. Not worth guessing: refuse.
    if (out.image_size == 0) {
        err = "the Image header has image_size 0 (a kernel older than 3.17): not supported";
        return false;
    }
    if (out.image_size < image.size()) {
        err = "the Image header's image_size is smaller than the file: not a consistent arm64 Image";
        return false;
    }
    return true;
}

bool plan_linux_layout(std::uint64_t ram_base, std::uint64_t ram_size, std::uint64_t entry, const KernelImage &k,
                       std::uint64_t dtb_size, std::uint64_t initrd_size, LinuxLayout &out, std::string &err)
{
    const std::uint64_t ram_end = ram_base + ram_size;
    if (entry < ram_base || entry + 32 > ram_end) {
        err = "the cell's entry is not in its loadable RAM; set the overlay's entry to the RAM's IPA";
        return false;
    }
    out.stub = entry;
    // The kernel's 2 MiB aligned base above the stub's page.
    out.kernel = align_up(entry + PAGE, MiB2) + k.text_offset;
    out.dtb = align_up(out.kernel + k.image_size, MiB2);
    if (dtb_size > MiB2) {
        err = "the device tree is larger than 2 MiB (the arm64 boot protocol's limit)";
        return false;
    }
    out.initrd = initrd_size ? align_up(out.dtb + dtb_size, PAGE) : 0;
    out.end = initrd_size ? out.initrd + initrd_size : out.dtb + dtb_size;
    if (out.end > ram_end || out.end < ram_base) {
        err = "the kernel (image_size " + std::to_string(k.image_size >> 10) + " KiB), the tree and the initramfs (" +
              std::to_string(initrd_size >> 10) + " KiB) need RAM up to offset " +
              std::to_string((out.end - ram_base) >> 10) + " KiB, the cell has " + std::to_string(ram_size >> 10) +
              " KiB; give the cell more RAM or use a smaller initramfs";
        return false;
    }
    return true;
}

std::vector<std::uint8_t> linux_boot_stub(std::uint64_t dtb, std::uint64_t kernel)
{
    const std::uint32_t code[] = {
        0x580000c0,  // ldr x0, .+24 (dtb)
        0xaa1f03e1,  // mov x1, xzr
        0xaa1f03e2,  // mov x2, xzr
        0xaa1f03e3,  // mov x3, xzr
        0x58000084,  // ldr x4, .+16 (kernel)
        0xd61f0080,  // br x4
    };
    std::vector<std::uint8_t> out;
    for (std::uint32_t c : code)
        for (int i = 0; i < 4; i++)
            out.push_back(static_cast<std::uint8_t>(c >> (8 * i)));
    for (std::uint64_t v : {dtb, kernel})
        for (int i = 0; i < 8; i++)
            out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return out;
}

std::vector<std::uint8_t> fdt_u64(std::uint64_t v)
{
    std::vector<std::uint8_t> out;
    put_be32(out, static_cast<std::uint32_t>(v >> 32));
    put_be32(out, static_cast<std::uint32_t>(v));
    return out;
}

std::vector<std::uint8_t> fdt_string(const std::string &s)
{
    std::vector<std::uint8_t> out(s.begin(), s.end());
    out.push_back(0);
    return out;
}

// Rebuilds the tree: header, the reservation map as it was, the structure block with /chosen's
// properties replaced, the strings block with the new names appended.
bool fdt_set_chosen(std::vector<std::uint8_t> &dtb, const std::vector<FdtProp> &props, std::string &err)
{
    auto bad = [&](const char *why) {
        err = std::string("not a well-formed device tree: ") + why;
        return false;
    };
    if (dtb.size() < FDT_HEADER || be32(dtb.data()) != FDT_MAGIC)
        return bad("no FDT magic");
    const std::uint8_t *h = dtb.data();
    std::uint32_t total = be32(h + 4), off_struct = be32(h + 8), off_strings = be32(h + 12), off_rsv = be32(h + 16),
                  version = be32(h + 20), size_strings = be32(h + 32), size_struct = be32(h + 36);
    if (total > dtb.size() || version < 16 || off_struct > total || size_struct > total - off_struct ||
        off_strings > total || size_strings > total - off_strings || off_rsv > off_struct || off_rsv % 8)
        return bad("header out of bounds or version older than 16");
    std::vector<std::uint8_t> strings(dtb.begin() + off_strings, dtb.begin() + off_strings + size_strings);
    auto name_at = [&](std::uint32_t off) -> std::string {
        if (off >= strings.size())
            return {};
        return std::string(reinterpret_cast<const char *>(strings.data() + off),
                           strnlen(reinterpret_cast<const char *>(strings.data() + off), strings.size() - off));
    };
    auto emit_props = [&](std::vector<std::uint8_t> &s) {
        for (const FdtProp &p : props) {
            std::uint32_t nameoff = static_cast<std::uint32_t>(strings.size());
            strings.insert(strings.end(), p.first.begin(), p.first.end());
            strings.push_back(0);
            put_be32(s, FDT_PROP);
            put_be32(s, static_cast<std::uint32_t>(p.second.size()));
            put_be32(s, nameoff);
            s.insert(s.end(), p.second.begin(), p.second.end());
            pad4(s);
        }
    };
    auto replaced = [&](const std::string &n) {
        for (const FdtProp &p : props)
            if (p.first == n)
                return true;
        return false;
    };
    std::vector<std::uint8_t> st;
    const std::uint8_t *p = dtb.data() + off_struct, *end = p + size_struct;
    int depth = 0;
    bool in_chosen = false, have_chosen = false, done = false;
    while (!done) {
        if (end - p < 4)
            return bad("structure block ends without FDT_END");
        std::uint32_t tok = be32(p);
        const std::uint8_t *start = p;
        p += 4;
        switch (tok) {
        case FDT_BEGIN_NODE: {
            const std::uint8_t *nul = static_cast<const std::uint8_t *>(std::memchr(p, 0, end - p));
            if (!nul)
                return bad("unterminated node name");
            std::string name(reinterpret_cast<const char *>(p), nul - p);
            p += align_up(name.size() + 1, 4);
            if (p > end)
                return bad("node name past the structure block");
            depth++;
            st.insert(st.end(), start, p);
            in_chosen = depth == 2 && name == "chosen";
            if (in_chosen) {
                have_chosen = true;
                emit_props(st);
            }
            break;
        }
        case FDT_END_NODE:
            if (depth == 1 && !have_chosen) {
                put_be32(st, FDT_BEGIN_NODE);
                for (char c : std::string("chosen"))
                    st.push_back(static_cast<std::uint8_t>(c));
                st.push_back(0);
                pad4(st);
                emit_props(st);
                put_be32(st, FDT_END_NODE);
            }
            if (--depth < 0)
                return bad("unbalanced FDT_END_NODE");
            in_chosen = false;
            st.insert(st.end(), start, p);
            break;
        case FDT_PROP: {
            if (end - p < 8)
                return bad("truncated property");
            std::uint32_t len = be32(p), nameoff = be32(p + 4);
            p += 8;
            if (static_cast<std::uint64_t>(end - p) < align_up(len, 4))
                return bad("property value past the structure block");
            p += align_up(len, 4);
            if (!(in_chosen && depth == 2 && replaced(name_at(nameoff))))
                st.insert(st.end(), start, p);
            break;
        }
        case FDT_NOP:
            break;
        case FDT_END:
            if (depth != 0)
                return bad("FDT_END inside a node");
            put_be32(st, FDT_END);
            done = true;
            break;
        default:
            return bad("unknown structure token");
        }
    }
    std::vector<std::uint8_t> rsv(dtb.begin() + off_rsv, dtb.begin() + off_struct);
    std::vector<std::uint8_t> out(FDT_HEADER, 0);
    std::memcpy(out.data(), h, FDT_HEADER);
    pad4(out);
    while (out.size() % 8)
        out.push_back(0);
    std::uint32_t new_rsv = static_cast<std::uint32_t>(out.size());
    out.insert(out.end(), rsv.begin(), rsv.end());
    std::uint32_t new_struct = static_cast<std::uint32_t>(out.size());
    out.insert(out.end(), st.begin(), st.end());
    std::uint32_t new_strings = static_cast<std::uint32_t>(out.size());
    out.insert(out.end(), strings.begin(), strings.end());
    set_be32(out.data() + 4, static_cast<std::uint32_t>(out.size()));
    set_be32(out.data() + 8, new_struct);
    set_be32(out.data() + 12, new_strings);
    set_be32(out.data() + 16, new_rsv);
    set_be32(out.data() + 20, 17);
    set_be32(out.data() + 24, 16);
    set_be32(out.data() + 32, static_cast<std::uint32_t>(strings.size()));
    set_be32(out.data() + 36, static_cast<std::uint32_t>(st.size()));
    dtb = std::move(out);
    return true;
}

bool fdt_dma_devices(const std::vector<std::uint8_t> &dtb, std::vector<std::string> &out, std::string &err)
{
    out.clear();
    if (dtb.size() < FDT_HEADER || be32(dtb.data()) != FDT_MAGIC) {
        err = "not a well-formed device tree: no FDT magic";
        return false;
    }
    const std::uint8_t *h = dtb.data();
    std::uint32_t total = be32(h + 4), off_struct = be32(h + 8), off_strings = be32(h + 12),
                  size_strings = be32(h + 32), size_struct = be32(h + 36);
    if (total > dtb.size() || off_struct > total || size_struct > total - off_struct || off_strings > total ||
        size_strings > total - off_strings) {
        err = "not a well-formed device tree: header out of bounds";
        return false;
    }
    const char *strings = reinterpret_cast<const char *>(h + off_strings);
    const std::uint8_t *p = h + off_struct, *end = p + size_struct;
    int depth = 0;
    std::string node;
    bool dma = false;
    while (end - p >= 4) {
        std::uint32_t tok = be32(p);
        p += 4;
        if (tok == FDT_BEGIN_NODE) {
            const std::uint8_t *nul = static_cast<const std::uint8_t *>(std::memchr(p, 0, end - p));
            if (!nul)
                break;
            if (++depth == 2)
                node.assign(reinterpret_cast<const char *>(p), nul - p), dma = false;
            p += align_up(nul - p + 1, 4);
        } else if (tok == FDT_END_NODE) {
            if (depth-- == 2 && dma) {
                std::size_t at = node.find('@');
                if (at != std::string::npos)
                    out.push_back(node.substr(at + 1) + "." + node.substr(0, at));
            }
        } else if (tok == FDT_PROP) {
            if (end - p < 8)
                break;
            std::uint32_t len = be32(p), nameoff = be32(p + 4);
            p += 8;
            if (len > static_cast<std::size_t>(end - p) || nameoff >= size_strings)
                break;
            std::string name(strings + nameoff, strnlen(strings + nameoff, size_strings - nameoff));
            // moat-cellc's rule (dma_master.hpp): the properties, the compatibles, a PCI host.
            for (const char *d : dma_master_props)
                if (depth == 2 && name == d)
                    dma = true;
            const char *v = reinterpret_cast<const char *>(p);
            if (depth == 2 && name == "compatible")
                for (std::size_t i = 0; i < len; i += strnlen(v + i, len - i) + 1)
                    if (!dma_master_compatible(std::string(v + i, strnlen(v + i, len - i))).empty())
                        dma = true;
            if (depth == 2 && name == "device_type" && std::string(v, strnlen(v, len)) == "pci")
                dma = true;
            p += align_up(len, 4);
        } else if (tok == FDT_END) {
            return true;
        } else if (tok != FDT_NOP) {
            break;
        }
    }
    err = "not a well-formed device tree: bad structure block";
    return false;
}

std::string bound_dma_device(const std::vector<std::string> &devices, const std::string &sysfs)
{
    // Platform devices, and AMBA ones (PL330, PL08x) under the name Linux gives them there.
    for (const char *bus : {"platform", "amba"})
        for (const std::string &d : devices) {
            char link[512];
            ssize_t n = readlink((sysfs + "/bus/" + bus + "/devices/" + d + "/driver").c_str(), link, sizeof(link) - 1);
            if (n <= 0)
                continue;
            link[n] = 0;
            const char *driver = std::strrchr(link, '/') ? std::strrchr(link, '/') + 1 : link;
            return d + " is a DMA master the root's Linux drives (driver " + driver + "): the cell's Linux would reset "
                   "it under that driver, whose queues are in the root's memory; unbind it first: echo " + d +
                   " > /sys/bus/" + bus + "/drivers/" + driver + "/unbind";
        }
    return {};
}

}  // namespace moat::tools
