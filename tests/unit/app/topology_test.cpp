// The declared topology applied to a real broker (ManualClock, MemoryEngine), and exported.
#include "app/topology.hpp"

#include <gtest/gtest.h>

#include "core/manual_clock.hpp"
#include "storage/memory_engine.hpp"

namespace eb::app {
namespace {

// Generating an RSA key takes a while; every test signs with the same one.
std::shared_ptr<const MessageSigner> test_signer() {
  static const auto signer =
      std::make_shared<const MessageSigner>(*MessageSigner::generate("sns.test"));
  return signer;
}

class RecordingEndpoints final : public sns::EndpointDelivery {
 public:
  void deliver(sns::EndpointMessage message) override { messages.push_back(std::move(message)); }
  std::vector<sns::EndpointMessage> messages;
};

// One daemon's worth of broker state.
struct Daemon {
  ManualClock clock;
  storage::MemoryEngine store{true};
  sqs::Queues broker{clock, clock, store};
  RecordingEndpoints endpoints;
  sns::Topics topics{clock,     store,
                     broker,    test_signer(),
                     endpoints, sns::TopicsOptions{.base_url = "http://127.0.0.1:4566"}};

  Result<ApplyReport> apply(std::string_view yaml) {
    auto topology = config::parse_topology(yaml, "test.yaml");
    EXPECT_TRUE(topology) << topology.error().message;
    if (!topology) return fail(Errc::kInvalidParameterValue, topology.error().message);
    return apply_topology(broker, topics, *topology);
  }
  std::string queue_attribute(const std::string& queue, const std::string& name) {
    auto r = broker.get_queue_attributes(queue, {name});
    return r && r->contains(name) ? r->at(name) : "<missing>";
  }
  std::string topic_arn(const std::string& name) { return topics.topic_arn(name); }
};

constexpr std::string_view kTopology = R"(
topics:
  - name: portfolio-events
    attributes: {DisplayName: Portfolio events}
    tags: {team: platform}
queues:
  - name: order-events-queue
    attributes: {VisibilityTimeout: 300, MessageRetentionPeriod: 1209600,
                 ReceiveMessageWaitTimeSeconds: 20, MaximumMessageSize: 262144}
    redrive: {dead_letter_queue: order-events-dlq, max_receive_count: 3}
    tags: {service: order}
  - name: order-events-dlq
subscriptions:
  - topic: portfolio-events
    protocol: sqs
    endpoint: order-events-queue
    filter_policy: {eventType: [order.created, order.paid, order.shipped]}
    raw_message_delivery: true
  - topic: portfolio-events
    protocol: https
    endpoint: https://hooks.example.com/events
)";

TEST(ApplyTopology, CreatesEverythingThenChangesNothing) {
  Daemon d;
  auto first = d.apply(kTopology);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->created,
            (std::vector<std::string>{
                "queue order-events-queue", "queue order-events-dlq", "topic portfolio-events",
                "subscription portfolio-events -> sqs:order-events-queue",
                "subscription portfolio-events -> https:https://hooks.example.com/events"}));
  EXPECT_TRUE(first->updated.empty());
  EXPECT_TRUE(first->deleted.empty());

  EXPECT_EQ(d.queue_attribute("order-events-queue", "VisibilityTimeout"), "300");
  EXPECT_EQ(d.queue_attribute("order-events-queue", "ReceiveMessageWaitTimeSeconds"), "20");
  EXPECT_EQ(d.queue_attribute("order-events-queue", "RedrivePolicy"),
            R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:order-events-dlq",)"
            R"("maxReceiveCount":3})");
  EXPECT_EQ(d.broker.list_queue_tags("order-events-queue")->at("service"), "order");
  EXPECT_EQ(d.topics.get_topic_attributes(d.topic_arn("portfolio-events"))->at("DisplayName"),
            "Portfolio events");
  EXPECT_EQ(d.topics.list_tags_for_resource(d.topic_arn("portfolio-events"))->at("team"),
            "platform");

