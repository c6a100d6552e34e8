#include "api/aws/fault_injection.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "api/aws/dispatcher.hpp"
#include "core/manual_clock.hpp"
#include "faults/fault_rules.hpp"

namespace eb::api::aws {
namespace {
namespace http = boost::beast::http;

using Names = std::vector<std::string>;

AwsRequest query(std::vector<std::pair<std::string, std::string>> form) {
  AwsRequest r;
  r.protocol = Protocol::kQuery;
  r.host = "localhost:4566";
  r.form = std::move(form);
  r.http.method(http::verb::post);
  r.http.target("/");
  return r;
}

TEST(FaultResources, QueryMembersAndTheirNames) {
  auto r = query({{"Action", "Publish"},
                  {"TopicArn", "arn:aws:sns:us-east-1:000000000000:orders"},
                  {"Message", "orders"}});
  EXPECT_EQ(fault_resources(r), (Names{"orders", "arn:aws:sns:us-east-1:000000000000:orders"}));
  r = query({{"QueueUrl", "http://localhost:4566/000000000000/jobs"}});
  EXPECT_EQ(fault_resources(r), (Names{"jobs", "http://localhost:4566/000000000000/jobs"}));
}

TEST(FaultResources, QueryPostedToTheQueueUrl) {
  auto r = query({{"Action", "SendMessage"}});
  r.http.target("/000000000000/jobs");
  EXPECT_EQ(fault_resources(r), (Names{"jobs", "http://localhost:4566/000000000000/jobs"}));
}

TEST(FaultResources, JsonTopLevelMembers) {
  AwsRequest r;
  r.protocol = Protocol::kJson;
  r.http.body() = R"({"EventBusName":"arn:aws:events:us-east-1:000000000000:event-bus/orders",)"
                  R"("Entries":[{"EventBusName":"nested"}],"QueueName":7})";
  EXPECT_EQ(fault_resources(r),
            (Names{"orders", "arn:aws:events:us-east-1:000000000000:event-bus/orders"}));
  r.http.body() = "not json";
  EXPECT_TRUE(fault_resources(r).empty());
}

TEST(FaultResources, RestJsonPathName) {
  AwsRequest r;
  r.protocol = Protocol::kRestJson;
  r.http.method(http::verb::post);
  r.http.target("/schedules/nightly?groupName=default");
  EXPECT_EQ(fault_resources(r), (Names{"nightly"}));
}

TEST(RestJsonOperation, MethodAndPath) {
  net::HttpRequest r;
  const auto op = [&](http::verb verb, std::string_view target) {
    r.method(verb);
    r.target(target);
    return rest_json_operation(r);
  };
  EXPECT_EQ(op(http::verb::get, "/schedules"), "ListSchedules");
  EXPECT_EQ(op(http::verb::post, "/schedules/a"), "CreateSchedule");
  EXPECT_EQ(op(http::verb::put, "/schedules/a"), "UpdateSchedule");
  EXPECT_EQ(op(http::verb::delete_, "/schedules/a"), "DeleteSchedule");
  EXPECT_EQ(op(http::verb::get, "/schedule-groups?MaxResults=3"), "ListScheduleGroups");
  EXPECT_EQ(op(http::verb::get, "/schedule-groups/g"), "GetScheduleGroup");
  EXPECT_EQ(op(http::verb::post, "/tags/arn:aws:scheduler:x"), "TagResource");
  EXPECT_EQ(op(http::verb::get, "/elsewhere"), "");
}

TEST(FaultWireError, StatusesAndShapes) {
  EXPECT_EQ(fault_wire_error("sqs", "RequestThrottled").http_status, 403);
  EXPECT_EQ(fault_wire_error("sqs", "ThrottlingException").http_status, 400);
  EXPECT_EQ(fault_wire_error("scheduler", "ThrottlingException").http_status, 429);
  const WireError unavailable = fault_wire_error("sns", "ServiceUnavailable");
  EXPECT_EQ(unavailable.http_status, 503);
  EXPECT_FALSE(unavailable.sender_fault);
  EXPECT_EQ(fault_wire_error("events", "InternalException").http_status, 500);
  const WireError kms = fault_wire_error("sqs", "KMS.ThrottlingException");
  EXPECT_EQ(kms.code, "KmsThrottled");
  EXPECT_EQ(kms.query_code, "KMS.ThrottlingException");
  EXPECT_EQ(kms.http_status, 400);
  EXPECT_EQ(fault_wire_error("sns", "KMS.ThrottlingException").code, "KMS.ThrottlingException");
  EXPECT_EQ(fault_wire_error("sqs", "SomethingElse").http_status, 400);
}

TEST(FaultErrorResponse, EachServiceItsOwnProtocol) {
  AwsRequest json;
  json.protocol = Protocol::kJson;
  json.request_id = "rid";
  auto res = fault_error_response("sqs", json, "KMS.ThrottlingException", 11, true);
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(res["x-amzn-query-error"], "KMS.ThrottlingException;Sender");
  EXPECT_NE(res.body().find(R"("__type":"com.amazonaws.sqs#KmsThrottled")"), std::string::npos);

  res = fault_error_response("sqs", query({}), "RequestThrottled", 11, true);
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_NE(res.body().find("<Code>RequestThrottled</Code>"), std::string::npos);
  EXPECT_NE(res.body().find("queue.amazonaws.com"), std::string::npos);

  res = fault_error_response("sns", query({}), "Throttled", 11, true);
  EXPECT_EQ(res.result_int(), 429);
  EXPECT_NE(res.body().find("sns.amazonaws.com"), std::string::npos);

  res = fault_error_response("events", json, "ThrottlingException", 11, true);
  EXPECT_EQ(res.body(),
            R"({"__type":"ThrottlingException","message":"Injected fault: ThrottlingException"})");

  res = fault_error_response("scheduler", json, "ThrottlingException", 11, true);
  EXPECT_EQ(res.result_int(), 429);
  EXPECT_EQ(res["x-amzn-ErrorType"], "ThrottlingException");
}

// --- the dispatcher's one fault check ---------------------------------------------------------

class NoNative final : public net::Handler {
 public:
  void handle(net::HttpRequest&&, const boost::asio::ip::tcp::endpoint&, net::Respond) override {
    ADD_FAILURE() << "no native request expected";
  }
};

class CountingService final : public Service {
 public:
  std::string_view signing_name() const override { return "sqs"; }
  std::string_view json_target_prefix() const override { return "AmazonSQS"; }
  bool knows_action(std::string_view) const override { return true; }
  void handle(AwsRequest&& request, net::Respond respond) override {
    ++handled;
    net::HttpResponse res{http::status::ok, request.http.version()};
    res.body() = "handled " + request.action;
    respond(std::move(res));
  }
  int handled = 0;
};

class DispatcherFaultTest : public ::testing::Test {
 protected:
  DispatcherFaultTest() {
    dispatcher.add_service(service);
    dispatcher.set_faults(&rules);
  }

  // Sends a JSON SQS call; -> its answer, if it came.
  std::optional<net::HttpResponse>& send(std::string_view action, std::string_view body) {
    net::HttpRequest req{http::verb::post, "/", 11};
    req.set("X-Amz-Target", "AmazonSQS." + std::string(action));
    req.body() = body;
    answer.reset();
    dispatcher.handle(std::move(req), {}, [this](net::HttpResponse&& res) { answer = res; });
    return answer;
  }

  ManualClock clock;
  faults::FaultRules rules{faults::kDefaultSeed, clock, clock};
  NoNative native;
  CountingService service;
  Dispatcher dispatcher{native};
  std::optional<net::HttpResponse> answer;
};

faults::FaultSpec sqs_rule(std::string error, std::int64_t latency_ms = 0) {
  faults::FaultSpec spec;
  spec.service = "sqs";
  spec.error = std::move(error);
  spec.latency_ms = latency_ms;
  return spec;
}

TEST_F(DispatcherFaultTest, AnswersTheErrorInsteadOfTheService) {
  faults::FaultSpec spec = sqs_rule("RequestThrottled");
  spec.action = "SendMessage";
  spec.resource = "orders";
  spec.count = 1;
  ASSERT_TRUE(rules.add(spec));
  const std::string orders = R"({"QueueUrl":"http://localhost:4566/000000000000/orders"})";
  ASSERT_TRUE(send("SendMessage", R"({"QueueUrl":"http://localhost:4566/000000000000/other"})"));
  EXPECT_EQ(answer->result_int(), 200);
  ASSERT_TRUE(send("ReceiveMessage", orders));
  EXPECT_EQ(answer->result_int(), 200);
  ASSERT_TRUE(send("SendMessage", orders));
  EXPECT_EQ(answer->result_int(), 403);
  EXPECT_EQ((*answer)["x-amzn-query-error"], "RequestThrottled;Sender");
  EXPECT_EQ(service.handled, 2);
  ASSERT_TRUE(send("SendMessage", orders));  // count spent
  EXPECT_EQ(answer->result_int(), 200);
  EXPECT_EQ(service.handled, 3);
}

TEST_F(DispatcherFaultTest, LatencyWaitsForTheClock) {
  ASSERT_TRUE(rules.add(sqs_rule("", 2000)));
  EXPECT_FALSE(send("ListQueues", "{}"));
  clock.advance(1999);
  EXPECT_FALSE(answer);
  EXPECT_EQ(service.handled, 0);
  clock.advance(1);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->body(), "handled ListQueues");
}

TEST_F(DispatcherFaultTest, LatencyThenError) {
  ASSERT_TRUE(rules.add(sqs_rule("ServiceUnavailable", 10)));
  EXPECT_FALSE(send("ListQueues", "{}"));
  clock.advance(10);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->result_int(), 503);
  EXPECT_EQ(service.handled, 0);
}

}  // namespace
}  // namespace eb::api::aws
