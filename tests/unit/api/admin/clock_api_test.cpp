// The /v1/clock routes on a ManualClock: request in, response out, no socket.
#include "api/admin/clock_api.hpp"

#include <gtest/gtest.h>

#include "api/admin/admin_api.hpp"

namespace eb::api::admin {
namespace {
namespace http = boost::beast::http;

class ClockApiTest : public ::testing::Test {
 protected:
  net::HttpResponse call(http::verb verb, std::string target, std::string body = {}) {
    net::HttpRequest req{verb, target, 11};
    req.body() = std::move(body);
    req.prepare_payload();
    return api_.handle(req);
  }

  ManualClock clock_{1'700'000'000'000};
  ClockApi api_{clock_};
};

TEST_F(ClockApiTest, TellsTheTime) {
  auto res = call(http::verb::get, "/v1/clock");
  ASSERT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_EQ(res.body(),
            R"({"mode":"manual","now":1700000000000,"time":"2023-11-14T22:13:20.000Z"})");
}

TEST_F(ClockApiTest, AdvancesAndRunsTheTimersThatFallDue) {
  std::vector<Millis> fired;
  clock_.schedule_at(1'700'000'001'000, [&] { fired.push_back(clock_.now_ms()); });
  clock_.schedule_at(1'700'000'090'000, [&] { fired.push_back(clock_.now_ms()); });
  auto res = call(http::verb::post, "/v1/clock/advance", R"({"seconds": 1.25})");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(res.body(), R"({"mode":"manual","now":1700000001250,)"
                        R"("time":"2023-11-14T22:13:21.250Z","advancedMs":1250})");
  EXPECT_EQ(fired, (std::vector<Millis>{1'700'000'001'000}));  // answered after it ran
  ASSERT_EQ(call(http::verb::post, "/v1/clock/advance", R"({"seconds": 90})").result(),
            http::status::ok);
  EXPECT_EQ(fired.size(), 2u);
  EXPECT_EQ(clock_.now_ms(), 1'700'000'091'250);
  EXPECT_EQ(call(http::verb::post, "/v1/clock/advance", R"({"seconds": 0})").result(),
            http::status::ok);
  EXPECT_EQ(clock_.now_ms(), 1'700'000'091'250);
}

TEST_F(ClockApiTest, RejectsBadBodiesWithoutMovingTime) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "MalformedRequest"},
      {"{", "MalformedRequest"},
      {"[]", "MalformedRequest"},
      {"{}", "MissingParameter"},
      {R"({"seconds": null})", "MissingParameter"},
      {R"({"seconds": -1})", "InvalidParameterValue"},
      {R"({"seconds": "5"})", "InvalidParameterValue"},
      {R"({"seconds": 1e300})", "InvalidParameterValue"},
      {R"({"seconds": 31622401})", "InvalidParameterValue"},  // over 366 days
  };
  for (const auto& [body, code] : cases) {
    auto res = call(http::verb::post, "/v1/clock/advance", body);
    EXPECT_EQ(res.result(), http::status::bad_request) << body;
    EXPECT_NE(res.body().find(std::string("\"code\":\"") + code + "\""), std::string::npos)
        << body << " -> " << res.body();
  }
  EXPECT_EQ(clock_.now_ms(), 1'700'000'000'000);
}

TEST_F(ClockApiTest, WrongMethodsAndPaths) {
  auto get_advance = call(http::verb::get, "/v1/clock/advance");
  EXPECT_EQ(get_advance.result(), http::status::method_not_allowed);
  EXPECT_EQ(get_advance[http::field::allow], "POST");
  auto post_clock = call(http::verb::post, "/v1/clock", R"({"seconds":1})");
  EXPECT_EQ(post_clock.result(), http::status::method_not_allowed);
  EXPECT_EQ(post_clock[http::field::allow], "GET");
  EXPECT_EQ(call(http::verb::get, "/v1/clock/other").result(), http::status::not_found);
}

// AdminApi hands a registered prefix, and only whole path segments below it, to its routes.
TEST(AdminApiRoutes, PrefixesMatchWholeSegments) {
  AdminApi admin("test");
  std::vector<std::string> seen;
  admin.add_routes("/v1/clock", [&](net::HttpRequest&& request, net::Respond respond) {
    seen.emplace_back(request.target());
    respond(net::HttpResponse{http::status::ok, 11});
  });
  for (const char* target : {"/v1/clock", "/v1/clock/advance", "/v1/clock?x=1", "/v1/clockwork"}) {
    net::HttpRequest req{http::verb::get, target, 11};
    std::optional<http::status> status;
    admin.handle(std::move(req), {}, [&](net::HttpResponse&& r) { status = r.result(); });
    ASSERT_TRUE(status) << target;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"/v1/clock", "/v1/clock/advance", "/v1/clock?x=1"}));
}

}  // namespace
}  // namespace eb::api::admin
