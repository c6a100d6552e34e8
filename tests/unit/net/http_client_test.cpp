// net::HttpClient against net::Server on 127.0.0.1 (port 0), each on its own io_context
// threads. Every wait is bounded, so a client bug fails a test instead of hanging it.
#include "net/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "net/server.hpp"

namespace eb::net {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

// /ok answers 200 echoing what it got, /fail answers 500, /hold never answers (until the
// test ends).
class Endpoint final : public Handler {
 public:
  void handle(HttpRequest&& request, const asio::ip::tcp::endpoint&, Respond respond) override {
    const std::string target(request.target());
    if (target.starts_with("/hold")) {
      std::lock_guard lock(mu_);
      held_.push_back(std::move(respond));
      return;
    }
    HttpResponse res{
        target.starts_with("/fail") ? http::status::internal_server_error : http::status::ok, 11};
    res.body() = std::string(request.method_string()) + " " + target + " " +
                 std::string(request[http::field::host]) + " " +
                 std::string(request["x-amz-sns-message-type"]) + " " + request.body();
    res.prepare_payload();
    respond(std::move(res));
  }

  void release() {
    std::vector<Respond> held;
    {
      std::lock_guard lock(mu_);
      held.swap(held_);
    }
    for (auto& respond : held) respond(HttpResponse{http::status::ok, 11});
  }

 private:
  std::mutex mu_;
  std::vector<Respond> held_;
};

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<Server>(server_loops_, endpoint_,
                                       ServerOptions{.address = "127.0.0.1", .port = 0});
    auto listening = server_->listen();
    ASSERT_TRUE(listening) << listening.error().message;
    server_loops_.start();
    threads_.emplace_back([this] { client_io_.run(); });
  }

  void TearDown() override {
    server_->stop();
    endpoint_.release();
    EXPECT_TRUE(server_->wait_drained(5s));
    client_work_.reset();
    server_loops_.stop();
    server_loops_.join();
    client_io_.stop();
    for (auto& t : threads_) t.join();
  }

  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(server_->local_port()) + std::string(path);
  }

  // Posts and waits (at most 5 s) for the callback.
  std::optional<HttpClientResult> post(std::string url, std::chrono::milliseconds timeout = 0ms) {
    auto promise = std::make_shared<std::promise<HttpClientResult>>();
    auto future = promise->get_future();
    client_.post(url, {{"x-amz-sns-message-type", "Notification"}}, "hello", timeout,
                 [promise](HttpClientResult r) { promise->set_value(std::move(r)); });
    if (future.wait_for(5s) != std::future_status::ready) return std::nullopt;
    return future.get();
  }

  IoThreads server_loops_{1};
  asio::io_context client_io_;
  asio::executor_work_guard<asio::io_context::executor_type> client_work_ =
      asio::make_work_guard(client_io_);
  Endpoint endpoint_;
  std::unique_ptr<Server> server_;
  HttpClient client_{client_io_};
  std::vector<std::thread> threads_;
};

TEST_F(HttpClientTest, PostsAndReadsTheAnswer) {
  auto r = post(url("/ok?x=1"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->error;
  EXPECT_EQ(r->error, "");
  EXPECT_EQ(r->body, "POST /ok?x=1 127.0.0.1:" + std::to_string(server_->local_port()) +
                         " Notification hello");
}

TEST_F(HttpClientTest, ReportsAServerError) {
  auto r = post(url("/fail"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->error, "");
}

TEST_F(HttpClientTest, ReportsARefusedConnection) {
  // A port that was free a moment ago: bound, then closed, so nothing listens there.
  asio::io_context io;
  asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = probe.local_endpoint().port();
  probe.close();
  auto r = post("http://127.0.0.1:" + std::to_string(port) + "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 0);
  EXPECT_NE(r->error.find("cannot connect"), std::string::npos) << r->error;
}

TEST_F(HttpClientTest, TimesOutASilentEndpoint) {
  const auto started = std::chrono::steady_clock::now();
  auto r = post(url("/hold"), 300ms);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 0);
  EXPECT_EQ(r->error, "timed out after 300 ms");
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 3s);
}

TEST_F(HttpClientTest, AnswersABadUrlThroughTheCallback) {
  auto r = post("ftp://127.0.0.1/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 0);
  EXPECT_EQ(r->error, "invalid URL 'ftp://127.0.0.1/x': only http and https are supported");
}

TEST(ParseUrl, SplitsAndDefaults) {
  struct Case {
    const char* url;
    bool tls;
    const char* host;
    const char* port;
    const char* target;
  };
  const std::vector<Case> cases = {
      {"http://localhost:8080/hook?a=b", false, "localhost", "8080", "/hook?a=b"},
      {"http://example.com", false, "example.com", "80", "/"},
      {"HTTPS://example.com/x#frag", true, "example.com", "443", "/x"},
      {"http://[::1]:9000/p", false, "::1", "9000", "/p"},
      {"http://h?q=1", false, "h", "80", "/?q=1"},
  };
  for (const auto& c : cases) {
    auto u = parse_url(c.url);
    ASSERT_TRUE(u) << c.url << ": " << u.error();
    EXPECT_EQ(u->tls, c.tls) << c.url;
    EXPECT_EQ(u->host, c.host) << c.url;
    EXPECT_EQ(u->port, c.port) << c.url;
    EXPECT_EQ(u->target, c.target) << c.url;
  }
  for (const char* bad :
       {"", "localhost:80", "ftp://h/", "http://", "http://:80/", "http://h:0/", "http://h:65536/",
        "http://h:8x/", "http://u:p@h/", "http://h /x", "http://[::1/"}) {
    EXPECT_FALSE(parse_url(bad)) << bad;
  }
}

}  // namespace
}  // namespace eb::net