  // The SQS subscription filters and delivers raw.
  for (const char* type : {"order.created", "inventory.reserved"}) {
    sns::PublishInput in;
    in.topic_arn = d.topic_arn("portfolio-events");
    in.message = type;
    in.attributes = {{"eventType", MessageAttributeValue{"String", type, {}}}};
    ASSERT_TRUE(d.topics.publish(std::move(in)));
  }
  std::vector<std::string> bodies;
  bool done = false;
  sqs::ReceiveInput receive;
  receive.max_messages = 10;
  receive.wait_seconds = 0;
  d.broker.receive_message("order-events-queue", receive, [&](const auto& r) {
    done = true;
    if (r) {
      for (const auto& m : *r) bodies.push_back(m.body);
    }
  });
  ASSERT_TRUE(done);
  EXPECT_EQ(bodies, std::vector<std::string>{"order.created"});

  auto second = d.apply(kTopology);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_FALSE(second->changed()) << second->summary();
  EXPECT_EQ(second->summary(), "0 created, 0 updated, 0 deleted");
}

TEST(ApplyTopology, UpdatesWhatChanged) {
  Daemon d;
  ASSERT_TRUE(d.apply(kTopology));
  const std::string changed = R"(
topics:
  - name: portfolio-events
    attributes: {DisplayName: Renamed}
    tags: {team: platform, cost: shared}
queues:
  - name: order-events-queue
    attributes: {VisibilityTimeout: 60, MessageRetentionPeriod: 1209600,
                 ReceiveMessageWaitTimeSeconds: 20, MaximumMessageSize: 262144}
    redrive: {dead_letter_queue: order-events-dlq, max_receive_count: 5}
    tags: {service: order}
  - name: order-events-dlq
    tags: {kind: dlq}
subscriptions:
  - topic: portfolio-events
    protocol: sqs
    endpoint: order-events-queue
    filter_policy: {eventType: [order.created]}
    raw_message_delivery: false
  - topic: portfolio-events
    protocol: https
    endpoint: https://hooks.example.com/events
)";
  auto r = d.apply(changed);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->created.empty());
  EXPECT_EQ(r->updated,
            (std::vector<std::string>{"queue order-events-queue", "queue order-events-dlq",
                                      "topic portfolio-events",
                                      "subscription portfolio-events -> sqs:order-events-queue"}));
  EXPECT_EQ(d.queue_attribute("order-events-queue", "VisibilityTimeout"), "60");
  EXPECT_NE(d.queue_attribute("order-events-queue", "RedrivePolicy").find("\"maxReceiveCount\":5"),
            std::string::npos);
  EXPECT_EQ(d.broker.list_queue_tags("order-events-dlq")->at("kind"), "dlq");
  EXPECT_EQ(d.topics.get_topic_attributes(d.topic_arn("portfolio-events"))->at("DisplayName"),
            "Renamed");
  EXPECT_EQ(d.topics.list_tags_for_resource(d.topic_arn("portfolio-events"))->size(), 2u);

  const config::Topology exported = export_topology(d.broker, d.topics);
  const auto& sub = exported.subscriptions.at(1);
  ASSERT_EQ(sub.endpoint, "order-events-queue");
  EXPECT_EQ(sub.filter_policy, R"({"eventType":["order.created"]})");
  EXPECT_FALSE(sub.raw_message_delivery);  // false is the default, not exported

  auto again = d.apply(changed);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_FALSE(again->changed()) << again->summary();
}

