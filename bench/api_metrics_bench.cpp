// What the dispatcher's per-call metrics cost, in process: an AWS call's answer passed through
// ApiMetrics (slot lookup, the wrapping Respond, the clock read, counters and histogram) beside
// the same answer passed straight on. The difference is what --metrics true adds to each call;
// bench/metrics_cost.sh sets it beside a whole SendMessage. Threads(2): two I/O threads
// answering the same action at once (shared slot, shared lock).
#include <benchmark/benchmark.h>

#include <chrono>

#include "api/aws/api_metrics.hpp"
#include "net/handler.hpp"

namespace {

using eb::api::aws::ApiMetrics;

eb::net::HttpResponse& answer() {
  thread_local eb::net::HttpResponse response{boost::beast::http::status::ok, 11};
  return response;
}

void BM_AnswerPlain(benchmark::State& state) {
  std::size_t answered = 0;
  for (auto _ : state) {
    eb::net::Respond respond = [&answered](eb::net::HttpResponse&&) { ++answered; };
    respond(std::move(answer()));
  }
  benchmark::DoNotOptimize(answered);
}
BENCHMARK(BM_AnswerPlain)->Threads(1)->Threads(2);

void BM_AnswerMeasured(benchmark::State& state) {
  static ApiMetrics metrics;
  std::size_t answered = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    eb::net::Respond respond = [&answered](eb::net::HttpResponse&&) { ++answered; };
    respond = ApiMetrics::measured(metrics.slot("sqs", "SendMessage"), start, std::move(respond));
    respond(std::move(answer()));
  }
  benchmark::DoNotOptimize(answered);
}
BENCHMARK(BM_AnswerMeasured)->Threads(1)->Threads(2);

}  // namespace

BENCHMARK_MAIN();
