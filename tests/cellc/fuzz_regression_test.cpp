// SPDX-License-Identifier: GPL-2.0
// Replays every input under tests/fuzz/regressions/<target>/ through the fuzz target's own code
// (tests/fuzz/fuzz_targets.cpp): inputs that once crashed moat-cellc or libfdt stay fixed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "fixtures.hpp"
#include "fuzz_targets.hpp"

using cellc_test::compile_dts_file;

namespace {

const std::string SRC = MOAT_SOURCE_DIR;

std::vector<std::vector<std::uint8_t>> inputs(const char *target)
{
    std::vector<std::vector<std::uint8_t>> out;
    std::filesystem::path dir = SRC + "/tests/fuzz/regressions/" + target;
    for (const auto &e : std::filesystem::directory_iterator(dir)) {
        if (!e.is_regular_file() || e.path().filename().string()[0] == '.')
            continue;
        std::ifstream in(e.path(), std::ios::binary);
        out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return out;
}

cellc::Blob cell(const char *name)
{
    return compile_dts_file(std::string(name) + ".dtbo", SRC + "/cells/qemu-virt/" + name + ".dtso");
}

}  // namespace

TEST(CellcFuzzRegressions, Validate)
{
    for (const auto &in : inputs("validate"))
        moat_fuzz::validate_descriptor(in.data(), in.size());
}

TEST(CellcFuzzRegressions, Overlay)
{
    const cellc::Blob &board = cellc_test::test_board();
    std::vector<cellc::Blob> context{cellc_test::test_root()};
    for (const auto &in : inputs("overlay"))
        moat_fuzz::compile_overlay(board, context, in.data(), in.size());
}

TEST(CellcFuzzRegressions, Board)
{
    std::vector<cellc::Blob> overlays{compile_dts_file("qemu-virt-moat.dtbo", SRC + "/dts/qemu-virt-moat.dtso"),
                                      cell("root"), cell("shmem"), cell("ctl-loop"), cell("hello")};
    for (const auto &in : inputs("board"))
        moat_fuzz::compile_board(overlays, in.data(), in.size());
}

TEST(CellcFuzzRegressions, Json)
{
    for (const auto &in : inputs("json"))
        moat_fuzz::pack_json(in.data(), in.size());
}

TEST(CellcFuzzRegressions, Steer)
{
    for (const auto &in : inputs("steer"))
        moat_fuzz::steer_messages(in.data(), in.size());
}

TEST(CellcFuzzRegressions, Ownership)
{
    for (const auto &in : inputs("ownership"))
        moat_fuzz::check_ownership(in.data(), in.size());
}
