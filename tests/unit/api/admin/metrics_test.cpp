// MetricsPage over one account's real domains (Queues, Topics, EventBuses, Scheduler) and the
// SNS HTTP deliverer on a ManualClock and a MemoryEngine: the EventBridge, Scheduler and SNS
// HTTP/S families as the page writes them, their outcome labels, the per-bus cap and the totals
// a deleted bus leaves.
#include "api/admin/metrics.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <string>

#include "core/manual_clock.hpp"
#include "core/signing.hpp"
#include "events/event_buses.hpp"
#include "events/scheduler.hpp"
#include "events/targets.hpp"
#include "sns/endpoint_delivery.hpp"
#include "sns/topics.hpp"
#include "sqs/queues.hpp"
#include "storage/memory_engine.hpp"

namespace eb::api::admin {
namespace {

constexpr std::string_view kAccount = "000000000000";

// Keeps each POST until the test answers it.
class HeldPoster final : public sns::HttpPoster {
 public:
  void post(const std::string&, Headers, std::string, Done done) override {
    held.push_back(std::move(done));
  }
  void answer(int status) {
    auto done = std::move(held.front());
    held.pop_front();
    done(status, {});
  }
  std::deque<Done> held;
};

class MetricsPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(queues_.recover());
    ASSERT_TRUE(topics_.recover());
    ASSERT_TRUE(buses_.recover());
    ASSERT_TRUE(scheduler_.recover());
    ASSERT_TRUE(queues_.create_queue({"q", {}, {}}));
  }

  std::string render(std::size_t max_series = 10000) {
    MetricsPage page(MetricsSources{.version = "test",
                                    .durability = "memory",
                                    .for_each_account =
                                        [this](const MetricsSources::AccountVisit& visit) {
                                          visit({.account = kAccount,
                                                 .queues = queues_,
                                                 .topics = topics_,
                                                 .buses = &buses_,
                                                 .scheduler = &scheduler_});
                                        },
                                    .endpoint_deliveries = &deliveries_,
                                    .max_series_per_family = max_series});
    return page.render();
  }

  // A rule on `bus` sending every event of source "shop" to queue "q".
  void rule_to_queue(const std::string& bus) {
    events::PutRuleInput in;
    in.name = "to-q";
    in.bus = bus;
    in.event_pattern = R"({"source":["shop"]})";
    ASSERT_TRUE(buses_.put_rule(in));
    auto target = events::parse_target(R"({"Id":"t","Arn":")" + queues_.queue_arn("q") + "\"}");
    ASSERT_TRUE(target);
    ASSERT_TRUE(buses_.put_targets(bus, "to-q", {*target}));
  }

  void put(const std::string& bus, int n = 1) {
    events::PutEventsEntry e;
    e.source = "shop";
    e.detail_type = "Thing";
    e.detail = "{}";
    e.bus = bus;
    for (int i = 0; i < n; ++i) ASSERT_TRUE(buses_.put_events({e}));
  }

  static bool has(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos;
  }
  static std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }

  ManualClock clock_{1'714'564'800'000};
  storage::MemoryEngine engine_{false};
  sqs::Queues queues_{clock_, clock_, engine_};
  HeldPoster poster_;
  sns::EndpointDeliveries deliveries_{clock_, clock_, poster_};
  sns::Topics topics_{clock_, engine_, queues_,
                      std::make_shared<const MessageSigner>(*MessageSigner::generate("sns.test")),
                      deliveries_};
  events::EventBuses buses_{clock_, clock_, engine_, queues_};
  events::Scheduler scheduler_{clock_, clock_, engine_, queues_, buses_};
};

TEST_F(MetricsPageTest, BusCountersAreWrittenPerBusAndInTotalsWithTheirOutcomes) {
  ASSERT_TRUE(buses_.create_event_bus({.name = "orders"}));
  rule_to_queue("default");
  rule_to_queue("orders");
  put("default", 2);
  put("orders");
  put("missing");  // accepted and dropped: in the totals only

  const std::string text = render();
  EXPECT_TRUE(has(text, "eventbrokerd_eventbridge_buses 2"));
  EXPECT_TRUE(has(text, R"(eventbrokerd_eventbridge_events_put_total{outcome="accepted"} 4)"));
  EXPECT_TRUE(has(text, R"(eventbrokerd_eventbridge_events_put_total{outcome="failed"} 0)"));
  EXPECT_TRUE(has(text, "eventbrokerd_eventbridge_rule_matches_total 3"));
  EXPECT_TRUE(has(text, R"(eventbrokerd_eventbridge_invocations_total{outcome="delivered"} 3)"));
  EXPECT_TRUE(has(text, "eventbrokerd_eventbridge_events_dropped_total 1"));
  EXPECT_TRUE(has(text, R"(eventbrokerd_eventbridge_bus_events_put_total{account="000000000000",)"
                        R"(bus="default",outcome="accepted"} 2)"));
  EXPECT_TRUE(has(text, R"(eventbrokerd_eventbridge_bus_invocations_total{account="000000000000",)"
                        R"(bus="orders",outcome="delivered"} 1)"));
  // One HELP and TYPE per family, however many outcomes it has.
  EXPECT_EQ(occurrences(text, "# TYPE eventbrokerd_eventbridge_invocations_total counter"), 1U);
  EXPECT_EQ(occurrences(text, "# TYPE eventbrokerd_eventbridge_bus_events_put_total counter"), 1U);

  // Deleted, the bus leaves its series and keeps its counts in the totals.
  ASSERT_TRUE(buses_.delete_event_bus("orders"));
  const std::string after = render();
  EXPECT_TRUE(has(after, R"(eventbrokerd_eventbridge_invocations_total{outcome="delivered"} 3)"));
  EXPECT_EQ(after.find(R"(bus="orders")"), std::string::npos);
}

