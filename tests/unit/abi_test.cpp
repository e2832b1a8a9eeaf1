// SPDX-License-Identifier: GPL-2.0
// The ABI headers from the C++ side; abi_c_check.c compiles them as C and reports its sizes.
#include <gtest/gtest.h>

#include <moat/abi.h>
#include <moat/cell.h>
#include <moat/ioctl.h>
#include <moat/link.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "image.hpp"

extern "C" {
extern const std::size_t moat_c_sizes[];
extern const std::size_t moat_c_offsets[];
}

TEST(Abi, SameLayoutInCAndCxx)
{
    EXPECT_EQ(moat_c_sizes[0], sizeof(moat_image_header));
    EXPECT_EQ(moat_c_sizes[1], sizeof(moat_enable_args));
    EXPECT_EQ(moat_c_sizes[2], sizeof(moat_info));
    EXPECT_EQ(moat_c_sizes[3], sizeof(moat_error));
    EXPECT_EQ(moat_c_offsets[0], offsetof(moat_image_header, mem_base));
    EXPECT_EQ(moat_c_offsets[1], offsetof(moat_image_header, cpu_mpidr));
    EXPECT_EQ(moat_c_offsets[2], offsetof(moat_info, mem_base));
    // Links (include/moat/link.h): the same layout for the driver (C) and the hypervisor (C++),
    // at fixed offsets so that a change is a deliberate ABI bump.
    EXPECT_EQ(moat_c_sizes[4], sizeof(moat_cell_desc));
    EXPECT_EQ(moat_c_sizes[5], sizeof(moat_cell_links));
    EXPECT_EQ(moat_c_sizes[6], sizeof(moat_cell_link));
    EXPECT_EQ(moat_c_sizes[7], sizeof(moat_link_section));
    EXPECT_EQ(moat_c_sizes[8], sizeof(moat_link_state));
    EXPECT_EQ(moat_c_offsets[3], offsetof(moat_cell_desc, links));
    EXPECT_EQ(moat_c_offsets[3], 2480u);
    EXPECT_EQ(moat_c_offsets[4], offsetof(moat_cell_link, regs_ipa));
    EXPECT_EQ(moat_c_offsets[4], 48u);
    EXPECT_EQ(moat_c_offsets[5], offsetof(moat_cell_link, peers));
    EXPECT_EQ(moat_c_offsets[6], offsetof(moat_cell_link, sections));
    EXPECT_EQ(moat_c_offsets[6], 184u);
    EXPECT_EQ(moat_c_offsets[7], offsetof(moat_link_state, peer_state));
}

TEST(Abi, HypercallNumbersAreSmccVendorHypFastCalls)
{
    for (std::uint32_t fn : {MOAT_HC_GET_INFO, MOAT_HC_DISABLE, MOAT_HC_CPU_INFO}) {
        EXPECT_EQ(fn >> 31, 1u) << "fast call";
        EXPECT_EQ((fn >> 30) & 1, 1u) << "SMC64";
        EXPECT_EQ((fn >> 24) & 0x3f, 6u) << "owner: vendor hypervisor service";
    }
    EXPECT_NE(MOAT_HC_GET_INFO, MOAT_HC_DISABLE);
}

TEST(Abi, IoctlNumbersEncodeTheirArgumentSize)
{
    EXPECT_EQ(_IOC_SIZE(MOAT_ENABLE), sizeof(moat_enable_args));
    EXPECT_EQ(_IOC_SIZE(MOAT_INFO), sizeof(moat_info));
    EXPECT_EQ(_IOC_DIR(MOAT_ENABLE), unsigned(_IOC_WRITE));
    EXPECT_EQ(_IOC_DIR(MOAT_INFO), unsigned(_IOC_READ));
}

namespace {
moat_image_header valid_header(std::uint64_t size)
{
    moat_image_header h{};
    h.magic = MOAT_IMAGE_MAGIC;
    h.abi_version = MOAT_ABI_VERSION;
    h.header_size = sizeof(h);
    h.entry_offset = 4096;
    h.image_size = size;
    h.memory_size = size + 65536;
    h.max_cpus = MOAT_MAX_CPUS;
    return h;
}

std::vector<std::uint8_t> image_with(const moat_image_header &h, std::size_t size)
{
    std::vector<std::uint8_t> img(size, 0xaa);
    moat::tools::write_header(h, img.data());
    return img;
}
}  // namespace

TEST(ImageHeader, RoundTrip)
{
    auto h = valid_header(8192);
    h.mem_base = 0x7fc00000;
    h.cpu_mpidr[3] = 3;
    auto img = image_with(h, 8192);
    auto r = moat::tools::check_image(img);
    ASSERT_TRUE(r.header) << r.error;
    EXPECT_EQ(r.header->entry_offset, 4096u);
    EXPECT_EQ(r.header->mem_base, 0x7fc00000u);
    EXPECT_EQ(r.header->cpu_mpidr[3], 3u);
    EXPECT_EQ(0, std::memcmp(&*r.header, &h, sizeof(h)));
}

TEST(ImageHeader, RejectsWithReasons)
{
    auto bad = [](auto mutate, std::size_t size = 8192) {
        auto h = valid_header(8192);
        mutate(h);
        return moat::tools::check_image(image_with(h, size)).error;
    };
    EXPECT_NE(bad([](auto &h) { h.magic ^= 1; }).find("bad magic"), std::string::npos);
    EXPECT_NE(bad([](auto &h) { h.abi_version = (MOAT_ABI_MAJOR + 1) << 16; }).find("does not match"),
              std::string::npos);
    EXPECT_NE(bad([](auto &) {}, 8000).find("truncated"), std::string::npos);
    EXPECT_NE(bad([](auto &h) { h.entry_offset = 9000; }).find("entry offset"), std::string::npos);
    EXPECT_NE(bad([](auto &h) { h.memory_size = 10; }).find("memory size"), std::string::npos);
    EXPECT_NE(bad([](auto &h) { h.header_size = 12; }).find("header size"), std::string::npos);
    std::vector<std::uint8_t> tiny(10);
    EXPECT_NE(moat::tools::check_image(tiny).error.find("shorter than"), std::string::npos);
    // A minor version bump stays compatible.
    EXPECT_EQ(bad([](auto &h) { h.abi_version = MOAT_ABI_VERSION + 1; }), "");
}
