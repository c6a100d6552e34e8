// Event-log throughput, in process (Google Benchmark), each case run on the RocksDB engine
// (a temp dir, --durability wal) and on the MemoryEngine side by side:
//   Append      stream appends of 100 envelopes per call          (events/s appended)
//   Read        reading the log back in pages of 1,000 from storage (events/s read)
//   Replay      a replay of 100,000 events into a queue            (events/s delivered)
// Time for Replay is driven by ManualClock: the replay's paced steps run back to back.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "app/replay_targets.hpp"
#include "core/manual_clock.hpp"
#include "eventlog/event_log.hpp"
#include "eventlog/replay.hpp"
#include "sqs/queues.hpp"
#include "storage/memory_engine.hpp"
#include "storage/rocksdb_engine.hpp"

namespace {

namespace fs = std::filesystem;
using namespace eb;

// An engine of the kind the benchmark argument names, removed with its directory afterwards.
class BenchEngine {
 public:
  explicit BenchEngine(bool rocksdb) {
    if (rocksdb) {
      dir_ = fs::temp_directory_path() / ("eb-eventlog-bench-" + std::to_string(::getpid()));
      fs::remove_all(dir_);
      engine_ = std::make_unique<storage::RocksDbEngine>(storage::RocksDbOptions{.dir = dir_});
    } else {
      engine_ = std::make_unique<storage::MemoryEngine>();
    }
  }
  ~BenchEngine() {
    engine_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  storage::Engine& get() { return *engine_; }

 private:
  fs::path dir_;
  std::unique_ptr<storage::Engine> engine_;
};

std::string envelope(std::uint64_t n) {
  return R"({"id":"e-)" + std::to_string(n) +
         R"(","type":"order.created","source":"order-service","correlationId":"c-)" +
         std::to_string(n / 10) + R"(","data":{"orderId":"o-)" + std::to_string(n) +
         R"(","amount":42}})";
}

// Reports a failed startup recovery as the benchmark's error; true when it succeeded.
bool recovered(benchmark::State& state, const Result<void>& result) {
  if (!result) state.SkipWithError(result.error().message.c_str());
  return result.has_value();
}

// Appends `total` envelopes in calls of `per_call`, spread over 1,000 streams.
void fill(eventlog::EventLog& log, std::uint64_t& next, std::uint64_t total, std::size_t per_call) {
  std::vector<std::string> events;
  for (std::uint64_t done = 0; done < total; done += per_call) {
    events.clear();
    for (std::size_t i = 0; i < per_call; ++i) events.push_back(envelope(next++));
    auto r = log.append("order-" + std::to_string(next % 1000), eventlog::ExpectedVersion::any(),
                        events);
    if (!r) throw std::runtime_error(r.error().message);
  }
}

const char* engine_label(const benchmark::State& state) {
  return state.range(0) != 0 ? "rocksdb" : "memory";
}

void BM_Append(benchmark::State& state) {
  BenchEngine engine(state.range(0) != 0);
  ManualClock clock;
  eventlog::EventLog log(engine.get(), clock, clock);
  if (!recovered(state, log.recover())) return;
  std::uint64_t next = 0;
  constexpr std::size_t kPerCall = 100;
  for (auto _ : state) fill(log, next, kPerCall, kPerCall);
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(next), benchmark::Counter::kIsRate);
  state.SetLabel(engine_label(state));
}
BENCHMARK(BM_Append)->Arg(0)->Arg(1)->MinTime(3)->UseRealTime();

void BM_Read(benchmark::State& state) {
  BenchEngine engine(state.range(0) != 0);
  ManualClock clock;
  eventlog::EventLog log(engine.get(), clock, clock);
  if (!recovered(state, log.recover())) return;
  std::uint64_t next = 0;
  constexpr std::uint64_t kEvents = 200'000;
  fill(log, next, kEvents, 1000);
  std::uint64_t after = 0;
  std::uint64_t read = 0;
  for (auto _ : state) {
    auto page = log.read(after, eventlog::kMaxPageSize, {});
    if (!page) {
      state.SkipWithError(page.error().message.c_str());
      break;
    }
    read += page->events.size();
    after = page->next ? *page->next : 0;  // wrap around to the start
    benchmark::DoNotOptimize(page->events.data());
  }
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(read), benchmark::Counter::kIsRate);
  state.SetLabel(engine_label(state));
}
BENCHMARK(BM_Read)->Arg(0)->Arg(1)->MinTime(3)->UseRealTime();

void BM_ReplayIntoQueue(benchmark::State& state) {
  const bool rocksdb = state.range(0) != 0;
  BenchEngine engine(rocksdb);
  ManualClock clock;
  eventlog::EventLog log(engine.get(), clock, clock);
  sqs::Queues broker(clock, clock, engine.get(), {}, &log);
  eventlog::Replays replays(log, engine.get(), clock, clock, app::replay_target(broker));
  // In the daemon's order: the log, the queues, then the replays that deliver into them.
  if (!recovered(state, log.recover()) || !recovered(state, broker.recover()) ||
      !recovered(state, replays.recover())) {
    return;
  }
  if (!broker.create_queue({"replayed", {}, {}})) {
    state.SkipWithError("create_queue failed");
    return;
  }
  std::uint64_t next = 0;
  constexpr std::uint64_t kEvents = 100'000;
  fill(log, next, kEvents, 1000);
  const std::uint64_t last = log.visible_through();
  std::uint64_t delivered = 0;
  for (auto _ : state) {
    eventlog::ReplaySpec spec;
    spec.from_seq = 1;
    spec.to_seq = last;
    spec.target = "arn:aws:sqs:us-east-1:000000000000:replayed";
    auto started = replays.start(spec);
    if (!started) {
      state.SkipWithError(started.error().message.c_str());
      break;
    }
    clock.advance(0);  // runs every paced step: the replay completes inside this call
    auto status = replays.get(started->id);
    if (!status || status->state != eventlog::ReplayState::kCompleted) {
      state.SkipWithError("replay did not complete");
      break;
    }
    delivered += status->replayed;
    state.PauseTiming();
    if (!broker.purge_queue("replayed")) {
      state.SkipWithError("purge failed");
      break;
    }
    clock.advance(61'000);  // PurgeQueue allows one purge a minute
    state.ResumeTiming();
  }
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(delivered), benchmark::Counter::kIsRate);
  state.SetLabel(engine_label(state));
}
BENCHMARK(BM_ReplayIntoQueue)->Arg(0)->Arg(1)->Iterations(3)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
