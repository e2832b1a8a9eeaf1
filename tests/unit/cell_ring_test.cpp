// SPDX-License-Identifier: MIT
// The cell console ring (include/moat/cell_ring.h): what the cell writes comes out line by line,
// and a hostile cell that writes anything it likes into the page (any head, any bytes, at any
// time) makes the reader neither read outside the page, nor emit more than its bound per drain,
// nor emit a byte that is not printable ASCII, nor loop.
#include <gtest/gtest.h>

#include <moat/cell_ring.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

struct Ring {
    std::unique_ptr<moat_cell_ring> page = std::make_unique<moat_cell_ring>();
    std::unique_ptr<moat_cell_ring_reader> reader = std::make_unique<moat_cell_ring_reader>();
    std::vector<std::string> lines;

    Ring()
    {
        std::memset(page.get(), 0, sizeof(*page));
        std::memset(reader.get(), 0, sizeof(*reader));
    }
    void write(const std::string &s) { moat_cell_ring_write(page.get(), s.data(), static_cast<moat_u32>(s.size())); }
    moat_cell_ring_drained drain()
    {
        return moat_cell_ring_drain(page.get(), reader.get(),
                                    [](void *ctx, const char *line) { static_cast<Ring *>(ctx)->lines.push_back(line); },
                                    this);
    }
};

bool printable(const std::string &s)
{
    for (unsigned char c : s)
        if (c < 0x20 || c >= 0x7f)
            return false;
    return true;
}

TEST(CellRing, LinesComeOutWholeAndAPartialLineWaits)
{
    Ring r;
    r.write("ctl-loop: t=1s\r\nctl-loop: t=2s\r\nctl-lo");
    moat_cell_ring_drained d = r.drain();
    EXPECT_EQ(r.lines, (std::vector<std::string>{"ctl-loop: t=1s", "ctl-loop: t=2s"}));
    EXPECT_EQ(d.lines, 2u);
    EXPECT_EQ(d.dropped, 0u);
    r.write("op: t=3s\n");
    r.drain();
    ASSERT_EQ(r.lines.size(), 3u);
    EXPECT_EQ(r.lines[2], "ctl-loop: t=3s");
    EXPECT_EQ(r.drain().bytes, 0u);  // nothing new: nothing read, nothing emitted
    EXPECT_EQ(r.lines.size(), 3u);
}

TEST(CellRing, WrapsAroundTheEndOfThePage)
{
    Ring r;
    const std::string line = std::string(90, 'x') + "\n";
    for (int round = 0; round < 200; round++) {  // ~4.5 rings: head passes the end many times
        r.write(line);
        r.write(std::to_string(round) + "\n");
        r.drain();
    }
    ASSERT_EQ(r.lines.size(), 400u);
    for (int round = 0; round < 200; round++) {
        EXPECT_EQ(r.lines[2 * round], std::string(90, 'x'));
        EXPECT_EQ(r.lines[2 * round + 1], std::to_string(round));
    }
    EXPECT_EQ(r.reader->dropped, 0u);
}

TEST(CellRing, AReaderThatFallsBehindLosesTheOldestBytesAndSaysSo)
{
    Ring r;
    std::string all;
    for (int i = 0; i < 100; i++)  // 100-byte lines: a ring holds fewer than a drain may emit
        all += "line " + std::to_string(i + 100) + std::string(91, '.') + "\n";
    r.write(all);  // more than a ring between two drains
    moat_cell_ring_drained d = r.drain();
    EXPECT_EQ(d.bytes, MOAT_CELL_RING_DATA);
    EXPECT_EQ(d.dropped, all.size() - MOAT_CELL_RING_DATA);
    ASSERT_FALSE(r.lines.empty());
    EXPECT_EQ(r.lines.back(), "line 199" + std::string(91, '.'));
    EXPECT_EQ(r.lines.size(), 41u);  // the tail of one line (32 bytes), then the last 40 whole
}

