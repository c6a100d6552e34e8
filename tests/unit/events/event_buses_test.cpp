#include "events/event_buses.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/manual_clock.hpp"
#include "events/targets.hpp"
#include "sqs/queues.hpp"
#include "storage/memory_engine.hpp"

namespace eb::events {
namespace {

class EventBusesTest : public ::testing::Test {
 protected:
  ManualClock clock_{1'709'208'000'000};  // 2024-02-29T12:00:00Z
  storage::MemoryEngine store_{false};
  sqs::Queues queues_{clock_, clock_, store_};
  EventBuses buses_{clock_, clock_, store_, queues_};

  void SetUp() override {
    ASSERT_TRUE(queues_.recover());
    ASSERT_TRUE(buses_.recover());
  }

  std::string queue(const std::string& name, AttributeMap attributes = {}) {
    auto created = queues_.create_queue({name, std::move(attributes), {}});
    EXPECT_TRUE(created) << (created ? "" : created.error().message);
    return queues_.queue_arn(name);
  }

  std::vector<std::string> drain(const std::string& queue) {
    std::vector<std::string> bodies;
    std::optional<Result<std::vector<sqs::ReceivedMessage>>> out;
    sqs::ReceiveInput in;
    in.wait_seconds = 0;
    in.max_messages = 10;
    queues_.receive_message(queue, in, [&](auto r) { out = std::move(r); });
    if (out && out->has_value()) {
      // Deleted, so a later drain sees only what arrived since.
      for (const auto& m : **out) {
        bodies.push_back(m.body);
        EXPECT_TRUE(queues_.delete_message(queue, m.receipt_handle));
      }
    }
    return bodies;
  }

  void rule(const std::string& name, const std::string& pattern, const std::string& target_arn,
            std::optional<std::string> bus = std::nullopt, const std::string& dead_letter = {}) {
    PutRuleInput in;
    in.name = name;
    in.bus = bus;
    in.event_pattern = pattern;
    auto put = buses_.put_rule(in);
    ASSERT_TRUE(put) << put.error().message;
    const std::string dlq =
        dead_letter.empty() ? "" : R"(,"DeadLetterConfig":{"Arn":")" + dead_letter + R"("})";
    auto target = parse_target(R"({"Id":"t","Arn":")" + target_arn + "\"" + dlq + "}");
    ASSERT_TRUE(target) << target.error().message;
    auto targets = buses_.put_targets(bus, name, {*target});
    ASSERT_TRUE(targets) << targets.error().message;
  }

  static PutEventsEntry entry(std::string source, std::string detail = "{}") {
    PutEventsEntry e;
    e.source = std::move(source);
    e.detail_type = "Something Happened";
    e.detail = std::move(detail);
    return e;
  }

  static PutEventsEntry on_bus(std::string bus, std::string source) {
    PutEventsEntry e = entry(std::move(source));
    e.bus = std::move(bus);
    return e;
  }

  // Counts of `values`, every other one 0.
  static std::array<std::uint64_t, BusCounts::kSize> only(
      std::initializer_list<std::pair<BusCount, std::uint64_t>> values) {
    BusCounts out;
    for (const auto& [count, n] : values) out.values[static_cast<std::size_t>(count)] = n;
    return out.values;
  }

  // What /metrics reads of bus `bus`.
  BusCounts counts_of(const std::string& bus) {
    for (const BusStats& b : buses_.stats().buses) {
      if (b.name == bus) return b.counts;
    }
    ADD_FAILURE() << "no bus " << bus;
    return {};
  }
};

TEST_F(EventBusesTest, TheDefaultBusExistsAfterRecoveryAndCannotBeDeleted) {
  auto bus = buses_.describe_event_bus(std::nullopt);
  ASSERT_TRUE(bus);
  EXPECT_EQ(bus->arn, "arn:aws:events:us-east-1:000000000000:event-bus/default");
  auto deleted = buses_.delete_event_bus("default");
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().code, Errc::kValidationError);
}

