// Console: serving the embedded files, with their caching and security headers.
#include "api/admin/console.hpp"

#include <gtest/gtest.h>

namespace eb::api::admin {
namespace {
namespace http = boost::beast::http;

constexpr ConsoleAsset kAssets[] = {
    {"index.html", "text/html; charset=utf-8", "\"aa11\"", "<!doctype html>"},
    {"pages/queue.js", "text/javascript; charset=utf-8", "\"bb22\"", "export {};"},
};

net::HttpResponse get(const Console& console, std::string target, http::verb verb = http::verb::get,
                      std::string_view if_none_match = {}) {
  net::HttpRequest req{verb, target, 11};
  if (!if_none_match.empty()) req.set(http::field::if_none_match, if_none_match);
  return console.handle(req);
}

TEST(ConsoleTest, ServesFilesWithTheirTypeAndHeaders) {
  const Console console(kAssets);
  auto res = get(console, "/ui/pages/queue.js");
  ASSERT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), "export {};");
  EXPECT_EQ(res[http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ(res[http::field::etag], "\"bb22\"");
  EXPECT_EQ(res[http::field::cache_control], "no-cache");
  EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");
  EXPECT_TRUE(res["Content-Security-Policy"].starts_with("default-src 'self'"));
  EXPECT_EQ(get(console, "/ui/").body(), "<!doctype html>");
  EXPECT_EQ(get(console, "/ui/?x=1").body(), "<!doctype html>");
  EXPECT_EQ(get(console, "/ui/index.html").body(), "<!doctype html>");
  res = get(console, "/ui/index.html", http::verb::head);
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res[http::field::content_length], "15");
  EXPECT_TRUE(res.body().empty());
}

TEST(ConsoleTest, RedirectsToTheIndexAndRevalidates) {
  const Console console(kAssets);
  auto res = get(console, "/ui");
  EXPECT_EQ(res.result(), http::status::moved_permanently);
  EXPECT_EQ(res[http::field::location], "/ui/");
  res = get(console, "/ui/index.html", http::verb::get, "\"aa11\"");
  EXPECT_EQ(res.result(), http::status::not_modified);
  EXPECT_TRUE(res.body().empty());
  EXPECT_EQ(get(console, "/ui/index.html", http::verb::get, "\"zz\", \"aa11\"").result(),
            http::status::not_modified);
  EXPECT_EQ(get(console, "/ui/index.html", http::verb::get, "\"zz\"").result(), http::status::ok);
}

TEST(ConsoleTest, AnswersUnknownFilesAndMethods) {
  const Console console(kAssets);
  EXPECT_EQ(get(console, "/ui/missing.js").result(), http::status::not_found);
  EXPECT_EQ(get(console, "/ui/../etc/passwd").result(), http::status::not_found);
  auto res = get(console, "/ui/index.html", http::verb::post);
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::allow], "GET, HEAD");
}

TEST(ConsoleTest, TheBuiltInConsoleHasItsPages) {
  const Console console(console_assets());
  auto res = get(console, "/ui/");
  ASSERT_EQ(res.result(), http::status::ok);
  EXPECT_NE(res.body().find("app.js"), std::string::npos);
  for (const char* path : {"/ui/app.js", "/ui/api.js", "/ui/style.css", "/ui/pages/queue.js",
                           "/ui/vendor/preact-htm.js", "/ui/vendor/htm-LICENSE.txt"}) {
    EXPECT_EQ(get(console, path).result(), http::status::ok) << path;
  }
}

}  // namespace
}  // namespace eb::api::admin
