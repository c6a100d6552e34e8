#pragma once
// One SQS queue, as the coordinator ADR 0001-0003 describe. It owns the queue mutex, the
// configuration and tags, seq allocation, the storage of its records (QueueRecords, ADR 0002:
// receives, deletes and visibility changes write under the lock, sends write unlocked between
// stage_sends and finish_sends), the parked receives and their one timer. The in-memory pieces
// it coordinates are types of their own, each guarded by this mutex and never calling out:
// MessageSchedule (messages, heaps, group index, counts), SendTurns (FIFO tickets and held
// arrivals), DedupWindow and ReceiveAttempts.
// Owned by the Queues registry through shared_ptr; timers and move tasks hold weak_ptrs. Every
// public method may be called from any thread; the mutex is held only for in-memory work and
// the WAL append. Callbacks (parked receives) and moves into a dead-letter queue run after it
// is released, so no two queue locks are ever held at once.
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/encoding.hpp"
#include "core/errors.hpp"
#include "sqs/fifo_dedup.hpp"
#include "sqs/message_schedule.hpp"
#include "sqs/queue_config.hpp"
#include "sqs/queue_records.hpp"
#include "sqs/queue_stats.hpp"
#include "sqs/receipt_handle.hpp"
#include "sqs/receive_attempts.hpp"
#include "sqs/send_dedup.hpp"
#include "sqs/send_preparation.hpp"
#include "sqs/send_turns.hpp"
#include "sqs/types.hpp"
#include "storage/engine.hpp"
#include "storage/event_sink.hpp"

namespace eb::sqs {

// A message leaving one queue for another (redrive, move task), payload loaded. Its records
// stay under the origin queue until the destination's write replaces them atomically.
struct MovedMessage {
  StoredMessage message;
  std::uint64_t origin_uid = 0;
  std::uint64_t origin_seq = 0;
  std::string group;  // set by the receiving queue from the payload
};

// A receive after validation: what to take and which attributes to return.
struct ReceiveSpec {
  int max_messages = 1;
  std::optional<int> visibility_timeout;  // queue default when absent
  std::optional<int> wait_seconds;        // queue default when absent
  NameSelection system_attributes;
  NameSelection message_attributes;
  std::string attempt_id;  // ReceiveRequestAttemptId (FIFO queues; empty: none)
};

// Where a queue persists: the engine, whether message payloads live there (a durable
// engine) or in RAM, and the event log every sent message is appended to (may be null).
struct QueueStorage {
  storage::Engine& engine;
  storage::EventSink* events = nullptr;
};

class Queue : public std::enable_shared_from_this<Queue> {
 public:
  // Sends staged into a caller's batch (see stage_sends); opaque to callers.
  // On a FIFO queue a send takes a ticket when staged, and finish_sends first waits for the
  // earlier sends it depends on: those that staged messages of the same groups (so each group's
  // messages become visible in sequence order) and, for a duplicate of a message still being
  // written, every earlier one (so it learns the original's fate before it answers). Sends to
  // other groups, and all writes, run concurrently. A caller staging into several queues must
  // stage and finish them in increasing uid() order.
  struct StagedSends {
    std::vector<Result<PreparedSend>> prepared;
    std::vector<Result<void>> staged;
    std::uint64_t ticket = 0;          // FIFO queues
    std::vector<std::uint64_t> after;  // FIFO: tickets to wait for
  };

  using ReceiveCallback = std::function<void(Result<std::vector<ReceivedMessage>>)>;
  // Finds a queue by ARN; called without any queue lock held.
  using Resolver = std::function<std::shared_ptr<Queue>(const std::string& arn)>;
  // Told of each message this queue's redrive moved into its dead-letter queue, after the move
  // and without any queue lock held.
  using DeadLetterNotify = std::function<void(const DeadLetterArrival&)>;

  Queue(std::string name, std::string arn, std::uint64_t uid, QueueConfig config, TagMap tags,
        Millis created, const Clock& clock, Timers& timers, Resolver resolver, QueueStorage storage,
        DeadLetterNotify on_dead_letter = {});
  ~Queue();

  const std::string& name() const { return name_; }
  bool fifo() const { return fifo_; }
  const std::string& arn() const { return arn_; }
  std::uint64_t uid() const { return uid_; }
  Millis created() const { return created_; }
  Millis last_modified() const;
  // A recovered queue's LastModifiedTimestamp (construction sets it to the creation time).
  void restore_last_modified(Millis at);

