#pragma once
// The append-only event log. Every message that enters the broker arrives through the
// storage::EventSink hook and is logged under a global sequence number (seq), with its source
// ARN, attributes, body and, when the body is a JSON event envelope, its indexed fields. Native
// clients append to streams with an expected version. Readers see a seq only once every lower
// seq that will ever commit is visible (the committed watermark, visible_through()), so a live
// tail that resumes after N never skips an event that committed late.
//
// Its keys and record format (families kEvents, kIndexes, kMeta): event_records.hpp.
//
// Thread-safety: every public method may be called from any thread. Locks: a striped lock per
// stream serialises native appends to one stream across their storage write; `mu_` guards the
// in-memory state (last seq, reservations, stream heads) for short, I/O-free sections and is
// taken after any lock a sink caller holds (stage/finish) or after a stream lock (append). Listener
// and timer callbacks run with no EventLog lock held.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/attributes.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "eventlog/envelope.hpp"
#include "eventlog/projection.hpp"
#include "storage/engine.hpp"
#include "storage/event_sink.hpp"

namespace eb::eventlog {

inline constexpr std::size_t kMaxPageSize = 1000;
inline constexpr std::size_t kMaxAppendEvents = 1000;
inline constexpr std::size_t kMaxTraceEvents = 10'000;
inline constexpr std::size_t kMaxIdLength = 256;  // stream ids; longer aggregate ids are ignored
// Replayed copies carry this message attribute; they are logged but never extend a stream (the
// stream already holds the originals).
inline constexpr std::string_view kReplayAttribute = "eventbroker.replayId";
// The message attribute that puts a message in a stream (after it, the envelope's aggregateId).
inline constexpr std::string_view kAggregateAttribute = "aggregateId";
// Source recorded for events appended through the stream API: "eventbroker:streams/<id>".
inline constexpr std::string_view kStreamSourcePrefix = "eventbroker:streams/";

struct EventLogOptions {
  // Retention, both 0 by default (keep forever): events older than max_age_ms, and the oldest
  // events while the log holds more than max_total_bytes, are erased by a trim that runs every
  // trim_interval_ms. Age is judged in seq order, so a trim stops at the first young event.
  Millis max_age_ms = 0;
  std::uint64_t max_total_bytes = 0;
  Millis trim_interval_ms = 60'000;
};

// One logged event.
struct Event {
  std::uint64_t seq = 0;
  Millis timestamp = 0;
  std::string source_arn;
  std::string message_id;
  std::string body;
  MessageAttributes attributes;
  std::string group_id;          // MessageGroupId (FIFO and fair queues, FIFO topics)
  std::string deduplication_id;  // FIFO: the effective deduplication id
  std::string subject;           // SNS Subject
  std::string stream;            // empty: not part of a stream
  std::int64_t stream_version = -1;
  std::optional<Envelope> envelope;
};

// All non-empty fields must match. `source` matches the source ARN or the envelope's source.
struct EventFilter {
  std::string source;
  std::string type;
  std::string correlation_id;
  std::string stream;
  bool empty() const;
  bool matches(const Event& event) const;
};

struct EventPage {
  std::vector<Event> events;
  std::optional<std::uint64_t> next;  // `after` for the next page; nullopt: nothing more yet
  // Every visible seq up to here has been considered: a tail resumes after it.
  std::uint64_t scanned_through = 0;
};

struct ExpectedVersion {
  enum class Kind { kAny, kNoStream, kExact };
  Kind kind = Kind::kAny;
  std::int64_t version = -1;  // kExact only
  static ExpectedVersion any() { return {}; }
  static ExpectedVersion no_stream() { return {Kind::kNoStream, -1}; }
  static ExpectedVersion exact(std::int64_t v) { return {Kind::kExact, v}; }
};

struct AppendResult {
  enum class Outcome {
    kAppended,
    kAlreadyAppended,       // every event id was in the stream: the original answer, no write
    kWrongExpectedVersion,  // nothing written
    kDuplicateEvent,        // some (not all) ids were already in the stream: nothing written
  };
  Outcome outcome = Outcome::kAppended;
  std::int64_t current_version = -1;  // the stream's last version (-1: no stream)
  std::int64_t first_version = -1;
  std::int64_t last_version = -1;
  std::vector<std::uint64_t> positions;    // global seqs, one per event
  std::vector<std::string> duplicate_ids;  // kDuplicateEvent
};

struct StreamPage {
  std::vector<Event> events;
  std::optional<std::int64_t> next;  // `from` for the next page; nullopt: nothing more yet
};

struct StreamState {
  std::int64_t version = -1;  // of the last event folded; -1 when none is visible
  std::string projection;     // name of the projection used
  std::string state_json = "{}";
};

// A correlation id's events as a forest: an event is the child of the earliest earlier event
// of the same correlation whose envelope id is its causationId; otherwise it is a root.
struct Trace {
  struct Node {
    Event event;
    std::vector<std::size_t> children;  // indexes into nodes, in seq order
  };
  std::vector<Node> nodes;  // in seq order
  std::vector<std::size_t> roots;
  bool truncated = false;  // more than kMaxTraceEvents events
};

// Owns the in-memory view of the log (last seq, pending reservations, stream heads, live
// listeners) and the retention timer. Construct once the engine is open (the constructor reads
// nothing), then call recover() once, before anything is staged or appended. Destroy before
// the engine and the timers; the destructor waits for running timer callbacks.
class EventLog final : public storage::EventSink {
 public:
  EventLog(storage::Engine& engine, const Clock& clock, Timers& timers,
           EventLogOptions options = {},
           ProjectionRegistry projections = ProjectionRegistry::with_builtins());
  ~EventLog() override;
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Rebuilds the last seq, stream heads and stored size from the engine, so a restart
  // continues the sequence, then starts the retention timer. Called once at startup (by
  // app::Application::run, before the broker recovers); fails when storage cannot be read.
  Result<void> recover();

