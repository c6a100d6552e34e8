#pragma once
// Replays: background tasks that re-send a selection of the log (a seq range, optionally
// narrowed by source and types) to a target, paced by Timers (never a sleeping thread), with
// progress, cancel and a rate limit. Each copy carries the message attribute
// eventbroker.replayId. A replay's range ends at the watermark when it starts, so the copies it
// sends (which re-enter the log through the broker) are never replayed by it.
//
// Delivery is injected (ReplayTarget): the event log knows nothing of queues or topics. Each
// replay is persisted in family kTasks under "replay/<id>" after every batch, so state and
// progress survive a restart and running replays resume (a batch cut short by a crash may be
// sent again: delivery is at least once).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/attributes.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "eventlog/event_log.hpp"
#include "storage/engine.hpp"

namespace eb::eventlog {

inline constexpr std::size_t kMaxRunningReplays = 64;
inline constexpr double kMaxReplayRate = 100'000;

struct ReplaySpec {
  std::uint64_t from_seq = 0;           // inclusive
  std::optional<std::uint64_t> to_seq;  // inclusive; default and cap: the current watermark
  std::vector<std::string> types;       // empty: every type (and non-envelope messages)
  std::string source;                   // as EventFilter::source; empty: any
  std::string target;
  double rate_per_second = 0;  // 0: as fast as the target accepts, in batches of 100
};

enum class ReplayState { kRunning, kCompleted, kCancelled, kFailed };
std::string_view to_string(ReplayState state);

struct ReplayStatus {
  std::string id;
  ReplayState state = ReplayState::kRunning;
  std::uint64_t total = 0;     // events selected when the replay started
  std::uint64_t replayed = 0;  // copies delivered so far
  ReplaySpec spec;             // to_seq always set
  Millis created = 0;
  Millis updated = 0;
  std::string error;  // kFailed: why
};

// One copy to deliver.
struct ReplayMessage {
  std::string body;
  MessageAttributes attributes;
  std::string group_id;  // the original's MessageGroupId, if it had one
};

struct ReplayTarget {
  // Whether `target` (a queue URL or ARN, a topic ARN...) can be delivered to; checked when a
  // replay starts. Errors are returned to the client as they are.
  std::function<Result<void>(const std::string& target)> validate;
  // Delivers one batch of copies (up to a page of the log) in one go, so the target can write
  // them together; returns one result per message, in order.
  std::function<std::vector<Result<void>>(const std::string& target,
                                          std::vector<ReplayMessage> messages)>
      deliver;
};

// Owns every replay task and their timers. Thread-safe. Construct after the EventLog (the
// constructor reads nothing) and call recover() once at startup; destroy before the log and
// before the timers; the destructor waits for a batch in progress.
class Replays {
 public:
  Replays(EventLog& log, storage::Engine& engine, const Clock& clock, Timers& timers,
          ReplayTarget target);
  ~Replays();
  Replays(const Replays&) = delete;
  Replays& operator=(const Replays&) = delete;

  // Loads the saved replays and resumes the running ones. Called by app::Application::run
  // after the log, queues and topics have recovered (the targets must exist); fails when the
  // saved replays cannot be read.
  Result<void> recover();

  // Validates `spec` and the target, counts the selection and schedules the first batch.
  Result<ReplayStatus> start(ReplaySpec spec);
  // kResourceNotFound for an unknown id.
  Result<ReplayStatus> get(const std::string& id) const;
  // Stops a running replay (no copy is sent after this returns); a finished one is returned
  // unchanged.
  Result<ReplayStatus> cancel(const std::string& id);
  std::vector<ReplayStatus> list() const;

 private:
  struct Task;
  struct Guard {
    std::shared_mutex mu;
    Replays* replays = nullptr;
  };

  void schedule(const std::shared_ptr<Task>& task, Millis at);
  void step(const std::shared_ptr<Task>& task);
  Result<void> persist(Task& task);
  Result<std::uint64_t> count(const ReplaySpec& spec) const;

  EventLog& log_;
  storage::Engine& engine_;
  const Clock& clock_;
  Timers& timers_;
  const ReplayTarget target_;
  std::shared_ptr<Guard> guard_;

  mutable std::mutex mu_;  // guards tasks_; taken before a Task's own lock, never after
  std::map<std::string, std::shared_ptr<Task>> tasks_;
};

}  // namespace eb::eventlog
