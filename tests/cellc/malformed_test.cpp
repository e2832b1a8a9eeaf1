// SPDX-License-Identifier: GPL-2.0
// Broken input: truncated, corrupted or wrong files and malformed properties. Each gives one
// clear error and never a crash (the fuzzers in tests/fuzz push the same paths much harder).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fixtures.hpp"

using cellc_test::cell_blob;
using cellc_test::CellText;
using cellc_test::compile_dts;
using cellc_test::messages;
using cellc_test::test_board;
using ::testing::ElementsAre;
using ::testing::StartsWith;

namespace {

std::string load_error(const std::vector<char> &bytes, const char *what)
{
    try {
        cellc::make_blob("x.dtb", bytes.data(), bytes.size(), what);
    } catch (const cellc::Error &e) {
        return e.what();
    }
    return "accepted";
}

std::vector<std::string> compile(const cellc::Blob &cell) { return messages(cellc::compile_cell(test_board(), {cell}).diags); }

}  // namespace

TEST(CellcMalformed, TruncatedBelowTheHeader)
{
    std::vector<char> bytes(test_board().bytes.begin(), test_board().bytes.begin() + 10);
    EXPECT_EQ(load_error(bytes, "board tree"),
              "x.dtb: truncated board tree: 10 bytes is less than an FDT header; rebuild it with dtc");
}

TEST(CellcMalformed, TruncatedBody)
{
    const std::vector<char> &full = test_board().bytes;
    std::vector<char> bytes(full.begin(), full.begin() + full.size() / 2);
    EXPECT_EQ(load_error(bytes, "board tree"),
              "x.dtb: truncated board tree: header says " + std::to_string(full.size()) + " bytes, file has " +
                  std::to_string(bytes.size()) + "; rebuild it with dtc");
}

TEST(CellcMalformed, WrongMagic)
{
    std::vector<char> bytes = test_board().bytes;
    bytes[0] ^= 0x55;
    EXPECT_EQ(load_error(bytes, "overlay"),
              "x.dtb: not a valid overlay (FDT_ERR_BADMAGIC); expected a .dtb/.dtbo compiled by dtc -@");
}

TEST(CellcMalformed, CorruptedStructureBlock)
{
    std::vector<char> bytes = test_board().bytes;
    // The first token of the structure block must be FDT_BEGIN_NODE.
    std::uint32_t off_struct = __builtin_bswap32(*reinterpret_cast<const std::uint32_t *>(bytes.data() + 8));
    bytes[off_struct + 3] = 0x7;
    EXPECT_THAT(load_error(bytes, "board tree"), StartsWith("x.dtb: corrupted board tree (FDT_ERR_"));
}

TEST(CellcMalformed, AnyCorruptedByteOfAnOverlayGivesAnErrorOrAValidDescriptor)
{
    const cellc::Blob good = cell_blob({});
    for (size_t i = 0; i < good.bytes.size(); i++) {
        std::vector<char> bytes = good.bytes;
        bytes[i] ^= 0xa5;
        cellc::CompileResult r;
        try {
            r = cellc::compile_cell(test_board(), {cellc::make_blob("a.dtbo", bytes.data(), bytes.size(), "overlay")});
        } catch (const cellc::Error &) {
            continue;  // refused at load time: fine
        }
        EXPECT_NE(r.diags.empty(), r.descriptor.empty()) << "byte " << i;
    }
}

TEST(CellcMalformed, PlainTreeGivenAsOverlay)
{
    auto blob = compile_dts("a.dtbo", "/dts-v1/;\n/ { x = <1>; };\n");
    EXPECT_THAT(compile(blob), ElementsAre("a.dtbo: not an overlay (no fragment with __overlay__); compile the .dtso "
                                           "with dtc -@"));
}

TEST(CellcMalformed, PropertyThatIsNotWholeCells)
{
    CellText a;
    a.cell_extra = "\t\tcpus = [01 02 03];";
    a.cpus = "";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /cell-a: cpus: length 3 bytes is not a whole number of 32-bit cells"));
}

TEST(CellcMalformed, RawNumberInsteadOfAReference)
{
    CellText a;
    a.cpus = "0x1234";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /cell-a: cpus: entry 0 (0x1234) is not the phandle of any node; write references "
                            "as <&label>"));
}

TEST(CellcMalformed, NameTooLong)
{
    std::string text = cellc_test::cell_dtso({});
    text.replace(text.find("cell-name = \"a\""), std::string("cell-name = \"a\"").size(), "cell-name = \"a-name-that-is-much-too-long-for-32-bytes\"");
    EXPECT_THAT(compile(compile_dts("a.dtbo", text)),
                ElementsAre("a.dtbo: /cell-a: cell-name: needs a name of 1..31 characters from [A-Za-z0-9._-], e.g. "
                            "cell-name = \"ctl-loop\";"));
}

TEST(CellcMalformed, BadAccessString)
{
    CellText a;
    a.ram_extra = "access = \"rwz\";";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /cell-a/ram: access: \"rwz\" is not a combination of r, w and x (e.g. \"rw\")"));
}

TEST(CellcMalformed, MemoryRegionPointingAtTheHypervisorNode)
{
    CellText a;
    a.cell_extra = "\t\thv { memory-region = <&moat_hv>; };";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /cell-a/hv: memory-region: points at /reserved-memory/hypervisor@4fc00000, which "
                            "is not a moat,cell-memory or moat,shared-memory node under /reserved-memory"));
}

TEST(CellcMalformed, EntryOutsideExecutableRam)
{
    CellText a;
    a.entry = "0x0 0x60000000";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /cell-a: entry: 0x60000000 is not inside executable RAM of the cell; point it "
                            "into a mapping with access \"rwx\" (by convention 0x40100000)"));
}

TEST(CellcMalformed, BoardWithoutTheMoatFragment)
{
    auto board = compile_dts("plain.dtb", "/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n"
                                          "memory@40000000 { device_type = \"memory\"; reg = <0 0x40000000 0 0x1000000>; }; };\n");
    auto r = cellc::compile_cell(board, {cellc_test::test_root()});
    EXPECT_THAT(messages(r.diags),
                ElementsAre("plain.dtb: /reserved-memory: no \"moat,hypervisor\" region; use the board tree with "
                            "moat's fragment applied (build/dts/<board>-moat.dtb)"));
}