  // storage::EventSink: called by the domains around their Engine::write (see event_sink.hpp).
  Staged stage(std::span<const storage::IncomingMessage> messages, storage::Batch& batch) override;
  void finish(const Staged& staged, bool committed) override;

  // Appends `events` (JSON envelopes, each with id, type and data) to `stream` if its last
  // version is as expected, in one storage write. Invalid input fails with
  // kInvalidParameterValue / kMalformedRequest naming the field; a failed write with the
  // engine's error (nothing becomes visible).
  Result<AppendResult> append(const std::string& stream, ExpectedVersion expected,
                              const std::vector<std::string>& events);

  // Visible events with seq > after, oldest first, at most `limit` (clamped to 1..1000).
  Result<EventPage> read(std::uint64_t after, std::size_t limit, const EventFilter& filter) const;
  // Visits visible events with seq > after, oldest first (matching `filter`'s indexed part
  // first, the rest checked on each event) until `take` returns false: read() without pages,
  // for a reader that folds the whole log (a plugin replaying its history).
  Result<void> visit(std::uint64_t after, const EventFilter& filter,
                     const std::function<bool(Event&&)>& take) const;
  // A stream's visible events with version >= from. kResourceNotFound for an unknown stream.
  Result<StreamPage> read_stream(const std::string& stream, std::int64_t from,
                                 std::size_t limit) const;
  // The stream folded by the projection registered for its first event's type.
  Result<StreamState> state(const std::string& stream) const;
  Result<Trace> trace(const std::string& correlation_id) const;

  // The committed watermark: every seq at or below it that will ever be readable is.
  std::uint64_t visible_through() const { return visible_.load(); }
  // Last version of `stream` including uncommitted appends; nullopt for an unknown stream.
  std::optional<std::int64_t> stream_head(const std::string& stream) const;
  std::uint64_t total_bytes() const;

  // Live tails: `listener` runs (on a timer thread, never inside finish()) after the
  // watermark advances; several advances may be reported as one. A listener may still run
  // once after unsubscribe() returns.
  using Listener = std::function<void()>;
  std::uint64_t subscribe(Listener listener);
  void unsubscribe(std::uint64_t id);

