// sns_load: a load generator for SNS endpoints (query protocol) fanning out to SQS (AWS JSON 1.0),
// for eventbrokerd and moto_server.
//
// Setup, over HTTP: one topic, three queues, and one subscription per queue with a FilterPolicy
// on the eventType message attribute and RawMessageDelivery=true (so the queue holds the message
// body as published). Every published eventType matches exactly one subscription:
//   <topic>-orders     {"eventType":[{"prefix":"order."}]}         order.created, order.paid
//   <topic>-inventory  {"eventType":["inventory.reserved", …]}     inventory.reserved/released
//   <topic>-payments   {"eventType":["payment.authorized", …]}     payment.authorized/captured
// and publishes cycle through those six types, so each queue gets a third of the messages.
//
// Scenarios: `publish` (one Publish per operation), `publish-batch` (PublishBatch of 10, counted
// as 10 messages) and `latency` (Publish paced at --rate with the scheduled publish time in the
// body while --consumers connections per queue long-poll ReceiveMessage + DeleteMessageBatch;
// publish → receive latency is taken when the ReceiveMessage response arrives, from the
// scheduled publish time, so a server's backlog is not hidden). Afterwards the queues' depths
// (throughput scenarios) or the received messages (latency) are checked against the publishes.
// One io_context run by --threads threads; only ever talks to 127.0.0.1.

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

enum class Scenario { kPublish, kPublishBatch, kLatency };

struct Subscription {
  std::string_view queue_suffix;
  std::string_view filter_policy;
};
constexpr std::array<Subscription, 3> kSubscriptions = {{
    {"orders", R"({"eventType":[{"prefix":"order."}]})"},
    {"inventory", R"({"eventType":["inventory.reserved","inventory.released"]})"},
    {"payments", R"({"eventType":["payment.authorized","payment.captured","payment.failed"]})"},
}};
// Interleaved so that any six consecutive publishes reach each queue twice.
constexpr std::array<std::string_view, 6> kEventTypes = {
    "order.created", "inventory.reserved", "payment.authorized",
    "order.paid",    "inventory.released", "payment.captured",
};
// Latency bodies start with this, then "<ticket>:<scheduled steady-clock ns>:".
constexpr std::string_view kStampPrefix = "eb";
constexpr int kWaitTimeSeconds = 1;

struct Options : LoadOptions {
  Scenario scenario = Scenario::kPublish;
  std::string topic = "sns-load";
  int consumers = 2;
  double drain_s = 10;
  bool envelope = false;  // subscriptions without raw delivery: queues get signed envelopes
};

// --scenario names, in the order of Scenario.
constexpr std::string_view kScenarios[] = {"publish", "publish-batch", "latency"};

[[noreturn]] void usage(const char* why) {
  usage_exit("sns_load", why, kScenarios,
             "  [--topic NAME] [--consumers PER_QUEUE] [--drain-seconds S] [--envelope]\n"
             "  --duration 0 only sets up; --rate 0 is unbounded.\n");
}

Options parse_options(int argc, char** argv) {
  Options o;
  parse_flags(argc, argv, o, kScenarios,
              {
                  {"--topic", [&](const std::string& v) { o.topic = v; }},
                  {"--consumers", [&](const std::string& v) { o.consumers = std::stoi(v); }},
                  {"--drain-seconds", [&](const std::string& v) { o.drain_s = std::stod(v); }},
                  {"--envelope", [&](const std::string& v) { o.envelope = v == "true"; }},
              },
              usage);
  o.scenario = static_cast<Scenario>(o.scenario_index);
  if (!valid_resource_name(o.topic) || o.topic.size() > 60)
    usage("--topic must be 1-60 of [A-Za-z0-9_-]");
  if (o.consumers < 1 || o.consumers > 64) usage("--consumers must be 1..64");
  if (o.drain_s < 0 || o.drain_s > 600) usage("--drain-seconds must be 0..600");
  if (o.scenario == Scenario::kLatency && o.body_size < 48)
    usage("--body-size must be >= 48 for the latency scenario (it carries a timestamp)");
  return o;
}

