// sqs_load: a load generator for SQS endpoints speaking AWS JSON 1.0 (eventbrokerd, moto_server).
//
// One io_context (run by --threads threads, default 1) drives --connections keep-alive
// connections, each a coroutine issuing one operation at a time. Requests are serialized once
// per scenario; only DeleteMessage(Batch) bodies are built per request, from the receipt handles
// the previous ReceiveMessage returned. Latency is per operation (a SendMessage, a batch, a
// receive+delete pair or a send→receive→delete cycle) and, with --rate, is measured from the
// operation's scheduled start so a stalled server cannot hide its queueing delay (no coordinated
// omission). The run stops itself at --duration and only ever talks to 127.0.0.1.

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "load_common.hpp"

namespace eb::bench {
namespace {

enum class Scenario { kSend, kSendBatch, kReceiveDelete, kCycle };

struct Options : LoadOptions {
  Scenario scenario = Scenario::kSend;
  std::string queue = "sqs-load";
  std::uint64_t prefill = 0;
  double max_prefill_s = 900;
};

// --scenario names, in the order of Scenario.
constexpr std::string_view kScenarios[] = {"send", "send-batch", "receive-delete", "cycle"};

[[noreturn]] void usage(const char* why) {
  usage_exit("sqs_load", why, kScenarios,
             "  [--queue NAME] [--prefill N] [--max-prefill-seconds S]\n"
             "  --duration 0 only creates and prefills; --rate 0 is unbounded.\n");
}

Options parse_options(int argc, char** argv) {
  Options o;
  parse_flags(
      argc, argv, o, kScenarios,
      {
          {"--queue", [&](const std::string& v) { o.queue = v; }},
          {"--prefill", [&](const std::string& v) { o.prefill = std::stoull(v); }},
          {"--max-prefill-seconds", [&](const std::string& v) { o.max_prefill_s = std::stod(v); }},
      },
      usage);
  o.scenario = static_cast<Scenario>(o.scenario_index);
  if (!valid_resource_name(o.queue))
    usage("--queue must be 1-80 of [A-Za-z0-9_-] (standard queues only)");
  return o;
}

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
  ErrorSamples errors;

  explicit Shared(const Options& o)
      : opt(o), endpoint(asio::ip::make_address("127.0.0.1"), o.port), builder(o.port) {}

  void note_error(std::string what) { errors.note(std::move(what)); }
};

std::string batch_body(std::string_view url_field, int n, std::string_view body) {
  std::string s = "{" + std::string(url_field) + ",\"Entries\":[";
  for (int i = 0; i < n; ++i) {
    if (i) s += ',';
    s += "{\"Id\":\"" + std::to_string(i) + "\",\"MessageBody\":\"" + std::string(body) + "\"}";
  }
  return s + "]}";
}

// GetQueueUrl, then CreateQueue if that fails; prebuilds every fixed request of the run.
asio::awaitable<void> setup(Shared& sh, Connection& conn) {
  std::string err;
  const std::string name_body = "{\"QueueName\":\"" + sh.opt.queue + "\"}";
  std::vector<std::string_view> urls;
  if (co_await conn.round_trip(sh.endpoint, sh.builder.sqs("GetQueueUrl", name_body), err)) {
    find_string_values(conn.body(), "QueueUrl", urls);
  }
  if (urls.empty()) {
    if (!co_await conn.round_trip(sh.endpoint, sh.builder.sqs("CreateQueue", name_body), err)) {
      throw std::runtime_error("CreateQueue failed: " + err);
    }
    find_string_values(conn.body(), "QueueUrl", urls);
    if (urls.empty()) throw std::runtime_error("CreateQueue response without QueueUrl");
  }
  sh.queue_url = std::string(urls.front());
  sh.quoted_url_field = "\"QueueUrl\":\"" + sh.queue_url + "\"";

  const std::string body = message_body(sh.opt.body_size);
  const std::string& url = sh.quoted_url_field;
  sh.send_req = sh.builder.sqs("SendMessage", "{" + url + ",\"MessageBody\":\"" + body + "\"}");
  sh.send_batch_req = sh.builder.sqs("SendMessageBatch", batch_body(url, kBatchSize, body));
  sh.receive10_req = sh.builder.sqs(
      "ReceiveMessage", "{" + url + ",\"MaxNumberOfMessages\":10,\"WaitTimeSeconds\":0}");
  sh.receive1_req = sh.builder.sqs("ReceiveMessage",
                                   "{" + url + ",\"MaxNumberOfMessages\":1,\"WaitTimeSeconds\":0}");
  // Prefill always uses 100-byte-class bodies of --body-size so RSS figures match the run.
  sh.prefill_full_req = sh.send_batch_req;
  const int tail = static_cast<int>(sh.opt.prefill % kBatchSize);
  if (tail) sh.prefill_tail_req = sh.builder.sqs("SendMessageBatch", batch_body(url, tail, body));
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
      const std::string body = delete_batch_body(sh.quoted_url_field, handles);
      const std::uint64_t n = handles.size();  // handles point into the response, about to go
      sh.builder.sqs("DeleteMessageBatch", body, scratch);
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
      sh.builder.sqs("DeleteMessage", body, scratch);
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

asio::awaitable<void> measure_worker(Shared& sh, Pacer& pacer, Connection& conn, WorkerStats& st) {
  std::string scratch;
  std::vector<std::string_view> handles;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (const auto slot = co_await pacer.next(timer)) {
    const auto moved = co_await run_op(sh, conn, st, scratch, handles);
    if (!moved) {
      co_await backoff();
      continue;
    }
    st.latency.record_since(slot->scheduled);
    ++st.ops;
    st.messages += *moved;
  }
}

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
    const auto deadline = after_seconds(t0, opt.max_prefill_s);
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
    const auto start = Clock::now();
    Pacer pacer(start, after_seconds(start, opt.duration_s), opt.rate,
                opt.scenario == Scenario::kSendBatch || opt.scenario == Scenario::kReceiveDelete
                    ? kBatchSize
                    : 1);
    run_phase(ioc, opt.threads, opt.connections,
              [&](int i) { return measure_worker(sh, pacer, *conns[i], stats[i]); });
    elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
    total = merge(stats);
  }
  for (auto& c : conns) c->close();
  sh.errors.print("sqs_load");

