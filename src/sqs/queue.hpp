#pragma once
// One SQS queue: its configuration, its messages and the indexes scheduling needs, and the
// receives parked on it. Owned by the Queues's registry through shared_ptr; timers and move
// tasks hold weak_ptrs. Every public method may be called from any thread: a single mutex
// guards the state and is held only for in-memory work. Callbacks (parked receives) and
// moves into a dead-letter queue run after the lock is released, so no two queue locks are
// ever held at once.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/encoding.hpp"
#include "core/errors.hpp"
#include "sqs/fifo_dedup.hpp"
#include "sqs/fifo_groups.hpp"
#include "sqs/queue_config.hpp"
#include "sqs/receive_attempts.hpp"
#include "sqs/types.hpp"
#include "storage/engine.hpp"
#include "storage/event_sink.hpp"

namespace eb::sqs {

// What most messages never have, kept out of line so a plain message stays small
// (memory per queued message is a product target).
struct MessageExtras {
  MessageAttributes attributes;
  MessageAttributes system_attributes;  // AWSTraceHeader
  std::string md5_of_attributes;
  std::string dead_letter_source_arn;
  std::string group_id;          // MessageGroupId (FIFO and fair queues)
  std::string deduplication_id;  // FIFO: explicit, or the body's SHA-256 (content-based)
};

// What a message was sent with. Immutable once stored; with a durable engine it lives in the
// store and is read back on receive, so RAM holds only the scheduling state below.
struct Payload {
  Uuid id{};
  Md5Digest md5_of_body{};
  std::string body;
  std::shared_ptr<const std::string> sender_id;  // shared by consecutive sends of one sender
  std::unique_ptr<MessageExtras> extras;         // null when there is nothing in it

  MessageExtras& extra() {
    if (!extras) extras = std::make_unique<MessageExtras>();
    return *extras;
  }
  const std::string& dead_letter_source_arn() const;
  const std::string& group_id() const;
};

struct StoredMessage {
  enum class State : std::uint8_t { kDelayed, kReady, kInflight };

  std::uint64_t seq = 0;
  Millis sent = 0;
  Millis visible_at = 0;
  Millis first_receive = 0;
  Millis last_receive = 0;
  std::uint32_t receive_count = 0;
  std::uint32_t receipt_generation = 0;  // bumps on every receive; older handles go stale
  std::uint32_t epoch = 0;               // bumps on every state change; stale index entries
  State state = State::kReady;
  std::unique_ptr<Payload> payload;  // null while it lives in the store
};

// A message leaving one queue for another (redrive, move task), payload loaded. Its records
// stay under the origin queue until the destination's write replaces them atomically.
struct MovedMessage {
  StoredMessage message;
  std::uint64_t origin_uid = 0;
  std::uint64_t origin_seq = 0;
  std::string group;  // set by the receiving queue from the payload
};

// Fields of a receipt handle. The text form is opaque to clients and survives restarts.
struct ReceiptHandle {
  std::uint64_t queue_uid = 0;
  std::uint64_t seq = 0;
  std::uint32_t generation = 0;
};
std::string encode_receipt_handle(const ReceiptHandle& handle);
std::optional<ReceiptHandle> decode_receipt_handle(std::string_view text);

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
  // A validated message, built outside the lock.
  struct Prepared {
    StoredMessage message;
    SendOutput output;
    std::size_t size = 0;
    std::optional<int> delay_seconds;
    std::string sender_id;
    std::string record;    // the encoded message record, for a durable engine
    std::string group_id;  // scheduling key; empty on a standard queue without groups
    bool explicit_dedup = false;
    std::string dedup_key;          // FIFO: the deduplication window key, set when staged
    bool duplicate = false;         // FIFO: answered with the original, nothing stored
    bool original_pending = false;  // FIFO duplicate: its original's write was under way
  };

 public:
  // Sends staged into a caller's batch (see stage_sends); opaque to callers.
  // On a FIFO queue a send takes a ticket when staged, and finish_sends first waits for the
  // earlier sends it depends on: those that staged messages of the same groups (so each group's
  // messages become visible in sequence order) and, for a duplicate of a message still being
  // written, every earlier one (so it learns the original's fate before it answers). Sends to
  // other groups, and all writes, run concurrently. A caller staging into several queues must
  // stage and finish them in increasing uid() order.
  struct StagedSends {
    std::vector<Result<Prepared>> prepared;
    std::vector<Result<void>> staged;
    std::uint64_t ticket = 0;          // FIFO queues
    std::vector<std::uint64_t> after;  // FIFO: tickets to wait for
  };

  using ReceiveCallback = std::function<void(Result<std::vector<ReceivedMessage>>)>;
  // Finds a queue by ARN; called without any queue lock held.
  using Resolver = std::function<std::shared_ptr<Queue>(const std::string& arn)>;

  Queue(std::string name, std::string arn, std::uint64_t uid, QueueConfig config, TagMap tags,
        Millis created, const Clock& clock, Timers& timers, Resolver resolver,
        QueueStorage storage);
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
  struct IndexEntry {
    Millis when;  // visible_at for timed entries, sent for retention, seq for ready order
    std::uint64_t seq;
    std::uint32_t epoch;
    bool operator>(const IndexEntry& o) const {
      return when != o.when ? when > o.when : seq > o.seq;
    }
  };
  using MinHeap = std::priority_queue<IndexEntry, std::vector<IndexEntry>, std::greater<>>;
  using MessageMap = std::unordered_map<std::uint64_t, StoredMessage>;

  Result<Prepared> prepare(SendInput input);

