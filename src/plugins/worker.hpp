#pragma once
// The shape the domain workers (inventory, payment, order) share: consume the instance's queue,
// decode each message as the design's envelope, dispatch on its type, publish answers to the
// instance's topic with the request's correlationId and the request's id as causationId, and
// rebuild state at start from the events the instance published before (the event log keeps
// them, indexed by the envelope's source). Handlers run one message at a time per instance;
// state a route reads too is guarded by `mu()`.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

#include "eventlog/event_log.hpp"
#include "plugins/envelope.hpp"
#include "plugins/event_publisher.hpp"
#include "plugins/plugin.hpp"

namespace eb::plugins {

class Worker : public Plugin {
 public:
  Worker(config::PluginSpec spec, const Services& services);
  ~Worker() override;

  Result<void> start() final;
  void stop() final;
  PluginCounters counters() const final;

 protected:
  // What to do with a request: an error leaves the message for redelivery. A type the worker
  // does not handle is answered by returning `ignored()`.
  virtual Result<void> on_event(const Envelope& event) = 0;
  // One event this instance published (or appended) before, oldest first, at start.
  virtual void recover(const Envelope& event) = 0;
  // After every event was recovered, before consuming starts (under mu()).
  virtual void on_recovered() {}
  // After consuming stopped (stop() or destruction), without mu().
  virtual void on_stop() {}

  Result<void> ignored();
  // Publishes an answer to `request` (correlationId kept, causationId = the request's id) and
  // returns its envelope. `stream`: the stream the event joins (the aggregateId attribute).
  Result<Envelope> answer(const Envelope& request, std::string type, std::string data,
                          std::string metadata = "{}", std::string stream = {});

  // Publishes an event of this instance to its topic (the envelope as published).
  Result<Envelope> publish(Outgoing event);
  // The envelope `event` becomes, stamped now, with this instance's source.
  Envelope envelope(Outgoing event) const { return publisher_.envelope(std::move(event)); }

  // Appends an event of this instance to `stream` in the event log, not published: state a
  // route changed (a stock level), kept for the next start.
  Result<Envelope> record(const std::string& stream, std::string type, std::string data);

  const Services& services() const { return services_; }
  std::mutex& mu() const { return mu_; }

  // Snapshots, for a worker whose state is a map of entries (sagas by id, orders by key): it
  // returns a non-empty snapshot_tag() (what its settings make of the entries: other settings,
  // another tag), calls changed(key) under mu() whenever an entry changes (at start too), and
  // encodes and restores entries. The worker then saves the changed entries to the event
  // log's snapshot store every Services::snapshot_every changes (checked by
  // maybe_snapshot(), which on_message calls after each event) and at stop, and a start
  // restores them and folds only the events after them, so that a restart takes time in
  // proportion to the state, not to the history.
  virtual std::string snapshot_tag() const { return {}; }
  virtual std::string encode_entry(const std::string& key) const { return {}; }  // "": erase
  // false: unreadable; the start then calls clear_state() and folds the whole log instead.
  virtual bool restore_entry(std::string_view key, std::string_view value) { return false; }
  virtual void clear_state() {}
  // How many entries the state has (saved with the snapshot), and that number announced
  // before they are restored (to size maps once).
  virtual std::size_t entry_count() const { return 0; }
  virtual void expect_entries(std::size_t count) {}
  void changed(const std::string& key);
  void maybe_snapshot();

 private:
  Result<void> replay_history();
  Result<void> save_snapshot();
  void save_changed();  // save_snapshot() if anything changed; a failure is logged
  Result<void> on_message(const ConsumedMessage& message);

  const Services services_;
  EventPublisher publisher_;
  std::unique_ptr<QueueConsumer> consumer_;
  std::atomic<std::uint64_t> ignored_{0};
  std::atomic<std::uint64_t> published_{0};
  mutable std::mutex mu_;
  std::string tag_;                          // snapshot_tag() at start; empty: no snapshots
  std::unordered_set<std::string> changed_;  // entries not saved yet (under mu_)
  std::size_t changes_ = 0;                  // since the last save
};

}  // namespace eb::plugins
