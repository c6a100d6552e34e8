// FIFO queues and fair queues through the Queues: group order, in-flight blocking,
// deduplication (with the injected clock for the five-minute window), SequenceNumber,
// ReceiveRequestAttemptId, FIFO dead-letter queues and move tasks, and what survives a
// restart. Each test runs with payloads in RAM and in the engine (the durable path); restarts
// use the engine's records, as the RocksDB engine would after kill -9.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "core/encoding.hpp"
#include "core/manual_clock.hpp"
#include "sqs/queue.hpp"
#include "sqs/queues.hpp"
#include "sqs/receipt_handle.hpp"
#include "sqs/records.hpp"
#include "sqs/sequence_number.hpp"
#include "storage/memory_engine.hpp"

namespace eb::sqs::testing {
namespace {

const std::string kArnPrefix = "arn:aws:sqs:us-east-1:000000000000:";
constexpr Millis kFiveMinutes = 5 * 60 * 1000;

class FifoQueueTest : public ::testing::TestWithParam<bool> {
 protected:
  ManualClock clock_;
  storage::MemoryEngine engine_{GetParam()};
  std::unique_ptr<Queues> queues_ = std::make_unique<Queues>(clock_, clock_, engine_);

  bool durable() const { return GetParam(); }

  // Only meaningful with a durable engine (the RAM engine forgets payloads).
  void restart() {
    queues_.reset();
    queues_ = std::make_unique<Queues>(clock_, clock_, engine_);
    auto ok = queues_->recover();
    ASSERT_TRUE(ok) << ok.error().message;
  }

  std::string fifo(const std::string& name, AttributeMap attributes = {}) {
    attributes["FifoQueue"] = "true";
    auto r = queues_->create_queue({name, std::move(attributes), {}});
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return name;
  }

  Result<SendOutput> try_send(const std::string& q, const std::string& body,
                              std::optional<std::string> group,
                              std::optional<std::string> dedup = std::nullopt) {
    SendInput in;
    in.body = body;
    in.group_id = std::move(group);
    in.deduplication_id = std::move(dedup);
    return queues_->send_message(q, std::move(in));
  }

  // Sends with the body as its deduplication id.
  SendOutput send(const std::string& q, const std::string& body, const std::string& group) {
    auto r = try_send(q, body, group, body);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : SendOutput{};
  }

  std::vector<ReceivedMessage> receive(const std::string& q, int max = 10,
                                       std::optional<int> visibility = std::nullopt,
                                       std::string attempt = {}) {
    ReceiveInput in;
    in.max_messages = max;
    in.wait_seconds = 0;
    in.visibility_timeout = visibility;
    in.system_attribute_names = {"All"};
    in.receive_request_attempt_id = std::move(attempt);
    std::optional<Result<std::vector<ReceivedMessage>>> out;
    queues_->receive_message(q, std::move(in), [&](auto r) { out = std::move(r); });
    EXPECT_TRUE(out && out->has_value());
    return out && out->has_value() ? **out : std::vector<ReceivedMessage>{};
  }

  void remove(const std::string& q, const ReceivedMessage& m) {
    ASSERT_TRUE(queues_->delete_message(q, m.receipt_handle));
  }

  std::string attribute(const std::string& q, const std::string& name) {
    auto r = queues_->get_queue_attributes(q, {name});
    return r && r->contains(name) ? r->at(name) : "<missing>";
  }

  static std::string system(const ReceivedMessage& m, const std::string& name) {
    for (const auto& [k, v] : m.attributes) {
      if (k == name) return v;
    }
    return "<missing>";
  }

