// Drives net::Server over real loopback sockets: the server runs on its own io_context
// threads, and each client is a Beast stream on a private io_context whose every operation
// has a deadline, so a server bug fails a test instead of hanging it.
#include "net/server.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

namespace eb::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// Routes by path: /echo answers at once, /delay from another thread 100 ms later, /hold
// parks the Respond until the test releases it, /drop never answers, /big answers 16 MiB,
// /thread names the thread that handled it.
class TestHandler final : public Handler {
 public:
  void handle(HttpRequest&& request, const tcp::endpoint& peer, Respond respond) override {
    const std::string target(request.target());
    if (target == "/delay") {
      std::thread([respond] {
        std::this_thread::sleep_for(100ms);
        respond(make(http::status::ok, "late"));
      }).detach();
      return;
    }
    if (target == "/hold") {
      std::lock_guard lock(mu_);
      held_.push_back(std::move(respond));
      cv_.notify_all();
      return;
    }
    if (target == "/drop") return;
    if (target == "/thread") {
      std::ostringstream id;
      id << std::this_thread::get_id();
      return respond(make(http::status::ok, id.str()));
    }
    if (target == "/big") return respond(make(http::status::ok, std::string(kBigBody, 'b')));
    if (target == "/framed") {
      // Framed by the handler: a right length, a wrong one, or a Date of its own.
      HttpResponse res = make(http::status::ok, "framed");
      const std::string_view how = request.body();
      if (how == "right") res.content_length(6);
      if (how == "wrong") res.content_length(99);
      if (how == "dated") res.set(http::field::date, "Thu, 01 Jan 2026 00:00:00 GMT");
      return respond(std::move(res));
    }
    respond(make(http::status::ok, std::string(request.method_string()) + " " + request.body()));
  }

  bool wait_held(std::size_t n, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return held_.size() >= n; });
  }

  void release_all(std::string body) {
    std::vector<Respond> held;
    {
      std::lock_guard lock(mu_);
      held.swap(held_);
    }
    for (auto& respond : held) respond(make(http::status::ok, body));
  }

  static constexpr std::size_t kBigBody = std::size_t{16} << 20;

  static HttpResponse make(http::status status, std::string body) {
    HttpResponse res{status, 11};
    res.set(http::field::content_type, "text/plain");
    res.body() = std::move(body);
    return res;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Respond> held_;
};

class Client {
 public:
  explicit Client(std::uint16_t port) : stream_(io_) {
    stream_.expires_after(5s);
    bool done = false;
    stream_.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                          [&](beast::error_code ec) {
                            connect_error_ = ec;
                            done = true;
                          });
    run();
    if (!done) connect_error_ = asio::error::timed_out;
  }

  beast::error_code connect_error() const { return connect_error_; }
  tcp::socket& socket() { return stream_.socket(); }

  void send(std::string_view raw) {
    stream_.expires_after(5s);
    asio::async_write(stream_, asio::buffer(raw.data(), raw.size()),
                      [](beast::error_code ec, std::size_t) { ASSERT_FALSE(ec) << ec.message(); });
    run();
  }

  std::optional<http::response<http::string_body>> read_response(
      std::chrono::milliseconds timeout = 5s) {
    http::response<http::string_body> res;
    beast::error_code error;
    stream_.expires_after(timeout);
    http::async_read(stream_, buffer_, res, [&](beast::error_code ec, std::size_t) { error = ec; });
    run();
    if (error) return std::nullopt;
    return res;
  }

  // True when the server closes the connection (EOF or reset) before `timeout`; false if it
  // stays open or sends more data.
  bool wait_closed(std::chrono::milliseconds timeout = 5s) {
    std::array<char, 256> scratch;
    beast::error_code error;
    std::size_t n = 0;
    stream_.expires_after(timeout);
    stream_.async_read_some(asio::buffer(scratch), [&](beast::error_code ec, std::size_t got) {
      error = ec;
      n = got;
    });
    run();
    return n == 0 && error && error != beast::error::timeout;
  }

 private:
  void run() {
    io_.restart();
    io_.run();
  }

  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  beast::error_code connect_error_;
};

