// SPDX-License-Identifier: MIT
#include "demo/format.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <string>

namespace {

template <typename... Args>
std::string fmt(const char *f, Args... args)
{
    char buf[256];
    const size_t n = demo::snformat(buf, sizeof(buf), f, args...);
    EXPECT_EQ(n, std::string(buf).size()) << "returned length must match the text for format " << f;
    return buf;
}

TEST(DemoFormat, IntegersInAllBases)
{
    EXPECT_EQ(fmt("%d %i %u", -42, 7, 42u), "-42 7 42");
    EXPECT_EQ(fmt("%x %X %o", 0xbeefu, 0xbeefu, 8u), "beef BEEF 10");
    EXPECT_EQ(fmt("%d", 0), "0");
}

TEST(DemoFormat, LengthModifiersReadTheRightWidth)
{
    EXPECT_EQ(fmt("%lld", static_cast<long long>(INT64_MIN)), "-9223372036854775808");
    EXPECT_EQ(fmt("%llu", static_cast<unsigned long long>(UINT64_MAX)), "18446744073709551615");
    EXPECT_EQ(fmt("%lx", 0x123456789abcdefful), "123456789abcdeff");
    EXPECT_EQ(fmt("%zu", static_cast<size_t>(12345)), "12345");
    EXPECT_EQ(fmt("%hhd %hd", 5, -6), "5 -6");
}

TEST(DemoFormat, WidthPaddingAndFlags)
{
    EXPECT_EQ(fmt("[%5d]", 42), "[   42]");
    EXPECT_EQ(fmt("[%-5d]", 42), "[42   ]");
    EXPECT_EQ(fmt("[%05d]", -42), "[-0042]");
    EXPECT_EQ(fmt("[%+d] [% d]", 3, 3), "[+3] [ 3]");
    EXPECT_EQ(fmt("[%*d]", 4, 1), "[   1]");
    EXPECT_EQ(fmt("[%*d]", -4, 1), "[1   ]");
    EXPECT_EQ(fmt("[%016llx]", 0xabcull), "[0000000000000abc]");
}

TEST(DemoFormat, AlternateHexFormLikeC)
{
    EXPECT_EQ(fmt("%#x", 0x80000000u), "0x80000000");
    EXPECT_EQ(fmt("%#X", 0xabu), "0XAB");
    EXPECT_EQ(fmt("%#x", 0u), "0");  // C prints no prefix for zero
    EXPECT_EQ(fmt("%#06x", 0xfu), "0x000f");
}

TEST(DemoFormat, StringsCharsPointersPercent)
{
    EXPECT_EQ(fmt("%s|%-4s|%4s|%.2s", "ab", "ab", "ab", "abcdef"), "ab|ab  |  ab|ab");
    EXPECT_EQ(fmt("%s", static_cast<const char *>(nullptr)), "(null)");
    EXPECT_EQ(fmt("%c%c", 'o', 'k'), "ok");
    EXPECT_EQ(fmt("%p", reinterpret_cast<void *>(0x40100000)), "0x40100000");
    EXPECT_EQ(fmt("100%%"), "100%");
}

TEST(DemoFormat, UnknownConversionIsVisibleAndTrailingPercentIsDropped)
{
    EXPECT_EQ(fmt("a%qb"), "a%qb");
    EXPECT_EQ(fmt("end%"), "end");
}

TEST(DemoFormat, TruncatesButReportsFullLength)
{
    char buf[6];
    EXPECT_EQ(demo::snformat(buf, sizeof(buf), "%s", "hello world"), 11u);
    EXPECT_STREQ(buf, "hello");
    char one[1] = {'x'};
    EXPECT_EQ(demo::snformat(one, sizeof(one), "%d", 123), 3u);
    EXPECT_EQ(one[0], '\0');
}

TEST(DemoFormat, SinkSeesEveryCharacter)
{
    std::string out;
    auto call = [&](const char *f, ...) {
        va_list ap;
        va_start(ap, f);
        const size_t n = demo::vformat([](void *ctx, char c) { static_cast<std::string *>(ctx)->push_back(c); },
                                       &out, f, ap);
        va_end(ap);
        return n;
    };
    EXPECT_EQ(call("t=%us x=%d\n", 3u, -1), 10u);
    EXPECT_EQ(out, "t=3s x=-1\n");
}

TEST(DemoFormat, Milli)
{
    char buf[32];
    demo::format_milli(buf, sizeof(buf), 1234);
    EXPECT_STREQ(buf, "1.234");
    demo::format_milli(buf, sizeof(buf), -5);
    EXPECT_STREQ(buf, "-0.005");
    demo::format_milli(buf, sizeof(buf), 150000);
    EXPECT_STREQ(buf, "150.000");
    demo::format_milli(buf, sizeof(buf), INT64_MIN);
    EXPECT_STREQ(buf, "-9223372036854775.808");
}

}  // namespace
