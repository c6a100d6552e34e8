// BrowserGuard: which browser requests reach the daemon's own routes.
#include "api/admin/browser_guard.hpp"

#include <gtest/gtest.h>

namespace eb::api::admin {
namespace {
namespace http = boost::beast::http;

net::HttpRequest request(http::verb verb, std::string_view host, std::string_view origin = {},
                         std::string_view fetch_site = {}) {
  net::HttpRequest req{verb, "/v1/queues/orders/purge", 11};
  req.set(http::field::host, host);
  if (!origin.empty()) req.set(http::field::origin, origin);
  if (!fetch_site.empty()) req.set("Sec-Fetch-Site", fetch_site);
  return req;
}

TEST(BrowserGuardTest, LetsClientsThatAreNotBrowsersThrough) {
  const BrowserGuard guard;
  // SDKs, the CLI and services in other containers name the daemon as they like.
  EXPECT_FALSE(guard.check(request(http::verb::post, "eventbrokerd:4566")));
  EXPECT_FALSE(guard.check(request(http::verb::delete_, "10.0.0.7:4566")));
}

TEST(BrowserGuardTest, LetsTheConsoleThrough) {
  const BrowserGuard guard;
  for (std::string_view host : {"localhost:4566", "127.0.0.1:4566", "[::1]:4566", "LOCALHOST",
                                "app.localhost:8080", "127.1.2.3"}) {
    EXPECT_FALSE(guard.check(request(http::verb::get, host, {}, "none"))) << host;
    EXPECT_FALSE(
        guard.check(request(http::verb::post, host, "http://localhost:4566", "same-origin")))
        << host;
  }
  // A developer's own app on another loopback port is same-site, and may change state.
  EXPECT_FALSE(guard.check(
      request(http::verb::post, "localhost:4566", "http://localhost:3000", "same-site")));
}

TEST(BrowserGuardTest, RefusesForeignHostsAsDnsRebindingWouldSendThem) {
  const BrowserGuard guard;
  // A page at http://attacker.example:4566 whose name now resolves to 127.0.0.1 is same-origin
  // with itself: reads and writes alike carry its name in Host.
  for (http::verb verb : {http::verb::get, http::verb::post}) {
    auto refused = guard.check(
        request(verb, "attacker.example:4566",
                verb == http::verb::post ? "http://attacker.example:4566" : "", "same-origin"));
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->result(), http::status::forbidden);
    EXPECT_NE(refused->body().find("attacker.example:4566"), std::string::npos);
  }
  EXPECT_TRUE(guard.check(request(http::verb::get, "", {}, "none")));
  EXPECT_TRUE(guard.check(request(http::verb::get, "127.0.0.1.attacker.example", {}, "none")));
}

TEST(BrowserGuardTest, RefusesStateChangesFromOtherSites) {
  const BrowserGuard guard;
  // A form posted from any web page: the browser names the page's origin.
  EXPECT_TRUE(guard.check(request(http::verb::post, "127.0.0.1:4566", "https://evil.example")));
  EXPECT_TRUE(guard.check(
      request(http::verb::post, "127.0.0.1:4566", "https://evil.example", "cross-site")));
  EXPECT_TRUE(guard.check(request(http::verb::delete_, "127.0.0.1:4566", "null")));
  EXPECT_TRUE(guard.check(request(http::verb::put, "127.0.0.1:4566", {}, "cross-site")));
  EXPECT_TRUE(guard.check(request(http::verb::post, "127.0.0.1:4566", "file://")));
  // Reading is not refused (without CORS headers the page cannot see the answer), so links
  // from elsewhere to the console still open.
  EXPECT_FALSE(guard.check(request(http::verb::get, "127.0.0.1:4566", {}, "cross-site")));
}

TEST(BrowserGuardTest, AllowsConfiguredNames) {
  const BrowserGuard guard({"Broker.Internal", "192.168.1.5"});
  EXPECT_TRUE(guard.allowed_host("broker.internal"));
  EXPECT_FALSE(guard.check(request(http::verb::post, "broker.internal:4566",
                                   "http://broker.internal:4566", "same-origin")));
  EXPECT_FALSE(guard.check(request(http::verb::get, "192.168.1.5:4566", {}, "none")));
  EXPECT_TRUE(guard.check(request(http::verb::get, "192.168.1.6:4566", {}, "none")));
}

TEST(BrowserGuardTest, ReadsHostsOutOfAuthorities) {
  EXPECT_EQ(host_of_authority("LocalHost:4566"), "localhost");
  EXPECT_EQ(host_of_authority("[::1]:80"), "::1");
  EXPECT_EQ(host_of_authority("[::1"), "");
  EXPECT_EQ(host_of_authority("example.com"), "example.com");
}

}  // namespace
}  // namespace eb::api::admin
