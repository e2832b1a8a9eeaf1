// SPDX-License-Identifier: GPL-2.0
#include "fuzz_targets.hpp"

#include <cstdlib>
#include <cstring>

#include "hv/cell_validate.hpp"

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

}  // namespace

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

}  // namespace moat_fuzz
