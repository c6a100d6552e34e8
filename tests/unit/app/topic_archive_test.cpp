// SNS FIFO topic archiving and replay (ArchivePolicy, ReplayPolicy) over the real event log:
// a broker, topics and event log on one MemoryEngine and a ManualClock.
#include "app/topic_archive.hpp"

#include <gtest/gtest.h>

#include <simdjson.h>

#include "core/manual_clock.hpp"
#include "sqs/queues.hpp"
#include "storage/memory_engine.hpp"

namespace eb::app {
namespace {

std::shared_ptr<const MessageSigner> test_signer() {
  static const auto signer =
      std::make_shared<const MessageSigner>(*MessageSigner::generate("sns.test"));
  return signer;
}

class NoEndpoints final : public sns::EndpointDelivery {
 public:
  void deliver(sns::EndpointMessage) override {}
};

class TopicArchiveTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  storage::MemoryEngine store_{true};
  eventlog::EventLog log_{store_, clock_, clock_};
  sqs::Queues queues_{clock_, clock_, store_, {}, &log_};
  NoEndpoints endpoints_;
  sns::Topics topics_{clock_,     store_,
                      queues_,    test_signer(),
                      endpoints_, sns::TopicsOptions{.base_url = "http://127.0.0.1:4566"},
                      &log_};
  std::string topic_;

  void SetUp() override {
    ASSERT_TRUE(log_.recover());
    topics_.set_archive_reader(topic_archive_reader(log_));
    auto arn = topics_.create_topic(
        {.name = "prices.fifo",
         .attributes = {{"FifoTopic", "true"},
                        {"ContentBasedDeduplication", "true"},
                        {"ArchivePolicy", R"({"MessageRetentionPeriod":"2"})"}}});
    ASSERT_TRUE(arn) << arn.error().message;
    topic_ = *arn;
  }

  sns::PublishOutput publish(const std::string& message, const std::string& group,
                             const std::string& kind = "retail") {
    sns::PublishInput in;
    in.topic_arn = topic_;
    in.message = message;
    in.group_id = group;
    in.attributes["kind"] = MessageAttributeValue{"String", kind, ""};
    auto out = topics_.publish(std::move(in));
    EXPECT_TRUE(out) << out.error().message;
    return out ? *out : sns::PublishOutput{};
  }

  std::string queue(const std::string& name) {
    EXPECT_TRUE(queues_.create_queue({name, {{"FifoQueue", "true"}}, {}}));
    return queues_.queue_arn(name);
  }

  Result<std::string> subscribe(const std::string& queue_arn, eb::AttributeMap attributes) {
    return topics_.subscribe({.topic_arn = topic_,
                              .protocol = "sqs",
                              .endpoint = queue_arn,
                              .attributes = std::move(attributes),
                              .return_subscription_arn = true});
  }

  static std::string replay_from(Millis from, std::optional<Millis> to = std::nullopt) {
    std::string policy =
        R"({"PointType":"Timestamp","StartingPoint":")" + utc_timestamp(from) + "\"";
    if (to) policy += R"(,"EndingPoint":")" + utc_timestamp(*to) + "\"";
    return policy + "}";
  }

  // The notifications in a queue, as (Message, Replayed, MessageGroupId) in receive order.
  struct Got {
    std::string message;
    bool replayed;
    std::string group;
  };
  std::vector<Got> drain(const std::string& queue_name) {
    std::vector<Got> out;
    for (int i = 0; i < 100; ++i) {
      sqs::ReceiveInput in;
      in.max_messages = 10;
      in.wait_seconds = 0;
      in.system_attribute_names = {"MessageGroupId"};
      std::vector<sqs::ReceivedMessage> got;
      queues_.receive_message(queue_name, in, [&](auto r) {
        if (r) got = std::move(*r);
      });
      if (got.empty()) break;
      for (const auto& m : got) {
        simdjson::dom::parser parser;
        simdjson::dom::element doc = parser.parse(m.body);
        bool replayed = false;
        if (doc["Replayed"].get(replayed) != simdjson::SUCCESS) replayed = false;
        out.push_back({std::string(doc["Message"].get_string().value()), replayed,
                       m.attributes.empty() ? "" : m.attributes.front().second});
        EXPECT_TRUE(queues_.delete_message(queue_name, m.receipt_handle));
      }
    }
    return out;
  }

  std::string subscription_attribute(const std::string& arn, const std::string& name) {
    auto attributes = topics_.get_subscription_attributes(arn);
    return attributes && attributes->contains(name) ? attributes->at(name) : "<missing>";
  }
};

