// Pieces shared by the HTTP load generators (sqs_load, sns_load, events_load): the latency
// histogram, request serialization for the AWS wire protocols they speak (SQS JSON 1.0, SNS query,
// EventBridge JSON 1.1), a keep-alive connection, pacing at a fixed rate without coordinated
// omission, the common command-line flags and the phase runner.
// Everything here runs on the generator's io_context; only the ticket counter and the error
// samples are shared between threads.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <expected>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
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

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using std::chrono::nanoseconds;

inline constexpr auto kIoTimeout = std::chrono::seconds(10);
inline constexpr auto kReconnectBackoff = std::chrono::milliseconds(10);
inline constexpr int kBatchSize = 10;
inline constexpr std::size_t kMaxErrorSamples = 5;

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
  void record_since(Clock::time_point t0, Clock::time_point now = Clock::now()) {
    const auto ns = std::chrono::duration_cast<nanoseconds>(now - t0).count();
    record(static_cast<std::uint64_t>(std::max<std::int64_t>(ns, 0)));
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
  // `"<prefix>p50_us":…,"<prefix>p90_us":…,…,"<prefix>max_us":…` for a JSON line.
  std::string json_fields(std::string_view prefix = "") const {
    std::string out;
    const std::pair<const char*, std::uint64_t> fields[] = {
        {"p50", quantile(0.5)},    {"p90", quantile(0.9)}, {"p99", quantile(0.99)},
        {"p999", quantile(0.999)}, {"max", max_},
    };
    for (const auto& [name, ns] : fields) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%s_us\":%.1f", name, static_cast<double>(ns) / 1000.0);
      out.append(out.empty() ? "\"" : ",\"").append(prefix).append(buf);
    }
    return out;
  }
  // "p50 … p90 … p99 … p99.9 … max …" in microseconds, for the human-readable summary.
  std::string text() const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f",
                  quantile(0.5) / 1e3, quantile(0.9) / 1e3, quantile(0.99) / 1e3,
                  quantile(0.999) / 1e3, max_ / 1e3);
    return buf;
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

// Flags every load generator takes; a tool's own Options derive from this.
struct LoadOptions {
  std::uint16_t port = 0;
  std::string scenario_name;  // --scenario, one of the tool's names
  std::size_t scenario_index = 0;
  int connections = 4;
  int threads = 1;
  double duration_s = 10;
  double rate = 0;
  std::size_t body_size = 100;
  bool json = false;
};

// Prints why and the synopsis (the common flags, then the tool's `own` lines), then exits with
// status 2 (the tools' "could not start").
[[noreturn]] inline void usage_exit(const char* tool, const char* why,
                                    std::span<const std::string_view> scenarios, const char* own) {
  std::string names;
  for (const auto n : scenarios) names.append(names.empty() ? "" : "|").append(n);
  std::fprintf(stderr,
               "%s: %s\nusage: %s --endpoint http://127.0.0.1:PORT [--scenario %s]\n"
               "  [--connections N] [--threads N] [--duration SECONDS] [--rate MSGS_PER_SEC]\n"
               "  [--body-size BYTES] [--json]\n%s",
               tool, why, tool, names.c_str(), own);
  std::exit(2);
}

// One command-line flag taking a value; `set` may throw std::logic_error (bad number).
struct Flag {
  std::string_view name;
  std::function<void(const std::string&)> set;
};

