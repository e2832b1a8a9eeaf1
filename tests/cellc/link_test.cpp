// SPDX-License-Identifier: GPL-2.0
// moat-link in moat-cellc: the committed link system (cells/qemu-virt-link) compiles into the
// endpoints the hypervisor and the driver read, and each whole-system rule of a link refuses
// the smallest overlay that breaks it, with the message the user sees.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <moat/cell.h>

#include <cstring>
#include <string>

#include "fixtures.hpp"
#include "lib/cell_validate.hpp"

using cellc_test::board_system;
using cellc_test::BoardSystem;
using cellc_test::compile_dts;
using cellc_test::compile_system_cell;
using cellc_test::messages;
using cellc_test::read_text;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

namespace {

BoardSystem link_system() { return board_system("qemu-virt-gicv3", "qemu-virt-moat", "qemu-virt-link"); }

std::string source(const std::string &name)
{
    return read_text(std::string(MOAT_SOURCE_DIR) + "/cells/qemu-virt-link/" + name + ".dtso");
}

std::string replaced(std::string text, const std::string &from, const std::string &to)
{
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << "no '" << from << "' in the overlay";
    if (at != std::string::npos)
        text.replace(at, from.size(), to);
    return text;
}

// The link system with overlay `name` replaced by `text`: what `moat-cellc check` says.
std::vector<std::string> check_with(const std::string &name, const std::string &text)
{
    BoardSystem s = link_system();
    for (cellc::Blob &b : s.overlays)
        if (b.file == name + ".dtbo")
            b = compile_dts(name + ".dtbo", text);
    return messages(cellc::check_system(s.board, s.overlays));
}

}  // namespace

TEST(CellcLink, CommittedSystemChecksClean)
{
    BoardSystem s = link_system();
    EXPECT_THAT(messages(cellc::check_system(s.board, s.overlays)), IsEmpty());
}

TEST(CellcLink, CellEndpoint)
{
    moat_cell_desc d = compile_system_cell(link_system(), "echo");
    ASSERT_EQ(d.links.num_links, 1u);
    const moat_cell_link &l = d.links.link[0];
    EXPECT_STREQ(l.name, "echo");
    EXPECT_EQ(l.self, 1u);
    EXPECT_EQ(l.num_peers, 2u);
    EXPECT_STREQ(l.peers[0], "linux");
    EXPECT_STREQ(l.peers[1], "echo");
    EXPECT_EQ(l.doorbell_intid, 241u);
    EXPECT_EQ(l.regs_ipa, 0x50012000u);  // right after the sections
    ASSERT_EQ(l.num_sections, 3u);
    EXPECT_EQ(l.sections[0].phys, 0x7e100000u);
    EXPECT_EQ(l.sections[0].ipa, 0x50000000u);
    EXPECT_EQ(l.sections[0].size, 0x10000u);
    EXPECT_EQ(l.sections[0].owner, MOAT_LINK_OWNER_ALL);
    EXPECT_EQ(l.sections[1].phys, 0x7e110000u);
    EXPECT_EQ(l.sections[1].ipa, 0x50010000u);
    EXPECT_EQ(l.sections[1].owner, 0u);  // Linux's
    EXPECT_EQ(l.sections[2].ipa, 0x50011000u);
    EXPECT_EQ(l.sections[2].owner, 1u);  // the cell's own
    // The doorbell is the cell's SPI, and each section one of its regions with the link's rights.
    EXPECT_TRUE(d.irq_bitmap[241 / 32] & (1u << (241 % 32)));
    bool rw = false, ro = false, own = false;
    for (uint32_t i = 0; i < d.num_mem_regions; i++) {
        const moat_cell_mem_region &m = d.mem_regions[i];
        rw |= m.virt_start == 0x50000000 && m.flags == (MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE | MOAT_CELL_MEM_SHARED);
        ro |= m.virt_start == 0x50010000 && m.flags == (MOAT_CELL_MEM_READ | MOAT_CELL_MEM_SHARED);
        own |= m.virt_start == 0x50011000 && m.flags == (MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE | MOAT_CELL_MEM_SHARED);
    }
    EXPECT_TRUE(rw);
    EXPECT_TRUE(ro);
    EXPECT_TRUE(own);
}

