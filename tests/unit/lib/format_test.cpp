// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <string>

#include "lib/format.hpp"

using moat::format;

namespace {
std::string fmt_str(const char *f, auto... args)
{
    char buf[128];
    format(buf, sizeof(buf), f, args...);
    return buf;
}
}  // namespace

TEST(Format, Integers)
{
    EXPECT_EQ(fmt_str("%d %i %u", -42, 7, 4000000000u), "-42 7 4000000000");
    EXPECT_EQ(fmt_str("%x %X %#lx", 0xbeefu, 0xbeefu, 0x7fc00000ul), "beef BEEF 0x7fc00000");
    EXPECT_EQ(fmt_str("%08x|%5d|%-", 0x1234u, -3), "00001234|   -3|%-");
    EXPECT_EQ(fmt_str("%lu", 18446744073709551615ul), "18446744073709551615");
    EXPECT_EQ(fmt_str("%ld", -9223372036854775807l - 1), "-9223372036854775808");
}

TEST(Format, StringsAndChars)
{
    EXPECT_EQ(fmt_str("[%s] [%4s] %c%%", "moat", "hv", 'x'), "[moat] [  hv] x%");
    const char *volatile none = nullptr;  // volatile: keep the compiler's format check out of it
    EXPECT_EQ(fmt_str("%s", none), "(null)");
}

TEST(Format, TruncatesAndReportsFullLength)
{
    char buf[8];
    size_t n = format(buf, sizeof(buf), "CPU %u entered EL2", 3u);
    EXPECT_EQ(n, std::string("CPU 3 entered EL2").size());
    EXPECT_STREQ(buf, "CPU 3 e");
}

TEST(Format, ZeroSizeBufferWritesNothing)
{
    char canary = 'z';
    EXPECT_EQ(format(&canary, 0, "%d", 12345), 5u);
    EXPECT_EQ(canary, 'z');
}
