// Filter-policy evaluations per second on one core (Google Benchmark): the design's order
// queue policy (eventType in a list) against attributes that match and that do not, a policy
// with several operators, and a MessageBody-scope policy against a JSON event envelope.
#include <benchmark/benchmark.h>

#include <string>

#include "matching/filter_policy.hpp"

namespace {

using eb::MessageAttributes;
using eb::matching::FilterPolicy;
using eb::matching::FilterPolicyScope;

FilterPolicy compile(const char* json, FilterPolicyScope scope) {
  auto policy = FilterPolicy::compile(json, scope);
  if (!policy) throw std::runtime_error(policy.error().message);
  return std::move(*policy);
}

void run(benchmark::State& state, const FilterPolicy& policy, const MessageAttributes& attributes) {
  std::int64_t matched = 0;
  for (auto _ : state) matched += policy.matches(attributes) ? 1 : 0;
  benchmark::DoNotOptimize(matched);
  state.counters["evaluations_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

const char* kOrderPolicy = R"({"eventType":["order.created","order.paid","order.shipped"]})";

void BM_OrderPolicyMatch(benchmark::State& state) {
  const auto policy = compile(kOrderPolicy, FilterPolicyScope::kMessageAttributes);
  const MessageAttributes attributes = {{"eventType", {"String", "order.paid", ""}},
                                        {"correlationId", {"String", "c-42", ""}}};
  run(state, policy, attributes);
}
BENCHMARK(BM_OrderPolicyMatch);

void BM_OrderPolicyMiss(benchmark::State& state) {
  const auto policy = compile(kOrderPolicy, FilterPolicyScope::kMessageAttributes);
  const MessageAttributes attributes = {{"eventType", {"String", "inventory.reserved", ""}},
                                        {"correlationId", {"String", "c-42", ""}}};
  run(state, policy, attributes);
}
BENCHMARK(BM_OrderPolicyMiss);

void BM_MixedOperators(benchmark::State& state) {
  const auto policy =
      compile(R"({"eventType":[{"prefix":"order."}],"amount":[{"numeric":[">",0,"<=",1000]}],)"
              R"("region":[{"anything-but":["eu-west-3"]}],"vip":[{"exists":false}]})",
              FilterPolicyScope::kMessageAttributes);
  const MessageAttributes attributes = {{"eventType", {"String", "order.created", ""}},
                                        {"amount", {"Number", "149.90", ""}},
                                        {"region", {"String", "us-east-1", ""}}};
  run(state, policy, attributes);
}
BENCHMARK(BM_MixedOperators);

void BM_BodyScope(benchmark::State& state) {
  const auto policy =
      compile(R"({"type":["order.created"],"data":{"total":[{"numeric":[">",100]}]}})",
              FilterPolicyScope::kMessageBody);
  const std::string body =
      R"({"id":"e-1","type":"order.created","source":"order-service","correlationId":"c-1",)"
      R"("data":{"orderId":"o-1","total":149.9,"items":[{"sku":"a","qty":2}]}})";
  std::int64_t matched = 0;
  for (auto _ : state) matched += policy.matches_body(body) ? 1 : 0;
  benchmark::DoNotOptimize(matched);
  state.counters["evaluations_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BodyScope);

}  // namespace

BENCHMARK_MAIN();
