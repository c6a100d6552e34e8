// ReceiveAttempts: a retried receive returns the same messages for five minutes, unless one
// of them was modified.
#include "sqs/receive_attempts.hpp"

#include <gtest/gtest.h>

#include "core/manual_clock.hpp"

namespace eb::sqs {
namespace {

using Messages = std::vector<AttemptMessage>;
constexpr Millis kMinute = 60'000;

TEST(ReceiveAttemptsTest, RetryWithinFiveMinutesReturnsTheSameMessages) {
  ManualClock clock;
  ReceiveAttempts a;
  a.remember("r1", {{1, 1}, {2, 1}}, clock.now_ms());
  clock.advance(5 * kMinute - 1);
  const Messages* again = a.find("r1", clock.now_ms());
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(*again, (Messages{{1, 1}, {2, 1}}));
  clock.advance(1);
  EXPECT_EQ(a.find("r1", clock.now_ms()), nullptr);
  EXPECT_EQ(a.size(), 0u);
}

TEST(ReceiveAttemptsTest, UnknownIdIsANewReceive) {
  ReceiveAttempts a;
  EXPECT_EQ(a.find("nope", 0), nullptr);
}

TEST(ReceiveAttemptsTest, DeleteOrVisibilityChangeOfAnyMessageEndsTheReplay) {
  ReceiveAttempts a;
  a.remember("r1", {{1, 1}, {2, 1}}, 0);
  a.remember("r2", {{3, 1}}, 0);
  a.invalidate(2);
  EXPECT_EQ(a.find("r1", 1), nullptr);
  EXPECT_NE(a.find("r2", 1), nullptr) << "other attempts are untouched";
  a.invalidate(1);  // already gone: harmless
  a.invalidate(99);
}

TEST(ReceiveAttemptsTest, ReceivingAMessageAgainEndsTheOlderAttempt) {
  ReceiveAttempts a;
  a.remember("r1", {{1, 1}}, 0);
  a.remember("r2", {{1, 2}, {4, 1}}, 10);  // 1 became visible and was received again
  EXPECT_EQ(a.find("r1", 20), nullptr);
  ASSERT_NE(a.find("r2", 20), nullptr);
  a.invalidate(1);
  EXPECT_EQ(a.find("r2", 20), nullptr);
}

TEST(ReceiveAttemptsTest, ReusingAnIdReplacesItsEntryAndItsWindow) {
  ReceiveAttempts a(100);
  a.remember("r", {{1, 1}}, 0);
  a.remember("r", {{2, 1}}, 50);
  // The first entry's deadline passes without removing the second.
  ASSERT_NE(a.find("r", 120), nullptr);
  EXPECT_EQ(*a.find("r", 120), (Messages{{2, 1}}));
  EXPECT_EQ(a.find("r", 150), nullptr);
  a.invalidate(1);  // seq 1 no longer belongs to any attempt
}

TEST(ReceiveAttemptsTest, AnEmptyReceiveIsRememberedToo) {
  ReceiveAttempts a;
  a.remember("r", {}, 0);
  ASSERT_NE(a.find("r", 1), nullptr);
  EXPECT_TRUE(a.find("r", 1)->empty());
}

TEST(ReceiveAttemptsTest, LiveAttemptsRoundTripThroughRestore) {
  ReceiveAttempts a(100);
  a.remember("old", {{1, 1}}, 0);
  a.remember("new", {{2, 3}}, 60);
  auto listed = a.live(120);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].attempt_id, "new");

  ReceiveAttempts recovered(100);
  for (auto& l : listed) recovered.restore(std::move(l));
  ASSERT_NE(recovered.find("new", 120), nullptr);
  EXPECT_EQ(*recovered.find("new", 120), (Messages{{2, 3}}));
  EXPECT_EQ(recovered.find("new", 160), nullptr) << "keeps its original five minutes";
  recovered.remember("next", {{2, 4}}, 130);
  EXPECT_EQ(recovered.find("new", 130), nullptr) << "restored attempts are invalidated too";
}

}  // namespace
}  // namespace eb::sqs