TEST(CellRing, ControlAndHighBytesAreEscapedAndLongLinesCut)
{
    Ring r;
    r.write(std::string("bell\a esc\x1b[2J del\x7f hi\xff\n"));
    r.write(std::string(500, 'y') + "\n");
    r.drain();
    ASSERT_EQ(r.lines.size(), 4u);
    EXPECT_EQ(r.lines[0], "bell\\x07 esc\\x1b[2J del\\x7f hi\\xff");
    EXPECT_EQ(r.lines[1], std::string(MOAT_CELL_RING_LINE_MAX, 'y'));
    EXPECT_EQ(r.lines[2], std::string(MOAT_CELL_RING_LINE_MAX, 'y'));
    EXPECT_EQ(r.lines[3], std::string(500 - 2 * MOAT_CELL_RING_LINE_MAX, 'y'));
    // An escape is never split across two lines.
    r.lines.clear();
    r.write(std::string(MOAT_CELL_RING_LINE_MAX - 2, 'z') + "\x01\n");
    r.drain();
    ASSERT_EQ(r.lines.size(), 2u);
    EXPECT_EQ(r.lines[0], std::string(MOAT_CELL_RING_LINE_MAX - 2, 'z'));
    EXPECT_EQ(r.lines[1], "\\x01");
}

TEST(CellRing, ANewlineFloodIsCutAtTheLineBound)
{
    Ring r;
    r.write(std::string(MOAT_CELL_RING_DATA, '\n'));
    moat_cell_ring_drained d = r.drain();
    EXPECT_EQ(d.lines, MOAT_CELL_RING_MAX_LINES);
    EXPECT_EQ(r.lines.size(), MOAT_CELL_RING_MAX_LINES);
    EXPECT_EQ(d.dropped, MOAT_CELL_RING_DATA - MOAT_CELL_RING_MAX_LINES);
    // The next drain starts afresh with what comes next.
    r.lines.clear();
    r.write("after the flood\n");
    d = r.drain();
    EXPECT_EQ(r.lines, (std::vector<std::string>{"after the flood"}));
}

// A head moved backwards, or anywhere, by a hostile cell: one ring's worth read at most, from
// inside the page, and the reader carries on from there.
TEST(CellRing, GarbledHeadsAreClampedToOneRing)
{
    for (moat_u64 head : {~0ull, 1ull << 63, 3ull, 0ull, ~0ull - 5, 4031ull, 4033ull}) {
        Ring r;
        r.write("before\n");
        r.drain();
        std::memset(r.page->data, 'a', sizeof(r.page->data));
        r.page->head = head;
        moat_cell_ring_drained d = r.drain();
        EXPECT_LE(d.bytes, MOAT_CELL_RING_DATA) << head;
        EXPECT_LE(d.lines, MOAT_CELL_RING_MAX_LINES) << head;
        EXPECT_EQ(r.reader->tail, head) << "the reader follows the head it saw: " << head;
        r.write("\nnext\n");
        r.drain();
        EXPECT_EQ(r.lines.back(), "next") << head;
    }
}

// Random pages and heads, drained again and again: every emitted line is printable and within
// the line bound, every drain within its byte and line bounds.
TEST(CellRing, RandomGarbageStaysWithinEveryBound)
{
    std::mt19937_64 rng(15);
    Ring r;
    for (int round = 0; round < 3000; round++) {
        switch (rng() % 4) {
        case 0:
            r.page->head = rng();
            break;
        case 1:
            r.page->head += rng() % (3 * MOAT_CELL_RING_DATA);
            break;
        case 2:
            for (int i = 0; i < 64; i++)
                r.page->data[rng() % MOAT_CELL_RING_DATA] = static_cast<char>(rng());
            break;
        default: {
            std::string s(rng() % 300, '\0');
            for (char &c : s)
                c = static_cast<char>(rng() % 4 ? 'a' + rng() % 26 : rng());
            r.write(s);
        }
        }
        r.lines.clear();
        moat_cell_ring_drained d = r.drain();
        ASSERT_LE(d.bytes, MOAT_CELL_RING_DATA);
        ASSERT_LE(d.lines, MOAT_CELL_RING_MAX_LINES);
        ASSERT_EQ(r.lines.size(), d.lines);
        for (const std::string &l : r.lines) {
            ASSERT_LE(l.size(), MOAT_CELL_RING_LINE_MAX);
            ASSERT_TRUE(printable(l)) << l;
        }
        ASSERT_LE(r.reader->line_len, MOAT_CELL_RING_LINE_MAX);
    }
}

}  // namespace
