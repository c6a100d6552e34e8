// sqs_load: a load generator for SQS endpoints speaking AWS JSON 1.0 (eventbrokerd, moto_server).
//
// One io_context (run by --threads threads, default 1) drives --connections keep-alive
// connections, each a coroutine issuing one operation at a time. Requests are serialized once
// per scenario; only DeleteMessage(Batch) bodies are built per request, from the receipt handles
// the previous ReceiveMessage returned. Latency is per operation (a SendMessage, a batch, a
// receive+delete pair or a send→receive→delete cycle) and, with --rate, is measured from the
// operation's scheduled start so a stalled server cannot hide its queueing delay (no coordinated
// omission). The run stops itself at --duration and only ever talks to 127.0.0.1.

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cctype>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

namespace eb::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using std::chrono::nanoseconds;

constexpr auto kIoTimeout = std::chrono::seconds(10);
constexpr auto kReconnectBackoff = std::chrono::milliseconds(10);
constexpr int kBatchSize = 10;
constexpr std::size_t kMaxErrorSamples = 5;

// Log-linear latency histogram in nanoseconds: exact below 256 ns, then 128 linear sub-buckets
// per power of two (relative error < 0.8%), clamped at 60 s. Not thread-safe: one per worker,
// merged at the end.
class Histogram {
 public:
  static constexpr std::uint64_t kMaxValue = 60'000'000'000ULL;

  void record(std::uint64_t ns) {
    ns = std::min(ns, kMaxValue);
    ++counts_[index_of(ns)];
    ++total_;
    max_ = std::max(max_, ns);
  }
  void merge(const Histogram& other) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
    max_ = std::max(max_, other.max_);
  }
  std::uint64_t total() const { return total_; }
  std::uint64_t max() const { return max_; }
  // Value at quantile q in [0,1]: the midpoint of the bucket holding the ceil(q*total)-th value.
  std::uint64_t quantile(double q) const {
    if (total_ == 0) return 0;
    auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total_) + 0.999999);
    rank = std::clamp<std::uint64_t>(rank, 1, total_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(midpoint_of(i), max_);
    }
    return max_;
  }

 private:
  static constexpr int kSubBits = 7;  // 2^7 sub-buckets per half-magnitude
  static constexpr std::size_t kBuckets = (64 - kSubBits) << kSubBits;

  static std::size_t index_of(std::uint64_t v) {
    const int msb = static_cast<int>(std::bit_width(v)) - 1;
    if (msb <= kSubBits) return static_cast<std::size_t>(v);
    const int shift = msb - kSubBits;
    return (static_cast<std::size_t>(shift) << kSubBits) + static_cast<std::size_t>(v >> shift);
  }
  static std::uint64_t midpoint_of(std::size_t i) {
    if (i < (std::size_t{2} << kSubBits)) return i;
    const std::size_t shift = (i >> kSubBits) - 1;
    const std::uint64_t sub = i - (shift << kSubBits);
    return (sub << shift) + ((std::uint64_t{1} << shift) >> 1);
  }

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t max_ = 0;
};

