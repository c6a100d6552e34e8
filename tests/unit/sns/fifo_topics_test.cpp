// SNS FIFO topics on FIFO (and standard) SQS queues, on a ManualClock and a MemoryEngine:
// publish rules, SequenceNumber, the five-minute deduplication window (explicit ids,
// content-based, per message group), subscription rules, fan-out order and filtering,
// PublishBatch, concurrency, and what survives a restart or a DeleteTopic. Each test runs with
// payloads in RAM and in the engine; restarts need the latter (the RAM engine keeps no
// payloads), so they are skipped with the former.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include "core/encoding.hpp"
#include "core/manual_clock.hpp"
#include "sns/records.hpp"
#include "sns/topics.hpp"
#include "sqs/fifo_dedup.hpp"
#include "sqs/queues.hpp"
#include "sqs/records.hpp"
#include "storage/event_sink.hpp"
#include "storage/memory_engine.hpp"

namespace eb::sns::testing {

using namespace eb::sqs;  // NOLINT(google-build-using-namespace): the queues SNS fans out into
namespace {

constexpr Millis kFiveMinutes = 5 * 60 * 1000;

std::shared_ptr<const MessageSigner> test_signer() {
  static const auto signer =
      std::make_shared<const MessageSigner>(*MessageSigner::generate("sns.fifo.test"));
  return signer;
}

class RecordingEndpoints final : public EndpointDelivery {
 public:
  void deliver(EndpointMessage message) override { messages.push_back(std::move(message)); }
  std::vector<EndpointMessage> messages;
};

// An event log that records nothing; `on_stage` runs (once) while a publish is between its
// deduplication check and its write, so a test can interleave a control operation there.
class HookSink final : public storage::EventSink {
 public:
  Staged stage(std::span<const storage::IncomingMessage>, storage::Batch&) override {
    if (on_stage) std::exchange(on_stage, nullptr)();
    return {};
  }
  void finish(const Staged&, bool) override {}
  std::function<void()> on_stage;
};

std::string field(const std::string& json, const char* name) {
  simdjson::dom::parser parser;
  std::string_view v;
  if (parser.parse(json)[name].get_string().get(v)) return "<none>";
  return std::string(v);
}

std::string system(const ReceivedMessage& m, const std::string& name) {
  for (const auto& [k, v] : m.attributes) {
    if (k == name) return v;
  }
  return "<missing>";
}

// SequenceNumbers are decimal strings; compare numerically (longer is larger).
bool seq_less(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

bool is_20_digits(const std::string& s) {
  return s.size() == 20 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class FifoTopicsTest : public ::testing::TestWithParam<bool> {
 protected:
  ManualClock clock_;
  storage::MemoryEngine store_{GetParam()};
  RecordingEndpoints endpoints_;
  HookSink sink_;
  std::unique_ptr<Queues> queues_ = std::make_unique<Queues>(clock_, clock_, store_);
  std::unique_ptr<Topics> topics_ = make_topics();

  bool durable() const { return GetParam(); }

  std::unique_ptr<Topics> make_topics() {
    return std::make_unique<Topics>(clock_, store_, *queues_, test_signer(), endpoints_,
                                    TopicsOptions{.base_url = "http://127.0.0.1:4566"}, &sink_);
  }

  // A daemon restart: broker and topics rebuilt from the engine's records.
  void restart() {
    topics_.reset();
    queues_.reset();
    queues_ = std::make_unique<Queues>(clock_, clock_, store_);
    auto ok = queues_->recover();
    ASSERT_TRUE(ok) << ok.error().message;
    topics_ = make_topics();
    auto recovered = topics_->recover();
    ASSERT_TRUE(recovered) << recovered.error().message;
  }

  std::string fifo_topic(const std::string& name, AttributeMap attributes = {}) {
    attributes["FifoTopic"] = "true";
    auto r = topics_->create_topic({name, std::move(attributes), {}, {}});
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r.value_or("");
  }

  std::string standard_topic(const std::string& name) {
    auto r = topics_->create_topic({name, {}, {}, {}});
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r.value_or("");
  }

  // Creates the queue (FIFO when the name ends with .fifo) and returns its ARN.
  std::string queue(const std::string& name, AttributeMap attributes = {}) {
    if (name.ends_with(".fifo")) attributes["FifoQueue"] = "true";
    auto r = queues_->create_queue({name, std::move(attributes), {}});
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return queues_->queue_arn(name);
  }

  Result<std::string> try_subscribe(const std::string& topic_arn, const std::string& protocol,
                                    const std::string& endpoint, AttributeMap attributes = {}) {
    return topics_->subscribe({topic_arn, protocol, endpoint, std::move(attributes), true});
  }

  std::string subscribe(const std::string& topic_arn, const std::string& queue_name,
                        AttributeMap attributes = {}) {
    auto r = try_subscribe(topic_arn, "sqs", queues_->queue_arn(queue_name), std::move(attributes));
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r.value_or("");
  }

  static PublishInput input(const std::string& topic_arn, std::string message,
                            std::optional<std::string> group,
                            std::optional<std::string> dedup = std::nullopt,
                            MessageAttributes attributes = {}) {
    PublishInput in;
    in.topic_arn = topic_arn;
    in.message = std::move(message);
    in.group_id = std::move(group);
    in.deduplication_id = std::move(dedup);
    in.attributes = std::move(attributes);
    return in;
  }

  Result<PublishOutput> try_publish(const std::string& topic_arn, std::string message,
                                    std::optional<std::string> group,
                                    std::optional<std::string> dedup = std::nullopt,
                                    MessageAttributes attributes = {}) {
    return topics_->publish(input(topic_arn, std::move(message), std::move(group), std::move(dedup),
                                  std::move(attributes)));
  }

  PublishOutput publish(const std::string& topic_arn, std::string message,
                        std::optional<std::string> group,
                        std::optional<std::string> dedup = std::nullopt,
                        MessageAttributes attributes = {}) {
    auto r = try_publish(topic_arn, std::move(message), std::move(group), std::move(dedup),
                         std::move(attributes));
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r.value_or(PublishOutput{});
  }

  static MessageAttributes string_attribute(const std::string& name, const std::string& value) {
    return {{name, MessageAttributeValue{"String", value, {}}}};
  }

  // Receives (10 at a time) and deletes until the queue answers with nothing; returns the
  // messages in delivery order.
  std::vector<ReceivedMessage> drain(const std::string& queue_name) {
    std::vector<ReceivedMessage> all;
    for (int round = 0; round < 1000; ++round) {
      ReceiveInput in;
      in.max_messages = 10;
      in.wait_seconds = 0;
      in.message_attribute_names = {"All"};
      in.system_attribute_names = {"All"};
      std::optional<Result<std::vector<ReceivedMessage>>> out;
      queues_->receive_message(queue_name, std::move(in), [&](auto r) { out = std::move(r); });
      EXPECT_TRUE(out && out->has_value()) << "receive parked or failed";
      if (!out || !out->has_value() || (*out)->empty()) break;
      for (auto& m : **out) {
        EXPECT_TRUE(queues_->delete_message(queue_name, m.receipt_handle));
        all.push_back(std::move(m));
      }
    }
    return all;
  }

  // The text an SNS subscriber sees: the envelope's Message, or the body under raw delivery.
  static std::string message_of(const ReceivedMessage& m, bool raw) {
    return raw ? m.body : field(m.body, "Message");
  }
};

// --- 1. publish rules ------------------------------------------------------------------------

TEST_P(FifoTopicsTest, FifoTopicPublishNeedsGroupAndDeduplication) {
  const std::string fifo = fifo_topic("orders.fifo");
  queue("q.fifo");
  subscribe(fifo, "q.fifo");

  auto no_group = try_publish(fifo, "m", std::nullopt, "d");
  ASSERT_FALSE(no_group);
  EXPECT_EQ(no_group.error().code, Errc::kInvalidParameterValue);
  EXPECT_NE(no_group.error().message.find("MessageGroupId"), std::string::npos)
      << no_group.error().message;

  auto empty_group = try_publish(fifo, "m", "", "d");
  ASSERT_FALSE(empty_group);
  EXPECT_EQ(empty_group.error().code, Errc::kInvalidParameterValue);

  auto no_dedup = try_publish(fifo, "m", "g");
  ASSERT_FALSE(no_dedup);
  EXPECT_EQ(no_dedup.error().code, Errc::kInvalidParameterValue);
  EXPECT_NE(no_dedup.error().message.find("ContentBasedDeduplication"), std::string::npos)
      << no_dedup.error().message;

  auto bad_dedup = try_publish(fifo, "m", "g", std::string(129, 'x'));
  ASSERT_FALSE(bad_dedup);
  EXPECT_EQ(bad_dedup.error().code, Errc::kInvalidParameterValue);

  const std::string plain = standard_topic("plain");
  auto dedup_on_standard = try_publish(plain, "m", std::nullopt, "d");
  ASSERT_FALSE(dedup_on_standard);
  EXPECT_EQ(dedup_on_standard.error().code, Errc::kInvalidParameterValue);
  EXPECT_NE(dedup_on_standard.error().message.find("MessageDeduplicationId"), std::string::npos)
      << dedup_on_standard.error().message;

  // A standard topic answers without a SequenceNumber.
  auto ok = try_publish(plain, "m", std::nullopt);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_TRUE(ok->sequence_number.empty());

  EXPECT_TRUE(drain("q.fifo").empty());
}

TEST_P(FifoTopicsTest, FifoTopicSequenceNumbersHaveTwentyDigitsAndIncrease) {
  const std::string t = fifo_topic("seq.fifo");
  const std::string other = fifo_topic("other.fifo");
  std::string last;
  for (int i = 0; i < 12; ++i) {
    // Interleave another topic: the counter is the topic's own.
    publish(other, "x", "g", "o" + std::to_string(i));
    const PublishOutput out = publish(t, "m", "g" + std::to_string(i % 3), "d" + std::to_string(i));
    EXPECT_TRUE(is_20_digits(out.sequence_number)) << out.sequence_number;
    EXPECT_FALSE(out.message_id.empty());
    if (!last.empty()) {
      EXPECT_TRUE(seq_less(last, out.sequence_number)) << last << " " << out.sequence_number;
    }
    last = out.sequence_number;
  }
}

// --- 2. deduplication ------------------------------------------------------------------------

TEST_P(FifoTopicsTest, FifoTopicDuplicateWithinWindowIsAnsweredWithOriginalAndNotDelivered) {
  const std::string t = fifo_topic("dedup.fifo");
  queue("a.fifo");
  queue("b.fifo");
  queue("plain");
  subscribe(t, "a.fifo");
  subscribe(t, "b.fifo", {{"RawMessageDelivery", "true"}});
  subscribe(t, "plain");

  const PublishOutput first = publish(t, "first", "g", "d1");
  clock_.advance(kFiveMinutes - 1);
  const PublishOutput dup = publish(t, "first again", "g", "d1");
  EXPECT_EQ(dup.message_id, first.message_id);
  EXPECT_EQ(dup.sequence_number, first.sequence_number);
  // Topic scope (the default): the same id in another group is a duplicate too.
  const PublishOutput other_group = publish(t, "first elsewhere", "h", "d1");
  EXPECT_EQ(other_group.message_id, first.message_id);
  EXPECT_EQ(other_group.sequence_number, first.sequence_number);

  auto a = drain("a.fifo");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(field(a[0].body, "Message"), "first");
  EXPECT_EQ(field(a[0].body, "MessageId"), first.message_id);
  auto b = drain("b.fifo");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].body, "first");
  auto plain = drain("plain");
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(field(plain[0].body, "Message"), "first");

  clock_.advance(1);  // the window has ended
  const PublishOutput later = publish(t, "first later", "g", "d1");
  EXPECT_NE(later.message_id, first.message_id);
  EXPECT_TRUE(seq_less(first.sequence_number, later.sequence_number));
  a = drain("a.fifo");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(field(a[0].body, "Message"), "first later");
  EXPECT_EQ(field(a[0].body, "SequenceNumber"), later.sequence_number);
  b = drain("b.fifo");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].body, "first later");
  EXPECT_EQ(drain("plain").size(), 1u);