TEST(CellcLink, RootEndpoint)
{
    moat_cell_desc d = compile_system_cell(link_system(), "link-root");
    ASSERT_EQ(d.links.num_links, 1u);
    const moat_cell_link &l = d.links.link[0];
    EXPECT_EQ(l.self, 0u);
    EXPECT_EQ(l.doorbell_intid, 240u);
    EXPECT_EQ(l.regs_ipa, 0x90000000u);
    EXPECT_EQ(l.sections[0].ipa, l.sections[0].phys);  // the root sees them where they are
    EXPECT_EQ(l.sections[1].ipa, l.sections[1].phys);
    EXPECT_EQ(l.sections[2].owner, 1u);  // the cell's: read-only for Linux
}

TEST(CellcLink, PeerThatIsNoCell)
{
    std::string link = replaced(source("echo-link"), "\"linux\", \"echo\"", "\"linux\", \"echo\", \"ghost\"");
    EXPECT_THAT(check_with("echo-link", replaced(link, "<240 241>", "<240 241 242>")),
                Contains(HasSubstr("peers: \"ghost\" is no cell of the system; name a cell (cell-name) or add its overlay")));
}

TEST(CellcLink, CellNotAmongPeers)
{
    EXPECT_THAT(check_with("echo", replaced(source("echo"), "cell-name = \"echo\"", "cell-name = \"other\"")),
                Contains(HasSubstr("/moat-cell-echo/link-echo: link: cell \"other\" is not among the peers of link "
                                   "\"echo\" (linux, echo); add it to the link's peers or remove this node")));
}

TEST(CellcLink, PeerWithoutEndpoint)
{
    std::string root = source("link-root");
    size_t a = root.find("\t\tlink-echo {"), b = root.find("};", a);
    root.erase(a, b + 2 - a);
    EXPECT_THAT(check_with("link-root", root),
                Contains(HasSubstr("cell \"linux\" is a peer of link \"echo\" but has no child node link = <&...> for it; add one")));
}

TEST(CellcLink, DoorbellRaisedByADevice)
{
    // INTID 33 is the PL011's SPI 1 on QEMU virt.
    EXPECT_THAT(check_with("echo-link", replaced(source("echo-link"), "<240 241>", "<33 241>")),
                Contains(HasSubstr("doorbell-intids: INTID 33 (peer \"linux\") is raised by /pl011@9000000; a doorbell "
                                   "needs an SPI no device of the board raises")));
}

TEST(CellcLink, DoorbellsShared)
{
    EXPECT_THAT(check_with("echo-link", replaced(source("echo-link"), "<240 241>", "<240 240>")),
                Contains(HasSubstr("INTID 240 is the doorbell of \"linux\" and \"echo\"; give each peer its own")));
}

TEST(CellcLink, SectionMappedOutsideTheLink)
{
    std::string echo = replaced(source("echo"), "\t\tlink-echo {", "\t\tsteal {\n\t\t\tmemory-region = <&moat_link_echo_shared>;\n"
                                                                   "\t\t\tipa = <0x0 0x60000000>;\n\t\t};\n\t\tlink-echo {");
    EXPECT_THAT(check_with("echo", echo), Contains(HasSubstr("is a section of link /moat-link-echo and is also mapped by")));
}

TEST(CellcLink, RootRegsInRam)
{
    EXPECT_THAT(check_with("link-root", replaced(source("link-root"), "<0x0 0x90000000>", "<0x0 0x50000000>")),
                Contains(HasSubstr("regs-ipa: 0x50000000..0x50001fff is RAM of the board")));
}

