// EventPublisher through real Topics into a real queue (ManualClock, MemoryEngine): what a
// subscriber receives is the design's envelope with the EventBus's two attributes.
#include "plugins/event_publisher.hpp"

#include <gtest/gtest.h>

#include "core/manual_clock.hpp"
#include "core/signing.hpp"
#include "sns/topics.hpp"
#include "sqs/queues.hpp"
#include "storage/memory_engine.hpp"

namespace eb::plugins {
namespace {

class NoEndpoints final : public sns::EndpointDelivery {
 public:
  void deliver(sns::EndpointMessage) override {}
};

class EventPublisherTest : public ::testing::Test {
 protected:
  ManualClock clock_{1'764'670'000'000};
  storage::MemoryEngine store_;
  sqs::Queues queues_{clock_, clock_, store_};
  NoEndpoints endpoints_;
  sns::Topics topics_{
      clock_,     store_,
      queues_,    std::make_shared<const MessageSigner>(*MessageSigner::generate("test")),
      endpoints_, sns::TopicsOptions{.sign_sqs_envelopes = false}};
  std::string topic_arn_ = topics_.create_topic({"events", {}, {}, {}}).value();

  void subscribe(const std::string& queue, const std::string& filter) {
    ASSERT_TRUE(queues_.create_queue({queue, {}, {}}));
    ASSERT_TRUE(topics_.subscribe({topic_arn_,
                                   "sqs",
                                   queues_.queue_arn(queue),
                                   {{"RawMessageDelivery", "true"}, {"FilterPolicy", filter}},
                                   false}));
  }

  std::vector<sqs::ReceivedMessage> receive(const std::string& queue) {
    sqs::ReceiveInput in;
    in.wait_seconds = 0;
    in.max_messages = 10;
    in.message_attribute_names = {"All"};
    std::vector<sqs::ReceivedMessage> out;
    queues_.receive_message(queue, std::move(in), [&](auto r) {
      if (r) out = std::move(*r);
    });
    return out;
  }
};

TEST_F(EventPublisherTest, SubscribersGetTheEnvelopeWithEventTypeAndCorrelationId) {
  subscribe("inventory-replies", R"({"eventType":["inventory.reserved"]})");
  EventPublisher publisher(topics_, clock_, topic_arn_, "inventory-service");
  auto id = publisher.publish({.type = "inventory.reserved",
                               .data = R"({"orderId":"o-1"})",
                               .correlation_id = "saga-1",
                               .causation_id = "evt-0"});
  ASSERT_TRUE(id) << id.error().message;
  ASSERT_TRUE(publisher.publish({.type = "inventory.released", .correlation_id = "saga-1"}));

  auto got = receive("inventory-replies");
  ASSERT_EQ(got.size(), 1u);  // the filter policy routed on eventType
  EXPECT_EQ(got[0].message_attributes.at("eventType").string_value, "inventory.reserved");
  EXPECT_EQ(got[0].message_attributes.at("correlationId").string_value, "saga-1");
  auto e = decode(got[0].body);
  ASSERT_TRUE(e) << got[0].body;
  EXPECT_EQ(e->id, id->id);
  EXPECT_EQ(e->type, "inventory.reserved");
  EXPECT_EQ(e->source, "inventory-service");
  EXPECT_EQ(e->version, "1.0");
  EXPECT_EQ(e->timestamp, utc_timestamp(clock_.now_ms()));
  EXPECT_EQ(e->correlation_id, "saga-1");
  EXPECT_EQ(e->causation_id, "evt-0");
  EXPECT_EQ(e->data, R"({"orderId":"o-1"})");
}

TEST_F(EventPublisherTest, AGivenIdIsKeptAndAMissingTopicFails) {
  subscribe("all", R"({"eventType":[{"exists":true}]})");
  EventPublisher publisher(topics_, clock_, topic_arn_, "order-service");
  auto published = publisher.publish({.type = "order.created", .id = "evt-42"});
  ASSERT_TRUE(published);
  EXPECT_EQ(published->id, "evt-42");
  EXPECT_EQ(decode(receive("all").at(0).body)->id, "evt-42");

  EventPublisher nowhere(topics_, clock_, topic_arn_ + "-gone", "order-service");
  auto r = nowhere.publish({.type = "order.created"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kNotFound);
}

}  // namespace
}  // namespace eb::plugins