TEST_F(MetricsPageTest, BusSeriesPastTheCapAreSummedIntoOther) {
  for (const char* name : {"a", "b"}) {
    ASSERT_TRUE(buses_.create_event_bus({.name = name}));
    rule_to_queue(name);
    put(name);
  }
  const std::string text = render(/*max_series=*/1);  // buses a, b, default: a stays
  EXPECT_TRUE(has(text, R"(eventbrokerd_eventbridge_bus_rule_matches_total{account="000000000000",)"
                        R"(bus="a"} 1)"));
  EXPECT_TRUE(has(text, R"(eventbrokerd_eventbridge_bus_rule_matches_total{account="_other",)"
                        R"(bus="_other"} 1)"));
  EXPECT_EQ(text.find(R"(bus="b")"), std::string::npos);
}

TEST_F(MetricsPageTest, SchedulerAndSnsHttpFamilies) {
  events::ScheduleInput in;
  in.name = "once";
  in.expression = "at(2024-05-01T12:01:00)";
  in.target.arn = queues_.queue_arn("q");
  in.target.role_arn = "arn:aws:iam::000000000000:role/scheduler";
  ASSERT_TRUE(scheduler_.create_schedule(in));
  clock_.advance(60'000);

  deliveries_.deliver(sns::EndpointMessage{.subscription_arn = "arn:aws:sns:us-east-1:0:t:1",
                                           .topic_arn = "arn:aws:sns:us-east-1:0:t",
                                           .protocol = "http",
                                           .endpoint = "http://127.0.0.1:9/hook",
                                           .message_type = "Notification",
                                           .message_id = "m",
                                           .body = "{}"});
  clock_.advance(5);
  poster_.answer(200);

  const std::string text = render();
  EXPECT_TRUE(has(text, R"(eventbrokerd_scheduler_invocations_total{outcome="delivered"} 1)"));
  EXPECT_TRUE(has(text, R"(eventbrokerd_scheduler_invocations_total{outcome="failed"} 0)"));
  EXPECT_TRUE(has(text, "eventbrokerd_scheduler_invocation_retries_total 0"));
  EXPECT_TRUE(has(text, R"(eventbrokerd_sns_http_posts_total{outcome="delivered"} 1)"));
  EXPECT_TRUE(has(text, R"(eventbrokerd_sns_http_deliveries_total{outcome="delivered"} 1)"));
  EXPECT_TRUE(has(text, R"(eventbrokerd_sns_http_deliveries_total{outcome="dead_lettered"} 0)"));
  EXPECT_TRUE(has(text, "eventbrokerd_sns_http_post_duration_seconds_count 1"));
  EXPECT_TRUE(has(text, "eventbrokerd_sns_http_post_duration_seconds_sum 0.005"));
  EXPECT_TRUE(has(text, R"(eventbrokerd_sns_http_post_duration_seconds_bucket{le="0.004096"} 0)"));
  EXPECT_TRUE(has(text, R"(eventbrokerd_sns_http_post_duration_seconds_bucket{le="0.008192"} 1)"));
}

TEST_F(MetricsPageTest, AccountsWithoutBusesOrSchedulerWriteNoSuchFamilies) {
  MetricsPage page(
      MetricsSources{.for_each_account = [this](const MetricsSources::AccountVisit& visit) {
        visit({.account = kAccount, .queues = queues_, .topics = topics_});
      }});
  const std::string text = page.render();
  EXPECT_EQ(text.find("eventbrokerd_eventbridge_"), std::string::npos);
  EXPECT_EQ(text.find("eventbrokerd_scheduler_"), std::string::npos);
  EXPECT_EQ(text.find("eventbrokerd_sns_http_"), std::string::npos);
  EXPECT_NE(text.find("eventbrokerd_sqs_queues"), std::string::npos);
}

}  // namespace
}  // namespace eb::api::admin
