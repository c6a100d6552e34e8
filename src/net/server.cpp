#include "net/server.hpp"

#include <array>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "net/io_threads.hpp"
#include "net/response_stream.hpp"

namespace eb::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
// A connection's executor: its I/O loop's, which one thread runs (IoThreads), so no strand.
using Executor = IoThreads::Executor;
using Socket = tcp::socket::rebind_executor<Executor>::other;
using Stream = beast::basic_stream<tcp, Executor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                         asio::wait_traits<std::chrono::steady_clock>, Executor>;

namespace {
class Session;
}

namespace detail {

// Everything the acceptor and the sessions share. The acceptor and its retry timer are
// only touched on the main loop (after listen()); the session table under `mu`.
struct ServerState {
  ServerState(IoThreads& io_threads, Handler& h, ServerOptions o)
      : loops(io_threads),
        acceptor(io_threads.main()),
        retry_timer(io_threads.main()),
        handler(h),
        options(std::move(o)) {}

  IoThreads& loops;
  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;
  Handler& handler;
  const ServerOptions options;
  std::atomic<bool> stopping{false};
  // Sessions serving requests (held under max_connections) and refused ones still being
  // answered (under kMaxRefusing): raised only by the acceptor, lowered by ~Session.
  std::atomic<std::size_t> serving{0};
  std::atomic<std::size_t> refusing{0};
  std::atomic<std::uint64_t> refused{0};

  mutable std::mutex mu;
  std::condition_variable drained;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
};

}  // namespace detail

namespace {

using detail::ServerState;

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// Bytes of a rejected request still in flight are read and dropped for at most this long,
// and at most this many, before closing, so the client sees our error response instead of a
// connection reset; one that sends more (the rest of a 1 GiB body) is reset.
constexpr std::chrono::milliseconds kLingerLimit{2'000};
constexpr std::size_t kLingerBytes = std::size_t{16} << 20;
// The read buffer a request starts with (it grows as needed up to the limits), and the
// most read at once from input that is only discarded.
constexpr std::size_t kReadSize = 4096;

// The Date every response carries (RFC 7231 IMF-fixdate, from the real clock: SDKs such as the
// JS SDK correct their clock skew from it). Formatted once per second per thread.
const std::string& http_date() {
  thread_local std::time_t cached_second = -1;
  thread_local std::string cached;
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    const std::size_t n = std::strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached.assign(text, n);
    cached_second = now;
  }
  return cached;
}

void set_date(HttpResponse& res) {
  if (res.find(http::field::date) == res.end()) res.set(http::field::date, http_date());
}

// The first `name` field's value, walking the few fields a response has by their codes:
// find() compares names case-insensitively down Beast's tree.
std::optional<std::string_view> field_value(const HttpResponse& res, http::field name) {
  for (const auto& field : res) {
    if (field.name() == name) return field.value();
  }
  return std::nullopt;
}

// True when `res` says how long its body is, correctly, and nothing else frames it.
bool framed(const HttpResponse& res) {
  if (field_value(res, http::field::transfer_encoding)) return false;
  const auto value = field_value(res, http::field::content_length);
  if (!value) return false;
  std::uint64_t length = 0;
  const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), length);
  return ec == std::errc() && end == value->data() + value->size() && length == res.body().size();
}

HttpResponse plain_response(http::status status, unsigned version, std::string body) {
  HttpResponse res{status, version};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = std::move(body);
  return res;
}

