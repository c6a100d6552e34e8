// events_load: a load generator for EventBridge endpoints (AWS JSON 1.1, X-Amz-Target
// AWSEvents.*) with SQS targets (AWS JSON 1.0), for eventbrokerd and moto_server.
//
// Setup, over HTTP, on the default event bus: --queues SQS queues and --rules rules. Rule i pins
// `source` ("bench.app<i/30>") and `detail-type` ("Event<i%30>") with exact values, so each rule
// owns one (source, detail-type) pair, plus one `detail` condition whose operator cycles through
// nine kinds (i % 9): prefix, suffix, numeric range, anything-but, exists, equals-ignore-case,
// wildcard, cidr and $or. Rules with i % 10 < --targeted-per-10 get one SQS target, round robin
// over the queues.
//
// Each event e (a pure function of its number) names rule r = hash(e) % rules by its source and
// detail-type. With probability --match-pct % its detail satisfies every rule's condition (so it
// matches r and nothing else); otherwise it either fails every condition or carries a
// detail-type no rule pins. The generator therefore knows, per acknowledged request, how many of
// its events match and how many messages each queue must receive.
//
// Scenarios: `put-events` (PutEvents of --batch entries, unpaced; afterwards every queue's
// ApproximateNumberOfMessages is compared with the expected deliveries: exactly once means equal
// on every queue) and `latency` (PutEvents paced at --rate events/s, every event matching a
// targeted rule and carrying its scheduled send time in the detail, while --consumers
// connections per queue long-poll ReceiveMessage + DeleteMessageBatch; latency is taken when the
// ReceiveMessage response arrives, from the scheduled send time: no coordinated omission; every
// acknowledged event must be received once). One io_context run by --threads threads; only ever
// talks to 127.0.0.1.

#include <array>
#include <atomic>
#include <charconv>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "load_common.hpp"