std::string request(std::string_view target, std::string_view body = "",
                    std::string_view extra_headers = "") {
  return std::string(body.empty() ? "GET " : "POST ") + std::string(target) +
         " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

class ServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}) {
    options.address = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<Server>(loops_, handler_, options);
    auto listening = server_->listen();
    ASSERT_TRUE(listening) << listening.error().message;
    ASSERT_NE(server_->local_port(), 0);
    loops_.start();
  }

  void TearDown() override {
    if (server_) {
      server_->stop();
      handler_.release_all("teardown");
      EXPECT_TRUE(server_->wait_drained(5s));
    }
    loops_.stop();
    loops_.join();
  }

  std::uint16_t port() const { return server_->local_port(); }

  // Polls the server until it has `n` connections open; false if it still has not after 5 s.
  bool wait_for_sessions(std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (server_->session_count() != n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
    return server_->session_count() == n;
  }

  IoThreads loops_{2};
  TestHandler handler_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, AnswersARequest) {
  start();
  Client client(port());
  client.send(request("/echo", "hello"));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::ok);
  EXPECT_EQ(res->body(), "POST hello");
  EXPECT_EQ(res->version(), 11u);
  EXPECT_TRUE(res->keep_alive());
  EXPECT_EQ((*res)[http::field::content_length], "10");
}

// Connections are dealt to the I/O loops in turn, and each stays on its loop: the fixture's
// two loops, two connections, each served on one thread, not the same one.
TEST_F(ServerTest, SpreadsConnectionsOverTheLoopsAndKeepsEachOnItsOwn) {
  start();
  Client first(port());
  Client second(port());
  auto thread_of = [](Client& client) {
    client.send(request("/thread"));
    auto res = client.read_response();
    return res ? res->body() : std::string("no response");
  };
  const std::string a = thread_of(first);
  const std::string b = thread_of(second);
  EXPECT_NE(a, b);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(thread_of(first), a);
    EXPECT_EQ(thread_of(second), b);
  }
}

// Every response, answered or rejected, carries Date in IMF-fixdate from the real clock.
TEST_F(ServerTest, EveryResponseCarriesADate) {
  start(ServerOptions{.body_limit = 1024});
  auto near_now = [](std::string_view date) {
    std::tm tm{};
    const std::string text(date);
    const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (end == nullptr || *end != '\0' || !text.ends_with(" GMT")) return false;
    const std::time_t now = std::time(nullptr);
    return std::abs(static_cast<long>(timegm(&tm) - now)) <= 2;
  };
  Client client(port());
  client.send(request("/echo", "hello"));
  auto ok = client.read_response();
  ASSERT_TRUE(ok);
  EXPECT_TRUE(near_now((*ok)[http::field::date])) << (*ok)[http::field::date];
  Client rejected(port());
  rejected.send(request("/echo", std::string(2048, 'x')));
  auto too_large = rejected.read_response();
  ASSERT_TRUE(too_large);
  EXPECT_TRUE(near_now((*too_large)[http::field::date])) << (*too_large)[http::field::date];
}

// A response the handler framed goes out as framed when right; a wrong length is corrected,
// and a handler's Date is the only one.
TEST_F(ServerTest, KeepsARightLengthAndCorrectsAWrongOne) {
  start();
  Client client(port());
  for (const std::string how : {"right", "wrong", "dated"}) {
    client.send(request("/framed", how));
    auto res = client.read_response();
    ASSERT_TRUE(res) << how;
    EXPECT_EQ(res->body(), "framed") << how;
    EXPECT_EQ((*res)[http::field::content_length], "6") << how;
    EXPECT_EQ(res->count(http::field::date), 1u) << how;
  }
  client.send(request("/framed", "dated"));
  auto dated = client.read_response();
  ASSERT_TRUE(dated);
  EXPECT_EQ((*dated)[http::field::date], "Thu, 01 Jan 2026 00:00:00 GMT");
}

// The body may come after the header in a later segment: it is still read, and a request
// pipelined behind a whole one in the same segment is answered after it.
TEST_F(ServerTest, ReadsABodyThatArrivesAfterItsHeader) {
  start();
  Client client(port());
  const std::string whole = request("/echo", "split body");
  const std::size_t body_at = whole.find("\r\n\r\n") + 4;
  client.send(whole.substr(0, body_at + 3));
  std::this_thread::sleep_for(50ms);
  client.send(whole.substr(body_at + 3) + request("/echo", "next"));
  auto first = client.read_response();
  auto second = client.read_response();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body(), "POST split body");
  EXPECT_EQ(second->body(), "POST next");
}