// One TCP connection. Runs on one I/O loop: every member below is touched only there.
// Reads one request, hands it to the Handler, writes the response, then reads the next.
// Kept alive by its pending I/O and by the Respond the handler holds. A refusal (a
// connection over max_connections) only writes its 503 and closes.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket&& socket, std::shared_ptr<ServerState> state, bool refusal)
      : stream_(std::move(socket)), state_(std::move(state)), refusal_(refusal) {
    error_code ec;
    peer_ = stream_.socket().remote_endpoint(ec);
  }

  ~Session() {
    if (body_stream_) body_stream_->drain().close();
    --(refusal_ ? state_->refusing : state_->serving);
    std::lock_guard lock(state_->mu);
    state_->sessions.erase(this);
    if (state_->sessions.empty()) state_->drained.notify_all();
  }

  // Called once, right after accept.
  void start() {
    {
      std::lock_guard lock(state_->mu);
      state_->sessions.emplace(this, weak_from_this());
    }
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->refusal_) return self->refuse();
      self->read_next();
    });
  }

  // Any thread. A connection waiting for its next request closes now; one with a request
  // in flight closes after writing that response; a streamed response ends after what its
  // handler has already written.
  void on_server_stop() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      self->stopping_ = true;
      if (self->phase_ == Phase::kIdle) self->close();
      if (self->phase_ == Phase::kStreaming) {
        self->body_stream_->drain().end_by_server();
        self->pump_stream();
      }
    });
  }

  // Any thread.
  void on_abort() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
  }

  // Any thread: the handler's answer to the current request. Always through the loop's queue,
  // even from the loop itself: writing a synchronous answer inline cost ~15 % more CPU per
  // SendMessage and fewer requests/s (wrk, 32 connections, one loop; issue 16's notes).
  void deliver(HttpResponse&& res) {
    asio::post(stream_.get_executor(), [self = shared_from_this(), res = std::move(res)]() mutable {
      self->write(std::move(res));
    });
  }

 private:
  enum class Phase { kIdle, kReading, kHandling, kWriting, kStreaming, kClosed };

  // Guards the once-per-request contract of Respond: a second call is ignored, and a
  // handler that drops every copy without answering gets a 500 written for it, so the
  // connection never waits forever.
  struct ResponseSlot {
    explicit ResponseSlot(std::shared_ptr<Session> s) : session(std::move(s)) {}
    ~ResponseSlot() {
      if (!used.exchange(true)) {
        session->deliver(plain_response(http::status::internal_server_error, 11,
                                        "the request was dropped without a response\n"));
      }
    }
    std::shared_ptr<Session> session;
    std::atomic<bool> used{false};
  };

  bool stopping() const { return stopping_ || state_->stopping.load(); }

  void read_next() {
    if (phase_ == Phase::kClosed) return;
    if (stopping()) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_->options.header_limit));
    parser_->body_limit(state_->options.body_limit);
    if (buffer_.size() > 0) {
      // A pipelined request already started arriving with the previous one.
      phase_ = Phase::kReading;
      return read_header();
    }
    // Wait for the first byte under the idle timeout; the request timeout starts only
    // once a request has begun.
    phase_ = Phase::kIdle;
    if (served_) {
      // Between requests on a keep-alive connection: one read into the buffer it keeps (a
      // waiting read and a buffer given back and taken again cost ~10 % of a SendMessage's
      // CPU). Only a buffer grown by a large request is given back.
      if (buffer_.capacity() > kReadSize) buffer_.shrink_to_fit();
      stream_.expires_after(state_->options.idle_timeout);
      stream_.async_read_some(buffer_.prepare(kReadSize),
                              [self = shared_from_this()](error_code ec, std::size_t n) {
                                self->on_next_bytes(ec, n);
                              });
      return;
    }
    // A new connection waits for readability with no read buffer, so connections that
    // never send cost little.
    served_ = true;
    idle_timer_.expires_after(state_->options.idle_timeout);
    idle_timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec && self->phase_ == Phase::kIdle) self->close();
    });
    stream_.socket().async_wait(tcp::socket::wait_read, [self = shared_from_this()](error_code ec) {
      self->on_readable(ec);
    });
  }

  void on_next_bytes(error_code ec, std::size_t n) {
    buffer_.commit(n);
    if (ec || phase_ == Phase::kClosed) return close();
    phase_ = Phase::kReading;
    read_header();
  }

  void on_readable(error_code ec) {
    idle_timer_.cancel();
    if (ec || phase_ == Phase::kClosed) return close();
    phase_ = Phase::kReading;
    // Most requests then arrive in one read.
    buffer_.reserve(kReadSize);
    read_header();
  }

  void read_header() {
    stream_.expires_after(state_->options.request_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(error_code ec) {
    if (ec) return on_read_error(ec);
    if (parser_->is_done()) return handle_request();
    auto expect = parser_->get().find(http::field::expect);
    if (expect != parser_->get().end() && beast::iequals(expect->value(), "100-continue")) {
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = shared_from_this()](error_code ec, std::size_t) {
                          if (ec) return self->close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    // The body usually arrived in the same read as the header: parse what is buffered here
    // instead of through another asynchronous read (a composed operation and a post, ~3 % of
    // a SendMessage's instructions).
    while (!parser_->is_done() && buffer_.size() > 0) {
      error_code ec;
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == http::error::need_more) break;
      if (ec) return on_read_error(ec);
      if (used == 0) break;
    }
    if (parser_->is_done()) return handle_request();
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](error_code ec, std::size_t) {
                       if (ec) return self->on_read_error(ec);
                       self->handle_request();
                     });
  }

  void on_read_error(error_code ec) {
    if (ec == http::error::body_limit) {
      return reject(
          http::status::payload_too_large,
          "request body exceeds " + std::to_string(state_->options.body_limit) + " bytes\n");
    }
    if (ec == http::error::header_limit) {
      return reject(
          http::status::request_header_fields_too_large,
          "request header exceeds " + std::to_string(state_->options.header_limit) + " bytes\n");
    }
    // A client that went away or stalled past the timeout gets no answer: nobody listens.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec.category() != error_code(http::error::end_of_stream).category()) {
      return close();
    }
    reject(http::status::bad_request, "malformed HTTP request: " + ec.message() + "\n");
  }

  void handle_request() {
    phase_ = Phase::kHandling;
    stream_.expires_never();
    HttpRequest request = parser_->release();
    version_ = request.version();
    keep_alive_ = request.keep_alive();
    head_request_ = request.method() == http::verb::head;
    auto slot = std::make_shared<ResponseSlot>(shared_from_this());
    Respond respond = [slot](HttpResponse&& res) {
      if (slot->used.exchange(true)) return;
      slot->session->deliver(std::move(res));
    };
    try {
      state_->handler.handle(std::move(request), peer_, respond);
    } catch (const std::exception& e) {
      respond(plain_response(http::status::internal_server_error, version_,
                             std::string("internal error: ") + e.what() + "\n"));
    }
  }

  void write(HttpResponse&& res) {
    if (phase_ != Phase::kHandling) {
      // The connection was aborted meanwhile: tell a stream's producer nobody listens.
      if (res.stream) res.stream->drain().close();
      return;
    }
    if (res.stream) {
      set_date(res);
      return start_stream(std::move(res));
    }
    phase_ = Phase::kWriting;
    const bool close_after = !keep_alive_ || stopping();
    res.version(version_);
    res.keep_alive(!close_after);
    // A HEAD response keeps the Content-Length of the body it describes but sends none. A
    // response the handler already framed (every AWS reply) is left alone: Beast's set()
    // allocates a new field even when the value is the same.
    const bool needs_framing = head_request_ ? !res.has_content_length() : !framed(res);
    if (needs_framing) res.prepare_payload();
    send(std::move(res), !head_request_,
         [self = shared_from_this(), close_after](error_code ec, std::size_t) {
           self->release_response();
           if (ec) return self->close();
           if (close_after) return self->close_after_send();
           self->read_next();
         });
  }

  // Writes the status line and fields of `res` (serialised into head_) and its body (from
  // where it is, unless `with_body` is false) in one gathered write, then calls done. Beast's
  // own serializer walks a buffer sequence of many pieces instead, which cost ~7 % of a
  // SendMessage's CPU.
  template <class Done>
  void send(HttpResponse&& res, bool with_body, Done&& done) {
    response_ = std::move(res);
    head_.clear();
    head_.append(response_->version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    char code[8];
    const auto [end, ec] = std::to_chars(code, code + sizeof code, response_->result_int());
    head_.append(code, end).append(" ").append(response_->reason()).append("\r\n");
    bool dated = false;
    for (const auto& field : *response_) {
      head_.append(field.name_string()).append(": ").append(field.value()).append("\r\n");
      dated = dated || field.name() == http::field::date;
    }
    // Serialised here rather than inserted into the fields (one allocation and a tree insert
    // per response).
    if (!dated) head_.append("Date: ").append(http_date()).append("\r\n");
    head_.append("\r\n");
    const std::array<asio::const_buffer, 2> buffers{
        asio::buffer(head_), with_body ? asio::buffer(response_->body()) : asio::const_buffer()};
    stream_.expires_after(state_->options.write_timeout);
    asio::async_write(stream_, buffers, std::forward<Done>(done));
  }

  // The response just written: gone, but the header buffer keeps its capacity (a large
  // one is given back).
  void release_response() {
    response_.reset();
    if (head_.capacity() > kReadSize) head_ = std::string();
  }

  // A streamed response: the header now, then the stream's bytes as they come (as chunks on
  // HTTP/1.1, raw until close on 1.0), then the connection closes. A read stays posted on
  // the raw socket (outside the stream's timeouts) so a client that goes away is noticed
  // while nothing is being written.
  void start_stream(HttpResponse&& res) {
    phase_ = Phase::kStreaming;
    body_stream_ = std::move(res.stream);
    chunked_ = version_ != 10;
    stream_header_ = std::make_unique<http::response<http::empty_body>>(res.result(), version_);
    for (const auto& field : res.base()) {
      if (field.name() == http::field::content_length ||
          field.name() == http::field::transfer_encoding || field.name() == http::field::connection)
        continue;
      stream_header_->insert(field.name_string(), field.value());
    }
    stream_header_->keep_alive(false);
    if (chunked_) stream_header_->chunked(true);
    header_serializer_ =
        std::make_unique<http::response_serializer<http::empty_body>>(*stream_header_);
    stream_.expires_after(state_->options.write_timeout);
    http::async_write_header(
        stream_, *header_serializer_,
        [self = shared_from_this()](error_code ec, std::size_t) { self->on_stream_header(ec); });
  }

  void on_stream_header(error_code ec) {
    stream_.expires_never();
    if (ec || phase_ != Phase::kStreaming) return close();
    if (head_request_) return close_after_send();
    if (stopping()) body_stream_->drain().end_by_server();
    watch_peer();
    std::weak_ptr<Session> weak = weak_from_this();
    body_stream_->drain().attach([weak] {
      if (auto self = weak.lock()) {
        asio::post(self->stream_.get_executor(), [self] { self->pump_stream(); });
      }
    });
    pump_stream();
  }

  void watch_peer() {
    buffer_.clear();
    stream_.socket().async_read_some(buffer_.prepare(kReadSize),
                                     [self = shared_from_this()](error_code ec, std::size_t) {
                                       if (self->phase_ != Phase::kStreaming) return;
                                       if (ec) return self->close();
                                       self->watch_peer();  // stray bytes: ignored
                                     });
  }

  void pump_stream() {
    if (phase_ != Phase::kStreaming || stream_writing_) return;
    bool ended = false;
    std::string data = body_stream_->drain().take(ended);
    if (data.empty() && !ended) return;  // woken again when there is more
    stream_writing_ = true;
    stream_out_ = std::move(data);
    stream_.expires_after(state_->options.write_timeout);
    auto done = [self = shared_from_this(), ended](error_code ec, std::size_t) {
      self->stream_writing_ = false;
      self->stream_.expires_never();
      if (ec) return self->close();
      self->body_stream_->drain().sent(self->stream_out_.size());
      self->stream_out_.clear();
      if (ended) return self->close_after_send();
      self->pump_stream();
    };
    if (!chunked_) {
      if (stream_out_.empty()) return done(error_code(), 0);
      asio::async_write(stream_, asio::buffer(stream_out_), std::move(done));
    } else if (ended && stream_out_.empty()) {
      asio::async_write(stream_, http::make_chunk_last(), std::move(done));
    } else if (ended) {
      // The last data and the terminating chunk in one write.
      stream_out_ = chunk_text(stream_out_) + "0\r\n\r\n";
      asio::async_write(stream_, asio::buffer(stream_out_), std::move(done));
    } else {
      asio::async_write(stream_, http::make_chunk(asio::buffer(stream_out_)), std::move(done));
    }
  }

  static std::string chunk_text(const std::string& data) {
    if (data.empty()) return {};
    char size[20];
    const int n = std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
    return std::string(size, static_cast<std::size_t>(n)) + data + "\r\n";
  }

  // Answers a request we could not read with `status` and closes the connection.
  void reject(http::status status, std::string text) {
    const unsigned version = parser_->is_header_done() ? parser_->get().version() : 11;
    send_and_close(plain_response(status, version == 10 ? 10 : 11, std::move(text)));
  }

  // Answers a connection over max_connections before reading anything from it.
  void refuse() {
    auto res =
        plain_response(http::status::service_unavailable, 11,
                       "too many connections (the limit is " +
                           std::to_string(state_->options.max_connections) + "); retry later\n");
    res.set(http::field::retry_after, "1");
    send_and_close(std::move(res));
  }

  void send_and_close(HttpResponse&& res) {
    phase_ = Phase::kWriting;
    res.keep_alive(false);
    res.prepare_payload();
    send(std::move(res), true, [self = shared_from_this()](error_code ec, std::size_t) {
      self->release_response();
      if (ec) return self->close();
      self->linger();
    });
  }

  // Half-closes and discards what the client still sends until it closes too (or a short
  // deadline or kLingerBytes pass): closing a socket with unread input would reset the
  // connection and could destroy the error response before the client reads it.
  void linger() {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::min(state_->options.request_timeout, kLingerLimit));
    drain();
  }

  void drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(kReadSize),
                            [self = shared_from_this()](error_code ec, std::size_t n) {
                              self->discarded_ += n;
                              if (ec || self->discarded_ > kLingerBytes) return self->close();
                              self->drain();
                            });
  }

  void close_after_send() {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    close();
  }

  void close() {
    phase_ = Phase::kClosed;
    idle_timer_.cancel();
    stream_.close();
    if (body_stream_) body_stream_->drain().close();
  }

  Stream stream_;
  std::shared_ptr<ServerState> state_;
  tcp::endpoint peer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<HttpResponse> response_;  // the response being written
  std::string head_;                      // its status line and fields, serialised
  // A streamed response (Phase::kStreaming): its producer, header and the bytes being sent.
  std::shared_ptr<ResponseStream> body_stream_;
  std::unique_ptr<http::response<http::empty_body>> stream_header_;
  std::unique_ptr<http::response_serializer<http::empty_body>> header_serializer_;
  std::string stream_out_;
  bool stream_writing_ = false;
  std::size_t discarded_ = 0;  // bytes drained after a rejection
  bool served_ = false;        // past the first wait (a request has begun)
  bool chunked_ = true;
  Timer idle_timer_{stream_.get_executor()};
  Phase phase_ = Phase::kIdle;
  const bool refusal_;
  bool stopping_ = false;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool head_request_ = false;
};

