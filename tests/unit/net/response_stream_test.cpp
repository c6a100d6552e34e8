// Streamed responses: ResponseStream's bookkeeping on its own, then the server sending one
// over a real loopback socket (header, chunks, end, client gone, server stop).
#include "net/response_stream.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "net/server.hpp"

namespace eb::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

TEST(ResponseStreamTest, QueuesWakesAndBoundsTheBacklog) {
  ResponseStream s(10);
  StreamDrain& connection = s.drain();
  int wakes = 0;
  int writable = 0;
  connection.attach([&] { ++wakes; });
  s.on_writable([&] { ++writable; });
  EXPECT_TRUE(s.write("abcd"));
  EXPECT_TRUE(s.write("efgh"));
  EXPECT_EQ(wakes, 1);           // the second write joined a queue the connection will take anyway
  EXPECT_FALSE(s.write("ijk"));  // 8 + 3 > 10
  EXPECT_EQ(s.buffered(), 8u);
  bool ended = true;
  EXPECT_EQ(connection.take(ended), "abcdefgh");
  EXPECT_FALSE(ended);
  EXPECT_EQ(s.buffered(), 8u);  // in flight still counts
  EXPECT_FALSE(s.write("ijk"));
  connection.sent(8);
  EXPECT_EQ(writable, 1);
  EXPECT_TRUE(s.write(std::string(50, 'x')));  // an empty backlog takes anything
  EXPECT_EQ(wakes, 2);
  s.end();
  EXPECT_TRUE(s.done());
  EXPECT_FALSE(s.write("late"));
  EXPECT_EQ(connection.take(ended).size(), 50u);
  EXPECT_TRUE(ended);
}

TEST(ResponseStreamTest, TheServerEndingRefusesFurtherWrites) {
  ResponseStream s;
  EXPECT_TRUE(s.write("a"));
  s.drain().end_by_server();
  EXPECT_TRUE(s.done());
  EXPECT_FALSE(s.write("b"));
  bool ended = false;
  EXPECT_EQ(s.drain().take(ended), "a");  // what was written before still goes out
  EXPECT_TRUE(ended);
}

TEST(ResponseStreamTest, OnCloseRunsOnce) {
  ResponseStream s;
  int closes = 0;
  s.on_close([&] { ++closes; });
  s.drain().close();
  s.drain().close();
  EXPECT_EQ(closes, 1);
  EXPECT_TRUE(s.done());
  EXPECT_FALSE(s.write("x"));
}

// /stream answers with a ResponseStream the test then drives; anything else gets a 404.
class StreamHandler final : public Handler {
 public:
  void handle(HttpRequest&& request, const tcp::endpoint&, Respond respond) override {
    if (request.target() != "/stream") {
      respond(HttpResponse{http::status::not_found, 11});
      return;
    }
    auto stream = std::make_shared<ResponseStream>();
    stream->on_close([this] {
      std::lock_guard lock(mu_);
      ++closed_;
      cv_.notify_all();
    });
    HttpResponse res{http::status::ok, 11};
    res.set(http::field::content_type, "text/event-stream");
    res.body() = "ignored";
    res.stream = stream;
    {
      std::lock_guard lock(mu_);
      streams_.push_back(stream);
      cv_.notify_all();
    }
    respond(std::move(res));
  }

  std::shared_ptr<ResponseStream> wait_stream(std::size_t n = 1) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, 5s, [&] { return streams_.size() >= n; })) return nullptr;
    return streams_[n - 1];
  }

  bool wait_closed(int n = 1) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 5s, [&] { return closed_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<ResponseStream>> streams_;
  int closed_ = 0;
};

// A blocking client with a deadline on every read.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  void send(std::string_view raw) { asio::write(socket_, asio::buffer(raw.data(), raw.size())); }
  // Reads until `text` has arrived (true) or the connection ends or 5 s pass (false).
  bool read_until(std::string_view text) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (received_.find(text) == std::string::npos) {
      if (!read_some(deadline)) return false;
    }
    return true;
  }
  // True when the server closes the connection within 5 s.
  bool wait_eof() {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (read_some(deadline)) {
    }
    return eof_;
  }
  void close() { socket_.close(); }
  const std::string& received() const { return received_; }

 private:
  bool read_some(std::chrono::steady_clock::time_point deadline) {
    std::array<char, 4096> buf;
    beast::error_code error;
    std::size_t n = 0;
    bool done = false;
    socket_.async_read_some(asio::buffer(buf), [&](beast::error_code ec, std::size_t got) {
      error = ec;
      n = got;
      done = true;
    });
    io_.restart();
    io_.run_until(deadline);
    if (!done) {
      socket_.cancel();
      io_.restart();
      io_.run();
      return false;
    }
    received_.append(buf.data(), n);
    if (error) eof_ = error == asio::error::eof || error == asio::error::connection_reset;
    return !error;
  }

  asio::io_context io_;
  tcp::socket socket_;
  std::string received_;
  bool eof_ = false;
};

class StreamServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<Server>(loops_, handler_, ServerOptions{.port = 0});
    ASSERT_TRUE(server_->listen());
    loops_.start();
  }
  void TearDown() override {
    server_->stop();
    EXPECT_TRUE(server_->wait_drained(5s));
    loops_.stop();
    loops_.join();
  }
  std::uint16_t port() const { return server_->local_port(); }

  IoThreads loops_{2};
  StreamHandler handler_;
  std::unique_ptr<Server> server_;
};

TEST_F(StreamServerTest, SendsChunksAsTheyAreWrittenThenEnds) {
  RawClient client(port());
  client.send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n");
  auto stream = handler_.wait_stream();
  ASSERT_TRUE(stream);
  ASSERT_TRUE(client.read_until("\r\n\r\n"));
  const std::string head = client.received();
  EXPECT_NE(head.find("HTTP/1.1 200 OK"), std::string::npos);
  EXPECT_NE(head.find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_NE(head.find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_NE(head.find("Connection: close"), std::string::npos);
  EXPECT_EQ(head.find("Content-Length"), std::string::npos);
  EXPECT_EQ(head.find("ignored"), std::string::npos);

  EXPECT_TRUE(stream->write("data: one\n\n"));
  ASSERT_TRUE(client.read_until("b\r\ndata: one\n\n\r\n"));
  EXPECT_TRUE(stream->write("data: two\n\n"));
  ASSERT_TRUE(client.read_until("data: two\n\n"));
  stream->write("data: last\n\n");
  stream->end();
  EXPECT_TRUE(client.wait_eof());
  EXPECT_NE(client.received().find("data: last\n\n\r\n0\r\n\r\n"), std::string::npos);
  EXPECT_TRUE(handler_.wait_closed());
}

TEST_F(StreamServerTest, AClientThatLeavesClosesTheStream) {
  RawClient client(port());
  client.send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n");
  auto stream = handler_.wait_stream();
  ASSERT_TRUE(stream);
  ASSERT_TRUE(client.read_until("\r\n\r\n"));
  client.close();
  EXPECT_TRUE(handler_.wait_closed());
  EXPECT_TRUE(stream->done());
  EXPECT_FALSE(stream->write("nobody listens"));
}

TEST_F(StreamServerTest, StoppingTheServerEndsOpenStreams) {
  RawClient client(port());
  client.send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n");
  auto stream = handler_.wait_stream();
  ASSERT_TRUE(stream);
  stream->write("data: before\n\n");
  ASSERT_TRUE(client.read_until("data: before"));
  const auto started = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_TRUE(server_->wait_drained(2s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  EXPECT_TRUE(client.wait_eof());
  EXPECT_NE(client.received().find("0\r\n\r\n"), std::string::npos);
  EXPECT_TRUE(handler_.wait_closed());
}

TEST_F(StreamServerTest, Http10GetsRawBytesUntilClose) {
  RawClient client(port());
  client.send("GET /stream HTTP/1.0\r\n\r\n");
  auto stream = handler_.wait_stream();
  ASSERT_TRUE(stream);
  stream->write("data: x\n\n");
  stream->end();
  EXPECT_TRUE(client.wait_eof());
  const std::string& got = client.received();
  EXPECT_NE(got.find("HTTP/1.0 200 OK"), std::string::npos);
  EXPECT_EQ(got.find("chunked"), std::string::npos);
  EXPECT_EQ(got.substr(got.size() - 9), "data: x\n\n");
}

TEST_F(StreamServerTest, ManyWritesArriveInOrder) {
  RawClient client(port());
  client.send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n");
  auto stream = handler_.wait_stream();
  ASSERT_TRUE(stream);
  std::thread producer([&] {
    for (int i = 0; i < 2000; ++i) {
      while (!stream->write("event " + std::to_string(i) + "\n")) std::this_thread::yield();
    }
    stream->end();
  });
  EXPECT_TRUE(client.wait_eof());
  producer.join();
  // Strip the chunk framing and check the payload.
  std::string payload;
  const std::string& raw = client.received();
  std::size_t pos = raw.find("\r\n\r\n") + 4;
  while (pos < raw.size()) {
    const std::size_t eol = raw.find("\r\n", pos);
    const std::size_t size = std::stoul(raw.substr(pos, eol - pos), nullptr, 16);
    if (size == 0) break;
    payload += raw.substr(eol + 2, size);
    pos = eol + 2 + size + 2;
  }
  std::string expected;
  for (int i = 0; i < 2000; ++i) expected += "event " + std::to_string(i) + "\n";
  EXPECT_EQ(payload, expected);
}

}  // namespace
}  // namespace eb::net