enum class Scenario { kSend, kSendBatch, kReceiveDelete, kCycle };

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  Scenario scenario = Scenario::kSend;
  std::string scenario_name = "send";
  int connections = 4;
  int threads = 1;
  double duration_s = 10;
  double rate = 0;
  std::string queue = "sqs-load";
  std::uint64_t prefill = 0;
  double max_prefill_s = 900;
  std::size_t body_size = 100;
  bool json = false;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "sqs_load: %s\n"
               "usage: sqs_load --endpoint http://127.0.0.1:PORT\n"
               "  [--scenario send|send-batch|receive-delete|cycle] [--connections N]\n"
               "  [--threads N] [--duration SECONDS (0 = setup and prefill only)]\n"
               "  [--rate MSGS_PER_SEC (0 = unbounded)] [--queue NAME] [--prefill N]\n"
               "  [--max-prefill-seconds S] [--body-size BYTES] [--json]\n",
               why);
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options o;
  bool have_endpoint = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--json") {
      o.json = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") usage("help");
    if (i + 1 >= argc) usage("missing value after an option");
    const std::string value = argv[++i];
    try {
      if (arg == "--endpoint") {
        // Only loopback: this tool must never load a shared or remote service.
        std::string_view v = value;
        if (!v.starts_with("http://")) usage("endpoint must start with http://");
        v.remove_prefix(7);
        if (v.ends_with('/')) v.remove_suffix(1);
        const auto colon = v.rfind(':');
        if (colon == std::string_view::npos) usage("endpoint needs an explicit port");
        const std::string_view host = v.substr(0, colon);
        if (host != "127.0.0.1" && host != "localhost") usage("endpoint host must be 127.0.0.1");
        const int port = std::stoi(std::string(v.substr(colon + 1)));
        if (port <= 0 || port > 65535) usage("bad port");
        o.port = static_cast<std::uint16_t>(port);
        have_endpoint = true;
      } else if (arg == "--scenario") {
        o.scenario_name = value;
        if (value == "send") {
          o.scenario = Scenario::kSend;
        } else if (value == "send-batch") {
          o.scenario = Scenario::kSendBatch;
        } else if (value == "receive-delete") {
          o.scenario = Scenario::kReceiveDelete;
        } else if (value == "cycle") {
          o.scenario = Scenario::kCycle;
        } else {
          usage("unknown scenario");
        }
      } else if (arg == "--connections") {
        o.connections = std::stoi(value);
      } else if (arg == "--threads") {
        o.threads = std::stoi(value);
      } else if (arg == "--duration") {
        o.duration_s = std::stod(value);
      } else if (arg == "--rate") {
        o.rate = std::stod(value);
      } else if (arg == "--queue") {
        o.queue = value;
      } else if (arg == "--prefill") {
        o.prefill = std::stoull(value);
      } else if (arg == "--max-prefill-seconds") {
        o.max_prefill_s = std::stod(value);
      } else if (arg == "--body-size") {
        o.body_size = std::stoul(value);
      } else {
        usage("unknown option");
      }
    } catch (const std::logic_error&) {
      usage("bad number");
    }
  }
  if (!have_endpoint) usage("--endpoint is required");
  if (o.connections < 1 || o.connections > 1024) usage("--connections must be 1..1024");
  if (o.threads < 1 || o.threads > 64) usage("--threads must be 1..64");
  if (o.duration_s < 0 || o.duration_s > 3600) usage("--duration must be 0..3600");
  if (o.rate < 0) usage("--rate must be >= 0");
  if (o.body_size < 1 || o.body_size > std::size_t{256} * 1024)
    usage("--body-size must be 1..262144");
  const bool name_ok =
      !o.queue.empty() && o.queue.size() <= 80 && std::ranges::all_of(o.queue, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
      });
  if (!name_ok) usage("--queue must be 1-80 of [A-Za-z0-9_-] (standard queues only)");
  return o;
}

// Serializes whole HTTP/1.1 requests for one endpoint; the headers never change.
class RequestBuilder {
 public:
  RequestBuilder(const Options& o) : host_(o.host + ":" + std::to_string(o.port)) {
    char date[32];
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(date, sizeof date, "%Y%m%dT%H%M%SZ", &tm);
    date_ = date;
  }

  // Writes into `out` (cleared first) so callers on the hot path can reuse its capacity.
  void build(std::string_view action, std::string_view body, std::string& out) const {
    out.clear();
    out.append("POST / HTTP/1.1\r\nHost: ").append(host_);
    out.append(
        "\r\nContent-Type: application/x-amz-json-1.0\r\n"
        "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sqs/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0000\r\n"
        "Connection: keep-alive\r\nX-Amz-Date: ");
    out.append(date_).append("\r\nX-Amz-Target: AmazonSQS.").append(action);
    out.append("\r\nContent-Length: ").append(std::to_string(body.size())).append("\r\n\r\n");
    out.append(body);
  }
  std::string build(std::string_view action, std::string_view body) const {
    std::string out;
    build(action, body, out);
    return out;
  }

 private:
  std::string host_;
  std::string date_;
};

// Raw (still JSON-escaped) contents of every string value whose key is `key`. Escaped text can be
// pasted back into a JSON string unchanged, so receipt handles never need unescaping.
void find_string_values(std::string_view body, std::string_view key,
                        std::vector<std::string_view>& out) {
  out.clear();
  const std::string quoted = "\"" + std::string(key) + "\"";
  std::size_t pos = 0;
  while ((pos = body.find(quoted, pos)) != std::string_view::npos) {
    pos += quoted.size();
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\n' || body[pos] == '\t' ||
                                 body[pos] == '\r' || body[pos] == ':')) {
      ++pos;
    }
    if (pos >= body.size() || body[pos] != '"') continue;
    const std::size_t start = ++pos;
    while (pos < body.size() && body[pos] != '"') pos += body[pos] == '\\' ? 2 : 1;
    if (pos > body.size()) break;
    out.push_back(body.substr(start, pos - start));
  }
}

