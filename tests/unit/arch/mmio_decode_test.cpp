// SPDX-License-Identifier: GPL-2.0
// Data-abort syndromes (Arm ARM, ESR_ELx ISS for data aborts) into emulated accesses.
#include <gtest/gtest.h>

#include "arch/mmio_decode.hpp"
#include "hv/mmio.hpp"

using namespace moat;
using namespace moat::arm64;

namespace {
constexpr u64 ISV = u64{1} << 24, SSE = u64{1} << 21, SF = u64{1} << 15, WNR = u64{1} << 6;
constexpr u64 sas(u64 log2) { return log2 << 22; }
constexpr u64 srt(u64 r) { return r << 16; }
constexpr u64 DABT_LOW = u64{0x24} << 26;
}  // namespace

TEST(MmioDecode, WithoutIsvNothingIsKnown)
{
    EXPECT_FALSE(decode_data_abort(DABT_LOW | WNR | srt(3)).valid);  // e.g. ldp/stp, writeback
}

TEST(MmioDecode, StoreOfAWord)
{
    DecodedAccess d = decode_data_abort(DABT_LOW | ISV | sas(2) | srt(5) | WNR);
    ASSERT_TRUE(d.valid);
    EXPECT_TRUE(d.write);
    EXPECT_EQ(d.size, 4u);
    EXPECT_EQ(d.reg, 5u);
}

TEST(MmioDecode, LoadsSignAndZeroExtend)
{
    DecodedAccess ldrsb_x = decode_data_abort(DABT_LOW | ISV | sas(0) | SSE | SF | srt(1));
    EXPECT_EQ(load_result(ldrsb_x, 0x80), 0xffffffffffffff80ull);
    DecodedAccess ldrsh_w = decode_data_abort(DABT_LOW | ISV | sas(1) | SSE | srt(1));
    EXPECT_EQ(load_result(ldrsh_w, 0x8001), 0xffff8001ull);  // W register: upper half zero
    DecodedAccess ldrb = decode_data_abort(DABT_LOW | ISV | sas(0) | srt(1));
    EXPECT_EQ(load_result(ldrb, 0x1ff), 0xffull);
    DecodedAccess ldr_x = decode_data_abort(DABT_LOW | ISV | sas(3) | SF | srt(30));
    EXPECT_EQ(ldr_x.reg, 30u);
    EXPECT_EQ(load_result(ldr_x, 0x8000000000000001ull), 0x8000000000000001ull);
}

TEST(MmioMap, DispatchesWholeAccessesOnly)
{
    static int calls;
    calls = 0;
    MmioMap map;
    auto handler = [](void *, MmioAccess &a) {
        calls++;
        a.value = a.offset;
        return MmioResult::HANDLED;
    };
    ASSERT_TRUE(map.add(0x1000, 0x100, handler, nullptr));
    MmioAccess inside{0x10fc, 0, 4, false, 0};
    EXPECT_EQ(map.dispatch(inside), MmioResult::HANDLED);
    EXPECT_EQ(inside.value, 0xfcu);
    MmioAccess straddling{0x10fe, 0, 4, false, 0};
    EXPECT_EQ(map.dispatch(straddling), MmioResult::DENIED);
    MmioAccess outside{0x0ffc, 0, 4, false, 0};
    EXPECT_EQ(map.dispatch(outside), MmioResult::DENIED);
    EXPECT_EQ(calls, 1);
    EXPECT_FALSE(map.add(0, 0, handler, nullptr));
}