TEST_F(EventBusesTest, AMatchingEventReachesTheQueueInTheEnvelopeWithItsTime) {
  const std::string arn = queue("q");
  rule("r", R"({"source":["shop"],"detail":{"n":[{"numeric":[">",1]}]}})", arn);
  auto matched = entry("shop", R"({ "n" : 2 })");
  matched.time = 1'709'208'015'123;
  matched.resources = {"arn:aws:x"};
  auto put = buses_.put_events({matched, entry("shop", R"({"n":1})"), entry("other")});
  ASSERT_TRUE(put) << put.error().message;
  EXPECT_EQ(put->failed_entry_count, 0);
  auto bodies = drain("q");
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0], R"({"version":"0","id":")" + put->entries[0].event_id +
                           R"(","detail-type":"Something Happened","source":"shop",)"
                           R"("account":"000000000000","time":"2024-02-29T12:00:15Z",)"
                           R"("region":"us-east-1","resources":["arn:aws:x"],"detail":{"n":2}})");
}

TEST_F(EventBusesTest, DisabledRulesDoNotFire) {
  const std::string arn = queue("q");
  rule("r", R"({"source":["shop"]})", arn);
  ASSERT_TRUE(buses_.set_rule_enabled(std::nullopt, "r", false));
  ASSERT_TRUE(buses_.put_events({entry("shop")}));
  EXPECT_TRUE(drain("q").empty());
  ASSERT_TRUE(buses_.set_rule_enabled(std::nullopt, "r", true));
  ASSERT_TRUE(buses_.put_events({entry("shop")}));
  EXPECT_EQ(drain("q").size(), 1u);
}

TEST_F(EventBusesTest, EntriesAreCheckedOneByOne) {
  PutEventsEntry no_source = entry("x");
  no_source.source.reset();
  auto put = buses_.put_events({no_source, entry("x", "[1]"), entry("x", "{")});
  ASSERT_TRUE(put);
  EXPECT_EQ(put->failed_entry_count, 3);
  EXPECT_EQ(put->entries[0].error_code, "InvalidArgument");
  EXPECT_EQ(put->entries[1].error_code, "MalformedDetail");
  EXPECT_EQ(put->entries[2].error_code, "MalformedDetail");
  std::vector<PutEventsEntry> eleven(11, entry("x"));
  EXPECT_EQ(buses_.put_events(eleven).error().code, Errc::kValidationError);
}

TEST_F(EventBusesTest, RulesAndTargetsSurviveARestart) {
  const std::string arn = queue("q");
  CreateBusInput bus;
  bus.name = "orders";
  ASSERT_TRUE(buses_.create_event_bus(bus));
  rule("r", R"({"source":["shop"]})", arn, "orders");
  EventBuses restarted{clock_, clock_, store_, queues_};
  ASSERT_TRUE(restarted.recover());
  auto described = restarted.describe_rule("orders", "r");
  ASSERT_TRUE(described) << described.error().message;
  EXPECT_EQ(described->arn, "arn:aws:events:us-east-1:000000000000:rule/orders/r");
  auto e = entry("shop");
  e.bus = "orders";
  ASSERT_TRUE(restarted.put_events({e}));
  EXPECT_EQ(drain("q").size(), 1u);
}

TEST_F(EventBusesTest, ARuleTakesFiveTargetsAtMost) {
  const std::string arn = queue("q");
  PutRuleInput in;
  in.name = "r";
  in.event_pattern = R"({"source":["a"]})";
  ASSERT_TRUE(buses_.put_rule(in));
  std::vector<TargetSpec> targets;
  for (int i = 0; i < 6; ++i) {
    targets.push_back(
        *parse_target(R"({"Id":")" + std::to_string(i) + R"(","Arn":")" + arn + R"("})"));
  }
  auto put = buses_.put_targets(std::nullopt, "r", targets);
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, Errc::kLimitExceeded);
  targets.pop_back();
  EXPECT_TRUE(buses_.put_targets(std::nullopt, "r", targets));
}