// True when a batch response lists at least one entry under "Failed".
bool has_failed_entries(std::string_view body) {
  auto pos = body.find("\"Failed\"");
  if (pos == std::string_view::npos) return false;
  pos = body.find('[', pos);
  if (pos == std::string_view::npos) return false;
  pos = body.find_first_not_of(" \t\r\n", pos + 1);
  return pos != std::string_view::npos && body[pos] != ']';
}

std::string message_body(std::size_t size) {
  std::string s(size, 'a');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

// Counters of one worker; merged after its phase. Only its own coroutine touches them.
struct WorkerStats {
  Histogram latency;
  std::uint64_t ops = 0;
  std::uint64_t requests = 0;
  std::uint64_t messages = 0;
  std::uint64_t errors = 0;
  std::uint64_t empty_receives = 0;
};

// State shared by all workers of a run: the target, prebuilt requests, and the work counter.
struct Shared {
  Options opt;
  tcp::endpoint endpoint;
  RequestBuilder builder;
  std::string queue_url;         // raw JSON-escaped, as the server returned it
  std::string quoted_url_field;  // "QueueUrl":"..."
  std::string send_req, send_batch_req, receive10_req, receive1_req;
  std::string prefill_full_req, prefill_tail_req;
  std::atomic<std::uint64_t> next_ticket{0};
  std::mutex error_mu;
  std::vector<std::string> error_samples;

  explicit Shared(const Options& o)
      : opt(o), endpoint(asio::ip::make_address("127.0.0.1"), o.port), builder(o) {}

  void note_error(std::string what) {
    std::lock_guard lock(error_mu);
    if (error_samples.size() < kMaxErrorSamples) error_samples.push_back(std::move(what));
  }
};

std::string batch_body(std::string_view url_field, int n, std::string_view body) {
  std::string s = "{" + std::string(url_field) + ",\"Entries\":[";
  for (int i = 0; i < n; ++i) {
    if (i) s += ',';
    s += "{\"Id\":\"" + std::to_string(i) + "\",\"MessageBody\":\"" + std::string(body) + "\"}";
  }
  return s + "]}";
}

// One keep-alive connection. It reconnects lazily after any error or a server-side close.
class Connection {
 public:
  explicit Connection(asio::io_context& ioc) : stream_(ioc) {}

  // Sends one serialized request and reads the response into response(). False on an I/O error
  // or a non-200 status, with a description in `err`.
  asio::awaitable<bool> round_trip(const tcp::endpoint& ep, std::string_view req,
                                   std::string& err) {
    beast::error_code ec;
    if (!open_) {
      stream_.expires_after(kIoTimeout);
      co_await stream_.async_connect(ep, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        err = "connect: " + ec.message();
        close();
        co_return false;
      }
      stream_.socket().set_option(tcp::no_delay(true), ec);
      buffer_.clear();
      open_ = true;
    }
    stream_.expires_after(kIoTimeout);
    co_await asio::async_write(stream_, asio::buffer(req.data(), req.size()),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      err = "write: " + ec.message();
      close();
      co_return false;
    }
    response_ = {};
    co_await http::async_read(stream_, buffer_, response_,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      err = "read: " + ec.message();
      close();
      co_return false;
    }
    if (!response_.keep_alive()) close();
    if (response_.result() != http::status::ok) {
      err =
          "HTTP " + std::to_string(response_.result_int()) + ": " + response_.body().substr(0, 300);
      co_return false;
    }
    co_return true;
  }

  const std::string& body() const { return response_.body(); }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
    open_ = false;
  }

 private:
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::response<http::string_body> response_;
  bool open_ = false;
};