  // One retention pass (the timer runs it every trim_interval_ms): erases expired events and
  // their index entries. Returns how many events it erased.
  Result<std::size_t> trim();
  // Erases every committed event and its index entries (POST /v1/reset), as trim() erases
  // expired ones: in chunks, each one write. Streams keep their versions (an append continues
  // after the last one, as after a trim) and seqs keep growing, so readers' cursors stay valid.
  Result<std::size_t> reset();

  const ProjectionRegistry& projections() const { return projections_; }

  // Snapshots of state a reader folds from the log (a plugin's sagas or orders), kept beside
  // the log so that a restart reads them and folds only the events after them. `owner` names
  // the reader. The header says what the entries mean (`tag`: a reader whose settings changed
  // finds another tag and folds the log from the start), the last seq they reflect
  // (`through`) and how many the owner holds (`entries`, a hint to size its maps). Saving
  // upserts entries by key (an empty value erases one) and the header in one storage write.
  struct SnapshotHeader {
    std::string tag;
    std::uint64_t through = 0;
    std::uint64_t entries = 0;
  };
  using SnapshotEntries = std::vector<std::pair<std::string, std::string>>;
  Result<void> save_snapshot(std::string_view owner, const SnapshotHeader& header,
                             const SnapshotEntries& entries);
  // nullopt: `owner` has no snapshot.
  Result<std::optional<SnapshotHeader>> snapshot_header(std::string_view owner) const;
  // Every entry of `owner`'s snapshot, in key order.
  Result<void> visit_snapshot(
      std::string_view owner,
      const std::function<void(std::string_view key, std::string_view value)>& entry) const;
  // Erases `owner`'s snapshot, header and entries.
  Result<void> drop_snapshot(std::string_view owner);

 private:
  struct Reservation {
    std::uint32_t count = 0;
    std::vector<std::pair<std::string, std::int64_t>> stream_versions;
  };
  // Timer callbacks hold `mu` shared while they run; the destructor takes it exclusively.
  struct Guard {
    std::shared_mutex mu;
    EventLog* log = nullptr;
  };

  // Under mu_: assigns seqs and stream versions to `events`. With `check`, first compares
  // the head of events[0].stream with `expected` and returns the head on mismatch.
  std::optional<std::int64_t> reserve(std::vector<Event>& events, Staged& staged,
                                      const ExpectedVersion* check);
  // Adds the records and index entries of reserved `events` to `batch`; returns their bytes.
  // With `sent` (what stage() built them from, one each), a record's body is sent[i].body
  // and events[i].body is not read: stage() does not copy bodies into its Events.
  static std::uint64_t add_to_batch(const std::vector<Event>& events, storage::Batch& batch,
                                    std::span<const storage::IncomingMessage> sent = {});
  Result<std::vector<Event>> fetch(const std::vector<std::uint64_t>& seqs) const;
  Result<void> visit_stream(const std::string& stream, std::int64_t from,
                            const std::function<bool(Event&&)>& take) const;
  // trim()'s and reset()'s pass: erases the committed events that are expired, or all.
  Result<std::size_t> erase_committed(bool all);
  void schedule_notify();
  void schedule_trim();
  std::mutex& append_lock(const std::string& stream);

  storage::Engine& engine_;
  const Clock& clock_;
  Timers& timers_;
  const EventLogOptions options_;
  const ProjectionRegistry projections_;
  std::shared_ptr<Guard> guard_;

  mutable std::mutex mu_;
  std::uint64_t last_seq_ = 0;                           // highest seq reserved
  std::map<std::uint64_t, Reservation> reservations_;    // staged, not finished; by first seq
  std::unordered_map<std::string, std::int64_t> heads_;  // stream -> last reserved version
  std::uint64_t total_bytes_ = 0;                        // committed record bytes
  std::atomic<std::uint64_t> visible_{0};

  std::array<std::mutex, 64> append_locks_;
  std::mutex trim_mu_;  // one retention pass at a time
  Timers::Id trim_timer_ = 0;

  mutable std::mutex listeners_mu_;
  std::uint64_t next_listener_ = 1;
  std::map<std::uint64_t, std::shared_ptr<Listener>> listeners_;
  std::atomic<bool> notify_pending_{false};
};

}  // namespace eb::eventlog
