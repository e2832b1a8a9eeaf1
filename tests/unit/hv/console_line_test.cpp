// A cell's console lines (hv/include/hv/console_line.hpp): never longer than the buffer, never a
// byte the cell did not send.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

#include "hv/console_line.hpp"

using moat::ConsoleLine;

namespace {
std::string feed(ConsoleLine &l, const std::string &s, std::vector<std::string> *lines)
{
    std::string last;
    for (char c : s)
        if (const char *line = l.put(c))
            lines->push_back(line);
    return last;
}
}  // namespace

TEST(ConsoleLine, ANewlineEndsALine)
{
    ConsoleLine l;
    std::vector<std::string> lines;
    feed(l, "hello\r\nworld\n", &lines);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "hello");
    EXPECT_EQ(lines[1], "world");
}

TEST(ConsoleLine, ALongLineGoesOnInTheNextOneWithoutOverrun)
{
    ConsoleLine l;
    std::vector<std::string> lines;
    feed(l, std::string(ConsoleLine::MAX, 'a') + std::string(ConsoleLine::MAX + 5, 'b') + "\n", &lines);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0], std::string(ConsoleLine::MAX, 'a'));
    EXPECT_EQ(lines[1], std::string(ConsoleLine::MAX, 'b'));
    EXPECT_EQ(lines[2], std::string(5, 'b'));
}

TEST(ConsoleLine, ControlCharactersAndNulDoNotReachTheRootsTerminal)
{
    ConsoleLine l;
    std::vector<std::string> lines;
    feed(l, std::string("a\x1b[2Jb\tc") + '\0' + "d\x7f\n", &lines);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0], "a?[2Jb\tc?d?");
}

TEST(ConsoleLine, RandomInputKeepsEveryLineBoundedAndOwnBytesOnly)
{
    std::mt19937 rng(7);
    ConsoleLine l;
    for (int i = 0; i < 200000; i++) {
        char c = rng() % 16 == 0 ? '\n' : rng() % 32 == 0 ? '\r' : static_cast<char>('a' + rng() % 2);
        if (const char *line = l.put(c)) {
            size_t n = std::strlen(line);
            ASSERT_LE(n, ConsoleLine::MAX);
            for (size_t j = 0; j < n; j++)
                ASSERT_TRUE(line[j] == 'a' || line[j] == 'b') << int(line[j]);
        }
    }
}