void accept_next(const std::shared_ptr<ServerState>& state) {
  state->acceptor.async_accept(state->loops.next(), [state](error_code ec, Socket socket) {
    if (ec == asio::error::operation_aborted || !state->acceptor.is_open()) return;
    if (ec) {
      // Usually out of file descriptors: retry shortly instead of spinning.
      state->retry_timer.expires_after(std::chrono::milliseconds(50));
      state->retry_timer.async_wait([state](error_code ec) {
        if (!ec) accept_next(state);
      });
      return;
    }
    if (state->stopping) {
      socket.close(ec);
      return;
    }
    if (state->serving < state->options.max_connections) {
      ++state->serving;
      std::make_shared<Session>(std::move(socket), state, false)->start();
    } else if (state->refusing < kMaxRefusing) {
      ++state->refused;
      ++state->refusing;
      std::make_shared<Session>(std::move(socket), state, true)->start();
    } else {
      // Even a 503 is too many now: the client sees the connection close.
      ++state->refused;
      socket.close(ec);
    }
    accept_next(state);
  });
}

// Strong references taken under the lock but released outside it: dropping the last one
// runs ~Session, which takes the same lock.
std::vector<std::shared_ptr<Session>> live_sessions(ServerState& state) {
  std::vector<std::shared_ptr<Session>> out;
  std::lock_guard lock(state.mu);
  out.reserve(state.sessions.size());
  for (auto& [ptr, weak] : state.sessions) {
    if (auto session = weak.lock()) out.push_back(std::move(session));
  }
  return out;
}