// Text of the first <tag>…</tag> in an XML response (ARNs carry no entities), or empty.
std::string_view xml_value(std::string_view body, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const auto start = body.find(open);
  if (start == std::string_view::npos) return {};
  const auto from = start + open.size();
  const auto end = body.find("</" + std::string(tag) + ">", from);
  return end == std::string_view::npos ? std::string_view{} : body.substr(from, end - from);
}

// True when a PublishBatch response lists an entry under <Failed>.
bool batch_failed(std::string_view body) {
  const auto failed = body.find("<Failed>");
  if (failed == std::string_view::npos) return false;
  const auto end = body.find("</Failed>", failed);
  return body.find("<member>", failed) < end;
}

// Publish form fields for one message; `prefix` is "" for Publish or
// "PublishBatchRequestEntries.member.N." for a batch entry.
void add_message(std::string& form, std::string_view prefix, std::string_view message,
                 std::string_view event_type) {
  const std::string p(prefix);
  const std::string attr = p + "MessageAttributes.entry.1.";
  form_add(form, p + "Message", message);
  form_add(form, attr + "Name", "eventType");
  form_add(form, attr + "Value.DataType", "String");
  form_add(form, attr + "Value.StringValue", event_type);
}

struct QueueTarget {
  std::string url_field;  // "QueueUrl":"…", raw as the server returned it
  std::string receive_req;
  std::string depth_req;
};

// State shared by all workers of a run.
struct Shared {
  Options opt;
  tcp::endpoint endpoint;
  RequestBuilder builder;
  std::string topic_arn;
  std::string publish_head;  // Action=Publish&Version=…&TopicArn=…
  std::vector<QueueTarget> queues;
  std::vector<std::string> publish_reqs;  // one per event type
  std::vector<std::string> batch_reqs;    // one per starting event type
  ErrorSamples errors;

  // latency scenario
  std::atomic<std::uint64_t> published{0};  // acknowledged publishes
  std::atomic<int> publishers_running{0};
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> duplicates{0};
  std::atomic<std::uint64_t> foreign{0};
  Clock::time_point drain_deadline;
  std::mutex seen_mu;
  std::vector<bool> seen;

  explicit Shared(const Options& o)
      : opt(o), endpoint(asio::ip::make_address("127.0.0.1"), o.port), builder(o.port) {}

  bool publishing_over() const { return publishers_running.load() == 0; }
};

std::string sns_form(std::string_view action) {
  std::string form;
  form_add(form, "Action", action);
  form_add(form, "Version", "2010-03-31");
  return form;
}

// Stops the run with the server's answer when a setup call fails.
asio::awaitable<std::string> call(Shared& sh, Connection& conn, std::string_view what,
                                  const std::string& req) {
  std::string err;
  if (!co_await conn.round_trip(sh.endpoint, req, err))
    throw std::runtime_error(std::string(what) + " failed: " + err);
  co_return conn.body();
}