TEST_F(ServerTest, KeepsTheConnectionAliveAcrossRequests) {
  start();
  Client client(port());
  client.send(request("/echo", "one"));
  auto first = client.read_response();
  client.send(request("/echo", "two"));
  auto second = client.read_response();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body(), "POST one");
  EXPECT_EQ(second->body(), "POST two");
  EXPECT_EQ(server_->session_count(), 1u);
}

TEST_F(ServerTest, AnswersPipelinedRequestsInOrder) {
  start();
  Client client(port());
  client.send(request("/delay") + request("/echo", "second"));
  auto first = client.read_response();
  auto second = client.read_response();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body(), "late");
  EXPECT_EQ(second->body(), "POST second");
}

TEST_F(ServerTest, WritesAResponseGivenLaterFromAnotherThread) {
  start();
  Client client(port());
  const auto started = std::chrono::steady_clock::now();
  client.send(request("/delay"));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), "late");
  EXPECT_GE(std::chrono::steady_clock::now() - started, 90ms);
}

TEST_F(ServerTest, AnswersHttp10WithHttp10AndCloses) {
  start();
  Client client(port());
  client.send("GET /echo HTTP/1.0\r\n\r\n");
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->version(), 10u);
  EXPECT_FALSE(res->keep_alive());
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(ServerTest, ClosesWhenTheClientAsksTo) {
  start();
  Client client(port());
  client.send(request("/echo", "", "Connection: close\r\n"));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_FALSE(res->keep_alive());
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(ServerTest, RejectsAnOversizedBodyWith413) {
  start(ServerOptions{.body_limit = 1024});
  Client client(port());
  client.send(request("/echo", std::string(2048, 'x')));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::payload_too_large);
  EXPECT_FALSE(res->keep_alive());
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(ServerTest, AcceptsABodyAtTheLimit) {
  start(ServerOptions{.body_limit = 1024});
  Client client(port());
  client.send(request("/echo", std::string(1024, 'x')));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::ok);
}

TEST_F(ServerTest, RejectsOversizedHeadersWith431) {
  start();
  Client client(port());
  client.send(request("/echo", "", "X-Big: " + std::string(17 * 1024, 'a') + "\r\n"));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::request_header_fields_too_large);
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(ServerTest, RejectsAMalformedRequestWith400AndCloses) {
  start();
  Client client(port());
  client.send("NOT HTTP AT ALL\r\n\r\n");
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::bad_request);
  EXPECT_FALSE(res->keep_alive());
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(ServerTest, SendsContinueBeforeReadingAnExpectedBody) {
  start();
  Client client(port());
  client.send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  auto interim = client.read_response();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->result(), http::status::continue_);
  client.send("abc");
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), "POST abc");
}

TEST_F(ServerTest, AHalfOpenClientTimesOutWithoutBlockingOthers) {
  start(ServerOptions{.request_timeout = 200ms});
  Client stalled(port());
  stalled.send("GET /echo HTTP/1.1\r\nHost: te");
  const auto started = std::chrono::steady_clock::now();

  Client other(port());
  other.send(request("/echo", "fine"));
  auto res = other.read_response(1s);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), "POST fine");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 200ms);

  EXPECT_TRUE(stalled.wait_closed(3s));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 150ms);
}

TEST_F(ServerTest, ClosesAnIdleKeepAliveConnection) {
  start(ServerOptions{.idle_timeout = 200ms});
  Client client(port());
  client.send(request("/echo"));
  ASSERT_TRUE(client.read_response());
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.wait_closed(3s));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 150ms);
}

TEST_F(ServerTest, AnswersADroppedRequestWith500) {
  start();
  Client client(port());
  client.send(request("/drop"));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::internal_server_error);
}

TEST_F(ServerTest, StopFinishesInFlightRequestsAndClosesIdleOnes) {
  start();
  Client idle(port());
  idle.send(request("/echo"));
  ASSERT_TRUE(idle.read_response());
  Client busy(port());
  busy.send(request("/hold"));
  ASSERT_TRUE(handler_.wait_held(1));

  server_->stop();
  EXPECT_TRUE(idle.wait_closed(1s));
  EXPECT_FALSE(server_->wait_drained(50ms));  // `busy` still waits for its answer

  handler_.release_all("done");
  auto res = busy.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), "done");
  EXPECT_FALSE(res->keep_alive());
  EXPECT_TRUE(busy.wait_closed(1s));
  EXPECT_TRUE(server_->wait_drained(2s));
  EXPECT_EQ(server_->session_count(), 0u);

  Client late(port());
  EXPECT_TRUE(late.connect_error());
}

