#include "config/topology.hpp"

#include <gtest/gtest.h>

namespace eb::config {
namespace {

constexpr std::string_view kFull = R"(# settings keys live in the same file
listen: 127.0.0.1:4566
prune: true
topics:
  - name: portfolio-events
    attributes: {DisplayName: Portfolio events}
    tags: {team: platform}
  - name: plain
queues:
  - name: order-events-dlq
    attributes: {MessageRetentionPeriod: 1209600}
  - name: order-events-queue
    attributes:
      VisibilityTimeout: 300
      Policy: {Version: "2012-10-17", Statement: []}
    redrive: {dead_letter_queue: order-events-dlq, max_receive_count: 3}
    tags: {}
subscriptions:
  - topic: portfolio-events
    protocol: sqs
    endpoint: order-events-queue
    filter_policy:
      eventType: [order.created, order.paid]
      amount: [{numeric: [">", 0, "<=", 1.5e3]}]
      flag: [true, "true", null, "123"]
    filter_policy_scope: MessageAttributes
    raw_message_delivery: yes
    attributes: {RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq"}'}
plugins: []
)";

TEST(Topology, ParsesEveryShape) {
  auto t = parse_topology(kFull, "eb.yaml");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_TRUE(t->prune);
  ASSERT_EQ(t->topics.size(), 2u);
  EXPECT_EQ(t->topics[0].name, "portfolio-events");
  EXPECT_EQ(t->topics[0].attributes, (StringMap{{"DisplayName", "Portfolio events"}}));
  EXPECT_EQ(t->topics[0].tags, (StringMap{{"team", "platform"}}));
  EXPECT_TRUE(t->topics[1].attributes.empty());

  ASSERT_EQ(t->queues.size(), 2u);
  EXPECT_FALSE(t->queues[0].redrive);
  const QueueSpec& q = t->queues[1];
  EXPECT_EQ(q.attributes.at("VisibilityTimeout"), "300");
  EXPECT_EQ(q.attributes.at("Policy"), R"({"Version":"2012-10-17","Statement":[]})");
  ASSERT_TRUE(q.redrive);
  EXPECT_EQ(q.redrive->dead_letter_queue, "order-events-dlq");
  EXPECT_EQ(q.redrive->max_receive_count, 3);

  ASSERT_EQ(t->subscriptions.size(), 1u);
  const SubscriptionSpec& s = t->subscriptions[0];
  EXPECT_EQ(s.topic, "portfolio-events");
  EXPECT_EQ(s.protocol, "sqs");
  EXPECT_EQ(s.endpoint, "order-events-queue");
  EXPECT_EQ(
      s.filter_policy,
      R"({"eventType":["order.created","order.paid"],"amount":[{"numeric":[">",0,"<=",1.5e3]}],"flag":[true,"true",null,"123"]})");
  EXPECT_EQ(s.filter_policy_scope, "MessageAttributes");
  EXPECT_EQ(s.raw_message_delivery, true);
  EXPECT_EQ(s.attributes.at("RedrivePolicy"),
            R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq"})");
}

TEST(Topology, EmptyAndSettingsOnlyDocumentsAreEmptyTopologies) {
  for (std::string_view text : {"", "# nothing\n", "listen: 0.0.0.0:1\nregion: eu-west-1\n",
                                "topics:\nqueues: []\nsubscriptions:\nplugins:\n"}) {
    auto t = parse_topology(text);
    ASSERT_TRUE(t) << text << ": " << t.error().message;
    EXPECT_EQ(*t, Topology{});
  }
}

TEST(Topology, FilterPolicyMayBeJsonText) {
  auto t = parse_topology(
      "subscriptions:\n"
      "  - {topic: t, protocol: sqs, endpoint: q,\n"
      "     filter_policy: '{ \"eventType\" : [\"a\", 1] }'}\n");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->subscriptions[0].filter_policy, R"({"eventType":["a",1]})");
}

TEST(Topology, SettingsIgnoreTheTopologyKeys) {
  auto settings = parse_settings(kFull, "eb.yaml");
  ASSERT_TRUE(settings) << settings.error().message;
  auto unknown = parse_settings("topicz: []\n", "eb.yaml");
  ASSERT_FALSE(unknown);
  EXPECT_TRUE(unknown.error().message.starts_with("eb.yaml:1:1: unknown key 'topicz' (known: "))
      << unknown.error().message;
  EXPECT_NE(unknown.error().message.find("subscriptions"), std::string::npos);
}

struct BadCase {
  const char* yaml;
  const char* error;
};

TEST(Topology, EventBusesAndRulesRoundTrip) {
  auto t = parse_topology(R"(
event_buses:
  - {name: shop, description: d, tags: {team: a}}
rules:
  - name: big
    bus: shop
    event_pattern: '{"source": ["shop"], "detail": {"n": [{"numeric": [">", 1]}]}}'
    targets:
      - {Id: q, Arn: "arn:aws:sqs:us-east-1:000000000000:q", InputPath: $.detail}
  - {name: tick, schedule: rate(5 minutes), state: DISABLED}
)");
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_EQ(t->event_buses.size(), 1u);
  EXPECT_EQ(t->event_buses[0].tags.at("team"), "a");
  ASSERT_EQ(t->rules.size(), 2u);
  EXPECT_EQ(t->rules[0].event_pattern,
            R"({"source":["shop"],"detail":{"n":[{"numeric":[">",1]}]}})");
  EXPECT_EQ(
      t->rules[0].targets,
      std::vector<std::string>{
          R"({"Id":"q","Arn":"arn:aws:sqs:us-east-1:000000000000:q","InputPath":"$.detail"})"});
  EXPECT_EQ(t->rules[1].schedule, "rate(5 minutes)");
  auto again = parse_topology(emit_topology(*t));
  ASSERT_TRUE(again) << again.error().message << "\n" << emit_topology(*t);
  EXPECT_EQ(*again, *t);
}

// Found by fuzz/config_yaml: yaml-cpp read a byte that is not UTF-8 as U+FFFD, so this rule's
// pattern was exported as text that read back as another pattern.
TEST(Topology, TextThatIsNotUtf8IsRefusedWhereItStops) {
  const std::string yaml =
      "rules:\n  - name: big\n    event_pattern: '{\"source\": [\"\xFF\xFE\"]}'\n";
  auto t = parse_topology(yaml, "t.yaml");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().message,
            "t.yaml:3:34: byte 0xFF is not UTF-8 (the configuration must be UTF-8 text)");
  EXPECT_EQ(t.error().line, 3);
  auto s = parse_settings("listen: \"127.0.0.1:4566\"\n# caf\xC3\n", "s.yaml");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message,
            "s.yaml:2:6: byte 0xC3 is not UTF-8 (the configuration must be UTF-8 text)");
  EXPECT_TRUE(parse_topology("topics:\n  - name: caf\xC3\xA9\n"));  // UTF-8 is fine
}