  // All of the below run with mu_ held.
  // The next message seq; with a durable engine, stages the ceiling of a new block of seqs.
  std::uint64_t take_seq_locked();
  // Assigns a seq and stages the records of one validated message; nothing is visible yet.
  Result<void> stage_locked(Prepared& p, Millis now);
  void insert_locked(Prepared& p);
  // Writes the records staged by this operation (pending_), as one atomic batch. On failure
  // the messages taken by it are put back (a receive that could not be recorded is undone).
  Result<void> commit_locked(Deferred& deferred);
  // After messages were inserted: serves parked receives (may drop the lock to resolve the
  // dead-letter queue).
  void serve_after_send(std::unique_lock<std::mutex>& lock, std::shared_ptr<Queue>& dlq,
                        Deferred& deferred);
  void refresh_locked(Millis now);
  void make_ready_locked(StoredMessage& m);
  // Schedules a ready message: the ready heap, or the group index when the queue has one.
  void schedule_ready_locked(std::uint64_t seq, std::string_view group);
  // A message enters the queue (send, redrive, move) with its group (may be empty).
  void enter_locked(StoredMessage&& m, const std::string& group);
  // Makes this standard queue a fair queue: its ready messages move into a kFair group index.
  void use_groups_locked();
  // The group of a message becoming ready for the first time (delayed until now).
  std::string first_group_locked(std::uint64_t seq);
  // Marks a ready message received and describes it for the response.
  void deliver_locked(StoredMessage& m, const ReceiveSpec& spec, Millis now, Taken& out);
  void describe_locked(const StoredMessage& m, const ReceiveSpec& spec, Taken& out) const;
  // A FIFO receive retried with its ReceiveRequestAttemptId: the same messages and handles,
  // hidden again from now. False when the attempt is unknown, expired or no longer valid.
  bool replay_attempt_locked(const ReceiveSpec& spec, Millis now, Taken& out);
  // Deletes the records of deduplication entries whose window has ended.
  void expire_dedup_locked(Millis now);
  // Inserts accepted messages held back behind FIFO sends that were still being written.
  void release_held_locked();
  // A FIFO duplicate whose original was being written: its answer once that write is done.
  Result<void> settle_duplicate_locked(Prepared& p, Millis now);
  void set_timed_locked(StoredMessage& m, StoredMessage::State state, Millis visible_at);
  void erase_locked(std::uint64_t seq);
  void stage_state_locked(const StoredMessage& m);
  // `dlq` is the resolved dead-letter target, or null when redrive is off or the target is
  // missing (then messages are returned rather than moved: nothing is ever dropped).
  Taken take_locked(const ReceiveSpec& spec, Millis now, const Queue* dlq, Deferred& deferred);
  // Pops the oldest ready message, skipping stale index entries; end() when there is none.
  MessageMap::iterator pop_ready_locked();
  void serve_waiters_locked(Millis now, const Queue* dlq, Deferred& deferred);
  void rearm_locked(Millis now);
  void on_timer(Millis deadline);
  std::shared_ptr<Queue> dead_letter_target() const;
  // Unlocked: moves dead letters, reads payloads from the store, runs completions.
  void run(Deferred& deferred, const std::shared_ptr<Queue>& dlq);
  Result<std::vector<ReceivedMessage>> fill(Taken taken, const NameSelection& system,
                                            const NameSelection& user) const;
  Result<void> load_payloads(std::vector<MovedMessage>& moved) const;
  std::size_t& count_for(StoredMessage::State state);
  StoredMessage* find_locked(const ReceiptHandle& handle);

  const std::string name_;
  const std::string arn_;
  const std::uint64_t uid_;
  const Clock& clock_;
  Timers& timers_;
  const Resolver resolver_;
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

  static constexpr std::uint64_t kSeqBlock = 4096;
  std::uint64_t next_seq_ = 1;
  // Seqs below this are covered by a ceiling key in the engine (0: none written yet, or the
  // write carrying it failed).
  std::uint64_t seq_ceiling_ = 0;
  std::uint64_t purge_floor_ = 0;  // sends staged below this seq were purged before insertion
  std::shared_ptr<const std::string> last_sender_;
  MessageMap messages_;
  MinHeap ready_;      // when = seq: oldest first
  MinHeap timed_;      // delayed and in-flight messages by the time they become visible
  MinHeap retention_;  // by sent time
  std::size_t ready_count_ = 0;
  std::size_t inflight_count_ = 0;
  std::size_t delayed_count_ = 0;

  // FIFO queues, and standard queues once a message had a MessageGroupId (fair queues): the
  // index a receive takes from instead of ready_. Null for plain standard queues.
  std::unique_ptr<FifoGroups> groups_;
  std::unordered_map<std::uint64_t, std::string> delayed_groups_;  // groups of delayed messages
  DedupWindow dedup_;
  ReceiveAttempts attempts_;
  // FIFO send tickets (see StagedSends): the last issued, those staged but not finished, the
  // latest unfinished one that staged each group, and where finish_sends waits its turn.
  std::uint64_t last_ticket_ = 0;
  std::set<std::uint64_t> unfinished_;
  std::unordered_map<std::string, std::uint64_t> group_writer_;
  std::condition_variable turn_;
  // Messages accepted (redrive, move tasks) while FIFO sends with earlier tickets were still
  // being written, with the last ticket issued then: they go in after those sends' (lower-seq)
  // messages, never ahead of them in a group.
  struct Held {
    StoredMessage message;
    std::string group;
    std::uint64_t after_ticket;
  };
  std::deque<Held> held_;

  storage::Batch pending_;                 // records changed by the current operation
  std::vector<std::uint64_t> taken_seqs_;  // messages received by the current operation

  std::list<Waiter> waiters_;
  std::uint64_t next_waiter_id_ = 1;
  std::optional<std::pair<Millis, Timers::Id>> armed_;
};

}  // namespace eb::sqs
