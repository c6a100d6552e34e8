// The /v1/queues routes over a Queues on a ManualClock and a MemoryEngine: request in, response
// out, no socket.
#include "api/admin/queues_api.hpp"

#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "core/manual_clock.hpp"
#include "sqs/queues.hpp"
#include "storage/memory_engine.hpp"

namespace eb::api::admin {
namespace {
namespace http = boost::beast::http;

class QueuesApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(queues_.create_queue({"orders", {}, {}}));
    for (const char* body : {"a", "b", "c"}) {
      ASSERT_TRUE(queues_.send_message("orders", eb::sqs::SendInput{.body = body}));
    }
  }

  net::HttpResponse call(http::verb verb, std::string target, std::string body = {}) {
    net::HttpRequest req{verb, target, 11};
    req.set(http::field::host, "localhost:4566");
    req.body() = std::move(body);
    return api_.handle(req);
  }

  ManualClock clock_{1'714'564'800'000};
  storage::MemoryEngine engine_{true};
  eb::sqs::Queues queues_{clock_, clock_, engine_};
  QueuesApi api_{queues_};
};

TEST_F(QueuesApiTest, ListsQueues) {
  clock_.advance(3'000);
  auto res = call(http::verb::get, "/v1/queues?prefix=ord");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(res.body(),
            R"({"queues":[{"name":"orders","url":"http://localhost:4566/000000000000/orders",)"
            R"("arn":"arn:aws:sqs:us-east-1:000000000000:orders","type":"standard",)"
            R"("visible":3,"inFlight":0,"delayed":0,"oldestMessageAgeSeconds":3,)"
            R"("deadLetterTarget":null,"createdAt":"2024-05-01T12:00:00.000Z",)"
            R"("sent":3,"received":0,"deleted":0}]})");
  EXPECT_EQ(call(http::verb::get, "/v1/queues?prefix=x").body(), R"({"queues":[]})");
}

TEST_F(QueuesApiTest, PagesMessages) {
  auto res = call(http::verb::get, "/v1/queues/orders/messages?limit=2&state=visible");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_NE(res.body().find(R"("seq":1,)"), std::string::npos) << res.body();
  EXPECT_NE(res.body().find(R"("body":"b")"), std::string::npos) << res.body();
  EXPECT_EQ(res.body().find(R"("body":"c")"), std::string::npos) << res.body();
  EXPECT_TRUE(res.body().ends_with(R"(],"next":2})")) << res.body();
  res = call(http::verb::get, "/v1/queues/orders/messages?after=2");
  EXPECT_NE(res.body().find(R"("body":"c")"), std::string::npos) << res.body();
  EXPECT_TRUE(res.body().ends_with(R"(],"next":null})")) << res.body();
}

TEST_F(QueuesApiTest, Errors) {
  const std::pair<const char*, http::status> cases[] = {
      {"/v1/queues/missing", http::status::not_found},
      {"/v1/queues/missing/messages", http::status::not_found},
      {"/v1/queues/orders/messages?state=gone", http::status::bad_request},
      {"/v1/queues/orders/messages?limit=0", http::status::bad_request},
      {"/v1/queues/orders/messages?limit=-5", http::status::bad_request},
      {"/v1/queues/orders/elsewhere", http::status::not_found},
  };
  for (const auto& [target, status] : cases) {
    auto res = call(http::verb::get, target);
    EXPECT_EQ(res.result(), status) << target << " " << res.body();
  }
  EXPECT_NE(call(http::verb::get, "/v1/queues/missing").body().find("QueueNotFound"),
            std::string::npos);
  EXPECT_NE(
      call(http::verb::get, "/v1/queues/orders/messages?state=gone").body().find("ValidationError"),
      std::string::npos);
  auto res = call(http::verb::put, "/v1/queues/orders/messages");
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::allow], "GET, POST");
}

