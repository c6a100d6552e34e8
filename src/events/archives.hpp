#pragma once
// EventBridge archives and replays. An archive is a view of the event log: a bus's events
// since the archive was created, filtered by its pattern and retention (the log keeps every
// event put on a bus, source: the bus ARN). A replay re-delivers an archive's events of a time
// window to the bus's rules, each marked with "replay-name", in the background on the daemon's
// timers. Thread-safe: any thread may call any method. Lock order: mu_, then EventBuses'
// write mutex (archive changes keep their managed rule in step); replays call EventBuses with
// mu_ released.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "events/types.hpp"
#include "storage/engine.hpp"

namespace eb::events {

class EventBuses;

// Each archive has a managed rule on its bus, as in AWS: named managed_rule_name(archive), with
// ManagedBy kArchiveManagedBy, the archive's pattern (every event without one) and no targets.
// It is a record users see and cannot change; archiving itself reads the event log.
inline constexpr std::string_view kArchiveManagedBy = "events.amazonaws.com";
std::string managed_rule_name(std::string_view archive);

// Visits the events put on the bus `bus_arn` with log timestamps in [from, to], oldest first,
// until `visit` returns false. The application reads them from the event log.
using EventVisitor = std::function<bool(const std::string& envelope, Millis timestamp)>;
using BusEventReader = std::function<Result<void>(const std::string& bus_arn, Millis from,
                                                  Millis to, const EventVisitor& visit)>;

class Archives {
 public:
  Archives(const Clock& clock, Timers& timers, storage::Engine& engine, EventBuses& buses);
  ~Archives();
  Archives(const Archives&) = delete;
  Archives& operator=(const Archives&) = delete;

  // Set once at wiring, before recover(); without it archives count nothing and replays fail.
  void set_reader(BusEventReader reader) { reader_ = std::move(reader); }
  // Loads archives and replays. A replay that was under way when the daemon stopped is FAILED.
  Result<void> recover();

  Result<ArchiveDescription> create_archive(const CreateArchiveInput& input);
  Result<void> delete_archive(const std::string& name);
  // Drops every archive and replay in one write (POST /v1/reset); replays under way are
  // cancelled. The archived events are the event log's: its own reset drops them.
  // -> the number of archives dropped.
  Result<std::size_t> reset();
  Result<ArchiveDescription> describe_archive(const std::string& name) const;
  Result<ArchiveDescription> update_archive(const UpdateArchiveInput& input);
  Result<Page<ArchiveDescription>> list_archives(const ArchiveListInput& input) const;

  Result<ReplayDescription> start_replay(const StartReplayInput& input);
  Result<ReplayDescription> cancel_replay(const std::string& name);
  Result<ReplayDescription> describe_replay(const std::string& name) const;
  Result<Page<ReplayDescription>> list_replays(const ReplayListInput& input) const;

 private:
  struct Replay {
    ReplayDescription d;
    std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
  };

  // EventCount and SizeBytes, counted in the log now.
  ArchiveDescription with_counts(ArchiveDescription archive) const;
  // Calls `visit` with each event of `archive` logged in [from, to].
  Result<void> archived_events(const ArchiveDescription& archive, Millis from, Millis to,
                               const EventVisitor& visit) const;
  Result<void> store(const ArchiveDescription& archive);
  Result<void> store(const ReplayDescription& replay);
  // On a timer: re-delivers the replay's events, then records how it ended.
  void run(const std::string& name);
  std::string arn(std::string_view kind, std::string_view name) const;

  const Clock& clock_;
  Timers& timers_;
  storage::Engine& engine_;
  EventBuses& buses_;
  BusEventReader reader_;
  mutable std::mutex mu_;  // guards archives_, replays_ and timers_ids_; never held while replaying
  std::map<std::string, ArchiveDescription> archives_;
  std::map<std::string, Replay> replays_;
  std::vector<Timers::Id> timer_ids_;
};

}  // namespace eb::events
