// POST /v1/reset and /moto-api/reset over fake services: order, one service, errors.
#include "api/admin/reset_api.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace eb::api::admin {
namespace {
namespace http = boost::beast::http;

class ResetApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (std::string name : {"events", "sqs"}) {
      api_.add_service(name, [this, name]() -> Result<std::size_t> {
        calls_.push_back(name);
        if (name == failing_) return fail(Errc::kServiceUnavailable, "disk full");
        return std::size_t{2};
      });
    }
    api_.set_after_full_reset([this]() -> Result<void> {
      calls_.emplace_back("after");
      return {};
    });
  }

  net::HttpResponse call(http::verb verb, std::string target) {
    net::HttpRequest req{verb, target, 11};
    req.prepare_payload();
    return api_.handle(req);
  }

  ResetApi api_;
  std::vector<std::string> calls_;
  std::string failing_;
};

TEST_F(ResetApiTest, AFullResetRunsEveryServiceInOrderThenTheAfterStep) {
  auto res = call(http::verb::post, "/v1/reset");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_TRUE(res.body().starts_with(R"({"services":{"events":2,"sqs":2},"tookMicros":)"))
      << res.body();
  EXPECT_EQ(calls_, (std::vector<std::string>{"events", "sqs", "after"}));
}

TEST_F(ResetApiTest, OneServiceOnlyAndNoAfterStep) {
  auto res = call(http::verb::post, "/v1/reset?service=sqs");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(calls_, std::vector<std::string>{"sqs"});
  res = call(http::verb::post, "/v1/reset?service=lambda");
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_NE(res.body().find("InvalidParameterValue"), std::string::npos);
  res = call(http::verb::post, "/v1/reset?queue=x");
  EXPECT_EQ(res.result(), http::status::bad_request);
}

TEST_F(ResetApiTest, MotoRouteAnswersAsMotoDoes) {
  auto res = call(http::verb::post, "/moto-api/reset");
  ASSERT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), R"({"status": "ok"})");
  EXPECT_EQ(calls_.size(), 3u);
  EXPECT_EQ(call(http::verb::get, "/moto-api/reset").result(), http::status::bad_request);
  EXPECT_EQ(call(http::verb::get, "/v1/reset").result(), http::status::method_not_allowed);
}

TEST_F(ResetApiTest, AFailingServiceFailsTheReset) {
  failing_ = "events";
  auto res = call(http::verb::post, "/v1/reset");
  EXPECT_EQ(res.result(), http::status::service_unavailable) << res.body();
  EXPECT_EQ(calls_, std::vector<std::string>{"events"});
}

}  // namespace
}  // namespace eb::api::admin