TEST_F(EventBusesTest, TestEventPatternWantsTheEnvelopeFields) {
  const std::string event =
      R"({"id":"1","account":"1","source":"s","time":"t","region":"r","resources":[],)"
      R"("detail-type":"d","detail":{"a":1}})";
  EXPECT_EQ(buses_.test_event_pattern(R"({"detail":{"a":[1]}})", event).value(), true);
  EXPECT_EQ(buses_.test_event_pattern(R"({"detail":{"a":["1"]}})", event).value(), false);
  EXPECT_EQ(buses_.test_event_pattern(R"({"source":["s"]})", R"({"source":"s"})").error().code,
            Errc::kValidationError);
  EXPECT_EQ(buses_.test_event_pattern(R"({"source":"s"})", event).error().code,
            Errc::kInvalidEventPattern);
}

TEST_F(EventBusesTest, AScheduledRuleFiresOnTheClockFromItsCreation) {
  const std::string arn = queue("q");
  PutRuleInput in;
  in.name = "every-minute";
  in.schedule_expression = "rate(1 minute)";
  auto rule_arn = buses_.put_rule(in);
  ASSERT_TRUE(rule_arn) << rule_arn.error().message;
  ASSERT_TRUE(buses_.put_targets(std::nullopt, "every-minute",
                                 {*parse_target(R"({"Id":"t","Arn":")" + arn + R"("})")}));
  clock_.advance(59'999);
  EXPECT_TRUE(drain("q").empty());
  clock_.advance(2 * 60'000);  // to 12:02:59.999: 12:01:00 and 12:02:00 fall due
  auto bodies = drain("q");
  ASSERT_EQ(bodies.size(), 2u);
  // Each firing is a match of the rule on the default bus, no PutEvents entry.
  EXPECT_EQ(counts_of("default")[BusCount::kMatched], 2u);
  EXPECT_EQ(counts_of("default")[BusCount::kDelivered], 2u);
  EXPECT_EQ(counts_of("default")[BusCount::kPutAccepted], 0u);
  simdjson::dom::parser parser;
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    simdjson::dom::element event = parser.parse(bodies[i]).value();
    EXPECT_EQ(event["source"].get_string().value(), "aws.events");
    EXPECT_EQ(event["detail-type"].get_string().value(), "Scheduled Event");
    EXPECT_EQ(event["resources"].at(0).get_string().value(), *rule_arn);
    EXPECT_EQ(simdjson::minify(event["detail"]), "{}");
  }
  std::vector<std::string> times;
  for (const auto& b : bodies) times.emplace_back(parser.parse(b)["time"].get_string().value());
  std::sort(times.begin(), times.end());
  EXPECT_EQ(times, (std::vector<std::string>{"2024-02-29T12:01:00Z", "2024-02-29T12:02:00Z"}));

  // Disabled, it stops; enabled again, it keeps its rhythm.
  ASSERT_TRUE(buses_.set_rule_enabled(std::nullopt, "every-minute", false));
  clock_.advance(5 * 60'000);
  EXPECT_TRUE(drain("q").empty());
  ASSERT_TRUE(buses_.set_rule_enabled(std::nullopt, "every-minute", true));
  clock_.advance(60'000);
  EXPECT_EQ(drain("q").size(), 1u);
}

TEST_F(EventBusesTest, SchedulesAreValidatedAndOnlyOnTheDefaultBus) {
  PutRuleInput in;
  in.name = "r";
  in.schedule_expression = "rate(1 minutes)";
  auto bad = buses_.put_rule(in);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::kValidationError);
  EXPECT_EQ(bad.error().message, "Parameter ScheduleExpression is not valid.");
  CreateBusInput bus;
  bus.name = "custom";
  ASSERT_TRUE(buses_.create_event_bus(bus));
  in.schedule_expression = "cron(0 12 * * ? *)";
  in.bus = "custom";
  auto custom = buses_.put_rule(in);
  ASSERT_FALSE(custom);
  EXPECT_EQ(custom.error().message,
            "ScheduleExpression is supported only on the default event bus.");
}

TEST_F(EventBusesTest, AScheduleResumesAfterARestart) {
  const std::string arn = queue("q");
  PutRuleInput in;
  in.name = "noon";
  in.schedule_expression = "cron(0 12 * * ? *)";
  ASSERT_TRUE(buses_.put_rule(in));
  ASSERT_TRUE(buses_.put_targets(std::nullopt, "noon",
                                 {*parse_target(R"({"Id":"t","Arn":")" + arn + R"("})")}));
  EventBuses restarted{clock_, clock_, store_, queues_};
  ASSERT_TRUE(restarted.recover());
  clock_.advance(24 * 3'600'000);  // the next noon, once from each instance
  EXPECT_EQ(drain("q").size(), 2u);
}

TEST_F(EventBusesTest, PutsMatchesAndInvocationOutcomesCountOnTheirBus) {
  ASSERT_TRUE(buses_.create_event_bus({.name = "orders"}));
  const std::string q = queue("q");
  const std::string dlq = queue("dlq");
  const std::string missing = "arn:aws:sqs:us-east-1:000000000000:missing";
  const std::string shop = R"({"source":["shop"]})";
  rule("to-queue", shop, q);
  rule("dead-lettered", shop, missing, "orders", dlq);
  rule("lost", shop, missing, "orders");

  auto put = buses_.put_events({entry("shop"), entry("shop", "[1]"), entry("other"),
                                on_bus("orders", "shop"), on_bus("nope", "shop")});
  ASSERT_TRUE(put) << put.error().message;
  ASSERT_EQ(put->failed_entry_count, 1);

  using C = BusCount;
  EXPECT_EQ(counts_of("default").values,
            only({{C::kPutAccepted, 2}, {C::kPutFailed, 1}, {C::kMatched, 1}, {C::kDelivered, 1}}));
  // One dead-lettered and one lost to a missing queue.
  EXPECT_EQ(counts_of("orders").values, only({{C::kPutAccepted, 1},
                                              {C::kMatched, 2},
                                              {C::kFailed, 2},
                                              {C::kDeadLettered, 1},
                                              {C::kDropped, 1}}));
  // The event for a bus that does not exist is accepted and dropped, on no bus.
  EXPECT_EQ(buses_.stats().other.values, only({{C::kPutAccepted, 1}, {C::kDropped, 1}}));
}

TEST_F(EventBusesTest, ADeletedBusKeepsItsCountsInTheTotals) {
  ASSERT_TRUE(buses_.create_event_bus({.name = "orders"}));
  rule("r", R"({"source":["shop"]})", queue("q"), "orders");
  ASSERT_TRUE(buses_.put_events({on_bus("orders", "shop"), on_bus("orders", "shop")}));
  ASSERT_TRUE(buses_.delete_event_bus("orders"));
  const auto stats = buses_.stats();
  ASSERT_EQ(stats.buses.size(), 1u);  // default
  EXPECT_EQ(stats.other[BusCount::kPutAccepted], 2u);
  EXPECT_EQ(stats.other[BusCount::kDelivered], 2u);
  // A new bus of the same name starts at 0; the old one's counts stay in the totals, and a
  // reset keeps them too.
  ASSERT_TRUE(buses_.create_event_bus({.name = "orders"}));
  EXPECT_EQ(counts_of("orders")[BusCount::kPutAccepted], 0u);
  ASSERT_TRUE(buses_.reset());
  EXPECT_EQ(buses_.stats().other[BusCount::kDelivered], 2u);
}

}  // namespace
}  // namespace eb::events
