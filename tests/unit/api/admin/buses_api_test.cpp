// The /v1/buses and /v1/event-patterns routes over EventBuses on a ManualClock and a
// MemoryEngine: request in, response out, no socket.
#include "api/admin/buses_api.hpp"

#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "core/json_escape.hpp"
#include "core/manual_clock.hpp"
#include "events/event_buses.hpp"
#include "events/targets.hpp"
#include "sqs/queues.hpp"
#include "storage/memory_engine.hpp"

namespace eb::api::admin {
namespace {
namespace http = boost::beast::http;

constexpr std::string_view kQueueArn = "arn:aws:sqs:us-east-1:000000000000:orders";
// A complete event as TestEventPattern wants it.
constexpr std::string_view kEvent =
    R"({"id":"1","account":"000000000000","source":"shop","time":"2024-05-01T12:00:00Z",)"
    R"("region":"us-east-1","resources":[],"detail-type":"OrderPlaced","detail":{"total":40}})";

class BusesApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(queues_.recover());
    ASSERT_TRUE(buses_.recover());
    ASSERT_TRUE(queues_.create_queue({"orders", {}, {}}));
    ASSERT_TRUE(queues_.create_queue({"orders-dlq", {}, {}}));
    ASSERT_TRUE(buses_.create_event_bus(
        {.name = "shop", .description = "the shop's events", .dead_letter_arn = "arn:dlq"}));
    ASSERT_TRUE(buses_.put_rule({.name = "placed",
                                 .bus = "shop",
                                 .event_pattern = R"({"source": ["shop"]})",
                                 .description = "orders placed"}));
    auto target = eb::events::parse_target(
        R"({"Id":"to-orders","Arn":")" + std::string(kQueueArn) +
        R"(","InputTransformer":{"InputPathsMap":{"total":"$.detail.total"},)"
        R"("InputTemplate":"{\"total\": <total>}"},"RetryPolicy":{"MaximumRetryAttempts":3},)"
        R"("DeadLetterConfig":{"Arn":"arn:aws:sqs:us-east-1:000000000000:orders-dlq"}})");
    ASSERT_TRUE(target) << target.error().message;
    ASSERT_TRUE(buses_.put_targets("shop", "placed", {*target}));
  }

  net::HttpResponse call(http::verb verb, std::string target, std::string body = {}) {
    net::HttpRequest req{verb, target, 11};
    req.set(http::field::host, "localhost:4566");
    req.body() = std::move(body);
    return api_.handle(req);
  }

  // The bodies the queue holds, received and deleted.
  std::vector<std::string> drain(const std::string& queue) {
    std::vector<std::string> bodies;
    eb::sqs::ReceiveInput in;
    in.wait_seconds = 0;
    in.max_messages = 10;
    queues_.receive_message(queue, in, [&](auto received) {
      if (!received) return;
      for (const auto& m : *received) {
        bodies.push_back(m.body);
        EXPECT_TRUE(queues_.delete_message(queue, m.receipt_handle));
      }
    });
    return bodies;
  }

  ManualClock clock_{1'714'564'800'000};  // 2024-05-01T12:00:00Z
  storage::MemoryEngine engine_{true};
  eb::sqs::Queues queues_{clock_, clock_, engine_};
  eb::events::EventBuses buses_{clock_, clock_, engine_, queues_};
  BusesApi api_{buses_};
};

TEST_F(BusesApiTest, ListsBuses) {
  auto res = call(http::verb::get, "/v1/buses");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(res.body(),
            R"({"buses":[{"name":"default",)"
            R"("arn":"arn:aws:events:us-east-1:000000000000:event-bus/default",)"
            R"("description":null,"ruleCount":0,"archiveCount":0,"deadLetterArn":null,)"
            R"("createdAt":"2024-05-01T12:00:00.000Z"},)"
            R"({"name":"shop","arn":"arn:aws:events:us-east-1:000000000000:event-bus/shop",)"
            R"("description":"the shop's events","ruleCount":1,"archiveCount":0,)"
            R"("deadLetterArn":"arn:dlq","createdAt":"2024-05-01T12:00:00.000Z"}]})");
  EXPECT_EQ(call(http::verb::get, "/v1/buses/").body(), res.body());
}