  static std::vector<std::string> bodies(const std::vector<ReceivedMessage>& ms) {
    std::vector<std::string> out;
    for (const auto& m : ms) out.push_back(m.body);
    return out;
  }
};

using Bodies = std::vector<std::string>;

TEST_P(FifoQueueTest, SendRulesOfAFifoQueue) {
  fifo("q.fifo");
  auto no_group = try_send("q.fifo", "a", std::nullopt, "d");
  ASSERT_FALSE(no_group);
  EXPECT_EQ(no_group.error().code, Errc::kMissingParameter);
  EXPECT_EQ(no_group.error().message, "The request must contain the parameter MessageGroupId.");

  auto no_dedup = try_send("q.fifo", "a", "g");
  ASSERT_FALSE(no_dedup);
  EXPECT_EQ(no_dedup.error().code, Errc::kInvalidParameterValue);

  SendInput delayed;
  delayed.body = "a";
  delayed.group_id = "g";
  delayed.deduplication_id = "d";
  delayed.delay_seconds = 5;
  auto delay = queues_->send_message("q.fifo", delayed);
  ASSERT_FALSE(delay);
  EXPECT_EQ(delay.error().code, Errc::kInvalidParameterValue);

  auto bad_group = try_send("q.fifo", "a", std::string("has space"), "d");
  ASSERT_FALSE(bad_group);
  EXPECT_EQ(bad_group.error().code, Errc::kInvalidParameterValue);
  auto long_dedup = try_send("q.fifo", "a", "g", std::string(129, 'x'));
  ASSERT_FALSE(long_dedup);
  EXPECT_EQ(long_dedup.error().code, Errc::kInvalidParameterValue);

  EXPECT_EQ(attribute("q.fifo", "ApproximateNumberOfMessages"), "0");
}

TEST_P(FifoQueueTest, SequenceNumbersHaveTwentyDigitsAndIncrease) {
  fifo("q.fifo");
  std::string last;
  for (int i = 0; i < 5; ++i) {
    const SendOutput out = send("q.fifo", "m" + std::to_string(i), "g");
    ASSERT_EQ(out.sequence_number.size(), 20u);
    EXPECT_GT(out.sequence_number, last);
    last = out.sequence_number;
  }
  auto got = receive("q.fifo", 10);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(system(got.back(), "SequenceNumber"), last);
  EXPECT_EQ(system(got.back(), "MessageGroupId"), "g");
  EXPECT_EQ(system(got.back(), "MessageDeduplicationId"), "m4");
}

TEST_P(FifoQueueTest, AReceiveTakesWholeRunsOfGroupsInOrder) {
  fifo("q.fifo");
  for (int i = 0; i < 4; ++i) {
    send("q.fifo", "a" + std::to_string(i), "A");
    send("q.fifo", "b" + std::to_string(i), "B");
  }
  // Group A's head is the oldest: all of A, then B.
  EXPECT_EQ(bodies(receive("q.fifo", 6)), (Bodies{"a0", "a1", "a2", "a3", "b0", "b1"}));
  // Both groups are locked by messages in flight now.
  EXPECT_TRUE(receive("q.fifo", 10).empty());
  EXPECT_EQ(attribute("q.fifo", "ApproximateNumberOfMessages"), "2");
  EXPECT_EQ(attribute("q.fifo", "ApproximateNumberOfMessagesNotVisible"), "6");
}

TEST_P(FifoQueueTest, AGroupStaysLockedWhileOneOfItsMessagesIsInFlight) {
  fifo("q.fifo", {{"VisibilityTimeout", "30"}});
  send("q.fifo", "a1", "A");
  send("q.fifo", "a2", "A");
  send("q.fifo", "b1", "B");
  auto first = receive("q.fifo", 1);
  ASSERT_EQ(bodies(first), (Bodies{"a1"}));
  auto b = receive("q.fifo", 10);
  ASSERT_EQ(bodies(b), (Bodies{"b1"}));
  remove("q.fifo", b[0]);
  EXPECT_TRUE(receive("q.fifo", 10).empty());
  // The visibility timeout ends: a1 comes back first, a2 still waits behind it.
  clock_.advance(30'000);
  auto again = receive("q.fifo", 1);
  ASSERT_EQ(bodies(again), (Bodies{"a1"}));
  EXPECT_EQ(system(again[0], "ApproximateReceiveCount"), "2");
  EXPECT_TRUE(receive("q.fifo", 10).empty());
  remove("q.fifo", again[0]);
  EXPECT_EQ(bodies(receive("q.fifo", 10)), (Bodies{"a2"}));
}

TEST_P(FifoQueueTest, DeletingTheMessageInFlightWakesAWaitingReceive) {
  fifo("q.fifo");
  send("q.fifo", "a1", "A");
  send("q.fifo", "a2", "A");
  auto first = receive("q.fifo", 1);
  ASSERT_EQ(bodies(first), (Bodies{"a1"}));
  ReceiveInput wait;
  wait.wait_seconds = 20;
  std::optional<Result<std::vector<ReceivedMessage>>> parked;
  queues_->receive_message("q.fifo", wait, [&](auto r) { parked = std::move(r); });
  ASSERT_FALSE(parked.has_value());
  remove("q.fifo", first[0]);
  ASSERT_TRUE(parked.has_value());
  ASSERT_TRUE(parked->has_value());
  EXPECT_EQ(bodies(**parked), (Bodies{"a2"}));
}

TEST_P(FifoQueueTest, VisibilityZeroPutsTheMessageBackAtItsGroupsHead) {
  fifo("q.fifo");
  send("q.fifo", "a1", "A");
  send("q.fifo", "a2", "A");
  auto got = receive("q.fifo", 1);
  ASSERT_EQ(bodies(got), (Bodies{"a1"}));
  ASSERT_TRUE(queues_->change_message_visibility("q.fifo", {got[0].receipt_handle, 0}));
  EXPECT_EQ(bodies(receive("q.fifo", 10)), (Bodies{"a1", "a2"}));
}

TEST_P(FifoQueueTest, DuplicatesWithinFiveMinutesAnswerTheOriginal) {
  fifo("q.fifo");
  auto first = try_send("q.fifo", "body", "g", "d1");
  ASSERT_TRUE(first);
  clock_.advance(kFiveMinutes - 1);
  auto dup = try_send("q.fifo", "other body", "g", "d1");
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->message_id, first->message_id);
  EXPECT_EQ(dup->sequence_number, first->sequence_number);
  EXPECT_EQ(attribute("q.fifo", "ApproximateNumberOfMessages"), "1");
  // Receiving and deleting the original does not end the window.
  auto got = receive("q.fifo");
  ASSERT_EQ(got.size(), 1u);
  remove("q.fifo", got[0]);
  ASSERT_TRUE(try_send("q.fifo", "body", "g", "d1"));
  EXPECT_TRUE(receive("q.fifo").empty());
  // The window runs from the first send; after it the id is new again.
  clock_.advance(1);
  auto fresh = try_send("q.fifo", "body", "g", "d1");
  ASSERT_TRUE(fresh);
  EXPECT_NE(fresh->message_id, first->message_id);
  EXPECT_GT(fresh->sequence_number, first->sequence_number);
  EXPECT_EQ(bodies(receive("q.fifo")), (Bodies{"body"}));
}

TEST_P(FifoQueueTest, ContentBasedDeduplicationHashesTheBody) {
  fifo("q.fifo", {{"ContentBasedDeduplication", "true"}});
  auto a = try_send("q.fifo", "same", "g");
  auto b = try_send("q.fifo", "same", "h");  // scope queue: the group does not matter
  auto c = try_send("q.fifo", "different", "g");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->message_id, b->message_id);
  EXPECT_NE(a->message_id, c->message_id);
  auto got = receive("q.fifo");
  ASSERT_EQ(got.size(), 2u);
  // SHA-256 of "same", hex.
  EXPECT_EQ(system(got[0], "MessageDeduplicationId"),
            "0967115f2813a3541eaef77de9d9d5773f1c0c04314b0bbfe4ff3b3b1c55b5d5");
}

TEST_P(FifoQueueTest, MessageGroupScopeDeduplicatesPerGroup) {
  fifo("q.fifo",
       {{"DeduplicationScope", "messageGroup"}, {"FifoThroughputLimit", "perMessageGroupId"}});
  auto a = try_send("q.fifo", "x", "g1", "d");
  auto b = try_send("q.fifo", "x", "g2", "d");
  auto c = try_send("q.fifo", "x", "g1", "d");
  ASSERT_TRUE(a && b && c);
  EXPECT_NE(a->message_id, b->message_id);
  EXPECT_EQ(a->message_id, c->message_id);
  EXPECT_EQ(attribute("q.fifo", "ApproximateNumberOfMessages"), "2");
  EXPECT_EQ(attribute("q.fifo", "FifoThroughputLimit"), "perMessageGroupId");
}

TEST_P(FifoQueueTest, DuplicatesInsideOneBatchAreOneMessage) {
  fifo("q.fifo");
  std::vector<BatchEntry<SendInput>> entries;
  for (int i = 0; i < 3; ++i) {
    SendInput in;
    in.body = "b";
    in.group_id = "g";
    in.deduplication_id = i == 2 ? "other" : "same";
    entries.push_back({"e" + std::to_string(i), std::move(in)});
  }
  auto out = queues_->send_message_batch("q.fifo", std::move(entries));
  ASSERT_TRUE(out);
  ASSERT_EQ(out->successful.size(), 3u);
  EXPECT_EQ(out->successful[0].second.message_id, out->successful[1].second.message_id);
  EXPECT_EQ(attribute("q.fifo", "ApproximateNumberOfMessages"), "2");
}

TEST_P(FifoQueueTest, ARetriedReceiveReturnsTheSameMessagesAndHandles) {
  fifo("q.fifo", {{"VisibilityTimeout", "30"}});
  send("q.fifo", "a1", "A");
  send("q.fifo", "a2", "A");
  auto first = receive("q.fifo", 10, std::nullopt, "attempt-1");
  ASSERT_EQ(bodies(first), (Bodies{"a1", "a2"}));
  clock_.advance(10'000);
  auto retry = receive("q.fifo", 10, std::nullopt, "attempt-1");
  ASSERT_EQ(bodies(retry), (Bodies{"a1", "a2"}));
  EXPECT_EQ(retry[0].receipt_handle, first[0].receipt_handle);
  EXPECT_EQ(system(retry[0], "ApproximateReceiveCount"), "1");
  // The retry hid them again from its own time: 30 s after it, not after the first receive.
  clock_.advance(25'000);
  EXPECT_TRUE(receive("q.fifo", 10).empty());
  // Deleting one ends the attempt: the same id is then a new receive.
  remove("q.fifo", retry[0]);
  EXPECT_TRUE(receive("q.fifo", 10, std::nullopt, "attempt-1").empty());
  clock_.advance(5'000);
  auto later = receive("q.fifo", 10, std::nullopt, "attempt-1");
  ASSERT_EQ(bodies(later), (Bodies{"a2"}));
  EXPECT_NE(later[0].receipt_handle, first[1].receipt_handle);
}

TEST_P(FifoQueueTest, AttemptIdsExpireAfterFiveMinutes) {
  fifo("q.fifo", {{"VisibilityTimeout", "600"}});
  send("q.fifo", "a1", "A");
  ASSERT_EQ(receive("q.fifo", 1, std::nullopt, "x").size(), 1u);
  clock_.advance(kFiveMinutes);
  EXPECT_TRUE(receive("q.fifo", 1, std::nullopt, "x").empty());
}

TEST_P(FifoQueueTest, RedriveNeedsADeadLetterQueueOfTheSameType) {
  ASSERT_TRUE(queues_->create_queue({"std-dlq", {}, {}}));
  fifo("dlq.fifo");
  const std::string to_standard =
      R"({"deadLetterTargetArn":")" + kArnPrefix + R"(std-dlq","maxReceiveCount":1})";
  auto bad = queues_->create_queue(
      {"q.fifo", {{"FifoQueue", "true"}, {"RedrivePolicy", to_standard}}, {}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::kInvalidParameterValue);
  const std::string to_fifo =
      R"({"deadLetterTargetArn":")" + kArnPrefix + R"(dlq.fifo","maxReceiveCount":1})";
  auto also_bad = queues_->create_queue({"std", {{"RedrivePolicy", to_fifo}}, {}});
  ASSERT_FALSE(also_bad);
  EXPECT_EQ(also_bad.error().code, Errc::kInvalidParameterValue);
}

TEST_P(FifoQueueTest, DeadLettersLeaveTheirGroupAndKeepIt) {
  fifo("dlq.fifo");
  fifo("q.fifo", {{"VisibilityTimeout", "10"},
                  {"RedrivePolicy", R"({"deadLetterTargetArn":")" + kArnPrefix +
                                        R"(dlq.fifo","maxReceiveCount":1})"}});
  send("q.fifo", "a1", "A");
  send("q.fifo", "a2", "A");
  ASSERT_EQ(bodies(receive("q.fifo", 1)), (Bodies{"a1"}));
  clock_.advance(10'000);
  // a1 would exceed maxReceiveCount: it moves, and its group's next message is delivered.
  EXPECT_EQ(bodies(receive("q.fifo", 1)), (Bodies{"a2"}));
  auto dead = receive("dlq.fifo");
  ASSERT_EQ(bodies(dead), (Bodies{"a1"}));
  EXPECT_EQ(system(dead[0], "MessageGroupId"), "A");
  // AWS: a FIFO dead letter's deduplication id becomes its MessageId.
  EXPECT_EQ(system(dead[0], "MessageDeduplicationId"), dead[0].message_id);
  EXPECT_EQ(system(dead[0], "DeadLetterQueueSourceArn"), kArnPrefix + "q.fifo");
}

TEST_P(FifoQueueTest, AMoveTaskKeepsEachGroupsOrder) {
  fifo("dlq.fifo");
  fifo("q.fifo", {{"VisibilityTimeout", "0"},
                  {"RedrivePolicy", R"({"deadLetterTargetArn":")" + kArnPrefix +
                                        R"(dlq.fifo","maxReceiveCount":1})"}});
  for (int i = 0; i < 3; ++i) {
    send("q.fifo", "a" + std::to_string(i), "A");
    send("q.fifo", "b" + std::to_string(i), "B");
  }
  // Each receive takes a run with visibility 0; the next one dead-letters it.
  while (!receive("q.fifo", 10).empty()) {
  }
  ASSERT_EQ(attribute("dlq.fifo", "ApproximateNumberOfMessages"), "6");
  auto task = queues_->start_message_move_task({kArnPrefix + "dlq.fifo", "", std::nullopt});
  ASSERT_TRUE(task) << task.error().message;
  clock_.advance(0);
  clock_.advance(1'000);
  ASSERT_EQ(attribute("q.fifo", "ApproximateNumberOfMessages"), "6");
  auto back = receive("q.fifo", 10, 30);
  std::map<std::string, Bodies> per_group;
  for (const auto& m : back) per_group[system(m, "MessageGroupId")].push_back(m.body);
  EXPECT_EQ(per_group["A"], (Bodies{"a0", "a1", "a2"}));
  EXPECT_EQ(per_group["B"], (Bodies{"b0", "b1", "b2"}));
}

TEST_P(FifoQueueTest, FairQueuesServeAQuietGroupBesideANoisyOne) {
  ASSERT_TRUE(queues_->create_queue({"fair", {{"VisibilityTimeout", "300"}}, {}}));
  for (int i = 0; i < 50; ++i) {
    SendInput in;
    in.body = "noisy" + std::to_string(i);
    in.group_id = "noisy";
    ASSERT_TRUE(queues_->send_message("fair", std::move(in)));
  }
  for (int i = 0; i < 3; ++i) {
    SendInput in;
    in.body = "quiet" + std::to_string(i);
    in.group_id = "quiet";
    ASSERT_TRUE(queues_->send_message("fair", std::move(in)));
  }
  // No in-flight blocking on a standard queue, but the group with fewer messages in flight
  // is preferred: the quiet tenant's messages come out in the first receives.
  std::size_t quiet_seen = 0;
  for (int r = 0; r < 2; ++r) {
    for (const auto& m : receive("fair", 10)) {
      if (system(m, "MessageGroupId") == "quiet") ++quiet_seen;
    }
  }
  EXPECT_EQ(quiet_seen, 3u);
  EXPECT_EQ(attribute("fair", "ApproximateNumberOfMessagesNotVisible"), "20");
}

TEST_P(FifoQueueTest, AStandardQueueBecomesFairWithoutLosingEarlierMessages) {
  ASSERT_TRUE(queues_->create_queue({"fair", {}, {}}));
  SendInput plain;
  plain.body = "plain";
  ASSERT_TRUE(queues_->send_message("fair", plain));
  SendInput grouped;
  grouped.body = "grouped";
  grouped.group_id = "g";
  ASSERT_TRUE(queues_->send_message("fair", grouped));
  auto got = receive("fair", 10);
  std::set<std::string> seen;
  for (const auto& m : got) seen.insert(m.body);
  EXPECT_EQ(seen, (std::set<std::string>{"plain", "grouped"}));
}

TEST_P(FifoQueueTest, OrderLocksDeduplicationAndSequenceSurviveARestart) {
  if (!durable()) GTEST_SKIP() << "the RAM engine keeps no messages across a restart";
  fifo("q.fifo", {{"VisibilityTimeout", "60"}});
  const SendOutput a1 = send("q.fifo", "a1", "A");
  send("q.fifo", "a2", "A");
  send("q.fifo", "b1", "B");
  send("q.fifo", "b2", "B");
  ASSERT_EQ(bodies(receive("q.fifo", 1)), (Bodies{"a1"}));
  restart();
  // A is still locked by a1 in flight; B comes in order.
  auto b = receive("q.fifo", 10);
  ASSERT_EQ(bodies(b), (Bodies{"b1", "b2"}));
  for (const auto& m : b) remove("q.fifo", m);
  auto dup = try_send("q.fifo", "a1", "A", "a1");
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->message_id, a1.message_id);
  EXPECT_EQ(dup->sequence_number, a1.sequence_number);
  const SendOutput next = send("q.fifo", "a3", "A");
  EXPECT_GT(next.sequence_number, a1.sequence_number);
  clock_.advance(60'000);
  EXPECT_EQ(bodies(receive("q.fifo", 10)), (Bodies{"a1", "a2", "a3"}));
}

TEST_P(FifoQueueTest, ExpiredDeduplicationRecordsAreDroppedOnRestart) {
  if (!durable()) GTEST_SKIP() << "the RAM engine keeps no messages across a restart";
  fifo("q.fifo");
  send("q.fifo", "a1", "A");
  clock_.advance(kFiveMinutes);
  restart();
  auto again = try_send("q.fifo", "a1", "A", "a1");
  ASSERT_TRUE(again);
  EXPECT_EQ(attribute("q.fifo", "ApproximateNumberOfMessages"), "2");
}

TEST_P(FifoQueueTest, DeduplicationRecordsKeyedByTextAreMigratedToHashedKeysOnRestart) {
  if (!durable()) GTEST_SKIP() << "the RAM engine keeps no messages across a restart";
  fifo("q.fifo",
       {{"DeduplicationScope", "messageGroup"}, {"FifoThroughputLimit", "perMessageGroupId"}});
  send("q.fifo", "first", "A");
  const auto handle = decode_receipt_handle(receive("q.fifo", 1).at(0).receipt_handle);
  ASSERT_TRUE(handle);
  // Records as the release before hashed keys wrote them: the key's text after the queue's
  // prefix. One live (sent a minute ago, as seq 7), one whose five minutes have ended.
  const Uuid original = random_uuid_bytes();
  const std::string original_id(reinterpret_cast<const char*>(original.data()), original.size());
  const std::string live_text = DedupWindow::key_text(DedupScope::kMessageGroup, "B", "legacy");
  const std::string ended_text = DedupWindow::key_text(DedupScope::kMessageGroup, "B", "ended");
  ASSERT_EQ(live_text, "g1:Blegacy");
  const Millis now = clock_.now_ms();
  storage::Batch old;
  old.put(storage::Family::kMeta, dedup_key(handle->queue_uid, live_text),
          encode(DedupRecord{original_id, 7, now - 60'000}));
  old.put(storage::Family::kMeta, dedup_key(handle->queue_uid, ended_text),
          encode(DedupRecord{original_id, 8, now - kFiveMinutes}));
  ASSERT_TRUE(engine_.write(old));

  restart();
  auto keys = [&] {
    std::vector<std::string> out;
    EXPECT_TRUE(engine_.scan(storage::Family::kMeta, dedup_range_begin(handle->queue_uid),
                             dedup_range_end(handle->queue_uid),
                             [&](std::string_view key, std::string_view) {
                               out.emplace_back(key.substr(dedup_range_begin(0).size()));
                               return true;
                             }));
    return out;
  };
  // Rewritten under the hash in recovery's batch; the ended one deleted.
  const auto migrated = keys();
  EXPECT_EQ(std::ranges::count(migrated, live_text), 0);
  EXPECT_EQ(std::ranges::count(migrated, ended_text), 0);
  const DedupKey hashed = DedupWindow::key(DedupScope::kMessageGroup, "B", "legacy");
  EXPECT_EQ(std::ranges::count(migrated, dedup_window_key(hashed)), 1);
  EXPECT_EQ(migrated.size(), 2u) << "the live legacy record and the one of \"first\"";

  // The migrated entry answers a duplicate as the original, in its group only, until its
  // five minutes from the original send end.
  auto dup = try_send("q.fifo", "again", "B", "legacy");
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->message_id, uuid_text(original));
  EXPECT_EQ(dup->sequence_number, sequence_number_text(7));
  EXPECT_NE(try_send("q.fifo", "other group", "C", "legacy")->message_id, uuid_text(original));
  EXPECT_NE(try_send("q.fifo", "ended", "B", "ended")->message_id, uuid_text(original));
  restart();
  EXPECT_EQ(try_send("q.fifo", "again", "B", "legacy")->message_id, uuid_text(original));
  clock_.advance(4 * 60'000);
  EXPECT_NE(try_send("q.fifo", "later", "B", "legacy")->message_id, uuid_text(original));
}

// Drives a FIFO queue with random sends (duplicates included), receives, deletes, visibility
// expiries and restarts, and checks every receive against what FIFO delivery allows:
// - a delivered message is the oldest undeleted message of its group, or follows, in the
//   same receive, the one before it;
// - no group delivers while a message of it from an earlier receive is in flight;
// - a receive that finds some group with visible messages and none in flight returns
//   something (no group is starved), and never more than asked;
// - duplicates are never delivered, and in the end every accepted message was delivered.
TEST_P(FifoQueueTest, RandomisedOperationsKeepFifoSemantics) {
  for (std::uint32_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    const std::string q = "model" + std::to_string(seed) + ".fifo";
    fifo(q, {{"VisibilityTimeout", "5"}});
    const int groups = 1 + static_cast<int>(rng() % 8);

    struct Sent {
      std::string group;
      bool deleted = false;
    };
    std::map<std::string, Sent> sent;                                 // message id -> its fate
    std::map<std::string, std::vector<std::string>> order;            // group -> ids in send order
    std::map<std::string, std::pair<std::string, Millis>> in_flight;  // id -> handle, until
    std::set<std::string> delivered_ever;
    int counter = 0;

    auto pending_of = [&](const std::string& g) {
      std::vector<std::string> out;
      for (const auto& id : order[g]) {
        if (!sent[id].deleted) out.push_back(id);
      }
      return out;
    };
    auto locked = [&](const std::string& g) {
      return std::any_of(in_flight.begin(), in_flight.end(), [&](const auto& f) {
        return sent[f.first].group == g && f.second.second > clock_.now_ms();
      });
    };

    for (int step = 0; step < 400; ++step) {
      const unsigned op = rng() % 10;
      if (op < 4) {
        const std::string g = "g" + std::to_string(rng() % groups);
        // One send in eight repeats a recent deduplication id.
        const bool dup = counter > 0 && rng() % 8 == 0;
        const std::string dedup = "d" + std::to_string(dup ? counter - 1 : counter++);
        auto out = try_send(q, "body-" + dedup, g, dedup);
        ASSERT_TRUE(out);
        if (!sent.contains(out->message_id)) {
          sent[out->message_id] = Sent{g};
          order[g].push_back(out->message_id);
        }
      } else if (op < 7) {
        const int max = 1 + static_cast<int>(rng() % 10);
        // Expired in-flight messages are visible again.
        std::erase_if(in_flight, [&](const auto& f) { return f.second.second <= clock_.now_ms(); });
        bool any_available = false;
        for (int i = 0; i < groups; ++i) {
          const std::string g = "g" + std::to_string(i);
          if (!pending_of(g).empty() && !locked(g)) any_available = true;
        }
        auto got = receive(q, max);
        ASSERT_LE(got.size(), static_cast<std::size_t>(max));
        if (any_available) {
          ASSERT_FALSE(got.empty()) << "step " << step;
        }
        std::map<std::string, std::size_t> next_in_group;  // this receive's position per group
        for (const auto& m : got) {
          ASSERT_TRUE(sent.contains(m.message_id));
          const std::string& g = sent[m.message_id].group;
          ASSERT_FALSE(sent[m.message_id].deleted);
          auto pending = pending_of(g);
          const std::size_t pos = next_in_group[g]++;
          if (pos == 0) {
            ASSERT_FALSE(locked(g)) << "group " << g << " was locked";
          }
          ASSERT_LT(pos, pending.size());
          ASSERT_EQ(pending[pos], m.message_id) << "out of order in " << g;
          delivered_ever.insert(m.message_id);
        }
        for (const auto& m : got) {
          in_flight[m.message_id] = {m.receipt_handle, clock_.now_ms() + 5'000};
        }
      } else if (op < 9) {
        // Delete some of what is in flight (only handles still valid).
        for (auto it = in_flight.begin(); it != in_flight.end();) {
          if (it->second.second > clock_.now_ms() && rng() % 2 == 0) {
            ASSERT_TRUE(queues_->delete_message(q, it->second.first));
            sent[it->first].deleted = true;
            it = in_flight.erase(it);
          } else {
            ++it;
          }
        }
      } else if (durable() && rng() % 4 == 0) {
        restart();
      } else {
        clock_.advance(static_cast<Millis>(rng() % 4000));
      }
    }
    // Drain: everything accepted is delivered in the end.
    for (int round = 0; round < 1000; ++round) {
      clock_.advance(5'000);
      in_flight.clear();
      auto got = receive(q, 10);
      if (got.empty()) break;
      for (const auto& m : got) {
        delivered_ever.insert(m.message_id);
        ASSERT_TRUE(queues_->delete_message(q, m.receipt_handle));
        sent[m.message_id].deleted = true;
      }
    }
    for (const auto& [id, s] : sent) EXPECT_TRUE(delivered_ever.contains(id)) << id;
  }
}

INSTANTIATE_TEST_SUITE_P(Payloads, FifoQueueTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "InEngine" : "InRam"; });

// The two-phase send (stage_sends / finish_sends, what SNS fan-outs use) driven directly: a
// duplicate staged while its original is still being written answers only once the original's
// write is settled.
class FifoStagingTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  storage::MemoryEngine engine_{true};
  std::shared_ptr<Queue> queue_ = make_queue();

  std::shared_ptr<Queue> make_queue() {
    QueueConfig config;
    config.fifo = true;
    return std::make_shared<Queue>(
        "q.fifo", kArnPrefix + "q.fifo", 7, config, TagMap{}, clock_.now_ms(), clock_, clock_,
        [](const std::string&) { return nullptr; }, QueueStorage{engine_, nullptr});
  }

  // Gives a thread that should be blocked a moment to (wrongly) finish: true if it did. A
  // correct queue never lets it, so this cannot fail spuriously; a broken one is caught as
  // soon as the other thread gets to run within the moment (almost always).
  static bool returned_within_a_moment(const std::atomic<bool>& done) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    while (!done && std::chrono::steady_clock::now() < until) std::this_thread::yield();
    return done;
  }

  static std::vector<SendInput> one(const std::string& body, const std::string& group,
                                    const std::string& dedup) {
    SendInput in;
    in.body = body;
    in.group_id = group;
    in.deduplication_id = dedup;
    in.sender_id = "test";
    std::vector<SendInput> out;
    out.push_back(std::move(in));
    return out;
  }
};

TEST_F(FifoStagingTest, ADuplicateOfAMessageBeingWrittenWaitsForItsOriginal) {
  storage::Batch first_batch;
  auto first = queue_->stage_sends(one("a", "g", "d"), first_batch);
  storage::Batch second_batch;
  auto second = queue_->stage_sends(one("a-again", "g", "d"), second_batch);
  // The duplicate finishes on another thread: it must wait for the original's finish.
  std::optional<std::vector<Result<SendOutput>>> dup_result;
  std::atomic<bool> dup_done{false};
  std::thread dup([&] {
    dup_result = queue_->finish_sends(std::move(second), engine_.write(second_batch));
    dup_done = true;
  });
  EXPECT_FALSE(returned_within_a_moment(dup_done)) << "the duplicate did not wait";
  auto original = queue_->finish_sends(std::move(first), engine_.write(first_batch));
  dup.join();
  ASSERT_TRUE(original.front());
  ASSERT_TRUE(dup_result && dup_result->front());
  EXPECT_EQ(dup_result->front()->message_id, original.front()->message_id);
  EXPECT_EQ(dup_result->front()->sequence_number, original.front()->sequence_number);
}

TEST_F(FifoStagingTest, ADuplicateOfAFailedWriteFailsAndTheIdStaysFree) {
  storage::Batch first_batch;
  auto first = queue_->stage_sends(one("a", "g", "d"), first_batch);
  storage::Batch second_batch;
  auto second = queue_->stage_sends(one("a", "g", "d"), second_batch);
  auto failed = queue_->finish_sends(
      std::move(first), Result<void>(std::unexpected(Error{Errc::kServiceUnavailable, "disk"})));
  ASSERT_FALSE(failed.front());
  auto dup = queue_->finish_sends(std::move(second), engine_.write(second_batch));
  ASSERT_FALSE(dup.front());
  EXPECT_EQ(dup.front().error().code, Errc::kServiceUnavailable);
  // Nothing holds the id now: a retry is stored.
  storage::Batch retry_batch;
  auto retry = queue_->stage_sends(one("a", "g", "d"), retry_batch);
  auto stored = queue_->finish_sends(std::move(retry), engine_.write(retry_batch));
  ASSERT_TRUE(stored.front());
  EXPECT_EQ(queue_->approximate_visible(), 1u);
}

TEST_F(FifoStagingTest, ALaterSendOfAGroupBecomesVisibleOnlyAfterTheEarlierOne) {
  storage::Batch first_batch;
  auto first = queue_->stage_sends(one("a1", "g", "d1"), first_batch);
  storage::Batch second_batch;
  auto second = queue_->stage_sends(one("a2", "g", "d2"), second_batch);
  storage::Batch other_batch;
  auto other = queue_->stage_sends(one("b1", "h", "d3"), other_batch);
  // Another group does not wait for anyone.
  ASSERT_TRUE(queue_->finish_sends(std::move(other), engine_.write(other_batch)).front());
  std::atomic<bool> second_done{false};
  std::thread later([&] {
    EXPECT_TRUE(queue_->finish_sends(std::move(second), engine_.write(second_batch)).front());
    second_done = true;
  });
  // a2 cannot be visible before a1: only b1 is.
  EXPECT_FALSE(returned_within_a_moment(second_done)) << "a2 did not wait for a1";
  EXPECT_EQ(queue_->approximate_visible(), 1u);
  ASSERT_TRUE(queue_->finish_sends(std::move(first), engine_.write(first_batch)).front());
  later.join();
  EXPECT_EQ(queue_->approximate_visible(), 3u);
}

}  // namespace
}  // namespace eb::sqs::testing