TEST(ApplyTopology, PruneDeletesWhatIsNotDeclared) {
  Daemon d;
  ASSERT_TRUE(d.apply(kTopology));
  ASSERT_TRUE(d.broker.create_queue({"stray-queue", {}, {}}));
  ASSERT_TRUE(d.topics.create_topic({"stray-topic", {}, {}, {}}));

  // Without prune, what is not declared stays.
  auto kept = d.apply("queues:\n  - name: order-events-dlq\n");
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_FALSE(kept->changed());
  EXPECT_TRUE(d.broker.get_queue("stray-queue"));

  auto pruned = d.apply(R"(
prune: true
topics:
  - name: portfolio-events
queues:
  - name: order-events-queue
  - name: order-events-dlq
subscriptions:
  - {topic: portfolio-events, protocol: sqs, endpoint: order-events-queue}
)");
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_TRUE(pruned->created.empty());
  EXPECT_EQ(pruned->deleted,
            (std::vector<std::string>{
                "subscription arn:aws:sns:us-east-1:000000000000:portfolio-events -> "
                "https:https://hooks.example.com/events",
                "topic stray-topic", "queue stray-queue"}));
  EXPECT_FALSE(d.broker.get_queue("stray-queue"));
  auto topics = d.topics.list_topics({});
  EXPECT_EQ(topics->topic_arns, std::vector<std::string>{d.topic_arn("portfolio-events")});
  auto subscriptions = d.topics.list_subscriptions({});
  ASSERT_EQ(subscriptions->subscriptions.size(), 1u);
  EXPECT_EQ(subscriptions->subscriptions[0].protocol, "sqs");
  // Attributes the file does not name are left alone, prune or not.
  EXPECT_EQ(d.queue_attribute("order-events-queue", "VisibilityTimeout"), "300");

  // Prune with an empty topology empties the broker.
  auto emptied = d.apply("prune: true\n");
  ASSERT_TRUE(emptied) << emptied.error().message;
  EXPECT_EQ(emptied->deleted.size(), 4u) << emptied->summary();
  EXPECT_TRUE(d.broker.list_queues({})->names.empty());
}

TEST(ApplyTopology, ExportEmitParseApplyReproducesTheTopology) {
  Daemon a;
  ASSERT_TRUE(a.apply(kTopology));
  // Things made through the API show up too.
  ASSERT_TRUE(a.broker.create_queue({"api-queue", {{"DelaySeconds", "5"}}, {{"k", "v"}}}));
  auto sub = a.topics.subscribe({a.topic_arn("portfolio-events"),
                                 "sqs",
                                 a.broker.queue_arn("api-queue"),
                                 {{"FilterPolicy", R"({"body": {"n": [{"numeric": [">", 1]}]}})"},
                                  {"FilterPolicyScope", "MessageBody"}},
                                 true});
  ASSERT_TRUE(sub) << sub.error().message;

  const config::Topology exported = export_topology(a.broker, a.topics);
  const std::string text = config::emit_topology(exported);
  auto parsed = config::parse_topology(text, "export");
  ASSERT_TRUE(parsed) << parsed.error().message << "\n" << text;
  EXPECT_EQ(*parsed, exported) << text;

  Daemon b;
  auto applied = apply_topology(b.broker, b.topics, *parsed);
  ASSERT_TRUE(applied) << applied.error().message << "\n" << text;
  EXPECT_EQ(config::emit_topology(export_topology(b.broker, b.topics)), text);
  // And onto the broker it came from, it changes nothing.
  auto same = apply_topology(a.broker, a.topics, *parsed);
  ASSERT_TRUE(same) << same.error().message;
  EXPECT_FALSE(same->changed()) << same->summary();

  ASSERT_EQ(exported.queues.size(), 3u);
  EXPECT_EQ(exported.queues[0].name, "api-queue");
  EXPECT_EQ(exported.queues[0].attributes, (config::StringMap{{"DelaySeconds", "5"}}));
  const config::QueueSpec& orders = exported.queues[2];
  ASSERT_TRUE(orders.redrive);
  EXPECT_EQ(orders.redrive->dead_letter_queue, "order-events-dlq");
  EXPECT_FALSE(orders.attributes.contains("RedrivePolicy"));
  EXPECT_EQ(exported.topics.at(0).attributes,
            (config::StringMap{{"DisplayName", "Portfolio events"}}));
}

