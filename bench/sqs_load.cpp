// sqs_load: a load generator for SQS endpoints speaking AWS JSON 1.0 (eventbrokerd, moto_server).
//
// One io_context (run by --threads threads, default 1) drives --connections keep-alive
// connections, each a coroutine issuing one operation at a time. Requests are serialized once
// per scenario; only DeleteMessage(Batch) bodies are built per request, from the receipt handles
// the previous ReceiveMessage returned. Latency is per operation (a SendMessage, a batch, a
// receive+delete pair or a send→receive→delete cycle) and, with --rate, is measured from the
// operation's scheduled start so a stalled server cannot hide its queueing delay (no coordinated
// omission). The run stops itself at --duration and only ever talks to 127.0.0.1.
//
// With --fifo-groups N the queue is <queue>.fifo (FifoQueue=true, ContentBasedDeduplication=false)
// and every message sent carries a MessageGroupId out of N and a MessageDeduplicationId unique to
// the run, so its send requests are built per request instead of once.

#include <chrono>
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
  int fifo_groups = 0;  // 0: a standard queue; N: a FIFO queue, messages spread over N groups
};

// --scenario names, in the order of Scenario.
constexpr std::string_view kScenarios[] = {"send", "send-batch", "receive-delete", "cycle"};

[[noreturn]] void usage(const char* why) {
  usage_exit("sqs_load", why, kScenarios,
             "  [--queue NAME] [--prefill N] [--max-prefill-seconds S] [--fifo-groups N]\n"
             "  --duration 0 only creates and prefills; --rate 0 is unbounded;\n"
             "  --fifo-groups N > 0 uses the FIFO queue NAME.fifo with N message groups.\n");
}

Options parse_options(int argc, char** argv) {
  Options o;
  parse_flags(
      argc, argv, o, kScenarios,
      {
          {"--queue", [&](const std::string& v) { o.queue = v; }},
          {"--prefill", [&](const std::string& v) { o.prefill = std::stoull(v); }},
          {"--max-prefill-seconds", [&](const std::string& v) { o.max_prefill_s = std::stod(v); }},
          {"--fifo-groups", [&](const std::string& v) { o.fifo_groups = std::stoi(v); }},
      },
      usage);
  o.scenario = static_cast<Scenario>(o.scenario_index);
  if (o.fifo_groups < 0 || o.fifo_groups > 1'000'000) usage("--fifo-groups must be 0..1000000");
  // The .fifo suffix is the tool's to add (and counts towards SQS's 80 characters).
  if (!valid_resource_name(o.queue) || (o.fifo_groups > 0 && o.queue.size() > 75))
    usage("--queue must be 1-80 (with --fifo-groups 1-75) of [A-Za-z0-9_-]; .fifo is added");
  if (o.fifo_groups > 0) o.queue += ".fifo";
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
  std::string prefill_tail_req;  // SendMessageBatch of the prefill's last --prefill % 10
  std::string body;              // the message body of every send
  std::string run_id;  // prefix of FIFO deduplication ids: sets this run apart from earlier ones
  std::atomic<std::uint64_t> next_ticket{0};
  std::atomic<std::uint64_t> next_message{0};  // FIFO: numbers each message sent in this run
  ErrorSamples errors;

  explicit Shared(const Options& o)
      : opt(o),
        endpoint(asio::ip::make_address("127.0.0.1"), o.port),
        builder(o.port),
        run_id(std::to_string(std::chrono::system_clock::now().time_since_epoch().count())) {}

  bool fifo() const { return opt.fifo_groups > 0; }
  void note_error(std::string what) { errors.note(std::move(what)); }

  // `,"MessageGroupId":"g<k>","MessageDeduplicationId":"<run>-<m>"` for message number m of the
  // run, k = m mod --fifo-groups. The numbers come from one counter all connections share, so
  // concurrent requests land on different groups (a batch on 10 consecutive ones), and the
  // deduplication ids are unique: with ContentBasedDeduplication off, none is dropped.
  void append_fifo_fields(std::uint64_t m, std::string& s) const {
    s.append(",\"MessageGroupId\":\"g").append(std::to_string(m % opt.fifo_groups));
    s.append("\",\"MessageDeduplicationId\":\"").append(run_id).append("-");
    s.append(std::to_string(m)).append("\"");
  }
};

// A SendMessageBatch body of n entries; on a FIFO queue each entry gets its group and
// deduplication id (messages numbered from `first`).
std::string batch_body(const Shared& sh, int n, std::uint64_t first = 0) {
  std::string s = "{" + sh.quoted_url_field + ",\"Entries\":[";
  for (int i = 0; i < n; ++i) {
    if (i) s += ',';
    s += "{\"Id\":\"" + std::to_string(i) + "\",\"MessageBody\":\"" + sh.body + "\"";
    if (sh.fifo()) sh.append_fifo_fields(first + static_cast<std::uint64_t>(i), s);
    s += '}';
  }
  return s + "]}";
}

// The SendMessage (n == 1) or SendMessageBatch request of n messages. A standard queue reuses the
// prebuilt ones; a FIFO queue's messages need fresh ids, so it builds the request into `scratch`.
const std::string& send_request(Shared& sh, int n, std::string& scratch) {
  if (!sh.fifo()) {
    if (n == 1) return sh.send_req;
    return n == kBatchSize ? sh.send_batch_req : sh.prefill_tail_req;
  }
  const std::uint64_t first = sh.next_message.fetch_add(n, std::memory_order_relaxed);
  if (n == 1) {
    std::string body = "{" + sh.quoted_url_field + ",\"MessageBody\":\"" + sh.body + "\"";
    sh.append_fifo_fields(first, body);
    sh.builder.sqs("SendMessage", body + "}", scratch);
  } else {
    sh.builder.sqs("SendMessageBatch", batch_body(sh, n, first), scratch);
  }
  return scratch;
}