  // The window runs from the original: the answered duplicates did not extend it, and the
  // new message has a window of its own.
  clock_.advance(kFiveMinutes - 1);
  EXPECT_EQ(publish(t, "x", "g", "d1").message_id, later.message_id);
  clock_.advance(1);
  EXPECT_NE(publish(t, "x", "g", "d1").message_id, later.message_id);
}

TEST_P(FifoTopicsTest, FifoTopicContentBasedDeduplicationHashesTheMessage) {
  const std::string t = fifo_topic("cbd.fifo", {{"ContentBasedDeduplication", "true"}});
  queue("q.fifo");
  subscribe(t, "q.fifo");

  const PublishOutput one = publish(t, "same", "g");
  const PublishOutput two = publish(t, "same", "g", std::nullopt, string_attribute("k", "v"));
  EXPECT_EQ(two.message_id, one.message_id);  // attributes do not count
  EXPECT_EQ(two.sequence_number, one.sequence_number);
  const PublishOutput other = publish(t, "different", "g");
  EXPECT_NE(other.message_id, one.message_id);
  // An explicit id overrides the generated one.
  const PublishOutput explicit_id = publish(t, "same", "g", "explicit");
  EXPECT_NE(explicit_id.message_id, one.message_id);

  auto got = drain("q.fifo");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(field(got[0].body, "Message"), "same");
  EXPECT_EQ(field(got[1].body, "Message"), "different");
  EXPECT_EQ(field(got[2].body, "Message"), "same");
  // The copy carries the generated id: the SHA-256 of the body.
  EXPECT_EQ(system(got[0], "MessageDeduplicationId"), DedupWindow::content_id("same"));
  EXPECT_EQ(system(got[2], "MessageDeduplicationId"), "explicit");
}