TEST_F(BusesApiTest, ShowsABusWithItsRulesAndTargets) {
  ASSERT_TRUE(buses_.put_rule({.name = "hourly", .schedule_expression = "rate(1 hour)"}));
  auto res = call(http::verb::get, "/v1/buses/shop");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(res.body(),
            R"({"name":"shop","arn":"arn:aws:events:us-east-1:000000000000:event-bus/shop",)"
            R"("description":"the shop's events","ruleCount":1,"archiveCount":0,)"
            R"("deadLetterArn":"arn:dlq","createdAt":"2024-05-01T12:00:00.000Z","rules":[)"
            R"({"name":"placed","arn":"arn:aws:events:us-east-1:000000000000:rule/shop/placed",)"
            R"("state":"ENABLED","description":"orders placed",)"
            R"("eventPattern":{"source":["shop"]},"scheduleExpression":null,"managedBy":null,)"
            R"("targets":[{"id":"to-orders","arn":"arn:aws:sqs:us-east-1:000000000000:orders",)"
            R"("input":null,"inputPath":null,"inputTransformer":{"inputPathsMap":)"
            R"({"total":"$.detail.total"},"inputTemplate":"{\"total\": <total>}"},)"
            R"("deadLetterArn":"arn:aws:sqs:us-east-1:000000000000:orders-dlq",)"
            R"("retryPolicy":{"maximumRetryAttempts":3,"maximumEventAgeInSeconds":null}}]}]})");
  // By ARN too; a schedule instead of a pattern.
  res = call(http::verb::get,
             "/v1/buses/arn%3Aaws%3Aevents%3Aus-east-1%3A000000000000%3Aevent-bus%2Fdefault");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_NE(res.body().find(R"("ruleCount":1,)"), std::string::npos) << res.body();
  EXPECT_NE(res.body().find(R"x("eventPattern":null,"scheduleExpression":"rate(1 hour)",)x"),
            std::string::npos)
      << res.body();
  EXPECT_NE(res.body().find(R"("targets":[])"), std::string::npos) << res.body();
}

TEST_F(BusesApiTest, PutsAnEventThroughTheBusRules) {
  ASSERT_TRUE(queues_.create_queue({"audit", {}, {}}));
  ASSERT_TRUE(buses_.put_rule(
      {.name = "everything", .bus = "shop", .event_pattern = R"({"source":[{"prefix":""}]})"}));
  ASSERT_TRUE(buses_.put_targets(
      "shop", "everything",
      {*eb::events::parse_target(R"({"Id":"a","Arn":")" + queues_.queue_arn("audit") + "\"}")}));
  auto res = call(http::verb::post, "/v1/buses/shop/events",
                  R"({"source":"shop","detailType":"OrderPlaced","detail":{"total":40},)"
                  R"("resources":["arn:order/1"],"time":"2024-05-01T11:00:00Z"})");
  ASSERT_EQ(res.result(), http::status::created) << res.body();
  EXPECT_TRUE(res.body().starts_with(R"({"eventId":")")) << res.body();
  EXPECT_EQ(drain("orders"), std::vector<std::string>{R"({"total":40})"});
  const std::vector<std::string> audited = drain("audit");
  ASSERT_EQ(audited.size(), 1u);
  for (const char* member :
       {R"("detail-type":"OrderPlaced")", R"("source":"shop")", R"("time":"2024-05-01T11:00:00Z")",
        R"("resources":["arn:order/1"])", R"("detail":{"total":40})"}) {
    EXPECT_NE(audited[0].find(member), std::string::npos) << member << " " << audited[0];
  }
  EXPECT_NE(audited[0].find(res.body().substr(12, 36)), std::string::npos) << audited[0];
  // A detail given as a string; an event no rule matches.
  res = call(http::verb::post, "/v1/buses/shop/events",
             R"({"source":"elsewhere","detailType":"X","detail":"{\"a\":1}"})");
  ASSERT_EQ(res.result(), http::status::created) << res.body();
  EXPECT_TRUE(drain("orders").empty());
  EXPECT_EQ(drain("audit").size(), 1u);
}