// Parses `--name value` pairs (plus the value-less --json and -h/--help) into `o` and the tool's
// own `flags`, then checks the common ranges. --scenario must be one of `scenarios` (the first is
// the default); its position lands in o.scenario_index. `usage` prints why and exits.
inline void parse_flags(int argc, char** argv, LoadOptions& o,
                        std::span<const std::string_view> scenarios, std::vector<Flag> flags,
                        void (*usage)(const char*)) {
  o.scenario_name = scenarios.front();
  flags.push_back({"--scenario", [&](const std::string& v) {
                     const auto it = std::ranges::find(scenarios, v);
                     if (it == scenarios.end()) usage("unknown scenario");
                     o.scenario_index = static_cast<std::size_t>(it - scenarios.begin());
                     o.scenario_name = v;
                   }});
  bool have_endpoint = false;
  flags.push_back({"--endpoint", [&](const std::string& value) {
                     // Only loopback: this tool must never load a shared or remote service.
                     std::string_view v = value;
                     if (!v.starts_with("http://")) usage("endpoint must start with http://");
                     v.remove_prefix(7);
                     if (v.ends_with('/')) v.remove_suffix(1);
                     const auto colon = v.rfind(':');
                     if (colon == std::string_view::npos) usage("endpoint needs an explicit port");
                     const std::string_view host = v.substr(0, colon);
                     if (host != "127.0.0.1" && host != "localhost")
                       usage("endpoint host must be 127.0.0.1");
                     const int port = std::stoi(std::string(v.substr(colon + 1)));
                     if (port <= 0 || port > 65535) usage("bad port");
                     o.port = static_cast<std::uint16_t>(port);
                     have_endpoint = true;
                   }});
  flags.push_back({"--connections", [&](const std::string& v) { o.connections = std::stoi(v); }});
  flags.push_back({"--threads", [&](const std::string& v) { o.threads = std::stoi(v); }});
  flags.push_back({"--duration", [&](const std::string& v) { o.duration_s = std::stod(v); }});
  flags.push_back({"--rate", [&](const std::string& v) { o.rate = std::stod(v); }});
  flags.push_back({"--body-size", [&](const std::string& v) { o.body_size = std::stoul(v); }});
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--json") {
      o.json = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") usage("help");
    const auto flag = std::ranges::find(flags, arg, &Flag::name);
    if (flag == flags.end()) usage("unknown option");
    if (i + 1 >= argc) usage("missing value after an option");
    try {
      flag->set(argv[++i]);
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
}

// True for 1-80 characters of [A-Za-z0-9_-], a name both SQS and SNS accept.
inline bool valid_resource_name(std::string_view name) {
  return !name.empty() && name.size() <= 80 && std::ranges::all_of(name, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

// Serializes whole HTTP/1.1 requests for one endpoint; the headers never change. The SigV4
// header is a placeholder: the servers measured do not verify it, but route on its credential
// scope.
class RequestBuilder {
 public:
  explicit RequestBuilder(std::uint16_t port) : host_("127.0.0.1:" + std::to_string(port)) {
    char date[32];
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(date, sizeof date, "%Y%m%dT%H%M%SZ", &tm);
    date_ = date;
  }

  // An SQS AWS JSON 1.0 request. Writes into `out` (cleared first) so callers on the hot path
  // can reuse its capacity.
  void sqs(std::string_view action, std::string_view body, std::string& out) const {
    start(out, "application/x-amz-json-1.0", "sqs");
    out.append("\r\nX-Amz-Target: AmazonSQS.").append(action);
    finish(body, out);
  }
  std::string sqs(std::string_view action, std::string_view body) const {
    std::string out;
    sqs(action, body, out);
    return out;
  }

  // An EventBridge AWS JSON 1.1 request (X-Amz-Target AWSEvents.<action>).
  void events(std::string_view action, std::string_view body, std::string& out) const {
    start(out, "application/x-amz-json-1.1", "events");
    out.append("\r\nX-Amz-Target: AWSEvents.").append(action);
    finish(body, out);
  }
  std::string events(std::string_view action, std::string_view body) const {
    std::string out;
    events(action, body, out);
    return out;
  }

  // An SNS query-protocol request: `form` is the url-encoded body, Action= included.
  void sns(std::string_view form, std::string& out) const {
    start(out, "application/x-www-form-urlencoded; charset=utf-8", "sns");
    finish(form, out);
  }
  std::string sns(std::string_view form) const {
    std::string out;
    sns(form, out);
    return out;
  }

 private:
  void start(std::string& out, std::string_view content_type, std::string_view service) const {
    out.clear();
    out.append("POST / HTTP/1.1\r\nHost: ").append(host_);
    out.append("\r\nContent-Type: ").append(content_type);
    out.append("\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKID/")
        .append(date_.substr(0, 8))
        .append("/us-east-1/")
        .append(service)
        .append("/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000");
    out.append("\r\nConnection: keep-alive\r\nX-Amz-Date: ").append(date_);
  }
  static void finish(std::string_view body, std::string& out) {
    out.append("\r\nContent-Length: ").append(std::to_string(body.size())).append("\r\n\r\n");
    out.append(body);
  }

  std::string host_;
  std::string date_;
};

// application/x-www-form-urlencoded encoding of one key or value.
inline void form_encode(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
}

// Appends `&key=value` (no `&` when `out` is empty), both encoded.
inline void form_add(std::string& out, std::string_view key, std::string_view value) {
  if (!out.empty()) out += '&';
  form_encode(key, out);
  out += '=';
  form_encode(value, out);
}

// Raw (still JSON-escaped) contents of every string value whose key is `key`. Escaped text can be
// pasted back into a JSON string unchanged, so receipt handles never need unescaping.
inline void find_string_values(std::string_view body, std::string_view key,
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

// True when a JSON batch response lists at least one entry under "Failed".
inline bool has_failed_entries(std::string_view body) {
  auto pos = body.find("\"Failed\"");
  if (pos == std::string_view::npos) return false;
  pos = body.find('[', pos);
  if (pos == std::string_view::npos) return false;
  pos = body.find_first_not_of(" \t\r\n", pos + 1);
  return pos != std::string_view::npos && body[pos] != ']';
}

// `{"QueueUrl":"…","Entries":[{"Id":"0","ReceiptHandle":"…"},…]}`: a DeleteMessageBatch body.
inline std::string delete_batch_body(std::string_view quoted_url_field,
                                     const std::vector<std::string_view>& handles) {
  std::string body = "{" + std::string(quoted_url_field) + ",\"Entries\":[";
  for (std::size_t i = 0; i < handles.size(); ++i) {
    if (i) body += ',';
    body.append("{\"Id\":\"").append(std::to_string(i)).append("\",\"ReceiptHandle\":\"");
    body.append(handles[i]).append("\"}");
  }
  return body + "]}";
}

inline std::string message_body(std::size_t size) {
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

  void merge(const WorkerStats& s) {
    latency.merge(s.latency);
    ops += s.ops;
    requests += s.requests;
    messages += s.messages;
    errors += s.errors;
    empty_receives += s.empty_receives;
  }
};

inline WorkerStats merge(const std::vector<WorkerStats>& all) {
  WorkerStats m;
  for (const auto& s : all) m.merge(s);
  return m;
}

// The first few error descriptions of a run, from any thread.
class ErrorSamples {
 public:
  void note(std::string what) {
    std::lock_guard lock(mu_);
    if (samples_.size() < kMaxErrorSamples) samples_.push_back(std::move(what));
  }
  void print(const char* tool) const {
    std::lock_guard lock(mu_);
    for (const auto& e : samples_) std::fprintf(stderr, "%s: error sample: %s\n", tool, e.c_str());
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> samples_;
};

// One keep-alive connection. It reconnects lazily after any error or a server-side close.
class Connection {
 public:
  explicit Connection(asio::io_context& ioc) : stream_(ioc) {}

  // Sends one serialized request and reads the response into body(). False on an I/O error
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

inline asio::awaitable<void> backoff() {
  asio::steady_timer t(co_await asio::this_coro::executor, kReconnectBackoff);
  beast::error_code ec;
  co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

// Hands out the operations of a measured phase to its workers. With a rate, operation k is
// scheduled at start + k × interval whichever worker takes it, and a worker sleeps until then;
// latency counted from that scheduled start includes any backlog of a server that cannot keep
// up (no coordinated omission). Without a rate an operation starts when a worker is free.
class Pacer {
 public:
  struct Slot {
    Clock::time_point scheduled;
    std::uint64_t ticket;
  };

  Pacer(Clock::time_point start, Clock::time_point end, double rate_per_s, double msgs_per_op)
      : start_(start),
        end_(end),
        interval_ns_(rate_per_s > 0 ? 1e9 * msgs_per_op / rate_per_s : 0) {}

  Clock::time_point end() const { return end_; }
  std::uint64_t issued() const { return next_.load(std::memory_order_relaxed); }

  // The next operation, or nullopt once the phase is over. Tickets past the end stay unsent: a
  // server that cannot keep up shows the shortfall in msgs/s, and the ones sent carry their
  // queueing delay.
  asio::awaitable<std::optional<Slot>> next(asio::steady_timer& timer) {
    if (interval_ns_ <= 0) {
      const auto now = Clock::now();
      if (now >= end_) co_return std::nullopt;
      co_return Slot{now, next_.fetch_add(1, std::memory_order_relaxed)};
    }
    const std::uint64_t ticket = next_.fetch_add(1, std::memory_order_relaxed);
    const auto scheduled =
        start_ + nanoseconds(static_cast<std::int64_t>(interval_ns_ * static_cast<double>(ticket)));
    if (scheduled >= end_ || Clock::now() >= end_) co_return std::nullopt;
    if (scheduled > Clock::now()) {
      timer.expires_at(scheduled);
      beast::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    co_return Slot{scheduled, ticket};
  }

 private:
  Clock::time_point start_;
  Clock::time_point end_;
  double interval_ns_;
  std::atomic<std::uint64_t> next_{0};
};

inline Clock::time_point after_seconds(Clock::time_point t, double s) {
  return t + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

// Runs the coroutines make(0..n-1) to completion on `threads` threads; rethrows the first
// exception any of them threw.
template <typename MakeWorker>
void run_phase(asio::io_context& ioc, int threads, int n, MakeWorker make) {
  std::exception_ptr failure;
  std::mutex mu;
  for (int i = 0; i < n; ++i) {
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

// A tool's exit status: run()'s, or 2 ("could not start") when it throws.
template <typename Run>
int run_guarded(const char* tool, Run run) {
  try {
    return run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", tool, e.what());
    return 2;
  }
}

}  // namespace eb::bench