// CreateTopic, the three queues and their filtered raw subscriptions; prebuilds the requests.
asio::awaitable<void> setup(Shared& sh, Connection& conn) {
  std::string form = sns_form("CreateTopic");
  form_add(form, "Name", sh.opt.topic);
  std::string body = co_await call(sh, conn, "CreateTopic", sh.builder.sns(form));
  sh.topic_arn = std::string(xml_value(body, "TopicArn"));
  if (sh.topic_arn.empty()) throw std::runtime_error("CreateTopic response without TopicArn");

  std::vector<std::string_view> found;
  for (const auto& sub : kSubscriptions) {
    const std::string name = sh.opt.topic + "-" + std::string(sub.queue_suffix);
    body = co_await call(sh, conn, "CreateQueue",
                         sh.builder.sqs("CreateQueue", "{\"QueueName\":\"" + name + "\"}"));
    find_string_values(body, "QueueUrl", found);
    if (found.empty()) throw std::runtime_error("CreateQueue response without QueueUrl");
    QueueTarget q;
    q.url_field = "\"QueueUrl\":\"" + std::string(found.front()) + "\"";
    body = co_await call(sh, conn, "GetQueueAttributes",
                         sh.builder.sqs("GetQueueAttributes",
                                        "{" + q.url_field + ",\"AttributeNames\":[\"QueueArn\"]}"));
    find_string_values(body, "QueueArn", found);
    if (found.empty()) throw std::runtime_error("GetQueueAttributes response without QueueArn");

    form = sns_form("Subscribe");
    form_add(form, "TopicArn", sh.topic_arn);
    form_add(form, "Protocol", "sqs");
    form_add(form, "Endpoint", found.front());
    form_add(form, "Attributes.entry.1.key", "FilterPolicy");
    form_add(form, "Attributes.entry.1.value", sub.filter_policy);
    form_add(form, "Attributes.entry.2.key", "RawMessageDelivery");
    form_add(form, "Attributes.entry.2.value", sh.opt.envelope ? "false" : "true");
    body = co_await call(sh, conn, "Subscribe", sh.builder.sns(form));
    if (xml_value(body, "SubscriptionArn").empty())
      throw std::runtime_error("Subscribe response without SubscriptionArn");

    q.receive_req = sh.builder.sqs(
        "ReceiveMessage", "{" + q.url_field + ",\"MaxNumberOfMessages\":10,\"WaitTimeSeconds\":" +
                              std::to_string(kWaitTimeSeconds) + "}");
    q.depth_req = sh.builder.sqs(
        "GetQueueAttributes",
        "{" + q.url_field + ",\"AttributeNames\":[\"ApproximateNumberOfMessages\"]}");
    sh.queues.push_back(std::move(q));
  }

  sh.publish_head = sns_form("Publish");
  form_add(sh.publish_head, "TopicArn", sh.topic_arn);
  const std::string message = message_body(sh.opt.body_size);
  for (std::size_t t = 0; t < kEventTypes.size(); ++t) {
    form = sh.publish_head;
    add_message(form, "", message, kEventTypes[t]);
    sh.publish_reqs.push_back(sh.builder.sns(form));

    form = sns_form("PublishBatch");
    form_add(form, "TopicArn", sh.topic_arn);
    for (int i = 0; i < kBatchSize; ++i) {
      const std::string entry = "PublishBatchRequestEntries.member." + std::to_string(i + 1) + ".";
      form_add(form, entry + "Id", "m" + std::to_string(i));
      add_message(form, entry, message, kEventTypes[(t + i) % kEventTypes.size()]);
    }
    sh.batch_reqs.push_back(sh.builder.sns(form));
  }
}

// The latency scenario's message: "eb<ticket>:<scheduled ns>:" padded to --body-size.
std::string stamped_message(std::uint64_t ticket, Clock::time_point scheduled, std::size_t size) {
  char stamp[64];
  const int n = std::snprintf(
      stamp, sizeof stamp, "%.*s%" PRIu64 ":%" PRId64 ":", static_cast<int>(kStampPrefix.size()),
      kStampPrefix.data(), ticket,
      static_cast<std::int64_t>(
          std::chrono::duration_cast<nanoseconds>(scheduled.time_since_epoch()).count()));
  std::string s(stamp, static_cast<std::size_t>(n));
  if (s.size() < size) s += message_body(size - s.size());
  return s;
}

