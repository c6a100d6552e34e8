// EventBridge rule matching, events per second on one core (Google Benchmark): 100 rules of a
// realistic mix (most pin source and/or detail-type and add one detail operator; a few are
// detail-only or $or and cannot be indexed) against 64 events of 400-900 bytes. Each
// iteration parses one event with simdjson and matches it against every rule: through
// EventPatternSet (the index) and, for comparison, pattern by pattern.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <array>
#include <stdexcept>
#include <string>
#include <vector>

#include "matching/event_pattern.hpp"
#include "matching/event_pattern_set.hpp"

namespace {

using eb::matching::EventPattern;
using eb::matching::EventPatternSet;

constexpr std::array<const char*, 10> kSources = {"com.shop.orders",
                                                  "com.shop.payments",
                                                  "com.shop.shipping",
                                                  "com.shop.inventory",
                                                  "com.shop.users",
                                                  "aws.ec2",
                                                  "aws.s3",
                                                  "aws.cloudtrail",
                                                  "com.bank.ledger",
                                                  "com.crm.leads"};
constexpr std::array<const char*, 8> kTypes = {"Order Placed",   "Order Paid",     "Order Shipped",
                                               "Item Reserved",  "User Signed Up", "State Change",
                                               "Object Created", "API Call"};

// One detail operator per rule, cycling through the language.
std::string detail_operator(int i) {
  switch (i % 9) {
    case 0:
      return R"("region": [{"prefix": "eu-"}])";
    case 1:
      return R"("file": [{"suffix": ".png"}])";
    case 2:
      return fmt::format(R"("total": [{{"numeric": [">", {}, "<=", {}]}}])", i * 10, i * 10 + 500);
    case 3:
      return R"("status": [{"anything-but": ["cancelled", "failed"]}])";
    case 4:
      return R"("coupon": [{"exists": false}])";
    case 5:
      return R"("path": [{"wildcard": "orders/*/items/*"}])";
    case 6:
      return R"("customer": {"tier": [{"equals-ignore-case": "GOLD"}]})";
    case 7:
      return R"("client-ip": [{"cidr": "10.0.0.0/16"}])";
    default:
      return R"("$or": [{"priority": ["high"]}, {"total": [{"numeric": [">", 900]}]}])";
  }
}

std::vector<std::string> rules() {
  std::vector<std::string> out;
  for (int i = 0; i < 100; ++i) {
    const char* source = kSources[i % kSources.size()];
    const char* type = kTypes[(i / 10) % kTypes.size()];
    const std::string detail = fmt::format(R"("detail": {{{}}})", detail_operator(i));
    if (i % 20 == 19) {
      out.push_back(fmt::format("{{{}}}", detail));  // detail only: never indexed
    } else if (i % 10 == 9) {
      out.push_back(fmt::format(R"({{"source": ["{}"], {}}})", source, detail));
    } else {
      out.push_back(
          fmt::format(R"({{"source": ["{}"], "detail-type": ["{}"], {}}})", source, type, detail));
    }
  }
  return out;
}

std::vector<std::string> events() {
  std::vector<std::string> out;
  for (int i = 0; i < 64; ++i) {
    std::string items;
    for (int k = 0; k <= i % 4; ++k) {
      items += fmt::format(R"({}{{"sku": "SKU-{:05}", "qty": {}, "price": {}.{:02}}})",
                           k ? ", " : "", i * 7 + k, k + 1, 10 + k, i % 100);
    }
    out.push_back(fmt::format(
        R"({{"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703{:06}", "detail-type": "{}",)"
        R"( "source": "{}", "account": "123456789012", "time": "2026-12-03T16:{:02}:00Z",)"
        R"( "region": "{}", "resources": ["arn:aws:events:us-east-1:123456789012:rule/r{}"],)"
        R"( "detail": {{"orderId": "o-{:08}", "status": "{}", "total": {}.5, "currency": "EUR",)"
        R"( "region": "{}", "file": "invoice-{}.{}", "path": "orders/{}/items/{}",)"
        R"( "customer": {{"id": "c-{}", "tier": "{}", "email": "user{}@example.com"}},)"
        R"( "client-ip": "10.{}.3.{}", "priority": "{}", "items": [{}]{}}}}})",
        i, kTypes[(i / 3) % kTypes.size()], kSources[i % kSources.size()], i % 60,
        i % 2 ? "eu-west-1" : "us-east-1", i, i * 31, i % 5 ? "shipped" : "cancelled",
        i * 37 % 1000, i % 3 ? "eu-central-1" : "ap-south-1", i, i % 4 ? "png" : "pdf", i, i % 7, i,
        i % 3 ? "gold" : "silver", i, i % 2, i, i % 6 ? "low" : "high", items,
        i % 8 ? "" : R"(, "coupon": "WINTER")"));
  }
  return out;
}

template <class MatchOne>
void run(benchmark::State& state, const MatchOne& match_one) {
  const std::vector<std::string> inputs = events();
  std::size_t bytes = 0;
  for (const auto& e : inputs) bytes += e.size();
  simdjson::dom::parser parser;
  std::vector<EventPatternSet::Id> matched;
  std::size_t next = 0;
  std::int64_t hits = 0;
  for (auto _ : state) {
    const std::string& json = inputs[next++ % inputs.size()];
    simdjson::dom::element event;
    if (parser.parse(json.data(), json.size()).get(event)) throw std::runtime_error("bad event");
    matched.clear();
    match_one(event, matched);
    hits += static_cast<std::int64_t>(matched.size());
  }
  benchmark::DoNotOptimize(hits);
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["matches_per_event"] =
      static_cast<double>(hits) / static_cast<double>(state.iterations());
  state.counters["event_bytes"] = static_cast<double>(bytes) / static_cast<double>(inputs.size());
}

std::vector<EventPattern> compiled_rules() {
  std::vector<EventPattern> out;
  for (const auto& json : rules()) {
    auto pattern = EventPattern::compile(json);
    if (!pattern) throw std::runtime_error(json + ": " + pattern.error().message);
    out.push_back(std::move(*pattern));
  }
  return out;
}

void BM_PatternSet100Rules(benchmark::State& state) {
  EventPatternSet set;
  const auto patterns = compiled_rules();
  for (std::size_t i = 0; i < patterns.size(); ++i) set.add(i, patterns[i]);
  run(state, [&](const simdjson::dom::element& event, std::vector<EventPatternSet::Id>& out) {
    set.match(event, out);
  });
}
BENCHMARK(BM_PatternSet100Rules);

void BM_EveryPattern100Rules(benchmark::State& state) {
  const auto patterns = compiled_rules();
  run(state, [&](const simdjson::dom::element& event, std::vector<EventPatternSet::Id>& out) {
    for (std::size_t i = 0; i < patterns.size(); ++i) {
      if (patterns[i].matches(event)) out.push_back(i);
    }
  });
}
BENCHMARK(BM_EveryPattern100Rules);

void BM_ParseOnly(benchmark::State& state) {
  run(state, [](const simdjson::dom::element&, std::vector<EventPatternSet::Id>&) {});
}
BENCHMARK(BM_ParseOnly);

}  // namespace

BENCHMARK_MAIN();
