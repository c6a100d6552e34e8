// The /v1/queues routes over a Queues on a ManualClock and a MemoryEngine: request in, response
// out, no socket.
#include "api/admin/queues_api.hpp"

#include <gtest/gtest.h>

#include <string>

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

  net::HttpResponse call(http::verb verb, std::string target) {
    net::HttpRequest req{verb, target, 11};
    req.set(http::field::host, "localhost:4566");
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
            R"("deadLetterTarget":null,"createdAt":"2024-05-01T12:00:00.000Z"}]})");
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
  auto res = call(http::verb::post, "/v1/queues/orders/messages");
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::allow], "GET");
}

}  // namespace
}  // namespace eb::api::admin