TEST_P(FifoTopicsTest, FifoTopicMessageGroupScopeDeduplicatesPerGroup) {
  const std::string t = fifo_topic("scoped.fifo", {{"FifoThroughputScope", "MessageGroup"}});
  queue("q.fifo",
        {{"DeduplicationScope", "messageGroup"}, {"FifoThroughputLimit", "perMessageGroupId"}});
  queue("plain");
  subscribe(t, "q.fifo");
  subscribe(t, "plain");

  const PublishOutput g1 = publish(t, "one", "g1", "d");
  const PublishOutput g2 = publish(t, "two", "g2", "d");
  EXPECT_NE(g1.message_id, g2.message_id);
  EXPECT_TRUE(seq_less(g1.sequence_number, g2.sequence_number));
  const PublishOutput g1_again = publish(t, "three", "g1", "d");
  EXPECT_EQ(g1_again.message_id, g1.message_id);

  auto got = drain("q.fifo");
  ASSERT_EQ(got.size(), 2u);
  std::set<std::string> groups;
  for (const auto& m : got) groups.insert(system(m, "MessageGroupId"));
  EXPECT_EQ(groups, (std::set<std::string>{"g1", "g2"}));
  EXPECT_EQ(drain("plain").size(), 2u);
}

// --- 3. subscriptions ------------------------------------------------------------------------