  // Rebuilds the scheduling state from the engine's records (startup, before any request).
  Result<void> restore();

  QueueConfig config() const;
  void set_config(QueueConfig config);
  // Queue attributes by name; `names` already validated, "All" expands to everything.
  AttributeMap attributes(const std::vector<std::string>& names);
  TagMap tags() const;
  void set_tags(const TagMap& tags);
  void remove_tags(const std::vector<std::string>& keys);
  void replace_tags(TagMap tags);

  Result<SendOutput> send(SendInput input);
  // Sends several messages under one lock acquisition; one result per input, in order.
  std::vector<Result<SendOutput>> send_all(std::vector<SendInput> inputs);
  // send_all split at its storage write, so sends into several queues (an SNS fan-out) and
  // the publish's event-log record share one atomic batch. stage_sends validates the inputs
  // and adds their records to `batch`; after Engine::write of it, finish_sends makes them
  // visible (or, when the write failed, reports its error). The event log is the caller's.
  // Between the two calls the caller may stage into other queues: no lock is held.
  StagedSends stage_sends(std::vector<SendInput> inputs, storage::Batch& batch);
  std::vector<Result<SendOutput>> finish_sends(StagedSends sends, const Result<void>& written);
  void receive(ReceiveSpec spec, ReceiveCallback done);
  Result<void> delete_message(const std::string& receipt_handle);
  // Deletes in one write (DeleteMessageBatch, in-process consumers): one result per handle,
  // in order; a failed write fails every handle that decoded.
  std::vector<Result<void>> delete_messages(const std::vector<std::string>& receipt_handles);
  Result<void> change_visibility(const std::string& receipt_handle, int timeout_seconds);
  Result<void> purge();

  // Takes messages that exhausted their receives elsewhere (redrive) or that a move task
  // brings back; they keep id, body, attributes, group and sent time. Never waits for FIFO
  // sends: while some are unfinished, the messages are held back until they are.
  enum class Arrival : std::uint8_t {
    kDeadLetter,  // exhausted maxReceiveCount at its source
    kRedrive,     // a move task brings it here: a new message
    kReturned,    // a move task could not deliver it and gives it back unchanged
  };
  void accept(std::vector<MovedMessage> messages, Arrival arrival);
  // Removes up to `max` visible messages for a move task, oldest first, payloads loaded.
  std::vector<MovedMessage> take_visible(std::size_t max);
  std::size_t approximate_visible();
  // The admin API's view (queue_peek.cpp). Both change nothing but what GetQueueAttributes
  // changes too: lazy time runs (expired messages go, due ones become visible).
  QueueSummary summary();
  // Messages by seq as they are: no receive, no visibility or receive-count change, no redrive.
  // Payloads in the store are read after the lock is released.
  Result<PeekPage> peek(const PeekInput& input);

  // Depths and counters for /metrics. Brings lazy time up to date as GetQueueAttributes does.
  QueueStats stats();
  QueueCounts counts() const { return counters_.read(); }

  // Completes every parked receive with an empty result; later receives never park.
  void shutdown();
  std::size_t parked_receives() const;