TEST_F(QueuesApiTest, SendsAMessage) {
  auto res = call(http::verb::post, "/v1/queues/orders/messages",
                  R"({"body":"{\"id\":7}","delaySeconds":0,)"
                  R"("messageAttributes":{"kind":{"dataType":"String","stringValue":"order"},)"
                  R"("raw":{"dataType":"Binary","binaryValue":"AAE="}}})");
  ASSERT_EQ(res.result(), http::status::created) << res.body();
  EXPECT_NE(res.body().find(R"("messageId":")"), std::string::npos) << res.body();
  // MD5 of the body {"id":7}, as SendMessage answers it.
  EXPECT_NE(res.body().find(R"("md5OfBody":"f909686c4adf64f7a8c468b29e6e66aa")"), std::string::npos)
      << res.body();
  EXPECT_NE(res.body().find(R"("md5OfMessageAttributes":")"), std::string::npos) << res.body();
  auto peek = call(http::verb::get, "/v1/queues/orders/messages?after=3");
  EXPECT_NE(peek.body().find(R"("body":"{\"id\":7}")"), std::string::npos) << peek.body();
  EXPECT_NE(peek.body().find(R"("kind":{"dataType":"String","stringValue":"order"})"),
            std::string::npos)
      << peek.body();
  EXPECT_NE(peek.body().find(R"("raw":{"dataType":"Binary","binaryValue":"AAE="})"),
            std::string::npos)
      << peek.body();
}

TEST_F(QueuesApiTest, RefusesBadSends) {
  const std::tuple<const char*, const char*, http::status, const char*> cases[] = {
      {"/v1/queues/orders/messages", "not json", http::status::bad_request, "MalformedRequest"},
      {"/v1/queues/orders/messages", "[]", http::status::bad_request, "MalformedRequest"},
      {"/v1/queues/orders/messages", R"({"delaySeconds":1})", http::status::bad_request,
       "MissingParameter"},
      {"/v1/queues/orders/messages", R"({"body":"x","delaySeconds":"soon"})",
       http::status::bad_request, "MalformedRequest"},
      {"/v1/queues/orders/messages", R"({"body":"x","delaySeconds":901})",
       http::status::bad_request, "InvalidParameterValue"},
      {"/v1/queues/orders/messages", R"({"body":""})", http::status::bad_request,
       "MissingParameter"},
      {"/v1/queues/orders/messages",
       R"({"body":"x","messageAttributes":{"k":{"dataType":"String"}}})", http::status::bad_request,
       "MalformedRequest"},
      {"/v1/queues/missing/messages", R"({"body":"x"})", http::status::not_found, "QueueNotFound"},
  };
  for (const auto& [target, body, status, code] : cases) {
    auto res = call(http::verb::post, target, body);
    EXPECT_EQ(res.result(), status) << body << " " << res.body();
    EXPECT_NE(res.body().find(code), std::string::npos) << body << " " << res.body();
  }
  EXPECT_NE(call(http::verb::get, "/v1/queues/orders").body().find(R"("visible":3,)"),
            std::string::npos);
}

TEST_F(QueuesApiTest, Purges) {
  auto res = call(http::verb::post, "/v1/queues/orders/purge");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(res.body(), R"({"queue":"orders","purged":true})");
  EXPECT_NE(call(http::verb::get, "/v1/queues/orders").body().find(R"("visible":0,)"),
            std::string::npos);
  // SQS allows one purge a minute, and says so with its own code and status.
  res = call(http::verb::post, "/v1/queues/orders/purge");
  EXPECT_EQ(res.result(), http::status::forbidden) << res.body();
  EXPECT_NE(res.body().find("PurgeQueueInProgress"), std::string::npos) << res.body();
  EXPECT_EQ(call(http::verb::get, "/v1/queues/orders/purge").result(),
            http::status::method_not_allowed);
  EXPECT_EQ(call(http::verb::post, "/v1/queues/missing/purge").result(), http::status::not_found);
}

TEST_F(QueuesApiTest, RedrivesADeadLetterQueue) {
  ASSERT_TRUE(queues_.create_queue({"orders-dlq", {}, {}}));
  ASSERT_TRUE(queues_.set_queue_attributes(
      "orders", {{"RedrivePolicy",
                  R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:orders-dlq",)"
                  R"("maxReceiveCount":"1"})"}}));
  for (const char* body : {"x", "y"}) {
    ASSERT_TRUE(queues_.send_message("orders-dlq", eb::sqs::SendInput{.body = body}));
  }
  // Not a dead-letter queue: SQS's error.
  auto res = call(http::verb::post, "/v1/queues/orders/redrive", "{}");
  EXPECT_EQ(res.result(), http::status::bad_request) << res.body();
  EXPECT_EQ(call(http::verb::delete_, "/v1/queues/orders-dlq/redrive").result(),
            http::status::not_found);

  res = call(http::verb::post, "/v1/queues/orders-dlq/redrive",
             R"({"destination":"orders","maxPerSecond":100})");
  ASSERT_EQ(res.result(), http::status::accepted) << res.body();
  EXPECT_NE(res.body().find(R"({"taskHandle":")"), std::string::npos) << res.body();
  res = call(http::verb::get, "/v1/queues/orders-dlq/redrive");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_NE(res.body().find(R"("source":"orders-dlq")"), std::string::npos) << res.body();
  EXPECT_NE(res.body().find(R"("maxPerSecond":100,)"), std::string::npos) << res.body();
  EXPECT_NE(res.body().find(R"("toMove":2,)"), std::string::npos) << res.body();

  for (int i = 0; i < 10; ++i) clock_.advance(1'000);
  res = call(http::verb::get, "/v1/queues/orders-dlq/redrive");
  EXPECT_NE(res.body().find(R"("status":"COMPLETED")"), std::string::npos) << res.body();
  EXPECT_NE(res.body().find(R"("moved":2,)"), std::string::npos) << res.body();
  EXPECT_NE(call(http::verb::get, "/v1/queues/orders").body().find(R"("visible":5,)"),
            std::string::npos);
  // A slow task is cancelled by DELETE, and only while it runs.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(queues_.send_message("orders-dlq", eb::sqs::SendInput{.body = "z"}));
  }
  res = call(http::verb::post, "/v1/queues/orders-dlq/redrive",
             R"({"destination":"orders","maxPerSecond":1})");
  ASSERT_EQ(res.result(), http::status::accepted) << res.body();
  res = call(http::verb::delete_, "/v1/queues/orders-dlq/redrive");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_NE(res.body().find(R"("status":"CANCELLING")"), std::string::npos) << res.body();
  for (int i = 0; i < 5; ++i) clock_.advance(1'000);
  EXPECT_NE(
      call(http::verb::get, "/v1/queues/orders-dlq/redrive").body().find(R"("status":"CANCELLED")"),
      std::string::npos);
  EXPECT_EQ(call(http::verb::delete_, "/v1/queues/orders-dlq/redrive").result(),
            http::status::not_found);
  EXPECT_EQ(call(http::verb::put, "/v1/queues/orders-dlq/redrive").result(),
            http::status::method_not_allowed);
  EXPECT_EQ(call(http::verb::post, "/v1/queues/orders-dlq/redrive", "[").result(),
            http::status::bad_request);
}

}  // namespace
}  // namespace eb::api::admin