TEST(ApplyTopology, ReportsEveryProblemByItemAndChangesNothing) {
  Daemon d;
  auto r = d.apply(R"(
topics:
  - name: bad.name
queues:
  - name: ok-queue
  - name: slow-queue
    attributes: {VisibilityTimeout: 99999}
  - name: orphan
    redrive: {dead_letter_queue: missing-dlq, max_receive_count: 2}
subscriptions:
  - topic: nowhere
    protocol: sqs
    endpoint: ok-queue
  - topic: bad.name
    protocol: sqs
    endpoint: ok-queue
    filter_policy: {eventType: order.created}
  - topic: bad.name
    protocol: carrier-pigeon
    endpoint: roof
)");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "queue slow-queue: InvalidAttributeValue: Invalid value for the parameter "
            "VisibilityTimeout.\n"
            "queue orphan: InvalidParameterValue: redrive: dead-letter queue missing-dlq is not "
            "declared and does not exist\n"
            "topic bad.name: InvalidParameterValue: Invalid parameter: Topic Name\n"
            "subscription nowhere -> sqs:ok-queue: NotFound: topic nowhere is not declared and "
            "does not exist\n"
            "subscription bad.name -> sqs:ok-queue: InvalidParameterValue: Invalid parameter: "
            "FilterPolicy: \"eventType\" must be an object or an array\n"
            "subscription bad.name -> carrier-pigeon:roof: InvalidParameterValue: Invalid "
            "parameter: Amazon SNS does not support this protocol string: carrier-pigeon");
  EXPECT_TRUE(d.broker.list_queues({})->names.empty());
  EXPECT_TRUE(d.topics.list_topics({})->topic_arns.empty());
}

TEST(ApplyTopology, InvalidFilterPolicyNamesTheSubscription) {
  Daemon d;
  ASSERT_TRUE(d.apply(kTopology));
  auto r = d.apply(R"(
subscriptions:
  - topic: portfolio-events
    protocol: sqs
    endpoint: order-events-queue
    filter_policy: {eventType: [{prefix: 1}]}
)");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with(
      "subscription portfolio-events -> sqs:order-events-queue: InvalidParameterValue: "
      "Invalid parameter: FilterPolicy: "))
      << r.error().message;
}

TEST(ApplyTopology, SubscriptionsMayReferToWhatAlreadyExists) {
  Daemon d;
  ASSERT_TRUE(d.broker.create_queue({"existing", {}, {}}));
  ASSERT_TRUE(d.topics.create_topic({"existing-topic", {}, {}, {}}));
  auto r = d.apply(R"(
subscriptions:
  - topic: arn:aws:sns:us-east-1:000000000000:existing-topic
    protocol: sqs
    endpoint: http://localhost:4566/000000000000/existing
)");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->created.size(), 1u);
  auto subs = d.topics.list_subscriptions({});
  ASSERT_EQ(subs->subscriptions.size(), 1u);
  EXPECT_EQ(subs->subscriptions[0].endpoint, d.broker.queue_arn("existing"));
  // The queue's name, URL and ARN are the same subscription.
  auto again = d.apply(R"(
subscriptions:
  - {topic: existing-topic, protocol: sqs, endpoint: existing}
  - {topic: existing-topic, protocol: sqs, endpoint: "arn:aws:sqs:us-east-1:000000000000:existing"}
)");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_FALSE(again->changed()) << again->summary();
}

TEST(ApplyTopology, TheShippedConfigurationAppliesCleanly) {
  auto topology = config::load_topology_file(EB_SOURCE_DIR "/config/eventbrokerd.yaml");
  ASSERT_TRUE(topology) << topology.error().message;
  Daemon d;
  auto r = apply_topology(d.broker, d.topics, *topology);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->created.size(), 14u) << r->summary();  // 2 topics, 8 queues, 4 subscriptions
  EXPECT_EQ(d.queue_attribute("order-events-queue", "VisibilityTimeout"), "300");
  EXPECT_EQ(d.queue_attribute("order-events-queue", "MessageRetentionPeriod"), "1209600");
  EXPECT_EQ(d.queue_attribute("order-events-queue", "ReceiveMessageWaitTimeSeconds"), "20");
  EXPECT_EQ(d.queue_attribute("order-events-queue", "MaximumMessageSize"), "262144");
  EXPECT_EQ(d.queue_attribute("order-events-queue", "RedrivePolicy"),
            R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:order-events-dlq",)"
            R"("maxReceiveCount":3})");
  auto again = apply_topology(d.broker, d.topics, *topology);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_FALSE(again->changed()) << again->summary();
}

}  // namespace
}  // namespace eb::app