namespace eb::bench {
namespace {

enum class Scenario { kPutEvents, kLatency };
constexpr std::string_view kScenarios[] = {"put-events", "latency"};

constexpr int kTypesPerSource = 30;
constexpr int kKinds = 9;
constexpr std::array<std::string_view, kKinds> kKindNames = {
    "prefix",   "suffix", "numeric", "anything-but", "exists", "equals-ignore-case",
    "wildcard", "cidr",   "$or",
};
// The `detail` condition of each kind (the value of "detail" in the rule's pattern).
constexpr std::array<std::string_view, kKinds> kConditions = {
    R"({"order":{"id":[{"prefix":"ord-"}]}})",
    R"({"file":[{"suffix":".png"}]})",
    R"({"amount":[{"numeric":[">=",100,"<",500]}]})",
    R"({"state":[{"anything-but":["cancelled","failed"]}]})",
    R"({"customer":{"vip":[{"exists":true}]}})",
    R"({"region":[{"equals-ignore-case":"EU-WEST"}]})",
    R"({"path":[{"wildcard":"orders/*/items"}]})",
    R"({"ip":[{"cidr":"10.0.0.0/8"}]})",
    R"({"$or":[{"priority":["high"]},{"amount":[{"numeric":[">",1000]}]}]})",
};
// Latency details carry "EBS<ticket>:<scheduled steady-clock ns>E".
constexpr std::string_view kStampPrefix = "EBS";
constexpr int kWaitTimeSeconds = 1;
constexpr std::size_t kPoolSize = 4096;  // distinct prebuilt PutEvents requests (put-events)

struct Options : LoadOptions {
  Scenario scenario = Scenario::kPutEvents;
  std::string prefix = "ev-load";
  int rules = 300;
  int queues = 10;
  int targeted_per_10 = 3;
  int match_pct = 50;
  int batch = 10;
  int consumers = 1;
  double drain_s = 10;
};

[[noreturn]] void usage(const char* why) {
  usage_exit("events_load", why, kScenarios,
             "  [--prefix NAME] [--rules 300] [--queues 10] [--targeted-per-10 3]\n"
             "  [--match-pct 50] [--batch 10] [--consumers PER_QUEUE] [--drain-seconds S]\n"
             "  --duration 0 only sets up; --rate (events/s) 0 is unbounded.\n");
}

Options parse_options(int argc, char** argv) {
  Options o;
  parse_flags(
      argc, argv, o, kScenarios,
      {
          {"--prefix", [&](const std::string& v) { o.prefix = v; }},
          {"--rules", [&](const std::string& v) { o.rules = std::stoi(v); }},
          {"--queues", [&](const std::string& v) { o.queues = std::stoi(v); }},
          {"--targeted-per-10", [&](const std::string& v) { o.targeted_per_10 = std::stoi(v); }},
          {"--match-pct", [&](const std::string& v) { o.match_pct = std::stoi(v); }},
          {"--batch", [&](const std::string& v) { o.batch = std::stoi(v); }},
          {"--consumers", [&](const std::string& v) { o.consumers = std::stoi(v); }},
          {"--drain-seconds", [&](const std::string& v) { o.drain_s = std::stod(v); }},
      },
      usage);
  o.scenario = static_cast<Scenario>(o.scenario_index);
  if (!valid_resource_name(o.prefix) || o.prefix.size() > 40)
    usage("--prefix must be 1-40 of [A-Za-z0-9_-]");
  if (o.rules < 1 || o.rules > 10000) usage("--rules must be 1..10000");
  if (o.queues < 1 || o.queues > 100) usage("--queues must be 1..100");
  if (o.targeted_per_10 < 1 || o.targeted_per_10 > 10) usage("--targeted-per-10 must be 1..10");
  if (o.match_pct < 0 || o.match_pct > 100) usage("--match-pct must be 0..100");
  if (o.batch < 1 || o.batch > 10) usage("--batch must be 1..10");
  if (o.consumers < 1 || o.consumers > 64) usage("--consumers must be 1..64");
  if (o.drain_s < 0 || o.drain_s > 600) usage("--drain-seconds must be 0..600");
  return o;
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string rule_source(int i) { return "bench.app" + std::to_string(i / kTypesPerSource); }
std::string rule_detail_type(int i) { return "Event" + std::to_string(i % kTypesPerSource); }

// Appends `s` as the contents of a JSON string (only quotes and backslashes occur here).
void json_escape(std::string_view s, std::string& out) {
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
}

enum class Outcome { kMatch, kMissCondition, kMissType };

// One PutEvents entry, appended to `out`: {"Source":…,"DetailType":…,"Detail":"…"}.
void append_entry(std::string& out, int rule, Outcome outcome, std::uint64_t e,
                  std::string_view stamp) {
  const std::string n = std::to_string(e);
  std::string d = "{";
  if (!stamp.empty()) d.append("\"stamp\":\"").append(stamp).append("\",");
  const bool m = outcome == Outcome::kMatch;
  d.append("\"order\":{\"id\":\"").append(m ? "ord-" : "inv-").append(n).append("\",\"lines\":3},");
  d.append("\"file\":\"img/p").append(n).append(m ? ".png\"," : ".jpg\",");
  d.append("\"amount\":").append(m ? "250" : "700").append(",");
  d.append("\"state\":\"").append(m ? "shipped" : "cancelled").append("\",");
  d.append("\"customer\":{\"id\":\"c-")
      .append(std::to_string(e % 1000))
      .append("\",\"tier\":\"gold\"");
  d.append(m ? ",\"vip\":true}," : "},");
  d.append("\"region\":\"").append(m ? "eu-west" : "us-east").append("\",");
  d.append("\"path\":\"orders/").append(n).append(m ? "/items\"," : "/refunds\",");
  d.append("\"ip\":\"").append(m ? "10.1.2.3" : "192.168.1.1").append("\",");
  d.append("\"priority\":\"").append(m ? "high" : "low").append("\",");
  d.append("\"note\":\"").append(message_body(120)).append("\"}");

  out.append("{\"Source\":\"").append(rule_source(rule)).append("\",\"DetailType\":\"");
  out.append(outcome == Outcome::kMissType ? "Unpinned" + std::to_string(rule % kTypesPerSource)
                                           : rule_detail_type(rule));
  out.append("\",\"Detail\":\"");
  json_escape(d, out);
  out.append("\"}");
}

struct QueueTarget {
  std::string url_field;  // "QueueUrl":"…", raw as the server returned it
  std::string arn;
  std::string receive_req;
  std::string depth_req;
};

// A prebuilt PutEvents request of the put-events scenario and what it must cause.
struct PooledRequest {
  std::string req;
  int matched = 0;
  std::vector<std::pair<int, int>> deliveries;  // (queue, count)
};

// State shared by all workers of a run.
struct Shared {
  Options opt;
  tcp::endpoint endpoint;
  RequestBuilder builder;
  std::vector<QueueTarget> queues;
  std::vector<int> rule_queue;      // queue index of rule i, or -1 when it has no target
  std::vector<int> targeted_rules;  // rules with a target
  std::vector<PooledRequest> pool;
  ErrorSamples errors;

  // latency scenario
  std::atomic<std::uint64_t> published{0};
  std::atomic<int> publishers_running{0};
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> duplicates{0};
  std::atomic<std::uint64_t> foreign{0};
  Clock::time_point drain_deadline;
  Clock::time_point publishing_done;  // when the last publisher's last request returned
  std::mutex seen_mu;
  std::vector<bool> seen;

  explicit Shared(const Options& o)
      : opt(o), endpoint(asio::ip::make_address("127.0.0.1"), o.port), builder(o.port) {}

  bool publishing_over() const { return publishers_running.load() == 0; }
};

// Stops the run with the server's answer when a setup call fails.
asio::awaitable<std::string> call(Shared& sh, Connection& conn, std::string_view what,
                                  const std::string& req) {
  std::string err;
  if (!co_await conn.round_trip(sh.endpoint, req, err))
    throw std::runtime_error(std::string(what) + " failed: " + err);
  co_return conn.body();
}

// The number after "key": in a JSON body (whitespace allowed), or nullopt.
std::optional<std::uint64_t> json_number(std::string_view body, std::string_view key) {
  const std::string quoted = "\"" + std::string(key) + "\"";
  auto pos = body.find(quoted);
  if (pos == std::string_view::npos) return std::nullopt;
  pos = body.find_first_not_of(" \t\r\n:", pos + quoted.size());
  if (pos == std::string_view::npos) return std::nullopt;
  std::uint64_t v = 0;
  const auto r = std::from_chars(body.data() + pos, body.data() + body.size(), v);
  if (r.ec != std::errc{}) return std::nullopt;
  return v;
}

asio::awaitable<void> setup(Shared& sh, Connection& conn) {
  std::vector<std::string_view> found;
  for (int q = 0; q < sh.opt.queues; ++q) {
    const std::string name = sh.opt.prefix + "-q" + std::to_string(q);
    std::string body = co_await call(
        sh, conn, "CreateQueue", sh.builder.sqs("CreateQueue", "{\"QueueName\":\"" + name + "\"}"));
    find_string_values(body, "QueueUrl", found);
    if (found.empty()) throw std::runtime_error("CreateQueue response without QueueUrl");
    QueueTarget t;
    t.url_field = "\"QueueUrl\":\"" + std::string(found.front()) + "\"";
    body = co_await call(sh, conn, "GetQueueAttributes",
                         sh.builder.sqs("GetQueueAttributes",
                                        "{" + t.url_field + ",\"AttributeNames\":[\"QueueArn\"]}"));
    find_string_values(body, "QueueArn", found);
    if (found.empty()) throw std::runtime_error("GetQueueAttributes response without QueueArn");
    t.arn = std::string(found.front());
    t.receive_req = sh.builder.sqs(
        "ReceiveMessage", "{" + t.url_field + ",\"MaxNumberOfMessages\":10,\"WaitTimeSeconds\":" +
                              std::to_string(kWaitTimeSeconds) + "}");
    t.depth_req = sh.builder.sqs(
        "GetQueueAttributes",
        "{" + t.url_field + ",\"AttributeNames\":[\"ApproximateNumberOfMessages\"]}");
    sh.queues.push_back(std::move(t));
  }

  sh.rule_queue.assign(static_cast<std::size_t>(sh.opt.rules), -1);
  for (int i = 0; i < sh.opt.rules; ++i) {
    const std::string name = sh.opt.prefix + "-r" + std::to_string(i);
    std::string pattern =
        "{\"source\":[\"" + rule_source(i) + "\"],\"detail-type\":[\"" + rule_detail_type(i) +
        "\"],\"detail\":" + std::string(kConditions[static_cast<std::size_t>(i % kKinds)]) + "}";
    std::string req = "{\"Name\":\"" + name + "\",\"EventPattern\":\"";
    json_escape(pattern, req);
    req += "\"}";
    std::string body = co_await call(sh, conn, "PutRule", sh.builder.events("PutRule", req));
    if (body.find("RuleArn") == std::string::npos)
      throw std::runtime_error("PutRule response without RuleArn: " + body.substr(0, 300));
    if (i % 10 >= sh.opt.targeted_per_10) continue;
    const int q = static_cast<int>(sh.targeted_rules.size()) % sh.opt.queues;
    sh.rule_queue[static_cast<std::size_t>(i)] = q;
    sh.targeted_rules.push_back(i);
    req = "{\"Rule\":\"" + name + "\",\"Targets\":[{\"Id\":\"q\",\"Arn\":\"" +
          sh.queues[static_cast<std::size_t>(q)].arn + "\"}]}";
    body = co_await call(sh, conn, "PutTargets", sh.builder.events("PutTargets", req));
    const auto failed = json_number(body, "FailedEntryCount");
    if (!failed || *failed != 0)
      throw std::runtime_error("PutTargets failed: " + body.substr(0, 300));
  }
  if (sh.targeted_rules.empty()) throw std::runtime_error("no rule has a target");

  if (sh.opt.scenario != Scenario::kPutEvents) co_return;
  sh.pool.resize(kPoolSize);
  for (std::size_t p = 0; p < kPoolSize; ++p) {
    auto& pr = sh.pool[p];
    std::string body = "{\"Entries\":[";
    std::vector<int> per_queue(static_cast<std::size_t>(sh.opt.queues), 0);
    for (int j = 0; j < sh.opt.batch; ++j) {
      const std::uint64_t e =
          p * static_cast<std::uint64_t>(sh.opt.batch) + static_cast<std::uint64_t>(j);
      const std::uint64_t h = splitmix64(e);
      const int rule = static_cast<int>(h % static_cast<std::uint64_t>(sh.opt.rules));
      const int u = static_cast<int>((h >> 32) % 100);
      const Outcome outcome = u < sh.opt.match_pct ? Outcome::kMatch
                              : (u & 1)            ? Outcome::kMissCondition
                                                   : Outcome::kMissType;
      if (j) body += ',';
      append_entry(body, rule, outcome, e, {});
      if (outcome == Outcome::kMatch) {
        ++pr.matched;
        const int q = sh.rule_queue[static_cast<std::size_t>(rule)];
        if (q >= 0) ++per_queue[static_cast<std::size_t>(q)];
      }
    }
    body += "]}";
    for (int q = 0; q < sh.opt.queues; ++q)
      if (per_queue[static_cast<std::size_t>(q)])
        pr.deliveries.emplace_back(q, per_queue[static_cast<std::size_t>(q)]);
    pr.req = sh.builder.events("PutEvents", body);
  }
}

struct PublisherStats {
  WorkerStats w;
  std::uint64_t matched = 0;
  std::vector<std::uint64_t> expected;  // per queue
};

// "EBS<ticket>:<ns>E" for a latency event.
std::string stamp_of(std::uint64_t ticket, Clock::time_point scheduled) {
  char buf[64];
  const int n = std::snprintf(
      buf, sizeof buf, "%.*s%" PRIu64 ":%" PRId64 "E", static_cast<int>(kStampPrefix.size()),
      kStampPrefix.data(), ticket,
      static_cast<std::int64_t>(
          std::chrono::duration_cast<nanoseconds>(scheduled.time_since_epoch()).count()));
  return std::string(buf, static_cast<std::size_t>(n));
}

// Ticket and scheduled time of the stamp inside a received (escaped) body; nullopt if none.
std::optional<std::pair<std::uint64_t, Clock::time_point>> parse_stamp(std::string_view body) {
  const auto at = body.find(kStampPrefix);
  if (at == std::string_view::npos) return std::nullopt;
  body.remove_prefix(at + kStampPrefix.size());
  std::uint64_t ticket = 0;
  std::int64_t ns = 0;
  auto r = std::from_chars(body.data(), body.data() + body.size(), ticket);
  if (r.ec != std::errc{} || r.ptr == body.data() + body.size() || *r.ptr != ':')
    return std::nullopt;
  const char* p = r.ptr + 1;
  r = std::from_chars(p, body.data() + body.size(), ns);
  if (r.ec != std::errc{}) return std::nullopt;
  return std::pair{ticket, Clock::time_point(nanoseconds(ns))};
}

asio::awaitable<void> publisher(Shared& sh, Pacer& pacer, Connection& conn, PublisherStats& st) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  std::string body, req, err;
  const bool latency = sh.opt.scenario == Scenario::kLatency;
  const auto batch = static_cast<std::uint64_t>(sh.opt.batch);
  while (const auto slot = co_await pacer.next(timer)) {
    const PooledRequest* pooled = nullptr;
    const std::string* r = &req;
    if (latency) {
      body = "{\"Entries\":[";
      for (std::uint64_t j = 0; j < batch; ++j) {
        const std::uint64_t e = slot->ticket * batch + j;
        const int rule = sh.targeted_rules[e % sh.targeted_rules.size()];
        if (j) body += ',';
        append_entry(body, rule, Outcome::kMatch, e, stamp_of(e, slot->scheduled));
      }
      body += "]}";
      sh.builder.events("PutEvents", body, req);
    } else {
      pooled = &sh.pool[slot->ticket % sh.pool.size()];
      r = &pooled->req;
    }
    ++st.w.requests;
    bool ok = co_await conn.round_trip(sh.endpoint, *r, err);
    if (ok) {
      const auto failed = json_number(conn.body(), "FailedEntryCount");
      ok = failed && *failed == 0;
    }
    if (!ok) {
      ++st.w.errors;
      sh.errors.note("PutEvents: " + (err.empty() ? conn.body().substr(0, 300) : err));
      err.clear();
      co_await backoff();
      continue;
    }
    st.w.latency.record_since(slot->scheduled);
    ++st.w.ops;
    st.w.messages += batch;
    if (pooled) {
      st.matched += static_cast<std::uint64_t>(pooled->matched);
      for (const auto& [q, n] : pooled->deliveries)
        st.expected[static_cast<std::size_t>(q)] += static_cast<std::uint64_t>(n);
    } else {
      st.matched += batch;
    }
    sh.published.fetch_add(batch, std::memory_order_relaxed);
  }
  if (sh.publishers_running.fetch_sub(1) == 1) sh.publishing_done = Clock::now();
}

bool note_received(Shared& sh, std::string_view body, Clock::time_point now, WorkerStats& st) {
  const auto stamp = parse_stamp(body);
  if (!stamp) return false;
  {
    std::lock_guard lock(sh.seen_mu);
    if (sh.seen.size() <= stamp->first) sh.seen.resize(stamp->first + 1 + sh.seen.size() / 2);
    if (sh.seen[stamp->first]) {
      sh.duplicates.fetch_add(1, std::memory_order_relaxed);
      return true;
    }
    sh.seen[stamp->first] = true;
  }
  st.latency.record_since(stamp->second, now);
  sh.received.fetch_add(1, std::memory_order_relaxed);
  return true;
}

asio::awaitable<void> consumer(Shared& sh, const QueueTarget& q, Connection& conn,
                               WorkerStats& st) {
  std::vector<std::string_view> bodies, handles;
  std::string err, delete_req;
  for (;;) {
    if (sh.publishing_over() &&
        (sh.received.load() >= sh.published.load() || Clock::now() >= sh.drain_deadline)) {
      co_return;
    }
    ++st.requests;
    if (!co_await conn.round_trip(sh.endpoint, q.receive_req, err)) {
      ++st.errors;
      sh.errors.note("ReceiveMessage: " + err);
      err.clear();
      co_await backoff();
      continue;
    }
    const auto now = Clock::now();
    find_string_values(conn.body(), "Body", bodies);
    find_string_values(conn.body(), "ReceiptHandle", handles);
    if (handles.empty()) {
      ++st.empty_receives;
      continue;
    }
    ++st.ops;
    for (const auto b : bodies) {
      if (note_received(sh, b, now, st)) {
        ++st.messages;
      } else {
        sh.foreign.fetch_add(1, std::memory_order_relaxed);
      }
    }
    sh.builder.sqs("DeleteMessageBatch", delete_batch_body(q.url_field, handles), delete_req);
    ++st.requests;
    if (!co_await conn.round_trip(sh.endpoint, delete_req, err) ||
        has_failed_entries(conn.body())) {
      ++st.errors;
      sh.errors.note("DeleteMessageBatch: " + (err.empty() ? conn.body().substr(0, 300) : err));
      err.clear();
    }
  }
}

// Every queue's ApproximateNumberOfMessages, polled until each reaches its expected count or
// `deadline`; empty if a call failed.
asio::awaitable<void> count_delivered(Shared& sh, Connection& conn,
                                      const std::vector<std::uint64_t>& expected,
                                      Clock::time_point deadline, std::vector<std::uint64_t>& out) {
  std::vector<std::string_view> found;
  std::string err;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    std::vector<std::uint64_t> depth;
    bool all = true;
    for (std::size_t i = 0; i < sh.queues.size(); ++i) {
      if (!co_await conn.round_trip(sh.endpoint, sh.queues[i].depth_req, err)) {
        sh.errors.note("GetQueueAttributes: " + err);
        out.clear();
        co_return;
      }
      find_string_values(conn.body(), "ApproximateNumberOfMessages", found);
      if (found.empty()) {
        out.clear();
        co_return;
      }
      depth.push_back(std::strtoull(std::string(found.front()).c_str(), nullptr, 10));
      if (depth.back() < expected[i]) all = false;
    }
    out = std::move(depth);
    if (all || Clock::now() >= deadline) co_return;
    timer.expires_after(std::chrono::milliseconds(100));
    beast::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

int run(const Options& opt) {
  asio::io_context ioc;
  Shared sh(opt);
  const bool latency = opt.scenario == Scenario::kLatency;
  const int n_consumers = latency ? opt.consumers * opt.queues : 0;
  std::vector<std::unique_ptr<Connection>> conns;
  for (int i = 0; i < opt.connections + n_consumers; ++i)
    conns.push_back(std::make_unique<Connection>(ioc));

  const auto setup_start = Clock::now();
  run_phase(ioc, 1, 1, [&](int) { return setup(sh, *conns[0]); });
  const double setup_s = std::chrono::duration<double>(Clock::now() - setup_start).count();
  if (opt.duration_s == 0) return 0;

  std::vector<PublisherStats> pub(static_cast<std::size_t>(opt.connections));
  for (auto& p : pub) p.expected.assign(static_cast<std::size_t>(opt.queues), 0);
  std::vector<WorkerStats> sub(static_cast<std::size_t>(n_consumers));
  const auto start = Clock::now();
  Pacer pacer(start, after_seconds(start, opt.duration_s), opt.rate, opt.batch);
  sh.drain_deadline = after_seconds(pacer.end(), opt.drain_s);
  sh.publishers_running = opt.connections;
  run_phase(ioc, opt.threads, opt.connections + n_consumers, [&](int i) {
    if (i < opt.connections)
      return publisher(sh, pacer, *conns[static_cast<std::size_t>(i)],
                       pub[static_cast<std::size_t>(i)]);
    const int c = i - opt.connections;
    return consumer(sh, sh.queues[static_cast<std::size_t>(c % opt.queues)],
                    *conns[static_cast<std::size_t>(i)], sub[static_cast<std::size_t>(c)]);
  });
  const double elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  WorkerStats p;
  std::uint64_t matched = 0;
  std::vector<std::uint64_t> expected(static_cast<std::size_t>(opt.queues), 0);
  for (const auto& ps : pub) {
    p.merge(ps.w);
    matched += ps.matched;
    for (std::size_t q = 0; q < expected.size(); ++q) expected[q] += ps.expected[q];
  }
  const WorkerStats s = merge(sub);
  // Rates are over the publishing phase, up to the answer to the last request sent before
  // --duration ended (a slow server's requests in flight at the end are counted, and so is
  // their time).
  const double publish_s =
      std::max(opt.duration_s, std::chrono::duration<double>(sh.publishing_done - start).count());

  std::uint64_t expected_total = 0, delivered = 0, missing = 0, extra = 0, queues_off = 0;
  bool counted = true;
  if (latency) {
    expected_total = p.messages;
    delivered = sh.received.load();
    missing = expected_total > delivered ? expected_total - delivered : 0;
    extra = sh.duplicates.load();
  } else {
    for (const auto v : expected) expected_total += v;
    std::vector<std::uint64_t> depth;
    run_phase(ioc, 1, 1, [&](int) {
      return count_delivered(sh, *conns[0], expected, after_seconds(Clock::now(), opt.drain_s),
                             depth);
    });
    counted = depth.size() == expected.size();
    for (std::size_t q = 0; counted && q < depth.size(); ++q) {
      delivered += depth[q];
      if (depth[q] != expected[q]) ++queues_off;
      if (depth[q] < expected[q]) missing += expected[q] - depth[q];
      if (depth[q] > expected[q]) extra += depth[q] - expected[q];
    }
  }
  for (auto& c : conns) c->close();
  sh.errors.print("events_load");

  const auto per_s = [&](std::uint64_t n) { return static_cast<double>(n) / publish_s; };
  if (opt.json) {
    std::printf(
        "{\"scenario\":\"%s\",\"rules\":%d,\"targeted_rules\":%zu,\"queues\":%d,\"batch\":%d,"
        "\"match_pct\":%d,\"connections\":%d,\"consumers\":%d,\"threads\":%d,\"setup_s\":%.3f,"
        "\"duration_s\":%.3f,\"elapsed_s\":%.3f,\"target_rate\":%.1f,\"requests\":%" PRIu64
        ",\"ops\":%" PRIu64 ",\"events\":%" PRIu64 ",\"errors\":%" PRIu64
        ",\"requests_per_s\":%.1f,\"events_per_s\":%.1f,%s,\"matched\":%" PRIu64
        ",\"expected\":%" PRIu64 ",\"delivered\":%s,\"missing\":%" PRIu64 ",\"extra\":%" PRIu64
        ",\"queues_off\":%" PRIu64 ",\"duplicates\":%" PRIu64 ",\"foreign\":%" PRIu64
        ",\"consumer_errors\":%" PRIu64 ",\"receives\":%" PRIu64 ",\"empty_receives\":%" PRIu64
        ",%s}\n",
        opt.scenario_name.c_str(), opt.rules, sh.targeted_rules.size(), opt.queues, opt.batch,
        latency ? 100 : opt.match_pct, opt.connections, latency ? opt.consumers : 0, opt.threads,
        setup_s, publish_s, elapsed_s, opt.rate, p.requests, p.ops, p.messages, p.errors,
        per_s(p.ops), per_s(p.messages), p.latency.json_fields().c_str(), matched, expected_total,
        counted ? std::to_string(delivered).c_str() : "null", missing, extra, queues_off,
        sh.duplicates.load(), sh.foreign.load(), s.errors, s.ops + s.empty_receives,
        s.empty_receives, s.latency.json_fields("e2e_").c_str());
  } else {
    std::printf(
        "scenario %s on 127.0.0.1:%u: %d rules (%zu with an SQS target), %d queues, "
        "%d entries per PutEvents, %d connections, %.2f s (setup %.2f s)",
        opt.scenario_name.c_str(), opt.port, opt.rules, sh.targeted_rules.size(), opt.queues,
        opt.batch, opt.connections, publish_s, setup_s);
    if (opt.rate > 0) std::printf(", target %.0f events/s", opt.rate);
    std::printf("\n  accepted %" PRIu64 " events (%.0f events/s) in %" PRIu64 " requests, %" PRIu64
                " errors\n  latency per request (us): %s\n"
                "  matched %" PRIu64 ", expected deliveries %" PRIu64
                ", delivered %s, missing %" PRIu64 ", extra %" PRIu64 ", queues off %" PRIu64 "\n",
                p.messages, per_s(p.messages), p.requests, p.errors, p.latency.text().c_str(),
                matched, expected_total, counted ? std::to_string(delivered).c_str() : "unknown",
                missing, extra, queues_off);
    if (latency) {
      std::printf("  send -> receive (us): %s\n  duplicates %" PRIu64 ", foreign %" PRIu64
                  ", consumer errors %" PRIu64 ", empty receives %" PRIu64 "\n",
                  s.latency.text().c_str(), sh.duplicates.load(), sh.foreign.load(), s.errors,
                  s.empty_receives);
    }
  }
  return p.errors == 0 && s.errors == 0 && counted && missing == 0 && extra == 0 ? 0 : 1;
}

}  // namespace
}  // namespace eb::bench

int main(int argc, char** argv) {
  const auto opt = eb::bench::parse_options(argc, argv);
  return eb::bench::run_guarded("events_load", [&] { return eb::bench::run(opt); });
}