TEST_P(FifoTopicsTest, FifoTopicSubscriptionRules) {
  const std::string fifo = fifo_topic("subs.fifo");
  const std::string plain = standard_topic("subs");
  const std::string fifo_queue = queue("q.fifo");
  const std::string standard_queue = queue("q");

  for (const auto& [protocol, endpoint] :
       std::vector<std::pair<std::string, std::string>>{{"http", "http://example.com/hook"},
                                                        {"https", "https://example.com/hook"},
                                                        {"email", "someone@example.com"}}) {
    auto refused = try_subscribe(fifo, protocol, endpoint);
    ASSERT_FALSE(refused) << protocol;
    EXPECT_EQ(refused.error().code, Errc::kInvalidParameterValue) << protocol;
  }
  EXPECT_TRUE(endpoints_.messages.empty());  // no confirmation went out

  auto fifo_on_standard = try_subscribe(plain, "sqs", fifo_queue);
  ASSERT_FALSE(fifo_on_standard);
  EXPECT_EQ(fifo_on_standard.error().code, Errc::kInvalidParameterValue);

  auto a = try_subscribe(fifo, "sqs", fifo_queue);
  ASSERT_TRUE(a) << a.error().message;
  auto b = try_subscribe(fifo, "sqs", standard_queue);
  ASSERT_TRUE(b) << b.error().message;
  auto c = try_subscribe(plain, "sqs", standard_queue);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(topics_->list_subscriptions_by_topic(fifo, {})->subscriptions.size(), 2u);
}

// --- 4. fan-out ------------------------------------------------------------------------------