  const auto per_s = [&](std::uint64_t n) {
    return elapsed_s > 0 ? static_cast<double>(n) / elapsed_s : 0.0;
  };
  if (opt.json) {
    std::printf(
        "{\"scenario\":\"%s\",\"queue\":\"%s\",\"connections\":%d,\"threads\":%d,"
        "\"duration_s\":%.3f,\"target_rate\":%.1f,\"ops\":%" PRIu64 ",\"requests\":%" PRIu64
        ",\"messages\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"empty_receives\":%" PRIu64
        ",\"ops_per_s\":%.1f,\"requests_per_s\":%.1f,\"msgs_per_s\":%.1f,%s,"
        "\"prefill\":%" PRIu64 ",\"prefill_sent\":%" PRIu64 ",\"prefill_errors\":%" PRIu64
        ",\"prefill_s\":%.3f}\n",
        opt.scenario_name.c_str(), opt.queue.c_str(), opt.connections, opt.threads, elapsed_s,
        opt.rate, total.ops, total.requests, total.messages, total.errors, total.empty_receives,
        per_s(total.ops), per_s(total.requests), per_s(total.messages),
        total.latency.json_fields().c_str(), opt.prefill, prefill_total.messages,
        prefill_total.errors, prefill_s);
  } else if (opt.duration_s > 0) {
    std::printf("scenario %s on 127.0.0.1:%u queue %s: %d connections, %d threads, %.2f s",
                opt.scenario_name.c_str(), opt.port, opt.queue.c_str(), opt.connections,
                opt.threads, elapsed_s);
    if (opt.rate > 0) std::printf(", target %.0f msg/s", opt.rate);
    std::printf("\n  messages %" PRIu64 " (%.0f msg/s)  requests %" PRIu64
                " (%.0f req/s)  ops %" PRIu64 " (%.0f op/s)\n  errors %" PRIu64
                "  empty receives %" PRIu64 "\n  latency per op (us): %s\n",
                total.messages, per_s(total.messages), total.requests, per_s(total.requests),
                total.ops, per_s(total.ops), total.errors, total.empty_receives,
                total.latency.text().c_str());
  }
  return total.errors == 0 && prefill_total.errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace eb::bench

int main(int argc, char** argv) {
  const auto opt = eb::bench::parse_options(argc, argv);
  return eb::bench::run_guarded("sqs_load", [&] { return eb::bench::run(opt); });
}