// Ticket and scheduled time read back from a received body; nullopt if it is not ours.
std::optional<std::pair<std::uint64_t, Clock::time_point>> parse_stamp(std::string_view body) {
  if (!body.starts_with(kStampPrefix)) return std::nullopt;
  body.remove_prefix(kStampPrefix.size());
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

asio::awaitable<void> publisher(Shared& sh, Pacer& pacer, Connection& conn, WorkerStats& st) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  std::string form, req, err;
  const bool batch = sh.opt.scenario == Scenario::kPublishBatch;
  const bool stamped = sh.opt.scenario == Scenario::kLatency;
  while (const auto slot = co_await pacer.next(timer)) {
    const std::size_t type = slot->ticket % kEventTypes.size();
    const std::string* r = batch ? &sh.batch_reqs[type] : &sh.publish_reqs[type];
    if (stamped) {
      form = sh.publish_head;
      add_message(form, "", stamped_message(slot->ticket, slot->scheduled, sh.opt.body_size),
                  kEventTypes[type]);
      sh.builder.sns(form, req);
      r = &req;
    }
    ++st.requests;
    bool ok = co_await conn.round_trip(sh.endpoint, *r, err);
    if (ok) ok = batch ? !batch_failed(conn.body()) : !xml_value(conn.body(), "MessageId").empty();
    if (!ok) {
      ++st.errors;
      sh.errors.note(std::string(batch ? "PublishBatch: " : "Publish: ") +
                     (err.empty() ? conn.body().substr(0, 300) : err));
      err.clear();
      co_await backoff();
      continue;
    }
    st.latency.record_since(slot->scheduled);
    ++st.ops;
    const std::uint64_t n = batch ? kBatchSize : 1;
    st.messages += n;
    sh.published.fetch_add(n, std::memory_order_relaxed);
  }
  sh.publishers_running.fetch_sub(1);
}

// Records one received body; false if it was not a latency message of this run.
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

// Long-polls one queue until publishing is over and every acknowledged message has arrived, or
// the drain deadline passes.
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