 private:
  struct Waiter {
    std::uint64_t id;
    ReceiveSpec spec;
    Millis deadline;
    ReceiveCallback done;
  };
  // Messages taken for one receive. With payloads in the store, `unfilled` lists the seqs
  // whose body and attributes are read after the lock is released.
  struct Taken {
    std::vector<ReceivedMessage> messages;
    std::vector<std::uint64_t> unfilled;  // parallel to messages when non-empty
  };
  struct Completion {
    ReceiveCallback done;
    Taken taken;
    NameSelection system_attributes;
    NameSelection message_attributes;
    std::optional<Error> error;  // the receive could not be recorded
  };
  // Work decided under the lock and carried out after it is released.
  struct Deferred {
    std::vector<Completion> completions;
    std::vector<MovedMessage> dead_letters;
    std::string dead_letter_arn;
  };
  // All of the below run with mu_ held.
  // The next message seq; with a durable engine, stages the ceiling of a new block of seqs.
  std::uint64_t take_seq_locked();
  // Assigns a seq and stages the records of one validated message; nothing is visible yet.
  Result<void> stage_locked(PreparedSend& p, Millis now);
  void insert_locked(PreparedSend& p);
  // Writes the records staged by this operation, as one atomic batch. On failure
  // the messages taken by it are put back (a receive that could not be recorded is undone).
  Result<void> commit_locked(Deferred& deferred);
  // After messages were inserted: serves parked receives (may drop the lock to resolve the
  // dead-letter queue).
  void serve_after_send(std::unique_lock<std::mutex>& lock, std::shared_ptr<Queue>& dlq,
                        Deferred& deferred);
  // Lazy time (ADR 0001): expires retention (dropping records) and makes due messages visible.
  void refresh_locked(Millis now);
  // Marks a ready message received and describes it for the response.
  void deliver_locked(StoredMessage& m, const ReceiveSpec& spec, Millis now, Taken& out);
  void describe_locked(const StoredMessage& m, const ReceiveSpec& spec, Taken& out) const;
  // A FIFO receive retried with its ReceiveRequestAttemptId: the same messages and handles,
  // hidden again from now. False when the attempt is unknown, expired or no longer valid.
  bool replay_attempt_locked(const ReceiveSpec& spec, Millis now, Taken& out);
  // Removes a message and stages the erasure of its records.
  void erase_locked(std::uint64_t seq);
  // What the queue keeps about a message beside the schedule: attempts, records.
  void forget_locked(std::uint64_t seq);
  // `dlq` is the resolved dead-letter target, or null when redrive is off or the target is
  // missing (then messages are returned rather than moved: nothing is ever dropped).
  Taken take_locked(const ReceiveSpec& spec, Millis now, const Queue* dlq, Deferred& deferred);
  void serve_waiters_locked(Millis now, const Queue* dlq, Deferred& deferred);
  void rearm_locked(Millis now);
  void on_timer(Millis deadline);
  std::shared_ptr<Queue> dead_letter_target() const;
  // Unlocked: moves dead letters, reads payloads from the store, runs completions.
  void run(Deferred& deferred, const std::shared_ptr<Queue>& dlq);
  // One info line per message moved into `dlq` (its id, correlation id, queues, receives).
  void log_dead_letters(const std::vector<MovedMessage>& moved, const Queue& dlq) const;
  DeadLetterArrival describe_dead_letter(const StoredMessage& m, const Queue& dlq,
                                         Millis now) const;
  Result<std::vector<ReceivedMessage>> fill(Taken taken, const NameSelection& system,
                                            const NameSelection& user) const;
  // Counts an empty receive; passes the result through.
  Result<std::vector<ReceivedMessage>> counted(Result<std::vector<ReceivedMessage>> received);
  Result<void> load_payloads(std::vector<MovedMessage>& moved) const;
  StoredMessage* find_locked(const ReceiptHandle& handle);

  const std::string name_;
  const std::string arn_;
  const std::uint64_t uid_;
  const Clock& clock_;
  Timers& timers_;
  const Resolver resolver_;
  const DeadLetterNotify on_dead_letter_;
  storage::Engine& engine_;
  storage::EventSink* const events_;
  const bool durable_;  // message records and payloads live in the engine
  const bool fifo_;

  mutable std::mutex mu_;
  QueueConfig config_;
  TagMap tags_;
  Millis created_;
  Millis last_modified_;
  Millis last_purge_ = 0;
  bool shut_down_ = false;

  std::uint64_t next_seq_ = 1;
  std::uint64_t purge_floor_ = 0;  // sends staged below this seq were purged before insertion
  std::shared_ptr<const std::string> last_sender_;
  MessageSchedule schedule_;
  ReceiveAttempts attempts_;
  // FIFO send tickets (see StagedSends), and arrivals held back behind them.
  SendTurns turns_;

  // This queue's records in the engine, with the changes of the current operation; the FIFO
  // deduplication window, whose entries are recorded there too.
  QueueRecords records_;
  SendDedup dedup_;
  std::vector<std::uint64_t> taken_seqs_;  // messages received by the current operation

  QueueCounters counters_;  // atomics: bumped under mu_ or after it, read without it

  std::list<Waiter> waiters_;
  std::uint64_t next_waiter_id_ = 1;
  std::optional<std::pair<Millis, Timers::Id>> armed_;
};

}  // namespace eb::sqs