TEST_P(FifoTopicsTest, FifoTopicFanOutKeepsGroupOrderFiltersAndCarriesIds) {
  const std::string t = fifo_topic("fan.fifo");
  queue("all.fifo");
  queue("red.fifo");
  queue("plain");
  subscribe(t, "all.fifo");
  subscribe(t, "red.fifo",
            {{"FilterPolicy", R"({"colour":["red"]})"}, {"RawMessageDelivery", "true"}});
  subscribe(t, "plain");

  constexpr int kCount = 30;
  std::vector<PublishOutput> out(kCount);
  for (int i = 0; i < kCount; ++i) {
    out[i] =
        publish(t, "m" + std::to_string(i), "g" + std::to_string(i % 3), "d" + std::to_string(i),
                string_attribute("colour", i % 2 == 0 ? "red" : "blue"));
  }
  const auto index_of = [](const std::string& message) { return std::stoi(message.substr(1)); };

  const auto check_fifo = [&](const std::string& name, bool raw, bool red_only) {
    SCOPED_TRACE(name);
    auto got = drain(name);
    ASSERT_EQ(got.size(), red_only ? kCount / 2u : std::size_t{kCount});
    std::map<std::string, int> last;  // group -> last index received
    std::set<int> seen;
    for (const auto& m : got) {
      const int i = index_of(message_of(m, raw));
      const std::string group = "g" + std::to_string(i % 3);
      EXPECT_TRUE(seen.insert(i).second) << "twice: " << i;
      if (red_only) {
        EXPECT_EQ(i % 2, 0) << i;
      }
      EXPECT_EQ(system(m, "MessageGroupId"), group);
      EXPECT_EQ(system(m, "MessageDeduplicationId"), "d" + std::to_string(i));
      auto [it, inserted] = last.try_emplace(group, i);
      if (!inserted) {
        EXPECT_LT(it->second, i) << "group " << group << " out of order";
        it->second = i;
      }
      if (raw) {
        ASSERT_TRUE(m.message_attributes.contains("colour"));
        EXPECT_EQ(m.message_attributes.at("colour").string_value, "red");
      } else {
        EXPECT_EQ(field(m.body, "Type"), "Notification");
        EXPECT_EQ(field(m.body, "TopicArn"), t);
        EXPECT_EQ(field(m.body, "MessageId"), out[i].message_id);
        EXPECT_EQ(field(m.body, "SequenceNumber"), out[i].sequence_number);
      }
    }
  };
  check_fifo("all.fifo", false, false);
  check_fifo("red.fifo", true, true);

  auto plain = drain("plain");
  ASSERT_EQ(plain.size(), std::size_t{kCount});
  std::set<int> seen;
  for (const auto& m : plain) {
    const int i = index_of(field(m.body, "Message"));
    seen.insert(i);
    EXPECT_EQ(field(m.body, "SequenceNumber"), out[i].sequence_number);
  }
  EXPECT_EQ(seen.size(), std::size_t{kCount});
}

// --- 5. PublishBatch -------------------------------------------------------------------------

TEST_P(FifoTopicsTest, FifoTopicPublishBatchKeepsEntryOrderPerGroup) {
  const std::string t = fifo_topic("batch.fifo");
  queue("q.fifo");
  subscribe(t, "q.fifo");

  std::vector<BatchEntry<PublishInput>> entries;
  for (int i = 0; i < 6; ++i) {
    entries.push_back(
        {"e" + std::to_string(i),
         input(t, "b" + std::to_string(i), i % 2 == 0 ? "A" : "B", "bd" + std::to_string(i))});
  }
  auto out = topics_->publish_batch(t, std::move(entries));
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->successful.size(), 6u);
  EXPECT_TRUE(out->failed.empty());
  for (std::size_t i = 0; i < out->successful.size(); ++i) {
    EXPECT_EQ(out->successful[i].first, "e" + std::to_string(i));
    EXPECT_TRUE(is_20_digits(out->successful[i].second.sequence_number));
    if (i > 0) {
      EXPECT_TRUE(seq_less(out->successful[i - 1].second.sequence_number,
                           out->successful[i].second.sequence_number));
    }
  }
  auto got = drain("q.fifo");
  ASSERT_EQ(got.size(), 6u);
  std::map<std::string, std::vector<std::string>> per_group;
  for (const auto& m : got)
    per_group[system(m, "MessageGroupId")].push_back(field(m.body, "Message"));
  EXPECT_EQ(per_group["A"], (std::vector<std::string>{"b0", "b2", "b4"}));
  EXPECT_EQ(per_group["B"], (std::vector<std::string>{"b1", "b3", "b5"}));
}

