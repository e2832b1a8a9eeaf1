// SPDX-License-Identifier: GPL-2.0
#include "fixtures.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace cellc_test {

namespace {

std::string scratch_dir()
{
    static std::string dir = [] {
        std::string tmpl = ::testing::TempDir() + "moat-cellc-XXXXXX";
        if (!mkdtemp(tmpl.data()))
            throw std::runtime_error("mkdtemp failed");
        return tmpl;
    }();
    return dir;
}

}  // namespace

std::string scratch_path(const std::string &name) { return scratch_dir() + "/" + name; }

std::string read_text(const std::string &path)
{
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

cellc::Blob compile_dts_file(const std::string &name, const std::string &path)
{
    std::string out = scratch_dir() + "/" + name;
    std::string cmd = std::string(MOAT_DTC) + " -q -@ -I dts -O dtb -o '" + out + "' '" + path + "'";
    if (std::system(cmd.c_str()) != 0)
        throw std::runtime_error("dtc failed on " + path);
    cellc::Blob b = cellc::load_blob(out, "test tree");
    b.file = name;
    return b;
}

cellc::Blob compile_dts(const std::string &name, const std::string &source)
{
    std::string src = scratch_dir() + "/" + name + ".dts";
    std::ofstream(src) << source;
    return compile_dts_file(name, src);
}

const cellc::Blob &test_board()
{
    static cellc::Blob b = compile_dts_file("board.dtb", std::string(MOAT_CELLC_TEST_DATA) + "/board.dts");
    return b;
}

const cellc::Blob &test_root()
{
    static cellc::Blob b = compile_dts_file("root.dtbo", std::string(MOAT_CELLC_TEST_DATA) + "/root.dtso");
    return b;
}

std::string cell_dtso(const CellText &c)
{
    std::ostringstream s;
    s << "/dts-v1/;\n/plugin/;\n";
    if (c.with_ram)
        s << "&{/reserved-memory} {\n\t" << c.name << "_ram: " << c.name << "-ram {\n"
          << "\t\tcompatible = \"moat,cell-memory\";\n\t\treg = <" << c.ram_reg << ">;\n\t};\n};\n";
    s << "&{/} {\n\tcell-" << c.name << " {\n\t\tcompatible = \"moat,cell\";\n\t\tcell-name = \"" << c.name << "\";\n";
    if (!c.cpus.empty())
        s << "\t\tcpus = <" << c.cpus << ">;\n";
    if (!c.devices.empty())
        s << "\t\tdevices = <" << c.devices << ">;\n";
    s << "\t\tconsole = \"hypercall\";\n\t\tentry = <" << c.entry << ">;\n" << c.cell_extra << "\n";
    if (c.with_ram)
        s << "\t\tram {\n\t\t\tmemory-region = <&" << c.name << "_ram>;\n\t\t\tipa = <" << c.ram_ipa << ">;\n\t\t\t"
          << c.ram_extra << "\n\t\t};\n";
    s << "\t};\n};\n";
    return s.str();
}

cellc::Blob cell_blob(const CellText &c) { return compile_dts(c.name + ".dtbo", cell_dtso(c)); }

BoardSystem board_system(const std::string &board, const std::string &fragment, const std::string &cells)
{
    const std::string src = MOAT_SOURCE_DIR;
    BoardSystem s{compile_dts_file(board + ".dtb", src + "/dts/" + board + ".dts"), {}};
    s.overlays.push_back(compile_dts_file(fragment + ".dtbo", src + "/dts/" + fragment + ".dtso"));
    std::vector<std::filesystem::path> dtsos;
    for (const auto &e : std::filesystem::directory_iterator(src + "/cells/" + cells))
        if (e.path().extension() == ".dtso")
            dtsos.push_back(e.path());
    std::sort(dtsos.begin(), dtsos.end());
    for (const auto &p : dtsos)
        s.overlays.push_back(compile_dts_file(p.stem().string() + ".dtbo", p.string()));
    return s;
}

std::vector<cellc::Blob> with_last(std::vector<cellc::Blob> overlays, const std::string &name)
{
    auto it = std::find_if(overlays.begin(), overlays.end(), [&](const cellc::Blob &b) { return b.file == name + ".dtbo"; });
    if (it == overlays.end())
        ADD_FAILURE() << "no overlay " << name << ".dtbo";
    else
        std::rotate(it, it + 1, overlays.end());
    return overlays;
}

moat_cell_desc compile_system_cell(const BoardSystem &s, const std::string &name)
{
    auto r = cellc::compile_cell(s.board, with_last(s.overlays, name));
    EXPECT_THAT(messages(r.diags), ::testing::IsEmpty()) << name;
    moat_cell_desc d{};
    EXPECT_EQ(r.descriptor.size(), sizeof(d)) << name;
    if (r.descriptor.size() == sizeof(d))
        std::memcpy(&d, r.descriptor.data(), sizeof(d));
    return d;
}

std::vector<std::string> messages(const cellc::Diagnostics &diags)
{
    std::vector<std::string> out;
    for (const cellc::Diagnostic &d : diags)
        out.push_back(d.str());
    return out;
}

}  // namespace cellc_test
