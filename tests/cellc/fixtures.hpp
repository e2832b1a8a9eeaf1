// SPDX-License-Identifier: GPL-2.0
// Test fixtures for moat-cellc: device trees compiled with dtc on the fly from tests/data/cellc
// and from overlay text written in the tests themselves.
#pragma once

#include <string>
#include <vector>

#include <moat/cell.h>

#include "cellc.hpp"

namespace cellc_test {

// Compiles dts/dtso source with `dtc -@`; the blob is named `name` in messages (e.g. "a.dtbo").
cellc::Blob compile_dts(const std::string &name, const std::string &source);
cellc::Blob compile_dts_file(const std::string &name, const std::string &path);
std::string read_text(const std::string &path);

// Where compile_dts*() left the compiled file called `name`.
std::string scratch_path(const std::string &name);

// tests/data/cellc/board.dts ("board.dtb") and its root cell ("root.dtbo").
const cellc::Blob &test_board();
const cellc::Blob &test_root();

// A bare-metal cell overlay for the test board. Every field is the overlay text that goes in.
struct CellText {
    std::string name = "a";
    std::string cpus = "&cpu1";          // empty: no cpus property
    std::string devices;                 // e.g. "&rtc"; empty: no devices property
    std::string ram_reg = "0x0 0x4c000000 0x0 0x1000000";
    std::string ram_ipa = "0x0 0x40000000";
    std::string ram_extra = "loadable;";
    std::string cell_extra;              // more properties or child nodes of the cell node
    std::string entry = "0x0 0x40100000";
    bool with_ram = true;
};
std::string cell_dtso(const CellText &c);
cellc::Blob cell_blob(const CellText &c);  // named "<name>.dtbo"

// A committed board as the build sees it: dts/BOARD.dts ("BOARD.dtb"), moat's fragment
// dts/FRAGMENT.dtso, then every cells/CELLS/*.dtso by name ("NAME.dtbo").
struct BoardSystem {
    cellc::Blob board;
    std::vector<cellc::Blob> overlays;
};
BoardSystem board_system(const std::string &board, const std::string &fragment, const std::string &cells);

// The overlays with `name`.dtbo moved to the end: the cell to compile, the others its context.
std::vector<cellc::Blob> with_last(std::vector<cellc::Blob> overlays, const std::string &name);

// Compiles cell `name` of the system; expects no diagnostics and a descriptor of the right size.
moat_cell_desc compile_system_cell(const BoardSystem &s, const std::string &name);

// The messages of a list of diagnostics, for EXPECT_THAT-style comparisons.
std::vector<std::string> messages(const cellc::Diagnostics &diags);

}  // namespace cellc_test