TEST_P(FifoTopicsTest, FifoTopicPublishBatchDeduplicatesWithinTheBatch) {
  const std::string t = fifo_topic("batchdup.fifo");
  queue("q.fifo");
  subscribe(t, "q.fifo");
  const PublishOutput earlier = publish(t, "earlier", "A", "old");

  std::vector<BatchEntry<PublishInput>> entries;
  entries.push_back({"first", input(t, "x", "A", "same")});
  entries.push_back({"second", input(t, "y", "A", "same")});
  entries.push_back({"repeat", input(t, "z", "B", "old")});
  entries.push_back({"nogroup", input(t, "w", std::nullopt, "fresh")});
  auto out = topics_->publish_batch(t, std::move(entries));
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->successful.size(), 3u);
  ASSERT_EQ(out->failed.size(), 1u);
  EXPECT_EQ(out->failed[0].id, "nogroup");
  EXPECT_EQ(out->failed[0].error.code, Errc::kInvalidParameterValue);
  EXPECT_TRUE(out->failed[0].sender_fault);
  EXPECT_EQ(out->successful[0].first, "first");
  EXPECT_EQ(out->successful[1].first, "second");
  EXPECT_EQ(out->successful[0].second.message_id, out->successful[1].second.message_id);
  EXPECT_EQ(out->successful[0].second.sequence_number, out->successful[1].second.sequence_number);
  EXPECT_EQ(out->successful[2].first, "repeat");
  EXPECT_EQ(out->successful[2].second.message_id, earlier.message_id);
  EXPECT_EQ(out->successful[2].second.sequence_number, earlier.sequence_number);

  auto got = drain("q.fifo");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(field(got[0].body, "Message"), "earlier");
  EXPECT_EQ(field(got[1].body, "Message"), "x");
}

// --- 6. concurrency --------------------------------------------------------------------------

TEST_P(FifoTopicsTest, FifoTopicConcurrentPublishersKeepOneOrderInEveryQueue) {
  const std::string t = fifo_topic("busy.fifo");
  queue("a.fifo");
  queue("b.fifo");
  subscribe(t, "a.fifo");
  subscribe(t, "b.fifo");
  constexpr int kThreads = 4;
  constexpr int kEach = 50;
  std::vector<std::thread> threads;
  for (int p = 0; p < kThreads; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < kEach; ++i) {
        const std::string tag = std::to_string(p) + ":" + std::to_string(i);
        auto own = try_publish(t, "own:" + tag, "own" + std::to_string(p), "o" + tag);
        auto shared = try_publish(t, "shared:" + tag, "shared", "s" + tag);
        EXPECT_TRUE(own && shared);
      }
    });
  }
  for (auto& th : threads) th.join();

  std::vector<std::vector<std::string>> shared_orders;
  for (const char* name : {"a.fifo", "b.fifo"}) {
    SCOPED_TRACE(name);
    auto got = drain(name);
    ASSERT_EQ(got.size(), std::size_t{2 * kThreads * kEach});
    std::map<std::pair<std::string, int>, int> last;  // (group, publisher) -> counter
    std::map<std::string, std::string> last_seq;      // group -> SequenceNumber
    std::vector<std::string> shared;
    for (const auto& m : got) {
      const std::string text = field(m.body, "Message");
      const auto c1 = text.find(':');
      const auto c2 = text.rfind(':');
      const int publisher = std::stoi(text.substr(c1 + 1, c2 - c1 - 1));
      const int counter = std::stoi(text.substr(c2 + 1));
      const std::string group = system(m, "MessageGroupId");
      auto [it, inserted] = last.try_emplace({group, publisher}, counter);
      if (!inserted) {
        EXPECT_LT(it->second, counter) << text;
        it->second = counter;
      }
      const std::string seq = field(m.body, "SequenceNumber");
      auto [s, fresh] = last_seq.try_emplace(group, seq);
      if (!fresh) {
        EXPECT_TRUE(seq_less(s->second, seq)) << text;
        s->second = seq;
      }
      if (group == "shared") shared.push_back(text);
    }
    shared_orders.push_back(std::move(shared));
  }
  EXPECT_EQ(shared_orders[0], shared_orders[1]);
}

// --- 7. restarts -----------------------------------------------------------------------------