TEST(Topology, EveryErrorNamesFileLineAndColumn) {
  const BadCase cases[] = {
      {"- a\n", "t.yaml:1:1: the configuration must be a mapping of keys to values"},
      {"topicz: []\n", "t.yaml:1:1: unknown key 'topicz' (known: listen, "},
      {"prune: maybe\n", "t.yaml:1:8: 'prune' must be true or false, not 'maybe'"},
      {"plugins: {a: 1}\n", "t.yaml:1:10: 'plugins' must be a list"},
      {"topics: {name: x}\n", "t.yaml:1:9: 'topics' must be a list of topics"},
      {"topics:\n  - just-a-name\n",
       "t.yaml:2:5: each entry of 'topics' must be a mapping (a topic)"},
      {"topics:\n  - attributes: {}\n", "t.yaml:2:5: a topic needs 'name'"},
      {"topics:\n  - name: a\n    colour: red\n",
       "t.yaml:3:5: unknown key 'colour' in a topic (known: name, attributes, tags)"},
      {"topics:\n  - name: [a]\n", "t.yaml:2:11: 'name' must be a single value"},
      {"topics:\n  - name: \"\"\n", "t.yaml:2:11: 'name' must not be empty"},
      {"topics:\n  - name: a\n  - name: b\n  - name: a\n",
       "t.yaml:4:5: duplicate topic 'a' (first declared at line 2)"},
      {"topics:\n  - name: a\n    tags: {k: [1]}\n", "t.yaml:3:15: tag 'k' must be a single value"},
      {"topics:\n  - name: a\n    tags: [k]\n",
       "t.yaml:3:11: tag must be a mapping of keys to values"},
      {"topics:\n  - name: a\n    name: b\n", "t.yaml:3:5: duplicate key 'name'"},
      {"queues:\n  - name: q\n    redrive: {dead_letter_queue: d}\n",
       "t.yaml:3:14: 'redrive' needs 'max_receive_count'"},
      {"queues:\n  - name: q\n    redrive: {max_receive_count: 2}\n",
       "t.yaml:3:14: 'redrive' needs 'dead_letter_queue'"},
      {"queues:\n  - name: q\n    redrive: {dead_letter_queue: d, max_receive_count: 0}\n",
       "t.yaml:3:56: 'max_receive_count' must be a number from 1 to 1000, not '0'"},
      {"queues:\n  - name: q\n    redrive: {dead_letter_queue: d, count: 2}\n",
       "t.yaml:3:37: unknown key 'count' in 'redrive' (known: dead_letter_queue, "
       "max_receive_count)"},
      {"queues:\n  - name: q\n    attributes: {RedrivePolicy: x}\n",
       "t.yaml:3:17: RedrivePolicy is declared with 'redrive: "},
      {"queues:\n  - name: q\n  - name: q\n",
       "t.yaml:3:5: duplicate queue 'q' (first declared at line 2)"},
      {"subscriptions:\n  - {topic: t, protocol: sqs}\n",
       "t.yaml:2:5: a subscription needs 'endpoint'"},
      {"subscriptions:\n  - {topic: t, endpoint: q}\n",
       "t.yaml:2:5: a subscription needs 'protocol'"},
      {"subscriptions:\n  - {topic: t, protocol: sqs, endpoint: q, filter_policy: [a]}\n",
       "t.yaml:2:59: 'filter_policy' must be a mapping (or the JSON text of an object)"},
      {"subscriptions:\n  - {topic: t, protocol: sqs, endpoint: q, filter_policy: '{x'}\n",
       "t.yaml:2:59: 'filter_policy' must be a mapping (or the JSON text of an object)"},
      {"subscriptions:\n  - {topic: t, protocol: sqs, endpoint: q, filter_policy: {a: 1, a: 2}}\n",
       "t.yaml:2:66: duplicate key 'a'"},
      {"subscriptions:\n  - {topic: t, protocol: sqs, endpoint: q, filter_policy_scope: Body}\n",
       "t.yaml:2:65: 'filter_policy_scope' must be MessageAttributes or MessageBody, not 'Body'"},
      {"subscriptions:\n  - {topic: t, protocol: sqs, endpoint: q, raw_message_delivery: 1}\n",
       "t.yaml:2:66: 'raw_message_delivery' must be true or false, not '1'"},
      {"subscriptions:\n  - {topic: t, protocol: sqs, endpoint: q, attributes: {FilterPolicy: "
       "x}}\n",
       "t.yaml:2:56: FilterPolicy is declared with its own key"},
      {"subscriptions:\n  - {topic: t, protocol: sqs, endpoint: q}\n"
       "  - {topic: t, protocol: sqs, endpoint: q}\n",
       "t.yaml:3:5: duplicate subscription of sqs endpoint 'q' to topic 't' (first declared at "
       "line 2)"},
      {"event_buses:\n  - name: default\n",
       "t.yaml:2:5: the default event bus exists already; declare its rules"},
      {"event_buses:\n  - name: b\n  - name: b\n",
       "t.yaml:3:5: duplicate event bus 'b' (first declared at line 2)"},
      {"rules:\n  - name: r\n", "t.yaml:2:5: a rule needs 'event_pattern' or 'schedule'"},
      {"rules:\n  - {name: r, schedule: rate(1 hour), state: OFF}\n",
       "t.yaml:2:46: 'state' must be ENABLED or DISABLED, not 'OFF'"},
      {"rules:\n  - {name: r, event_pattern: [a]}\n",
       "t.yaml:2:30: 'event_pattern' must be a mapping (or the JSON text of an object)"},
      {"rules:\n  - {name: r, schedule: rate(1 hour), targets: [{Id: q}]}\n",
       "t.yaml:2:49: a target needs 'Id' and 'Arn'"},
      {"rules:\n  - {name: r, schedule: rate(1 hour)}\n  - {name: r, schedule: rate(2 hours)}\n",
       "t.yaml:3:5: duplicate rule 'r' (first declared at line 2)"},
      {"topics: [\n", "t.yaml:2:1: "},  // yaml-cpp's own syntax error, with its position
  };
  for (const auto& c : cases) {
    auto t = parse_topology(c.yaml, "t.yaml");
    ASSERT_FALSE(t) << c.yaml;
    EXPECT_TRUE(t.error().message.starts_with(c.error))
        << c.yaml << "\n got: " << t.error().message << "\nwant: " << c.error;
    EXPECT_GT(t.error().line, 0) << c.yaml;
    EXPECT_GT(t.error().column, 0) << c.yaml;
  }
}

