// SPDX-License-Identifier: GPL-2.0
#include "fuzz_targets.hpp"

#include <cstdlib>
#include <cstring>

#include "lib/cell_validate.hpp"
#include "lib/ownership.hpp"
#include "ctl-loop/steering.hpp"

namespace moat_fuzz {

namespace {

// A failed invariant is a bug the fuzzer must report as a crash.
void require(bool ok)
{
    if (!ok)
        std::abort();
}

// Every descriptor the compiler writes must be one the hypervisor accepts.
void require_valid(const std::vector<char> &descriptor)
{
    if (descriptor.empty())
        return;
    char err[256];
    std::vector<std::uint64_t> aligned(descriptor.size() / 8 + 1);
    std::memcpy(aligned.data(), descriptor.data(), descriptor.size());
    require(moat::cell_validate(aligned.data(), descriptor.size(), err, sizeof(err)));
}

std::vector<cellc::Blob> with(std::vector<cellc::Blob> list, cellc::Blob last)
{
    list.push_back(std::move(last));
    return list;
}

// The system the ownership fuzzer checks against: QEMU virt's layout (1 GiB of RAM, a 60 MiB
// cell pool with the root's shared memory in it, the hypervisor above it), GICv3 or GICv2.
void add_region(moat_cell_desc &d, std::uint64_t phys, std::uint64_t virt, std::uint64_t size, std::uint32_t flags)
{
    d.mem_regions[d.num_mem_regions++] = {phys, virt, size, flags, 0};
}

moat_cell_desc fuzz_root(unsigned gic)
{
    const std::uint32_t rw = MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE, io = rw | MOAT_CELL_MEM_IO;
    moat_cell_desc r{};
    r.flags = MOAT_CELL_FLAG_ROOT;
    add_region(r, 0x40000000, 0x40000000, 0x3c000000, rw | MOAT_CELL_MEM_EXEC | MOAT_CELL_MEM_DMA);
    add_region(r, 0x7c000000, 0x7c000000, 0x3c00000, rw | MOAT_CELL_MEM_CELL_POOL);
    add_region(r, 0x7e000000, 0x7e000000, 0x100000, rw | MOAT_CELL_MEM_SHARED);
    add_region(r, 0x9000000, 0x9000000, 0x4000, io);
    add_region(r, 0xa000000, 0xa000000, 0x4000, io);
    add_region(r, 0x10000000, 0x10000000, 0x2eff0000, io);
    moat_cell_platform &p = r.platform;
    p.gic_version = gic;
    p.gicd_base = 0x8000000, p.gicd_size = 0x10000;
    if (gic == 3) {
        p.gicr_base = 0x80a0000, p.gicr_size = 0xf60000, p.gicr_stride = MOAT_CELL_GICR_STRIDE_V3;
        add_region(r, 0x80a0000, 0x80a0000, 0xf60000, io);
    } else {
        p.gicc_base = 0x8010000, p.gicc_size = 0x10000;
        p.gich_base = 0x8030000, p.gich_size = 0x10000;
        p.gicv_base = 0x8040000, p.gicv_size = 0x10000;
        add_region(r, 0x8040000, 0x8010000, 0x10000, io);
    }
    p.debug_uart = {MOAT_CELL_CONSOLE_PL011, 0, 0x9000000};
    p.hv_base = 0x7fc00000, p.hv_size = 0x400000;
    return r;
}

moat_cell_desc fuzz_other_cell()
{
    moat_cell_desc c{};
    std::strcpy(c.name, "ctl-loop");
    add_region(c, 0x7c000000, 0x40000000, 0x1000000, MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE | MOAT_CELL_MEM_EXEC);
    add_region(c, 0x7e000000, 0x50000000, 0x100000, MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE | MOAT_CELL_MEM_SHARED);
    add_region(c, 0xa000000, 0xa000000, 0x1000, MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE | MOAT_CELL_MEM_IO);
    return c;
}

// The rules of lib/ownership.hpp said once more, as plainly as possible, over 128-bit ends.
bool overlaps(std::uint64_t a, std::uint64_t as, std::uint64_t b, std::uint64_t bs)
{
    return static_cast<unsigned __int128>(a) < static_cast<unsigned __int128>(b) + bs &&
           static_cast<unsigned __int128>(b) < static_cast<unsigned __int128>(a) + as;
}

bool within(const moat_cell_mem_region &m, const moat_cell_mem_region &r)
{
    return m.phys_start >= r.phys_start &&
           static_cast<unsigned __int128>(m.phys_start) + m.size <= static_cast<unsigned __int128>(r.phys_start) + r.size;
}

// Is [pa, pa + size) in a section of one of d's links? (The fuzz system's root and other cell
// take part in no link, so such memory may not be shared with them.)
bool in_link_section(const moat_cell_desc &d, std::uint64_t pa, std::uint64_t size)
{
    for (std::uint32_t l = 0; l < d.links.num_links; l++)
        for (std::uint32_t k = 0; k < d.links.link[l].num_sections; k++)
            if (overlaps(pa, size, d.links.link[l].sections[k].phys, d.links.link[l].sections[k].size))
                return true;
    return false;
}

bool region_allowed(const moat_cell_desc &root, const moat_cell_desc &other, const moat_cell_desc &d,
                    const moat_cell_mem_region &m)
{
    bool link = in_link_section(d, m.phys_start, m.size);
    const moat_cell_platform &p = root.platform;
    const std::uint64_t hv_owned[][2] = {{p.hv_base, p.hv_size},     {p.gicd_base, p.gicd_size},
                                         {p.gicr_base, p.gicr_size}, {p.gicc_base, p.gicc_size},
                                         {p.gich_base, p.gich_size}, {p.gicv_base, p.gicv_size},
                                         {p.debug_uart.base, MOAT_CELL_PAGE_SIZE}};
    for (const auto &o : hv_owned)
        if (o[1] && overlaps(m.phys_start, m.size, o[0], o[1]))
            return false;
    bool io = m.flags & MOAT_CELL_MEM_IO;
    bool own = !(m.flags & (MOAT_CELL_MEM_IO | MOAT_CELL_MEM_SHARED | MOAT_CELL_MEM_ROOT_SHARED));
    bool contained = false;
    for (std::uint32_t j = 0; j < root.num_mem_regions; j++) {
        const moat_cell_mem_region &r = root.mem_regions[j];
        if (bool(r.flags & MOAT_CELL_MEM_IO) == io && within(m, r)) {
            contained = true;
            // A link's section comes from the cell pool (or the root's shared memory), never
            // from the root's own RAM.
            if (link && !(r.flags & (MOAT_CELL_MEM_IO | MOAT_CELL_MEM_CELL_POOL | MOAT_CELL_MEM_SHARED)))
                return false;
        }
        if ((own || link) && (r.flags & MOAT_CELL_MEM_SHARED) && overlaps(m.phys_start, m.size, r.phys_start, r.size))
            return false;
    }
    if (!contained)
        return false;
    for (std::uint32_t k = 0; k < other.num_mem_regions; k++) {
        const moat_cell_mem_region &n = other.mem_regions[k];
        bool both_shared = (m.flags & n.flags & MOAT_CELL_MEM_SHARED) != 0;
        if ((!both_shared || link) && overlaps(m.phys_start, m.size, n.phys_start, n.size))
            return false;
    }
    return true;
}

}  // namespace

void check_ownership(const std::uint8_t *data, std::size_t size)
{
    if (size != sizeof(moat_cell_desc))
        return;
    moat_cell_desc d;
    std::memcpy(&d, data, size);
    d.checksum = moat::cell_checksum(&d, sizeof(d));
    char err[256];
    if (!moat::cell_validate(&d, sizeof(d), err, sizeof(err)) || (d.flags & MOAT_CELL_FLAG_ROOT))
        return;
    static const moat_cell_desc roots[] = {fuzz_root(3), fuzz_root(2)};
    static const moat_cell_desc other = fuzz_other_cell();
    const moat_cell_desc *others[] = {&other};
    for (const moat_cell_desc &root : roots) {
        require(moat::root_layout_check(root, err, sizeof(err)));
        bool expected = true;
        for (std::uint32_t i = 0; i < d.num_mem_regions; i++)
            expected = expected && region_allowed(root, other, d, d.mem_regions[i]);
        bool ok = moat::ownership_check(root, others, 1, d, err, sizeof(err));
        require(ok == expected);
        require(ok == (err[0] == '\0'));
        require(ok || std::strncmp(err, "mem_regions[", 12) == 0);
        // What create takes from the root is the root's: RAM or a device, never the pool.
        for (std::uint32_t i = 0; ok && i < d.num_mem_regions; i++)
            if (moat::region_taken_from_root(root, d.mem_regions[i]))
                require(!(d.mem_regions[i].flags & (MOAT_CELL_MEM_SHARED | MOAT_CELL_MEM_ROOT_SHARED)));
    }
}

void validate_descriptor(const std::uint8_t *data, std::size_t size)
{
    std::vector<std::uint64_t> aligned(size / 8 + 1);
    std::memcpy(aligned.data(), data, size);
    char err[128];
    bool valid = moat::cell_validate(aligned.data(), size, err, sizeof(err));
    require(valid || std::strlen(err) > 0);
    if (!valid)
        return;
    moat_cell_desc d = cellc::decode_descriptor("fuzz.cell", std::vector<char>(data, data + size));
    require(d.checksum == moat::cell_checksum(&d, sizeof(d)));
    require(!cellc::dump_text(d).empty() && !cellc::dump_json(d).empty());
}

void pack_json(const std::uint8_t *data, std::size_t size)
{
    moat_cell_desc d;
    try {
        d = cellc::descriptor_from_json("fuzz.json", std::string(data, data + size), true);
    } catch (const cellc::Error &) {
        return;
    }
    require_valid(cellc::descriptor_bytes(d));
    // What it accepted dumps back to JSON that packs to the same bytes.
    moat_cell_desc again = cellc::descriptor_from_json("again.json", cellc::dump_json(d), true);
    require(cellc::descriptor_bytes(again) == cellc::descriptor_bytes(d));
}

void compile_overlay(const cellc::Blob &board, const std::vector<cellc::Blob> &context, const std::uint8_t *data,
                     std::size_t size)
{
    cellc::Blob overlay;
    try {
        overlay = cellc::make_blob("fuzz.dtbo", data, size, "overlay");
    } catch (const cellc::Error &) {
        return;
    }
    cellc::CompileResult r = cellc::compile_cell(board, with(context, overlay));
    require(r.diags.empty() != r.descriptor.empty());
    require_valid(r.descriptor);
    cellc::check_system(board, with(context, overlay));
}

void compile_board(const std::vector<cellc::Blob> &overlays, const std::uint8_t *data, std::size_t size)
{
    cellc::Blob board;
    try {
        board = cellc::make_blob("fuzz.dtb", data, size, "board tree");
    } catch (const cellc::Error &) {
        return;
    }
    cellc::check_system(board, overlays);
    for (size_t i = 0; i < overlays.size(); i++) {
        // Each overlay in turn as the cell to compile, the others as context.
        std::vector<cellc::Blob> order;
        for (size_t j = 0; j < overlays.size(); j++)
            if (j != i)
                order.push_back(overlays[j]);
        order.push_back(overlays[i]);
        cellc::CompileResult r = cellc::compile_cell(board, order);
        require_valid(r.descriptor);
    }
}

// The ctl-loop's steering (include/moat/ctl_link.h, demos/ctl-loop/steering.hpp): the bytes
// as messages of a hostile Linux, split at 0xff bytes (each piece one queue message), through
// the cell's end while it streams telemetry at the highest rate. Whatever comes in, the
// controller's setpoint stays in range, every message the cell sends passes Linux's check, and
// every command gets exactly one answer.
void steer_messages(const std::uint8_t *data, std::size_t size)
{
    static moat_linkq in, out;
    std::memset(&in, 0, sizeof(in));
    std::memset(&out, 0, sizeof(out));
    ctl::MotorControl control(10000);
    ctl::Steering steering(&in, &out, 10000, 62500000);
    moat_ctl_msg rate = moat_ctl_new(MOAT_CTL_RATE, 1);
    rate.u.rate.hz = MOAT_CTL_RATE_MAX;
    require(moat_linkq_push(&in, &rate, sizeof(rate)) == 0);
    std::uint32_t commands = 1;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= size && commands < MOAT_LINKQ_SLOTS; i++) {
        if (i == size || data[i] == 0xff) {
            const std::size_t len = i - start < MOAT_LINKQ_MAX_MSG ? i - start : MOAT_LINKQ_MAX_MSG;
            require(moat_linkq_push(&in, data + start, static_cast<std::uint32_t>(len)) == 0);
            commands++;
            start = i + 1;
        }
    }
    std::uint32_t answers = 0;
    for (std::uint32_t period = 0; period < commands + 20; period++) {
        control.step();
        require(control.setpoint() >= -MOAT_CTL_SETPOINT_MAX / 1000.0 && control.setpoint() <= MOAT_CTL_SETPOINT_MAX / 1000.0);
        steering.period(control, {period > 0, static_cast<std::int64_t>(period) - 5, 7, 100, period % 3 == 0}, period / 3);
        std::uint8_t buf[MOAT_LINKQ_MAX_MSG];
        int n;
        while ((n = moat_linkq_pop(&out, buf, sizeof(buf))) >= 0) {
            moat_ctl_msg m;
            require(moat_ctl_decode(buf, static_cast<std::uint32_t>(n), MOAT_CTL_TO_LINUX, &m) == MOAT_CTL_OK);
            answers += m.type == MOAT_CTL_ACK;
        }
    }
    require(answers == commands && steering.accepted() + steering.refused() == commands && steering.dropped() == 0);
}

}  // namespace moat_fuzz