// Sum of ApproximateNumberOfMessages over the queues, polled until it reaches `expected` (SNS
// fan-out may finish after Publish returns) or `deadline`; nullopt if a call failed.
asio::awaitable<void> count_delivered(Shared& sh, Connection& conn, std::uint64_t expected,
                                      Clock::time_point deadline,
                                      std::optional<std::uint64_t>& out) {
  std::vector<std::string_view> found;
  std::string err;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    std::uint64_t total = 0;
    for (const auto& q : sh.queues) {
      if (!co_await conn.round_trip(sh.endpoint, q.depth_req, err)) {
        sh.errors.note("GetQueueAttributes: " + err);
        co_return;
      }
      find_string_values(conn.body(), "ApproximateNumberOfMessages", found);
      if (found.empty()) co_return;
      total += std::strtoull(std::string(found.front()).c_str(), nullptr, 10);
    }
    out = total;
    if (total >= expected || Clock::now() >= deadline) co_return;
    timer.expires_after(std::chrono::milliseconds(100));
    beast::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

int run(const Options& opt) {
  asio::io_context ioc;
  Shared sh(opt);
  const bool latency = opt.scenario == Scenario::kLatency;
  const int n_consumers = latency ? opt.consumers * static_cast<int>(kSubscriptions.size()) : 0;
  std::vector<std::unique_ptr<Connection>> conns;
  for (int i = 0; i < opt.connections + n_consumers; ++i)
    conns.push_back(std::make_unique<Connection>(ioc));

  run_phase(ioc, 1, 1, [&](int) { return setup(sh, *conns[0]); });
  if (opt.duration_s == 0) return 0;

  std::vector<WorkerStats> pub(opt.connections), sub(n_consumers);
  const auto start = Clock::now();
  Pacer pacer(start, after_seconds(start, opt.duration_s), opt.rate,
              opt.scenario == Scenario::kPublishBatch ? kBatchSize : 1);
  sh.drain_deadline = after_seconds(pacer.end(), opt.drain_s);
  sh.publishers_running = opt.connections;
  run_phase(ioc, opt.threads, opt.connections + n_consumers, [&](int i) {
    if (i < opt.connections) return publisher(sh, pacer, *conns[i], pub[i]);
    const int c = i - opt.connections;
    return consumer(sh, sh.queues[c % sh.queues.size()], *conns[i], sub[c]);
  });
  const double elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  const WorkerStats p = merge(pub);
  const WorkerStats s = merge(sub);

  // Publish phases stop at --duration; elapsed_s also spans the latency scenario's drain.
  const double publish_s = std::min(elapsed_s, opt.duration_s);
  std::optional<std::uint64_t> delivered;
  if (latency) {
    delivered = sh.received.load();
  } else {
    run_phase(ioc, 1, 1, [&](int) {
      return count_delivered(sh, *conns[0], p.messages, after_seconds(Clock::now(), opt.drain_s),
                             delivered);
    });
  }
  for (auto& c : conns) c->close();
  sh.errors.print("sns_load");

  const auto per_s = [&](std::uint64_t n) { return static_cast<double>(n) / publish_s; };
  const std::uint64_t got = delivered.value_or(0);
  const std::uint64_t missing = p.messages > got ? p.messages - got : 0;
  if (opt.json) {
    std::printf(
        "{\"scenario\":\"%s\",\"topic\":\"%s\",\"connections\":%d,\"consumers\":%d,"
        "\"threads\":%d,\"duration_s\":%.3f,\"elapsed_s\":%.3f,\"target_rate\":%.1f,"
        "\"ops\":%" PRIu64 ",\"requests\":%" PRIu64 ",\"messages\":%" PRIu64 ",\"errors\":%" PRIu64
        ",\"ops_per_s\":%.1f,\"msgs_per_s\":%.1f,%s,"
        "\"delivered\":%s,\"missing\":%" PRIu64 ",\"duplicates\":%" PRIu64 ",\"foreign\":%" PRIu64
        ",\"consumer_errors\":%" PRIu64 ",\"receives\":%" PRIu64 ",\"empty_receives\":%" PRIu64
        ",%s}\n",
        opt.scenario_name.c_str(), opt.topic.c_str(), opt.connections, latency ? opt.consumers : 0,
        opt.threads, publish_s, elapsed_s, opt.rate, p.ops, p.requests, p.messages, p.errors,
        per_s(p.ops), per_s(p.messages), p.latency.json_fields().c_str(),
        delivered ? std::to_string(*delivered).c_str() : "null", missing, sh.duplicates.load(),
        sh.foreign.load(), s.errors, s.ops + s.empty_receives, s.empty_receives,
        s.latency.json_fields("e2e_").c_str());
  } else {
    std::printf("scenario %s on 127.0.0.1:%u topic %s: %d connections, %d threads, %.2f s",
                opt.scenario_name.c_str(), opt.port, opt.topic.c_str(), opt.connections,
                opt.threads, publish_s);
    if (opt.rate > 0) std::printf(", target %.0f msg/s", opt.rate);
    std::printf("\n  published %" PRIu64 " messages (%.0f msg/s) in %" PRIu64 " requests, %" PRIu64
                " errors\n  latency per request (us): %s\n"
                "  delivered to the queues: %s, missing %" PRIu64 "\n",
                p.messages, per_s(p.messages), p.requests, p.errors, p.latency.text().c_str(),
                delivered ? std::to_string(*delivered).c_str() : "unknown", missing);
    if (latency) {
      std::printf("  publish -> receive (us): %s\n  duplicates %" PRIu64 ", foreign %" PRIu64
                  ", consumer errors %" PRIu64 ", empty receives %" PRIu64 "\n",
                  s.latency.text().c_str(), sh.duplicates.load(), sh.foreign.load(), s.errors,
                  s.empty_receives);
    }
  }
  return p.errors == 0 && s.errors == 0 && missing == 0 ? 0 : 1;
}

}  // namespace
}  // namespace eb::bench

int main(int argc, char** argv) {
  const auto opt = eb::bench::parse_options(argc, argv);
  return eb::bench::run_guarded("sns_load", [&] { return eb::bench::run(opt); });
}
