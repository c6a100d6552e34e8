// FifoGroups: FIFO group ordering and in-flight locking, and fair round-robin.
#include "sqs/fifo_groups.hpp"

#include <gtest/gtest.h>

namespace eb::sqs {
namespace {

using Seqs = std::vector<std::uint64_t>;

TEST(FifoGroupsTest, OneGroupIsDeliveredInOrderAndLockedWhileInFlight) {
  FifoGroups g;
  for (std::uint64_t s = 1; s <= 5; ++s) g.add(s, "a");
  EXPECT_EQ(g.take(2), (Seqs{1, 2}));
  // 3..5 wait behind the in-flight 1 and 2.
  EXPECT_TRUE(g.take(10).empty());
  EXPECT_EQ(g.visible(), 3u);
  EXPECT_EQ(g.in_flight(), 2u);
  ASSERT_TRUE(g.remove(1));
  EXPECT_TRUE(g.take(10).empty()) << "still locked by 2";
  ASSERT_TRUE(g.remove(2));
  EXPECT_EQ(g.take(10), (Seqs{3, 4, 5}));
}

TEST(FifoGroupsTest, VisibilityExpiryPutsTheMessageBackAtTheHead) {
  FifoGroups g;
  for (std::uint64_t s = 1; s <= 3; ++s) g.add(s, "a");
  EXPECT_EQ(g.take(1), (Seqs{1}));
  ASSERT_TRUE(g.make_visible(1));
  EXPECT_EQ(g.take(10), (Seqs{1, 2, 3}));
}

TEST(FifoGroupsTest, BatchReturnedOutOfOrderIsStillDeliveredInOrder) {
  FifoGroups g;
  for (std::uint64_t s = 1; s <= 4; ++s) g.add(s, "a");
  EXPECT_EQ(g.take(3), (Seqs{1, 2, 3}));
  ASSERT_TRUE(g.make_visible(3));
  EXPECT_TRUE(g.take(10).empty()) << "1 and 2 still in flight";
  ASSERT_TRUE(g.make_visible(2));
  ASSERT_TRUE(g.remove(1));
  EXPECT_EQ(g.take(10), (Seqs{2, 3, 4}));
}

TEST(FifoGroupsTest, ReceiveFillsFromTheOldestGroupThenTheNext) {
  FifoGroups g;
  g.add(1, "a");
  g.add(2, "b");
  g.add(3, "a");
  g.add(4, "c");
  g.add(5, "b");
  EXPECT_EQ(g.take(3), (Seqs{1, 3, 2}));
  EXPECT_EQ(g.available_groups(), 1u) << "a and b are locked, c is not";
  EXPECT_EQ(g.take(10), (Seqs{4}));
  EXPECT_TRUE(g.take(10).empty());
}

TEST(FifoGroupsTest, UnlockedGroupWithOlderHeadGoesFirst) {
  FifoGroups g;
  g.add(1, "a");
  g.add(2, "a");
  g.add(3, "b");
  EXPECT_EQ(g.take(1), (Seqs{1}));
  ASSERT_TRUE(g.make_visible(1));
  EXPECT_EQ(g.take(1), (Seqs{1})) << "a's head is older than b's";
}

TEST(FifoGroupsTest, RemovingAVisibleHeadOrAWaitingMessageKeepsOrder) {
  FifoGroups g;
  for (std::uint64_t s = 1; s <= 4; ++s) g.add(s, "a");
  ASSERT_TRUE(g.remove(1));  // retention expired the head
  ASSERT_TRUE(g.remove(3));  // and one in the middle
  EXPECT_EQ(g.take(10), (Seqs{2, 4}));
  EXPECT_FALSE(g.remove(99));
}

TEST(FifoGroupsTest, RedriveOfTheInFlightMessageUnblocksTheGroup) {
  FifoGroups g;
  g.add(1, "a");
  g.add(2, "a");
  EXPECT_EQ(g.take(1), (Seqs{1}));
  ASSERT_TRUE(g.remove(1));  // moved to the dead-letter queue
  EXPECT_EQ(g.take(1), (Seqs{2}));
}

TEST(FifoGroupsTest, EmptyGroupsAreForgottenAndCountsStayExact) {
  FifoGroups g;
  g.add(1, "a");
  g.add(2, "b");
  EXPECT_EQ(g.groups(), 2u);
  EXPECT_EQ(g.take(10), (Seqs{1, 2}));
  EXPECT_EQ(g.visible(), 0u);
  EXPECT_EQ(g.in_flight(), 2u);
  g.remove(1);
  g.remove(2);
  EXPECT_EQ(g.groups(), 0u);
  EXPECT_EQ(g.in_flight(), 0u);
  EXPECT_EQ(g.group_of(1), nullptr);
}

TEST(FifoGroupsTest, RecoveryRebuildsLocksFromInFlightMessages) {
  FifoGroups g;
  // Records come back in key order; in-flight ones are then marked.
  g.add(1, "a");
  g.add(2, "a");
  g.add(3, "b");
  ASSERT_TRUE(g.mark_in_flight(1));
  EXPECT_FALSE(g.mark_in_flight(1));
  EXPECT_TRUE(g.in_flight(1));
  EXPECT_EQ(*g.group_of(2), "a");
  EXPECT_EQ(g.take(10), (Seqs{3}));
}

TEST(FifoGroupsTest, AddRejectsAKnownSeqAndStateChangesRejectWrongStates) {
  FifoGroups g;
  EXPECT_TRUE(g.add(1, "a"));
  EXPECT_FALSE(g.add(1, "b"));
  EXPECT_FALSE(g.make_visible(1)) << "not in flight";
  EXPECT_FALSE(g.make_visible(7));
  EXPECT_FALSE(g.mark_in_flight(7));
}

TEST(FifoGroupsTest, ManyGroupsOneMessageEach) {
  FifoGroups g;
  for (std::uint64_t s = 1; s <= 1000; ++s) g.add(s, "g" + std::to_string(s));
  Seqs expected;
  for (std::uint64_t s = 1; s <= 10; ++s) expected.push_back(s);
  EXPECT_EQ(g.take(10), expected);
  EXPECT_EQ(g.available_groups(), 990u);
}

TEST(FairGroupsTest, NoisyGroupDoesNotStarveQuietOnes) {
  FifoGroups g(FifoGroups::Mode::kFair);
  std::uint64_t seq = 1;
  for (int i = 0; i < 100; ++i) g.add(seq++, "noisy");
  g.add(seq++, "quiet1");
  g.add(seq++, "quiet2");
  auto got = g.take(3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], 1u);
  EXPECT_EQ(*g.group_of(got[1]), "quiet1");
  EXPECT_EQ(*g.group_of(got[2]), "quiet2");
}

TEST(FairGroupsTest, GroupsAreServedRoundRobinWithoutInFlightBlocking) {
  FifoGroups g(FifoGroups::Mode::kFair);
  g.add(1, "a");
  g.add(2, "a");
  g.add(3, "b");
  g.add(4, "b");
  g.add(5, "a");
  EXPECT_EQ(g.take(4), (Seqs{1, 3, 2, 4}));
  EXPECT_EQ(g.take(1), (Seqs{5})) << "in flight does not block in a fair queue";
}

TEST(FairGroupsTest, GroupWithFewerInFlightIsPreferred) {
  FifoGroups g(FifoGroups::Mode::kFair);
  for (std::uint64_t s = 1; s <= 5; ++s) g.add(s, "a");
  EXPECT_EQ(g.take(3), (Seqs{1, 2, 3}));  // only a has messages
  g.add(6, "b");
  g.add(7, "b");
  // a has 3 in flight, b none: b first, twice, before a gets another.
  auto got = g.take(3);
  EXPECT_EQ(got, (Seqs{6, 7, 4}));
}

}  // namespace
}  // namespace eb::sqs