TEST_F(TopicArchiveTest, ANewSubscriberReplaysTheArchiveInOrderThenGetsLiveMessages) {
  const Millis start = clock_.now_ms();
  clock_.advance(1000);
  const auto first = publish("p1", "a");
  publish("p2", "b");
  publish("p3", "a");
  clock_.advance(1000);
  const std::string arn = queue("late.fifo");
  auto sub = subscribe(arn, {{"ReplayPolicy", replay_from(start)}});
  ASSERT_TRUE(sub) << sub.error().message;
  EXPECT_EQ(subscription_attribute(*sub, "ReplayStatus"), "Completed");
  publish("p4", "a");
  // Group a's run first (its head is oldest), then b; within a group, publish order, the
  // archive before the live message.
  auto got = drain("late.fifo");
  ASSERT_EQ(got.size(), 4u);
  std::vector<std::string> order;
  for (const auto& g : got) order.push_back(g.group + ":" + g.message);
  EXPECT_EQ(order, (std::vector<std::string>{"a:p1", "a:p3", "a:p4", "b:p2"}));
  EXPECT_TRUE(got[0].replayed && got[1].replayed && got[3].replayed);
  EXPECT_FALSE(got[2].replayed);
  EXPECT_FALSE(first.message_id.empty());
}

TEST_F(TopicArchiveTest, AReplayHonoursItsWindowAndTheFilterPolicy) {
  const Millis start = clock_.now_ms();
  clock_.advance(1000);
  publish("early", "a");
  clock_.advance(1000);
  const Millis from = clock_.now_ms();
  publish("wholesale", "a", "wholesale");
  publish("retail", "a", "retail");
  clock_.advance(1000);
  const Millis to = clock_.now_ms();
  clock_.advance(1000);
  publish("late", "a");
  ASSERT_GT(from, start);
  const std::string arn = queue("window.fifo");
  auto sub = subscribe(arn, {{"FilterPolicy", R"({"kind":["retail"]})"}});
  ASSERT_TRUE(sub);
  ASSERT_TRUE(topics_.set_subscription_attributes(*sub, "ReplayPolicy", replay_from(from, to)));
  auto got = drain("window.fifo");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].message, "retail");
  EXPECT_TRUE(got[0].replayed);
}

TEST_F(TopicArchiveTest, ReplaysAreRefusedOutsideTheArchive) {
  const std::string arn = queue("refused.fifo");
  // Before archiving began.
  auto early = subscribe(arn, {{"ReplayPolicy", replay_from(clock_.now_ms() - 60'000)}});
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, Errc::kInvalidParameterValue);
  // Not a policy.
  auto malformed = subscribe(arn, {{"ReplayPolicy", R"({"PointType":"Sequence"})"}});
  ASSERT_FALSE(malformed);
  // A topic without an ArchivePolicy has nothing to replay.
  auto plain = topics_.create_topic({.name = "plain.fifo", .attributes = {{"FifoTopic", "true"}}});
  ASSERT_TRUE(plain);
  auto none = topics_.subscribe({.topic_arn = *plain,
                                 .protocol = "sqs",
                                 .endpoint = arn,
                                 .attributes = {{"ReplayPolicy", replay_from(clock_.now_ms())}}});
  ASSERT_FALSE(none);
  // ReplayStatus is the broker's to set.
  auto sub = subscribe(arn, {});
  ASSERT_TRUE(sub);
  EXPECT_FALSE(topics_.set_subscription_attributes(*sub, "ReplayStatus", "Completed"));
  // The archive policy's own rules.
  EXPECT_FALSE(
      topics_.set_topic_attributes(topic_, "ArchivePolicy", R"({"MessageRetentionPeriod":"366"})"));
  EXPECT_FALSE(topics_.create_topic(
      {.name = "std-archive",
       .attributes = {{"ArchivePolicy", R"({"MessageRetentionPeriod":"1"})"}}}));
}

TEST_F(TopicArchiveTest, BeginningArchiveTimeFollowsTheRetentionPeriod) {
  const Millis created = clock_.now_ms();
  auto attributes = topics_.get_topic_attributes(topic_);
  ASSERT_TRUE(attributes);
  EXPECT_EQ(attributes->at("BeginningArchiveTime"), utc_timestamp(created));
  clock_.advance(Millis{3} * 24 * 60 * 60 * 1000);  // retention is 2 days
  attributes = topics_.get_topic_attributes(topic_);
  EXPECT_EQ(attributes->at("BeginningArchiveTime"),
            utc_timestamp(clock_.now_ms() - Millis{2} * 24 * 60 * 60 * 1000));
  // Turning archiving off ends it.
  ASSERT_TRUE(topics_.set_topic_attributes(topic_, "ArchivePolicy", "{}"));
  attributes = topics_.get_topic_attributes(topic_);
  EXPECT_FALSE(attributes->contains("BeginningArchiveTime"));
}

}  // namespace
}  // namespace eb::app