TEST(CellcLink, CellRegsOverRam)
{
    std::string echo = replaced(source("echo"), "ipa = <0x0 0x50000000>;\n\t\t};",
                                "ipa = <0x0 0x50000000>;\n\t\t\tregs-ipa = <0x0 0x40000000>;\n\t\t};");
    EXPECT_THAT(check_with("echo", echo), Contains(HasSubstr("regs-ipa: 0x40000000..0x40001fff overlaps the cell's mapping of")));
}

TEST(CellcLink, OwnerNotAPeer)
{
    EXPECT_THAT(check_with("echo-link", replaced(source("echo-link"), "owner = \"linux\"", "owner = \"nobody\"")),
                Contains(HasSubstr("owner: \"nobody\" is not one of the link's peers")));
}

// The validator's side (the hypervisor and the driver run it): an endpoint that does not match
// the cell's own regions, names or interrupts is refused with the field named.
TEST(CellLinkValidate, RefusesInconsistentEndpoints)
{
    moat_cell_desc good = compile_system_cell(link_system(), "echo");
    auto verdict = [&](auto change) {
        moat_cell_desc d = good;
        change(d);
        d.checksum = moat::cell_checksum(&d, sizeof(d));
        char err[256] = "";
        return moat::cell_validate(&d, sizeof(d), err, sizeof(err)) ? std::string("valid") : std::string(err);
    };
    EXPECT_EQ(verdict([](auto &) {}), "valid");
    EXPECT_EQ(verdict([](auto &d) { d.links.num_links = 5; }),
              "links.num_links: 5 is more than MOAT_CELL_MAX_LINKS (4)");
    EXPECT_EQ(verdict([](auto &d) { d.links.link[0].self = 0; }),
              "links.link[0].peers[0]: \"linux\" is self, but this cell is \"echo\"");
    EXPECT_EQ(verdict([](auto &d) { d.links.link[0].doorbell_intid = 240; }),
              "links.link[0].doorbell_intid: INTID 240 is not an SPI of the cell's irq_bitmap; a doorbell is an SPI its "
              "receiver owns");
    EXPECT_EQ(verdict([](auto &d) { d.links.link[0].sections[1].owner = 1; }),
              "links.link[0].sections[1]: mem_regions[2] maps it with flags 0x41; a link section is SHARED, READ and "
              "WRITE, never EXEC, IO or LOADABLE");
    EXPECT_THAT(verdict([](auto &d) { d.links.link[0].regs_ipa = 0x40000000; }),
                HasSubstr("links.link[0].regs_ipa: 0x40000000..0x40001fff overlaps mem_regions[0]"));
    EXPECT_THAT(verdict([](auto &d) { d.links.link[0].sections[0].size = 0x1000; }),
                HasSubstr("is not one of the cell's mem_regions; map each section exactly once"));
    EXPECT_EQ(verdict([](auto &d) { d.links.link[1].name[0] = 'x'; }), "links.link[1]: unused entry is not zero");
    EXPECT_EQ(verdict([](auto &d) { std::strcpy(d.links.link[0].peers[1], "linux"); }),
              "links.link[0].peers[1]: \"linux\" is also peers[0]; each cell is one peer");
}

// `moat-cellc dump --json` and `pack` carry the link endpoints: the same bytes come back.
TEST(CellcLink, JsonRoundTripKeepsTheLinks)
{
    for (const char *name : {"echo", "link-root"}) {
        moat_cell_desc d = compile_system_cell(link_system(), name);
        std::string json = cellc::dump_json(d);
        EXPECT_NE(json.find("\"links\": [{\"name\": \"echo\""), std::string::npos) << json;
        moat_cell_desc again = cellc::descriptor_from_json("again.json", json, true);
        EXPECT_EQ(cellc::descriptor_bytes(again), cellc::descriptor_bytes(d)) << name;
    }
}