TEST(Topology, MissingFileIsAnErrorWithoutPosition) {
  auto t = load_topology_file("/nonexistent/eb.yaml");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().message, "/nonexistent/eb.yaml: cannot open the configuration file");
  EXPECT_EQ(t.error().line, 0);
}

TEST(Topology, EmitThenParseGivesTheSameTopology) {
  auto t = parse_topology(kFull, "eb.yaml");
  ASSERT_TRUE(t) << t.error().message;
  // Values whose text YAML could read as something else.
  t->topics[1].attributes = {{"DisplayName", ""},
                             {"Odd", "# not a comment: [x]"},
                             {"Bool", "true"},
                             {"Num", "007"},
                             {"Multi", "a\nb"}};
  t->topics[1].tags = {{"empty", ""}, {"null", "null"}, {"spaces", "  padded "}};
  t->subscriptions.push_back({"arn:aws:sns:us-east-1:000000000000:t",
                              "https",
                              "https://example.com/hook?a=b&c=d",
                              R"({"a":{"b":["yes","",""]}})",
                              "MessageBody",
                              false,
                              {}});
  const std::string text = emit_topology(*t);
  auto back = parse_topology(text, "emitted");
  ASSERT_TRUE(back) << back.error().message << "\n" << text;
  EXPECT_EQ(*back, *t) << text;
  EXPECT_EQ(emit_topology(*back), text);
  // Filter policies come out as YAML, not JSON text.
  EXPECT_NE(text.find("eventType: [order.created, order.paid]"), std::string::npos) << text;

  const Topology empty;
  auto empty_back = parse_topology(emit_topology(empty));
  ASSERT_TRUE(empty_back);
  EXPECT_EQ(*empty_back, empty);
}

TEST(Topology, CanonicalJsonIgnoresLayout) {
  EXPECT_EQ(canonical_json("{ \"a\" : [ 1, \"x\", true, null ], \"b\":{}}"),
            R"({"a":[1,"x",true,null],"b":{}})");
  EXPECT_EQ(canonical_json(R"({"q":"say \"hi\"\\ \u00e9"})"),
            "{\"q\":\"say \\\"hi\\\"\\\\ \xc3\xa9\"}");
  EXPECT_FALSE(canonical_json("{"));
  EXPECT_FALSE(canonical_json("plain"));
}

TEST(Topology, ParsesTheShippedConfiguration) {
  auto t = load_topology_file(EB_SOURCE_DIR "/config/eventbrokerd.yaml");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_FALSE(t->prune);
  ASSERT_FALSE(t->topics.empty());
  EXPECT_EQ(t->topics[0].name, "portfolio-events");
  auto settings = load_settings_file(EB_SOURCE_DIR "/config/eventbrokerd.yaml");
  ASSERT_TRUE(settings) << settings.error().message;
}

}  // namespace
}  // namespace eb::config