TEST_P(FifoTopicsTest, FifoTopicDeduplicationAndSequenceSurviveARestart) {
  if (!durable()) GTEST_SKIP() << "the RAM engine keeps no messages across a restart";
  const std::string t = fifo_topic("keep.fifo");
  queue("q.fifo");
  subscribe(t, "q.fifo");
  std::vector<PublishOutput> before;
  for (int i = 0; i < 3; ++i) {
    before.push_back(publish(t, "m" + std::to_string(i), "g", "d" + std::to_string(i)));
  }
  EXPECT_EQ(drain("q.fifo").size(), 3u);
  clock_.advance(kFiveMinutes - 10);

  restart();
  const PublishOutput again = publish(t, "m1 again", "g", "d1");
  EXPECT_EQ(again.message_id, before[1].message_id);
  EXPECT_EQ(again.sequence_number, before[1].sequence_number);
  EXPECT_TRUE(drain("q.fifo").empty());

  const PublishOutput fresh = publish(t, "new", "g", "d3");
  EXPECT_TRUE(is_20_digits(fresh.sequence_number)) << fresh.sequence_number;
  EXPECT_TRUE(seq_less(before.back().sequence_number, fresh.sequence_number))
      << before.back().sequence_number << " then " << fresh.sequence_number;
  auto got = drain("q.fifo");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(field(got[0].body, "Message"), "new");

  // The restored entries keep their original start: the window ends five minutes after it.
  clock_.advance(9);
  EXPECT_EQ(publish(t, "m1 again", "g", "d1").message_id, before[1].message_id);
  clock_.advance(1);
  const PublishOutput after_window = publish(t, "m1 after", "g", "d1");
  EXPECT_NE(after_window.message_id, before[1].message_id);
  EXPECT_TRUE(seq_less(fresh.sequence_number, after_window.sequence_number));

  // A second restart after yet another publish: still increasing.
  restart();
  const PublishOutput last = publish(t, "last", "g", "d9");
  EXPECT_TRUE(seq_less(after_window.sequence_number, last.sequence_number));
  EXPECT_EQ(publish(t, "dup", "g", "d3").message_id, fresh.message_id);
  // "d1" expired and was published again in one write (its old record erased, the new one
  // put): the new record is what the restart found.
  const PublishOutput d1_again = publish(t, "dup", "g", "d1");
  EXPECT_EQ(d1_again.message_id, after_window.message_id);
  EXPECT_EQ(d1_again.sequence_number, after_window.sequence_number);
}

