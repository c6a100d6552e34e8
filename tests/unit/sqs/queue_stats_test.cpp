// The counters and depths /metrics reports of queues.
#include <gtest/gtest.h>

#include "sqs/queues_fixture.hpp"

namespace eb::sqs::testing {
namespace {

const std::string kArnPrefix = "arn:aws:sqs:us-east-1:000000000000:";

using QueueStatsTest = QueuesTest;

const QueueStats* find(const Queues::Stats& stats, const std::string& name) {
  for (const auto& q : stats.queues) {
    if (q.queue.name == name) return &q;
  }
  return nullptr;
}

TEST_P(QueueStatsTest, CountsWhatTheQueueDid) {
  create("dlq");
  create("q", {{"RedrivePolicy",
                R"({"deadLetterTargetArn":")" + kArnPrefix + R"(dlq","maxReceiveCount":"1"})"}});
  send("q", "a");
  send("q", "b");
  send("q", "c");
  ReceiveInput one;
  one.max_messages = 1;
  auto got = receive("q", one);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(queues_.delete_message("q", got[0].receipt_handle).has_value());
  ReceiveInput again;
  again.max_messages = 1;
  again.visibility_timeout = 0;
  ASSERT_EQ(receive("q", again).size(), 1u);  // b, received once, visible again at once
  // The next receive finds b past maxReceiveCount (moved to the DLQ) and takes c.
  ASSERT_EQ(receive("q", one).size(), 1u);
  EXPECT_TRUE(receive("q").empty());  // c is in flight: an empty receive

  auto stats = queues_.stats();
  const QueueStats* q = find(stats, "q");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->counts[QueueCount::kSent], 3u);
  EXPECT_EQ(q->counts[QueueCount::kSentBytes], 3u);
  EXPECT_EQ(q->counts[QueueCount::kReceived], 3u);
  EXPECT_EQ(q->counts[QueueCount::kRedelivered], 0u);
  EXPECT_EQ(q->counts[QueueCount::kEmptyReceives], 1u);
  EXPECT_EQ(q->counts[QueueCount::kDeleted], 1u);
  EXPECT_EQ(q->counts[QueueCount::kDeadLettered], 1u);
  EXPECT_EQ(q->queue.visible, 0u);
  EXPECT_EQ(q->queue.inflight, 1u);
  EXPECT_EQ(q->queue.type, "standard");
  const QueueStats* dlq = find(stats, "dlq");
  ASSERT_NE(dlq, nullptr);
  EXPECT_EQ(dlq->queue.visible, 1u);
  EXPECT_EQ(dlq->counts[QueueCount::kSent], 0u);  // a redrive move is not a send
}

TEST_P(QueueStatsTest, DepthsAgeWaitersAndRedeliveries) {
  create("q");
  send("q", "old");
  clock_.advance(2'000);
  SendInput delayed;
  delayed.delay_seconds = 60;
  send("q", "later", delayed);
  ReceiveInput hide;
  hide.max_messages = 1;
  hide.visibility_timeout = 30;
  ASSERT_EQ(receive("q", hide).size(), 1u);
  auto s = queues_.stats();
  ASSERT_EQ(s.queues.size(), 1u);
  EXPECT_EQ(s.queues[0].queue.visible, 0u);
  EXPECT_EQ(s.queues[0].queue.inflight, 1u);
  EXPECT_EQ(s.queues[0].queue.delayed, 1u);
  EXPECT_EQ(s.queues[0].queue.oldest_age, 2'000);
  // Lazy time is brought up to date as GetQueueAttributes does: the timeout ran out.
  clock_.advance(30'000);
  s = queues_.stats();
  EXPECT_EQ(s.queues[0].queue.visible, 1u);
  ASSERT_EQ(receive("q", hide).size(), 1u);
  EXPECT_EQ(queues_.stats().queues[0].counts[QueueCount::kRedelivered], 1u);

  ReceiveInput wait;
  wait.wait_seconds = 20;
  auto parked = park("q", wait);
  EXPECT_EQ(queues_.stats().queues[0].queue.waiters, 1u);
  clock_.advance(20'000);
  ASSERT_TRUE(parked->done());
  EXPECT_EQ(queues_.stats().queues[0].queue.waiters, 0u);
  EXPECT_EQ(queues_.stats().queues[0].counts[QueueCount::kEmptyReceives], 1u);
}

TEST_P(QueueStatsTest, PurgeExpiryAndDeletedQueuesKeepTotals) {
  create("q", {{"MessageRetentionPeriod", "60"}});
  send("q", "a");
  clock_.advance(61'000);
  send("q", "b");
  send("q", "c");
  auto s = queues_.stats();
  EXPECT_EQ(s.queues[0].counts[QueueCount::kExpired], 1u);
  ASSERT_TRUE(queues_.purge_queue("q").has_value());
  s = queues_.stats();
  EXPECT_EQ(s.queues[0].counts[QueueCount::kPurged], 2u);
  ASSERT_TRUE(queues_.delete_queue("q").has_value());
  s = queues_.stats();
  EXPECT_TRUE(s.queues.empty());
  EXPECT_EQ(s.deleted[QueueCount::kSent], 3u);
  EXPECT_EQ(s.deleted[QueueCount::kPurged], 2u);
  create("r");
  send("r", "x");
  ASSERT_TRUE(queues_.reset().has_value());
  EXPECT_EQ(queues_.stats().deleted[QueueCount::kSent], 4u);
}

TEST_P(QueueStatsTest, FifoDuplicatesAreCountedNotSent) {
  create("f.fifo", {{"FifoQueue", "true"}});
  SendInput in;
  in.group_id = "g";
  in.deduplication_id = "d";
  send("f.fifo", "a", in);
  send("f.fifo", "a", in);
  auto s = queues_.stats();
  EXPECT_EQ(s.queues[0].queue.type, "fifo");
  EXPECT_EQ(s.queues[0].counts[QueueCount::kSent], 1u);
  EXPECT_EQ(s.queues[0].counts[QueueCount::kDeduplicated], 1u);
}

INSTANTIATE_TEST_SUITE_P(Payloads, QueueStatsTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "InEngine" : "InMemory"; });

}  // namespace
}  // namespace eb::sqs::testing