// GetQueueUrl, then CreateQueue if that fails; prebuilds every fixed request of the run.
asio::awaitable<void> setup(Shared& sh, Connection& conn) {
  std::string err;
  const std::string name_body = "{\"QueueName\":\"" + sh.opt.queue + "\"}";
  std::string create_body = name_body;
  if (sh.fifo()) {
    create_body.pop_back();
    create_body +=
        ",\"Attributes\":{\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"false\"}}";
  }
  std::vector<std::string_view> urls;
  if (co_await conn.round_trip(sh.endpoint, sh.builder.sqs("GetQueueUrl", name_body), err)) {
    find_string_values(conn.body(), "QueueUrl", urls);
  }
  if (urls.empty()) {
    if (!co_await conn.round_trip(sh.endpoint, sh.builder.sqs("CreateQueue", create_body), err)) {
      throw std::runtime_error("CreateQueue failed: " + err);
    }
    find_string_values(conn.body(), "QueueUrl", urls);
    if (urls.empty()) throw std::runtime_error("CreateQueue response without QueueUrl");
  }
  sh.queue_url = std::string(urls.front());
  sh.quoted_url_field = "\"QueueUrl\":\"" + sh.queue_url + "\"";

  sh.body = message_body(sh.opt.body_size);
  const std::string& url = sh.quoted_url_field;
  sh.receive10_req = sh.builder.sqs(
      "ReceiveMessage", "{" + url + ",\"MaxNumberOfMessages\":10,\"WaitTimeSeconds\":0}");
  sh.receive1_req = sh.builder.sqs("ReceiveMessage",
                                   "{" + url + ",\"MaxNumberOfMessages\":1,\"WaitTimeSeconds\":0}");
  if (sh.fifo()) co_return;  // its sends are built per request (send_request)
  sh.send_req = sh.builder.sqs("SendMessage", "{" + url + ",\"MessageBody\":\"" + sh.body + "\"}");
  sh.send_batch_req = sh.builder.sqs("SendMessageBatch", batch_body(sh, kBatchSize));
  // Prefill always uses 100-byte-class bodies of --body-size so RSS figures match the run.
  const int tail = static_cast<int>(sh.opt.prefill % kBatchSize);
  if (tail) sh.prefill_tail_req = sh.builder.sqs("SendMessageBatch", batch_body(sh, tail));
}

asio::awaitable<void> prefill_worker(Shared& sh, Connection& conn, WorkerStats& st,
                                     Clock::time_point deadline) {
  const std::uint64_t batches = (sh.opt.prefill + kBatchSize - 1) / kBatchSize;
  const int tail_size = static_cast<int>(sh.opt.prefill % kBatchSize);
  std::string err, scratch;
  for (;;) {
    const std::uint64_t b = sh.next_ticket.fetch_add(1, std::memory_order_relaxed);
    if (b >= batches || Clock::now() >= deadline) co_return;
    const int n = tail_size != 0 && b == batches - 1 ? tail_size : kBatchSize;
    // A retry resends the same request: on a FIFO queue, the same deduplication ids.
    const std::string& req = send_request(sh, n, scratch);
    for (int attempt = 0; attempt < 3; ++attempt) {
      ++st.requests;
      if (co_await conn.round_trip(sh.endpoint, req, err) && !has_failed_entries(conn.body())) {
        st.messages += static_cast<std::uint64_t>(n);
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
      if (!co_await conn.round_trip(sh.endpoint, send_request(sh, 1, scratch), err)) {
        fail("SendMessage");
        co_return std::nullopt;
      }
      co_return 1;
    case Scenario::kSendBatch:
      ++st.requests;
      if (!co_await conn.round_trip(sh.endpoint, send_request(sh, kBatchSize, scratch), err) ||
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
      if (!co_await conn.round_trip(sh.endpoint, send_request(sh, 1, scratch), err)) {
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
        "{\"scenario\":\"%s\",\"queue\":\"%s\",\"fifo_groups\":%d,\"connections\":%d,\"threads\":%"
        "d,"
        "\"duration_s\":%.3f,\"target_rate\":%.1f,\"ops\":%" PRIu64 ",\"requests\":%" PRIu64
        ",\"messages\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"empty_receives\":%" PRIu64
        ",\"ops_per_s\":%.1f,\"requests_per_s\":%.1f,\"msgs_per_s\":%.1f,%s,"
        "\"prefill\":%" PRIu64 ",\"prefill_sent\":%" PRIu64 ",\"prefill_errors\":%" PRIu64
        ",\"prefill_s\":%.3f}\n",
        opt.scenario_name.c_str(), opt.queue.c_str(), opt.fifo_groups, opt.connections, opt.threads,
        elapsed_s, opt.rate, total.ops, total.requests, total.messages, total.errors,
        total.empty_receives, per_s(total.ops), per_s(total.requests), per_s(total.messages),
        total.latency.json_fields().c_str(), opt.prefill, prefill_total.messages,
        prefill_total.errors, prefill_s);
  } else if (opt.duration_s > 0) {
    std::printf("scenario %s on 127.0.0.1:%u queue %s: %d connections, %d threads, %.2f s",
                opt.scenario_name.c_str(), opt.port, opt.queue.c_str(), opt.connections,
                opt.threads, elapsed_s);
    if (opt.fifo_groups > 0) std::printf(", %d message groups", opt.fifo_groups);
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