asio::awaitable<void> backoff() {
  asio::steady_timer t(co_await asio::this_coro::executor, kReconnectBackoff);
  beast::error_code ec;
  co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

// GetQueueUrl, then CreateQueue if that fails; prebuilds every fixed request of the run.
asio::awaitable<void> setup(Shared& sh, Connection& conn) {
  std::string err;
  const std::string name_body = "{\"QueueName\":\"" + sh.opt.queue + "\"}";
  std::vector<std::string_view> urls;
  if (co_await conn.round_trip(sh.endpoint, sh.builder.build("GetQueueUrl", name_body), err)) {
    find_string_values(conn.body(), "QueueUrl", urls);
  }
  if (urls.empty()) {
    if (!co_await conn.round_trip(sh.endpoint, sh.builder.build("CreateQueue", name_body), err)) {
      throw std::runtime_error("CreateQueue failed: " + err);
    }
    find_string_values(conn.body(), "QueueUrl", urls);
    if (urls.empty()) throw std::runtime_error("CreateQueue response without QueueUrl");
  }
  sh.queue_url = std::string(urls.front());
  sh.quoted_url_field = "\"QueueUrl\":\"" + sh.queue_url + "\"";

  const std::string body = message_body(sh.opt.body_size);
  const std::string& url = sh.quoted_url_field;
  sh.send_req = sh.builder.build("SendMessage", "{" + url + ",\"MessageBody\":\"" + body + "\"}");
  sh.send_batch_req = sh.builder.build("SendMessageBatch", batch_body(url, kBatchSize, body));
  sh.receive10_req = sh.builder.build(
      "ReceiveMessage", "{" + url + ",\"MaxNumberOfMessages\":10,\"WaitTimeSeconds\":0}");
  sh.receive1_req = sh.builder.build(
      "ReceiveMessage", "{" + url + ",\"MaxNumberOfMessages\":1,\"WaitTimeSeconds\":0}");
  // Prefill always uses 100-byte-class bodies of --body-size so RSS figures match the run.
  sh.prefill_full_req = sh.send_batch_req;
  const int tail = static_cast<int>(sh.opt.prefill % kBatchSize);
  if (tail) sh.prefill_tail_req = sh.builder.build("SendMessageBatch", batch_body(url, tail, body));
}

asio::awaitable<void> prefill_worker(Shared& sh, Connection& conn, WorkerStats& st,
                                     Clock::time_point deadline) {
  const std::uint64_t batches = (sh.opt.prefill + kBatchSize - 1) / kBatchSize;
  const bool has_tail = !sh.prefill_tail_req.empty();
  std::string err;
  for (;;) {
    const std::uint64_t b = sh.next_ticket.fetch_add(1, std::memory_order_relaxed);
    if (b >= batches || Clock::now() >= deadline) co_return;
    const bool tail = has_tail && b == batches - 1;
    const std::string& req = tail ? sh.prefill_tail_req : sh.prefill_full_req;
    for (int attempt = 0; attempt < 3; ++attempt) {
      ++st.requests;
      if (co_await conn.round_trip(sh.endpoint, req, err) && !has_failed_entries(conn.body())) {
        st.messages += tail ? sh.opt.prefill % kBatchSize : kBatchSize;
        break;
      }
      ++st.errors;
      sh.note_error("prefill SendMessageBatch: " + (err.empty() ? "Failed entries" : err));
      err.clear();
      co_await backoff();
    }
  }
}

// One operation of the scenario. Returns the messages it moved, or nullopt on error.
asio::awaitable<std::optional<std::uint64_t>> run_op(Shared& sh, Connection& conn, WorkerStats& st,
                                                     std::string& scratch,
                                                     std::vector<std::string_view>& handles) {
  std::string err;
  auto fail = [&](std::string_view what) {
    ++st.errors;
    sh.note_error(std::string(what) + ": " + (err.empty() ? "Failed entries" : err));
  };
  switch (sh.opt.scenario) {
    case Scenario::kSend:
      ++st.requests;
      if (!co_await conn.round_trip(sh.endpoint, sh.send_req, err)) {
        fail("SendMessage");
        co_return std::nullopt;
      }
      co_return 1;
    case Scenario::kSendBatch:
      ++st.requests;
      if (!co_await conn.round_trip(sh.endpoint, sh.send_batch_req, err) ||
          has_failed_entries(conn.body())) {
        fail("SendMessageBatch");
        co_return std::nullopt;
      }
      co_return kBatchSize;
    case Scenario::kReceiveDelete: {
      ++st.requests;
      if (!co_await conn.round_trip(sh.endpoint, sh.receive10_req, err)) {
        fail("ReceiveMessage");
        co_return std::nullopt;
      }
      find_string_values(conn.body(), "ReceiptHandle", handles);
      if (handles.empty()) {
        ++st.empty_receives;
        co_return 0;
      }
      std::string body = "{" + sh.quoted_url_field + ",\"Entries\":[";
      for (std::size_t i = 0; i < handles.size(); ++i) {
        if (i) body += ',';
        body.append("{\"Id\":\"").append(std::to_string(i)).append("\",\"ReceiptHandle\":\"");
        body.append(handles[i]).append("\"}");
      }
      body += "]}";
      const std::uint64_t n = handles.size();  // handles point into the response, about to go
      sh.builder.build("DeleteMessageBatch", body, scratch);
      ++st.requests;
      if (!co_await conn.round_trip(sh.endpoint, scratch, err) || has_failed_entries(conn.body())) {
        fail("DeleteMessageBatch");
        co_return std::nullopt;
      }
      co_return n;
    }
    case Scenario::kCycle: {
      ++st.requests;
      if (!co_await conn.round_trip(sh.endpoint, sh.send_req, err)) {
        fail("SendMessage");
        co_return std::nullopt;
      }
      ++st.requests;
      if (!co_await conn.round_trip(sh.endpoint, sh.receive1_req, err)) {
        fail("ReceiveMessage");
        co_return std::nullopt;
      }
      find_string_values(conn.body(), "ReceiptHandle", handles);
      if (handles.empty()) {
        ++st.empty_receives;
        co_return 1;
      }
      const std::string body = "{" + sh.quoted_url_field + ",\"ReceiptHandle\":\"" +
                               std::string(handles.front()) + "\"}";
      sh.builder.build("DeleteMessage", body, scratch);
      ++st.requests;
      if (!co_await conn.round_trip(sh.endpoint, scratch, err)) {
        fail("DeleteMessage");
        co_return std::nullopt;
      }
      co_return 1;
    }
  }
  co_return std::nullopt;
}

asio::awaitable<void> measure_worker(Shared& sh, Connection& conn, WorkerStats& st,
                                     Clock::time_point start, Clock::time_point end) {
  std::string scratch;
  std::vector<std::string_view> handles;
  asio::steady_timer pace(co_await asio::this_coro::executor);
  const double msgs_per_op =
      (sh.opt.scenario == Scenario::kSendBatch || sh.opt.scenario == Scenario::kReceiveDelete)
          ? kBatchSize
          : 1;
  const double interval_ns = sh.opt.rate > 0 ? 1e9 * msgs_per_op / sh.opt.rate : 0;
  for (;;) {
    Clock::time_point scheduled;
    if (interval_ns > 0) {
      const std::uint64_t ticket = sh.next_ticket.fetch_add(1, std::memory_order_relaxed);
      scheduled = start + nanoseconds(static_cast<std::int64_t>(interval_ns * ticket));
      // A server that cannot keep up leaves tickets unsent at the end; the ones sent already carry
      // their queueing delay, and msgs/s shows the shortfall against --rate.
      if (scheduled >= end || Clock::now() >= end) co_return;
      if (scheduled > Clock::now()) {
        pace.expires_at(scheduled);
        beast::error_code ec;
        co_await pace.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
    } else {
      scheduled = Clock::now();
      if (scheduled >= end) co_return;
    }
    const auto moved = co_await run_op(sh, conn, st, scratch, handles);
    if (!moved) {
      co_await backoff();
      continue;
    }
    const auto ns = std::chrono::duration_cast<nanoseconds>(Clock::now() - scheduled).count();
    st.latency.record(static_cast<std::uint64_t>(std::max<std::int64_t>(ns, 0)));
    ++st.ops;
    st.messages += *moved;
  }
}

// Runs one coroutine per connection to completion on opt.threads threads.
template <typename MakeWorker>
void run_phase(asio::io_context& ioc, int threads, int connections, MakeWorker make) {
  std::exception_ptr failure;
  std::mutex mu;
  for (int i = 0; i < connections; ++i) {
    asio::co_spawn(ioc, make(i), [&](std::exception_ptr e) {
      std::lock_guard lock(mu);
      if (e && !failure) failure = e;
    });
  }
  std::vector<std::jthread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back([&] { ioc.run(); });
  ioc.run();
  pool.clear();
  ioc.restart();
  if (failure) std::rethrow_exception(failure);
}

WorkerStats merge(const std::vector<WorkerStats>& all) {
  WorkerStats m;
  for (const auto& s : all) {
    m.latency.merge(s.latency);
    m.ops += s.ops;
    m.requests += s.requests;
    m.messages += s.messages;
    m.errors += s.errors;
    m.empty_receives += s.empty_receives;
  }
  return m;
}

double us(std::uint64_t ns) { return static_cast<double>(ns) / 1000.0; }

int run(const Options& opt) {
  asio::io_context ioc;
  Shared sh(opt);
  std::vector<std::unique_ptr<Connection>> conns;
  for (int i = 0; i < opt.connections; ++i) conns.push_back(std::make_unique<Connection>(ioc));

  run_phase(ioc, 1, 1, [&](int) { return setup(sh, *conns[0]); });

  double prefill_s = 0;
  WorkerStats prefill_total;
  if (opt.prefill > 0) {
    std::vector<WorkerStats> stats(opt.connections);
    const auto t0 = Clock::now();
    const auto deadline = t0 + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(opt.max_prefill_s));
    sh.next_ticket = 0;
    run_phase(ioc, opt.threads, opt.connections,
              [&](int i) { return prefill_worker(sh, *conns[i], stats[i], deadline); });
    prefill_s = std::chrono::duration<double>(Clock::now() - t0).count();
    prefill_total = merge(stats);
    std::fprintf(stderr,
                 "prefill: %" PRIu64 " messages in %.2f s (%.0f msg/s), %" PRIu64 " errors\n",
                 prefill_total.messages, prefill_s,
                 prefill_s > 0 ? static_cast<double>(prefill_total.messages) / prefill_s : 0.0,
                 prefill_total.errors);
  }

  WorkerStats total;
  double elapsed_s = 0;
  if (opt.duration_s > 0) {
    std::vector<WorkerStats> stats(opt.connections);
    sh.next_ticket = 0;
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(opt.duration_s));
    run_phase(ioc, opt.threads, opt.connections,
              [&](int i) { return measure_worker(sh, *conns[i], stats[i], start, end); });
    elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
    total = merge(stats);
  }
  for (auto& c : conns) c->close();

  for (const auto& e : sh.error_samples) std::fprintf(stderr, "error sample: %s\n", e.c_str());

  const auto per_s = [&](std::uint64_t n) {
    return elapsed_s > 0 ? static_cast<double>(n) / elapsed_s : 0.0;
  };
  const Histogram& h = total.latency;
  if (opt.json) {
    std::printf(
        "{\"scenario\":\"%s\",\"queue\":\"%s\",\"connections\":%d,\"threads\":%d,"
        "\"duration_s\":%.3f,\"target_rate\":%.1f,\"ops\":%" PRIu64 ",\"requests\":%" PRIu64
        ",\"messages\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"empty_receives\":%" PRIu64
        ",\"ops_per_s\":%.1f,\"requests_per_s\":%.1f,\"msgs_per_s\":%.1f,"
        "\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f,"
        "\"prefill\":%" PRIu64 ",\"prefill_sent\":%" PRIu64 ",\"prefill_errors\":%" PRIu64
        ",\"prefill_s\":%.3f}\n",
        opt.scenario_name.c_str(), opt.queue.c_str(), opt.connections, opt.threads, elapsed_s,
        opt.rate, total.ops, total.requests, total.messages, total.errors, total.empty_receives,
        per_s(total.ops), per_s(total.requests), per_s(total.messages), us(h.quantile(0.5)),
        us(h.quantile(0.9)), us(h.quantile(0.99)), us(h.quantile(0.999)), us(h.max()), opt.prefill,
        prefill_total.messages, prefill_total.errors, prefill_s);
  } else if (opt.duration_s > 0) {
    std::printf("scenario %s on 127.0.0.1:%u queue %s: %d connections, %d threads, %.2f s",
                opt.scenario_name.c_str(), opt.port, opt.queue.c_str(), opt.connections,
                opt.threads, elapsed_s);
    if (opt.rate > 0) std::printf(", target %.0f msg/s", opt.rate);
    std::printf("\n  messages %" PRIu64 " (%.0f msg/s)  requests %" PRIu64
                " (%.0f req/s)  ops %" PRIu64 " (%.0f op/s)\n  errors %" PRIu64
                "  empty receives %" PRIu64 "\n",
                total.messages, per_s(total.messages), total.requests, per_s(total.requests),
                total.ops, per_s(total.ops), total.errors, total.empty_receives);
    std::printf("  latency per op (us): p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f\n",
                us(h.quantile(0.5)), us(h.quantile(0.9)), us(h.quantile(0.99)),
                us(h.quantile(0.999)), us(h.max()));
  }
  return total.errors == 0 && prefill_total.errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace eb::bench

int main(int argc, char** argv) {
  const auto opt = eb::bench::parse_options(argc, argv);
  try {
    return eb::bench::run(opt);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sqs_load: %s\n", e.what());
    return 2;
  }
}
