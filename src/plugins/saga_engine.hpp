#pragma once
// kind: saga. Runs the sagas of one definition (config/plugins.hpp, SagaPluginSpec) with the
// state machine of saga.hpp. A saga starts through start() (POST /v1/sagas/{definition}) or an
// event of the definition's `start_on` type. Each saga is the event-log stream saga-{id}:
// saga.* events are appended to it, and the requests it publishes join it in the same write as
// their publish (the aggregateId attribute), so the stream always says what was sent. Replies
// arrive on the instance's queue, matched by correlationId = the saga id. Deadlines and retries
// run on the daemon's Timers (a manual clock fires them in tests).
//
// At start the engine folds every saga from the events it wrote before (the event log, by
// envelope source) and moves each unfinished one on: a deadline that passed while the daemon
// was down times out at once, a request never sent is sent, the others wait with their timers
// re-armed from the persisted deadlines.
//
// Every request and reply carries the saga id as correlationId and the causing event's id as
// causationId, so GET /v1/trace/{sagaId} shows the whole tree. Thread-safe: all saga state is
// under the worker's mutex.
#include <array>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/metrics.hpp"
#include "plugins/saga.hpp"
#include "plugins/worker.hpp"

namespace eb::plugins {

class SagaEngine final : public Worker {
 public:
  SagaEngine(config::PluginSpec spec, const Services& services);
  ~SagaEngine() override;

  std::vector<std::string> handled_types() const override;
  void describe(JsonWriter& out) const override;

  static constexpr std::size_t kMaxIdLength = 128;
  // Starts saga `id` with `input` (JSON). A saga of this id with the same input is the same
  // saga (`created` false); with another input (or definition), kInvalidState. Bad ids and
  // inputs fail with kInvalidParameterValue. The saga's document either way.
  struct Started {
    bool created = false;
    std::string saga_json;
  };
  Result<Started> start(const std::string& id, const std::string& input_json,
                        const std::string& causation_id = {});
  // GET /v1/sagas/{id}: the design's document; nullopt for a saga this engine does not run.
  std::optional<std::string> saga_json(const std::string& id) const;
  // GET /v1/sagas: the sagas with `status` (all when nullopt), oldest first, written as array
  // elements; at most `limit`. Returns how many matched in all.
  std::size_t list(JsonWriter& out, std::optional<saga::Status> status, std::size_t limit) const;
  // POST /v1/sagas/{id}/redrive: a stuck saga requests its failed compensations again.
  // kResourceNotFound for an unknown saga, kInvalidState for one that is not stuck.
  Result<std::string> redrive(const std::string& id);
  // How many sagas are in each status, indexed by saga::Status (GET /metrics).
  std::array<std::size_t, saga::kStatusCount> status_counts() const;
  // Whether this engine runs saga `id`.
  bool has(const std::string& id) const;

  // For /metrics (any thread, no lock): sagas started, completed, compensated and stuck since
  // this engine started, and the time from each step's request to the reply it took, on the
  // daemon's clock (a timed-out request has no reply: not observed).
  enum class Count : std::uint8_t { kStarted, kCompleted, kCompensated, kStuck, kEnd };
  struct Metrics {
    Counts<Count> counts;
    // Index step * 2 + phase (0 action, 1 compensation), for the definition's steps.
    std::vector<LatencyHistogram::Snapshot> step_latency;
  };
  Metrics metrics() const;

  static std::string stream_of(std::string_view saga_id) { return "saga-" + std::string(saga_id); }

 protected:
  Result<void> on_event(const Envelope& event) override;
  void recover(const Envelope& event) override;
  void on_recovered() override;
  void on_stop() override;
  // Snapshot entries: one per saga, keyed by its id (see Worker).
  std::string snapshot_tag() const override;
  std::string encode_entry(const std::string& key) const override;
  bool restore_entry(std::string_view key, std::string_view value) override;
  void clear_state() override { sagas_.clear(); }
  std::size_t entry_count() const override { return sagas_.size(); }
  void expect_entries(std::size_t count) override {
    sagas_.reserve(count);
    wake_at_.reserve(count);
  }

 private:
  struct Alive;  // lets timer callbacks find the engine only while it runs

  Result<Started> start_locked(const std::string& id, const std::string& input_json,
                               const std::string& causation_id);
  // Moves `state` on until it waits (after folding `outcome`, what a reply did), writing its
  // events, then arms its timer. The events before a request go in the same write as its
  // publish, the others in one append: one write per reply. A failed write leaves the state as
  // written and retries on the timer.
  Result<void> run(saga::State& state, std::optional<saga::Event> outcome = std::nullopt);
  // run() without an outcome, logging a failure (its timer retries it).
  void run_or_retry(const std::string& id, saga::State& state);
  // Publishes the request `event` of `state`, appending the envelopes `first` to its stream
  // before it in the same write.
  Result<void> request(const saga::State& state, const saga::Event& event,
                       const std::vector<std::string>& first);
  // Appends envelopes to saga `id`'s stream.
  Result<void> append(const std::string& id, const std::vector<std::string>& events);
  // The envelope (JSON) of a non-request event of `state`, before it is folded.
  std::string encode_event(const saga::State& state, const saga::Event& event) const;
  // Saga `id` wakes at `at` (nullopt: it waits for nothing).
  void arm(const std::string& id, std::optional<Millis> at);
  void set_timer(Millis at);
  void on_timer(std::uint64_t generation);
  void write_saga(JsonWriter& out, const saga::State& state) const;
  Result<void> on_reply(const Envelope& event);
  // Counts a saga that moved into `status` (completed, compensated or stuck).
  void count_status(saga::Status status);
  // The saga event an envelope this engine wrote holds; nullopt for anything else.
  std::optional<saga::Event> decode_event(const Envelope& envelope) const;
  std::string encode_data(const saga::Event& event) const;

  const config::SagaPluginSpec& definition_;
  std::unordered_map<std::string, saga::State> sagas_;
  // When each waiting saga wakes, and one timer for the earliest: a timer per saga cost a system
  // call at every step (re-arming one makes asio wake a thread to report the cancel) and, after
  // a restart, 100,000 timers for 100,000 waiting sagas.
  std::unordered_map<std::string, Millis> wake_at_;
  std::set<std::pair<Millis, std::string>> wakeups_;
  Timers::Id timer_ = 0;
  Millis timer_at_ = 0;
  std::uint64_t timer_generation_ = 0;
  bool waking_ = false;  // on_timer() is moving due sagas on
  std::shared_ptr<Alive> alive_;
  std::uint64_t ignored_replies_ = 0;
  CounterSet<Count> counters_;
  std::vector<LatencyHistogram> step_latency_;  // see Metrics::step_latency
};

}  // namespace eb::plugins