std::string describe(const std::string& address, std::uint16_t port) {
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

}  // namespace

Server::Server(IoThreads& loops, Handler& handler, ServerOptions options)
    : io_(loops.main()),
      options_(options),
      state_(std::make_shared<ServerState>(loops, handler, std::move(options))) {}

Server::~Server() {
  state_->stopping = true;
  asio::post(state_->acceptor.get_executor(), [state = state_] {
    error_code ec;
    state->acceptor.close(ec);
    state->retry_timer.cancel();
  });
}

std::expected<void, ListenError> Server::listen() {
  const std::string where = describe(options_.address, options_.port);
  auto fail = [&](error_code ec, std::string_view what) {
    return std::unexpected(
        ListenError{ec, "cannot listen on " + where + ": " + std::string(what) + ec.message()});
  };
  error_code ec;
  tcp::resolver resolver(io_);
  auto results = resolver.resolve(options_.address, std::to_string(options_.port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) return fail(ec, "cannot resolve address: ");
  const tcp::endpoint endpoint = results.begin()->endpoint();

  tcp::acceptor& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail(ec, "");
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail(ec, "");
  acceptor.bind(endpoint, ec);
  if (ec) return fail(ec, "");
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail(ec, "");
  local_port_ = acceptor.local_endpoint(ec).port();
  asio::post(acceptor.get_executor(), [state = state_] { accept_next(state); });
  return {};
}

std::uint16_t Server::local_port() const { return local_port_; }

void Server::stop() {
  state_->stopping = true;
  asio::post(state_->acceptor.get_executor(), [state = state_] {
    error_code ec;
    state->acceptor.close(ec);
    state->retry_timer.cancel();
  });
  for (const auto& session : live_sessions(*state_)) session->on_server_stop();
  std::lock_guard lock(state_->mu);
  state_->drained.notify_all();
}

bool Server::wait_drained(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mu);
  return state_->drained.wait_for(
      lock, timeout, [&] { return state_->stopping.load() && state_->sessions.empty(); });
}

void Server::abort() {
  for (const auto& session : live_sessions(*state_)) session->on_abort();
}

std::size_t Server::session_count() const {
  std::lock_guard lock(state_->mu);
  return state_->sessions.size();
}

std::uint64_t Server::refused_count() const { return state_->refused; }

}  // namespace eb::net
