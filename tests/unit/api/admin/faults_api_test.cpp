// The /v1/faults routes over a FaultRules: request in, response out, no socket.
#include "api/admin/faults_api.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/manual_clock.hpp"
#include "faults/fault_rules.hpp"

namespace eb::api::admin {
namespace {
namespace http = boost::beast::http;

class FaultsApiTest : public ::testing::Test {
 protected:
  net::HttpResponse call(http::verb verb, std::string target, std::string body = {}) {
    net::HttpRequest req{verb, target, 11};
    req.body() = std::move(body);
    req.prepare_payload();
    return api_.handle(req);
  }

  ManualClock clock_;
  faults::FaultRules rules_{faults::kDefaultSeed, clock_, clock_};
  FaultsApi api_{rules_};
};

TEST_F(FaultsApiTest, CreateListDelete) {
  auto res = call(http::verb::post, "/v1/faults",
                  R"({"service":"sqs","action":"SendMessage","resource":"orders",)"
                  R"("error":"ThrottlingException","probability":0.5,"count":2,"latencyMs":10})");
  ASSERT_EQ(res.result(), http::status::created) << res.body();
  EXPECT_EQ(res.body(), R"({"faultId":"fault-1"})");
  res = call(http::verb::post, "/v1/faults", R"({"service":"http","error":503})");
  ASSERT_EQ(res.result(), http::status::created) << res.body();
  res = call(http::verb::get, "/v1/faults");
  ASSERT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(),
            R"({"faults":[{"faultId":"fault-1","service":"sqs","action":"SendMessage",)"
            R"("resource":"orders","error":"ThrottlingException","probability":0.5,"count":2,)"
            R"("latencyMs":10,"injected":0},{"faultId":"fault-2","service":"http","error":"503",)"
            R"("probability":1,"latencyMs":0,"injected":0}],"injected":0,"seed":14})");
  res = call(http::verb::delete_, "/v1/faults/fault-1");
  ASSERT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), R"({"deleted":1})");
  EXPECT_EQ(call(http::verb::delete_, "/v1/faults/fault-1").result(), http::status::not_found);
  res = call(http::verb::delete_, "/v1/faults");
  EXPECT_EQ(res.body(), R"({"deleted":1})");
  EXPECT_TRUE(rules_.empty());
}

TEST_F(FaultsApiTest, RejectsBadRules) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "MalformedRequest"},
      {"{", "MalformedRequest"},
      {"[]", "MalformedRequest"},
      {R"({"error":"X"})", "MissingParameter"},
      {R"({"service":"s3","error":"X"})", "InvalidParameterValue"},
      {R"({"service":7,"error":"X"})", "InvalidParameterValue"},
      {R"({"service":"sqs","error":"X","probability":1.5})", "InvalidParameterValue"},
      {R"({"service":"sqs","error":"X","probability":"1"})", "InvalidParameterValue"},
      {R"({"service":"sqs","error":"X","count":-1})", "InvalidParameterValue"},
      {R"({"service":"sqs","error":"X","count":1.5})", "InvalidParameterValue"},
      {R"({"service":"sqs","error":"X","latencyMs":-1})", "InvalidParameterValue"},
      {R"({"service":"sqs","error":"X","colour":"red"})", "InvalidParameterValue"},
      {R"({"service":"sqs"})", "InvalidParameterValue"},
      {R"({"service":"http","error":"Throttling"})", "InvalidParameterValue"},
  };
  for (const auto& [body, code] : cases) {
    SCOPED_TRACE(body);
    auto res = call(http::verb::post, "/v1/faults", body);
    EXPECT_EQ(res.result(), http::status::bad_request);
    EXPECT_NE(res.body().find(std::string(R"("code":")") + code + "\""), std::string::npos)
        << res.body();
  }
  EXPECT_TRUE(rules_.empty());
}

TEST_F(FaultsApiTest, MethodsAndRoutes) {
  auto res = call(http::verb::put, "/v1/faults");
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::allow], "GET, POST, DELETE");
  EXPECT_EQ(call(http::verb::get, "/v1/faults/fault-1").result(), http::status::method_not_allowed);
  EXPECT_EQ(call(http::verb::delete_, "/v1/faults/a/b").result(), http::status::not_found);
}

}  // namespace
}  // namespace eb::api::admin