TEST_P(FifoTopicsTest, FifoTopicDeduplicationRecordsKeyedByTextAreMigratedOnRestart) {
  if (!durable()) GTEST_SKIP() << "the RAM engine keeps no messages across a restart";
  const std::string t = fifo_topic("legacy.fifo");
  // A record as the release before hashed keys wrote it: the key's text after the prefix.
  const std::string prefix = topic_dedup_prefix(t);
  const std::string text = DedupWindow::key_text(DedupScope::kQueue, "g", "legacy");
  queue("q.fifo");
  subscribe(t, "q.fifo");
  const PublishOutput first = publish(t, "m", "g", "d");
  const std::string original = random_uuid();
  storage::Batch old;
  old.put(storage::Family::kMeta, prefix + text,
          encode(DedupRecord{original, 1, clock_.now_ms() - 60'000}));
  ASSERT_TRUE(store_.write(old));

  restart();
  std::vector<std::string> keys;
  ASSERT_TRUE(store_.scan(storage::Family::kMeta, prefix, prefix + '\xff',
                          [&](std::string_view key, std::string_view) {
                            keys.emplace_back(key.substr(prefix.size()));
                            return true;
                          }));
  EXPECT_EQ(keys.size(), 2u);
  EXPECT_EQ(std::ranges::count(keys, text), 0) << "moved under its hash";
  EXPECT_EQ(std::ranges::count(keys, dedup_window_key(DedupWindow::key_of_text(text))), 1);
  EXPECT_EQ(publish(t, "again", "g", "legacy").message_id, original);
  EXPECT_EQ(publish(t, "m again", "g", "d").message_id, first.message_id);
  EXPECT_EQ(drain("q.fifo").size(), 1u) << "only the first publish was delivered";
}

TEST_P(FifoTopicsTest, FifoTopicSetTopicAttributesKeepsTheWindowAndSequence) {
  const std::string t = fifo_topic("attrs.fifo");
  queue("q.fifo");
  subscribe(t, "q.fifo");
  const PublishOutput first = publish(t, "m", "g", "d");
  ASSERT_TRUE(topics_->set_topic_attributes(t, "DisplayName", "Orders"));
  ASSERT_TRUE(topics_->set_topic_attributes(t, "ContentBasedDeduplication", "true"));
  EXPECT_EQ(topics_->get_topic_attributes(t)->at("ContentBasedDeduplication"), "true");
  const PublishOutput dup = publish(t, "m again", "g", "d");
  EXPECT_EQ(dup.message_id, first.message_id);
  const PublishOutput content = publish(t, "by content", "g");  // no id needed now
  EXPECT_TRUE(seq_less(first.sequence_number, content.sequence_number));
  EXPECT_EQ(publish(t, "by content", "g").message_id, content.message_id);
  auto got = drain("q.fifo");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(field(got[1].body, "Message"), "by content");
}

TEST_P(FifoTopicsTest, FifoTopicExpiredWindowIsNotRestored) {
  if (!durable()) GTEST_SKIP() << "the RAM engine keeps no messages across a restart";
  const std::string t = fifo_topic("expire.fifo");
  queue("q.fifo");
  subscribe(t, "q.fifo");
  const PublishOutput first = publish(t, "m", "g", "d");
  EXPECT_EQ(drain("q.fifo").size(), 1u);
  clock_.advance(kFiveMinutes);
  restart();
  const PublishOutput second = publish(t, "m", "g", "d");
  EXPECT_NE(second.message_id, first.message_id);
  EXPECT_TRUE(seq_less(first.sequence_number, second.sequence_number));
  EXPECT_EQ(drain("q.fifo").size(), 1u);
}

// A publish whose write failed leaves no window entry: the retry is the message.
TEST_P(FifoTopicsTest, FifoTopicFailedPublishDoesNotHoldItsDeduplicationId) {
  const std::string t = fifo_topic("fail.fifo");
  queue("q.fifo");
  subscribe(t, "q.fifo");
  const PublishOutput before = publish(t, "before", "g", "d0");
  store_.fail_writes(true);
  auto failed = try_publish(t, "m", "g", "d1");
  store_.fail_writes(false);
  ASSERT_FALSE(failed);
  const PublishOutput retry = publish(t, "m", "g", "d1");
  EXPECT_FALSE(retry.message_id.empty());
  EXPECT_TRUE(seq_less(before.sequence_number, retry.sequence_number));
  auto got = drain("q.fifo");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(field(got[1].body, "Message"), "m");
  EXPECT_EQ(field(got[1].body, "MessageId"), retry.message_id);
  EXPECT_EQ(publish(t, "m", "g", "d1").message_id, retry.message_id);
}

// --- 8. DeleteTopic ----------------------------------------------------------------------------

TEST_P(FifoTopicsTest, FifoTopicRecreatedTopicHasAFreshWindow) {
  const std::string t = fifo_topic("again.fifo");
  queue("old.fifo");
  subscribe(t, "old.fifo");
  const PublishOutput first = publish(t, "m", "g", "d");
  EXPECT_EQ(drain("old.fifo").size(), 1u);

  ASSERT_TRUE(topics_->delete_topic(t));
  EXPECT_EQ(fifo_topic("again.fifo"), t);
  // A queue that never saw "d" (the old one would drop the copy in its own window).
  queue("new.fifo");
  subscribe(t, "new.fifo");
  const PublishOutput second = publish(t, "m", "g", "d");
  EXPECT_NE(second.message_id, first.message_id);
  EXPECT_TRUE(is_20_digits(second.sequence_number));
  auto got = drain("new.fifo");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(field(got[0].body, "MessageId"), second.message_id);

  if (durable()) {
    // The old topic's records went with it: a restart does not bring "d" back as the first.
    ASSERT_TRUE(topics_->delete_topic(t));
    fifo_topic("again.fifo");
    subscribe(t, "new.fifo");
    restart();
    const PublishOutput third = publish(t, "m", "g", "d");
    EXPECT_NE(third.message_id, first.message_id);
    EXPECT_NE(third.message_id, second.message_id);
  }
}

// A publish that was under way when its topic was deleted writes its window record after
// DeleteTopic erased the topic's records: a topic created again with the name must not
// inherit it, not even after a restart.
TEST_P(FifoTopicsTest, FifoTopicPublishRacingDeleteTopicLeavesNoWindowBehind) {
  if (!durable()) GTEST_SKIP() << "the RAM engine keeps no messages across a restart";
  const std::string t = fifo_topic("race.fifo");
  queue("q.fifo");
  subscribe(t, "q.fifo");
  // DeleteTopic arrives while the publish is between its deduplication check and its write:
  // it must wait for that write, then erase what it left (the publish holds the topic's FIFO
  // lock until then, so the delete runs on another thread).
  std::thread deleter;
  sink_.on_stage = [&] { deleter = std::thread([&] { ASSERT_TRUE(topics_->delete_topic(t)); }); };
  const PublishOutput old = publish(t, "old", "g", "d");
  ASSERT_FALSE(sink_.on_stage) << "the hook did not run";
  deleter.join();
  EXPECT_FALSE(topics_->get_topic_attributes(t));  // deleted after the publish

  EXPECT_EQ(fifo_topic("race.fifo"), t);
  restart();
  const PublishOutput fresh = publish(t, "new", "g", "d");
  EXPECT_NE(fresh.message_id, old.message_id)
      << "the recreated topic answered with the deleted topic's message";
}

INSTANTIATE_TEST_SUITE_P(Payloads, FifoTopicsTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "InEngine" : "InMemory"; });

}  // namespace
}  // namespace eb::sns::testing