TEST_F(BusesApiTest, RefusesBadEvents) {
  const std::tuple<const char*, const char*, http::status, const char*> cases[] = {
      {"/v1/buses/shop/events", "not json", http::status::bad_request, "MalformedRequest"},
      {"/v1/buses/shop/events", "[]", http::status::bad_request, "MalformedRequest"},
      {"/v1/buses/shop/events", R"({"source":7,"detailType":"X","detail":{}})",
       http::status::bad_request, "MalformedRequest"},
      {"/v1/buses/shop/events", R"({"source":"s","detailType":"X","detail":{},"time":"noon"})",
       http::status::bad_request, "MalformedRequest"},
      {"/v1/buses/shop/events", R"({"source":"s","detailType":"X","detail":{},"resources":"r"})",
       http::status::bad_request, "MalformedRequest"},
      // PutEvents' own entry errors, as its ErrorCode and ErrorMessage.
      {"/v1/buses/shop/events", R"({"source":"s","detailType":"X","detail":"not json"})",
       http::status::bad_request, "MalformedDetail"},
      {"/v1/buses/shop/events", R"({"source":"s","detailType":"X","detail":[1]})",
       http::status::bad_request, "MalformedDetail"},
      {"/v1/buses/shop/events", R"({"detailType":"X","detail":{}})", http::status::bad_request,
       "InvalidArgument"},
      {"/v1/buses/missing/events", R"({"source":"s","detailType":"X","detail":{}})",
       http::status::not_found, "ResourceNotFoundException"},
  };
  for (const auto& [target, body, status, code] : cases) {
    auto res = call(http::verb::post, target, body);
    EXPECT_EQ(res.result(), status) << body << " " << res.body();
    EXPECT_NE(res.body().find(code), std::string::npos) << body << " " << res.body();
  }
  EXPECT_NE(call(http::verb::post, "/v1/buses/shop/events", R"({"detailType":"X","detail":{}})")
                .body()
                .find("Source is a required argument"),
            std::string::npos);
  EXPECT_TRUE(drain("orders").empty());
}

TEST_F(BusesApiTest, TestsEventPatterns) {
  const auto test = [&](const std::string& body) {
    return call(http::verb::post, "/v1/event-patterns/test", body);
  };
  auto res = test(R"({"eventPattern":{"detail":{"total":[{"numeric":[">",30]}]}},"event":)" +
                  std::string(kEvent) + "}");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(res.body(), R"({"matches":true})");
  // Both as strings, as TestEventPattern takes them.
  res = test(R"({"eventPattern":"{\"source\":[\"other\"]}","event":")" + json_escape(kEvent) +
             R"("})");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(res.body(), R"({"matches":false})");

  res = test(R"({"eventPattern":{"source":"shop"},"event":)" + std::string(kEvent) + "}");
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_NE(res.body().find("InvalidEventPatternException"), std::string::npos) << res.body();
  res = test(R"({"eventPattern":{"source":["shop"]},"event":{"source":"shop","id":"1"}})");
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_NE(res.body().find(R"("code":"ValidationException")"), std::string::npos) << res.body();
  EXPECT_NE(res.body().find("missing the required field account"), std::string::npos) << res.body();
  res = test(R"({"eventPattern":{"source":["shop"]}})");
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_NE(res.body().find("MissingParameter"), std::string::npos) << res.body();
  EXPECT_NE(test("{").body().find("MalformedRequest"), std::string::npos);
}

TEST_F(BusesApiTest, Errors) {
  auto res = call(http::verb::get, "/v1/buses/missing");
  EXPECT_EQ(res.result(), http::status::not_found);
  EXPECT_NE(res.body().find(R"("code":"ResourceNotFoundException")"), std::string::npos)
      << res.body();
  EXPECT_EQ(call(http::verb::get, "/v1/buses/shop/rules").result(), http::status::not_found);
  EXPECT_EQ(call(http::verb::get, "/v1/event-patterns").result(), http::status::not_found);
  EXPECT_EQ(call(http::verb::get, "/v1/buses/%zz").result(), http::status::bad_request);
  const std::tuple<http::verb, const char*, const char*> wrong[] = {
      {http::verb::post, "/v1/buses", "GET"},
      {http::verb::delete_, "/v1/buses/shop", "GET"},
      {http::verb::get, "/v1/buses/shop/events", "POST"},
      {http::verb::get, "/v1/event-patterns/test", "POST"},
  };
  for (const auto& [verb, target, allow] : wrong) {
    res = call(verb, target);
    EXPECT_EQ(res.result(), http::status::method_not_allowed) << target;
    EXPECT_EQ(res[http::field::allow], allow) << target;
  }
}

}  // namespace
}  // namespace eb::api::admin