TEST_F(ServerTest, AbortClosesConnectionsStillWaitingForAnAnswer) {
  start();
  Client busy(port());
  busy.send(request("/hold"));
  ASSERT_TRUE(handler_.wait_held(1));
  server_->stop();
  server_->abort();
  EXPECT_TRUE(busy.wait_closed(1s));
}

TEST_F(ServerTest, ReportsATakenPort) {
  start();
  ServerOptions options{.address = "127.0.0.1", .port = port()};
  Server second(loops_, handler_, options);
  auto listening = second.listen();
  ASSERT_FALSE(listening);
  EXPECT_EQ(listening.error().code, asio::error::address_in_use);
  EXPECT_NE(listening.error().message.find("127.0.0.1:" + std::to_string(port())),
            std::string::npos)
      << listening.error().message;
}

// A client that trickles its request a byte at a time is cut off when the request timeout,
// counted from its first byte, runs out: each byte does not buy it more time.
TEST_F(ServerTest, ATrickledRequestIsCutOffAtTheRequestTimeout) {
  start(ServerOptions{.request_timeout = 300ms});
  Client slow(port());
  const std::string text = request("/echo", std::string(100, 'x'));
  const auto started = std::chrono::steady_clock::now();
  bool cut_off = false;
  for (std::size_t i = 0; i < text.size() && !cut_off; ++i) {
    beast::error_code ec;
    asio::write(slow.socket(), asio::buffer(&text[i], 1), ec);
    cut_off = static_cast<bool>(ec);
    std::this_thread::sleep_for(20ms);
    if (std::chrono::steady_clock::now() - started > 2s) break;
  }
  EXPECT_TRUE(cut_off || slow.wait_closed(1s));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 1500ms);  // 100 bytes at 20 ms would take 2 s and more
}

// A body announced as 1 GiB is refused from its header alone: the 413 comes back before a
// byte of the body is sent.
TEST_F(ServerTest, RefusesAnAnnouncedGigabyteBodyBeforeReadingIt) {
  start();
  Client client(port());
  client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1073741824\r\n\r\n");
  auto res = client.read_response(1s);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::payload_too_large);
  EXPECT_FALSE(res->keep_alive());
  EXPECT_TRUE(client.wait_closed());
}

// A client that asks for a large answer and never reads it is closed once the write
// timeout passes, and its session (with the response it held) is gone.
TEST_F(ServerTest, DropsAClientThatNeverReadsAtTheWriteTimeout) {
  start(ServerOptions{.write_timeout = 300ms});
  Client reader(port());
  reader.socket().set_option(asio::socket_base::receive_buffer_size(4096));
  reader.send(request("/big"));
  ASSERT_TRUE(wait_for_sessions(1));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(wait_for_sessions(0));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 3s);

  Client other(port());
  other.send(request("/echo", "fine"));
  auto res = other.read_response(1s);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), "POST fine");
}

// Over max_connections a connection is answered 503 with Retry-After and closed, without
// disturbing the ones being served; once one of those closes, a new connection is served.
TEST_F(ServerTest, RefusesConnectionsOverTheCapWith503) {
  start(ServerOptions{.max_connections = 2});
  std::optional<Client> first(port());
  Client second(port());
  first->send(request("/echo", "one"));
  ASSERT_TRUE(first->read_response());

  {
    Client third(port());
    auto refused = third.read_response(1s);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->result(), http::status::service_unavailable);
    EXPECT_EQ((*refused)[http::field::retry_after], "1");
    EXPECT_FALSE(refused->keep_alive());
    EXPECT_TRUE(third.wait_closed());
    EXPECT_EQ(server_->refused_count(), 1u);
  }

  second.send(request("/echo", "two"));
  auto served = second.read_response(1s);
  ASSERT_TRUE(served);
  EXPECT_EQ(served->body(), "POST two");

  first.reset();
  ASSERT_TRUE(wait_for_sessions(1));
  Client fourth(port());
  fourth.send(request("/echo", "four"));
  auto res = fourth.read_response(1s);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), "POST four");
}

}  // namespace
}  // namespace eb::net
