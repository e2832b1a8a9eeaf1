// Cooperative shutdown state (hv/include/hv/shutdown_request.hpp).
#include <gtest/gtest.h>

#include "hv/shutdown_request.hpp"

using moat::ShutdownRequest;
using Ask = ShutdownRequest::Ask;
using Reply = ShutdownRequest::Reply;

TEST(ShutdownRequest, ACellThatNeverRegisteredIsStoppedAtOnce)
{
    ShutdownRequest r;
    EXPECT_FALSE(r.cooperative());
    EXPECT_EQ(r.ask(false), Ask::STOP);
    EXPECT_EQ(r.reply(MOAT_SHUTDOWN_APPROVE), Reply::INVALID);
}

TEST(ShutdownRequest, OnlySgisZeroToFourteenCanCarryTheRequest)
{
    ShutdownRequest r;
    EXPECT_FALSE(r.set_notify(15));  // the hypervisor's management SGI
    EXPECT_FALSE(r.set_notify(16));
    EXPECT_FALSE(r.cooperative());
    EXPECT_TRUE(r.set_notify(0));
    EXPECT_TRUE(r.set_notify(14));
    EXPECT_EQ(r.sgi(), 14u);
}

TEST(ShutdownRequest, FirstRequestNotifiesThenWaitsForTheAnswer)
{
    ShutdownRequest r;
    ASSERT_TRUE(r.set_notify(8));
    EXPECT_EQ(r.ask(false), Ask::NOTIFY);
    EXPECT_TRUE(r.pending());
    EXPECT_EQ(r.ask(false), Ask::WAIT);  // the driver polls
    EXPECT_EQ(r.ask(false), Ask::WAIT);
    EXPECT_EQ(r.reply(MOAT_SHUTDOWN_APPROVE), Reply::STOP);
    EXPECT_FALSE(r.pending());
}

TEST(ShutdownRequest, ARefusalReachesTheRootOnceAndTheNextRequestAsksAgain)
{
    ShutdownRequest r;
    ASSERT_TRUE(r.set_notify(8));
    EXPECT_EQ(r.ask(false), Ask::NOTIFY);
    EXPECT_EQ(r.reply(MOAT_SHUTDOWN_REFUSE), Reply::NOTED);
    EXPECT_EQ(r.reply(MOAT_SHUTDOWN_APPROVE), Reply::INVALID);  // the request is answered
    EXPECT_EQ(r.ask(false), Ask::REFUSED);
    EXPECT_EQ(r.ask(false), Ask::NOTIFY);
}

TEST(ShutdownRequest, ForceStopsACooperativeCellAndEndsAPendingRequest)
{
    ShutdownRequest r;
    ASSERT_TRUE(r.set_notify(1));
    EXPECT_EQ(r.ask(false), Ask::NOTIFY);
    EXPECT_EQ(r.ask(true), Ask::STOP);
    EXPECT_FALSE(r.pending());
    EXPECT_EQ(r.reply(MOAT_SHUTDOWN_REFUSE), Reply::INVALID);  // too late
}

TEST(ShutdownRequest, GarbageAnswersAndUnaskedRepliesAreInvalid)
{
    ShutdownRequest r;
    ASSERT_TRUE(r.set_notify(3));
    EXPECT_EQ(r.reply(MOAT_SHUTDOWN_APPROVE), Reply::INVALID);  // nobody asked
    EXPECT_EQ(r.ask(false), Ask::NOTIFY);
    EXPECT_EQ(r.reply(0), Reply::INVALID);
    EXPECT_EQ(r.reply(3), Reply::INVALID);
    EXPECT_TRUE(r.pending());
}

TEST(ShutdownRequest, ResetForgetsRegistrationAndRequest)
{
    ShutdownRequest r;
    ASSERT_TRUE(r.set_notify(3));
    EXPECT_EQ(r.ask(false), Ask::NOTIFY);
    r.reset();
    EXPECT_FALSE(r.cooperative());
    EXPECT_FALSE(r.pending());
    EXPECT_EQ(r.ask(false), Ask::STOP);
}
