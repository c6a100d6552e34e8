#pragma once
// The SQS domain: a registry of queues and every operation on them. Thread-safe: any
// thread may call any method. Queues are looked up through an immutable snapshot of the
// registry (no global lock on the message path); each queue guards its own state with a
// short lock that is never held across storage I/O or callbacks.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "sqs/queue_config.hpp"
#include "sqs/queue_stats.hpp"
#include "sqs/types.hpp"

namespace eb::storage {
class Engine;
class EventSink;
}  // namespace eb::storage

namespace eb::sqs {

class Queue;
class MoveTask;

struct QueuesOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
};

class Queues {
 public:
  using ReceiveCallback = std::function<void(Result<std::vector<ReceivedMessage>>)>;

  // `events`, when given, receives every sent message in the same write as the message.
  Queues(const Clock& clock, Timers& timers, storage::Engine& engine, QueuesOptions options = {},
         storage::EventSink* events = nullptr);
  ~Queues();
  Queues(const Queues&) = delete;
  Queues& operator=(const Queues&) = delete;

  const QueuesOptions& options() const { return options_; }

  // Loads the queues and their messages from the engine. Called once, before any request;
  // fails when the stored records cannot be read.
  Result<void> recover();
  // Runs `done` once every write made so far by the calling thread survives power loss (at
  // once unless the engine fsyncs): api/ answers write requests through it.
  void when_durable(std::function<void()> done);
  std::string queue_arn(const std::string& name) const;

  // Queue management. Queues are named; api/ turns URLs into names.
  Result<std::string> create_queue(const CreateQueueInput& input);  // -> queue name
  Result<void> delete_queue(const std::string& name);
  Result<std::string> get_queue(const std::string& name) const;  // -> name, if it exists
  Result<ListQueuesOutput> list_queues(const ListQueuesInput& input) const;
  // Names as given ("All" allowed); unknown names fail with kInvalidAttributeName.
  Result<AttributeMap> get_queue_attributes(const std::string& name,
                                            const std::vector<std::string>& names) const;
  Result<void> set_queue_attributes(const std::string& name, const AttributeMap& attributes);
  Result<void> purge_queue(const std::string& name);
  Result<void> tag_queue(const std::string& name, const TagMap& tags);
  Result<void> untag_queue(const std::string& name, const std::vector<std::string>& keys);
  Result<TagMap> list_queue_tags(const std::string& name) const;
  Result<ListQueuesOutput> list_dead_letter_source_queues(const std::string& name,
                                                          const ListQueuesInput& page) const;
  Result<void> add_permission(const std::string& name, const PermissionInput& input);
  Result<void> remove_permission(const std::string& name, const std::string& label);

  // Messages.
  Result<SendOutput> send_message(const std::string& queue, SendInput input);
  Result<BatchOutput<SendOutput>> send_message_batch(const std::string& queue,
                                                     std::vector<BatchEntry<SendInput>> entries);
  // In-process senders (replays): any number of messages, validated one by one, written in
  // one batch; no SendMessageBatch entry or size limits. One result per input.
  Result<std::vector<Result<SendOutput>>> send_messages(const std::string& queue,
                                                        std::vector<SendInput> inputs);
  // Completes at once when messages are visible or the wait is zero; otherwise parks a
  // waiter that a send, a visibility expiry, a delay ending, the wait deadline or
  // shutdown() completes. `done` runs exactly once, on the caller's thread or a timer's.
  void receive_message(const std::string& queue, ReceiveInput input, ReceiveCallback done);
  Result<void> delete_message(const std::string& queue, const std::string& receipt_handle);
  Result<BatchOutput<NoOutput>> delete_message_batch(const std::string& queue,
                                                     std::vector<BatchEntry<std::string>> entries);
  Result<void> change_message_visibility(const std::string& queue,
                                         const ChangeVisibilityInput& input);
  Result<BatchOutput<NoOutput>> change_message_visibility_batch(
      const std::string& queue, std::vector<BatchEntry<ChangeVisibilityInput>> entries);

  // The admin API's read-only view (queue_peek.cpp): what GetQueueAttributes changes, no more.
  // Summaries of the queues whose name starts with `prefix`, by name, each with its counters
  // (what /metrics reads; the console's rates come from them).
  std::vector<QueueStats> queue_summaries(std::string_view prefix) const;
  Result<QueueStats> queue_summary(const std::string& name) const;
  // A page of a queue's messages by seq, untouched (Queue::peek).
  Result<PeekPage> peek_messages(const std::string& name, const PeekInput& input) const;

  // Dead-letter queue redrive.
  Result<std::string> start_message_move_task(const MoveTaskInput& input);  // -> task handle
  Result<std::int64_t> cancel_message_move_task(const std::string& task_handle);
  Result<std::vector<MoveTaskInfo>> list_message_move_tasks(const std::string& source_arn,
                                                            std::optional<int> max_results) const;

  // The queue an ARN (arn:aws:sqs:REGION:ACCOUNT:NAME) names in this region and account, or
  // null. Move tasks resolve their destinations with it, redrive policies their dead-letter
  // queues (which AWS wants in the same account).
  std::shared_ptr<Queue> find_by_arn(const std::string& arn) const;

  // The other accounts' registries, by account id (null: no such account). Set once at wiring,
  // before serving; without it, other accounts' queues are never found.
  using OtherAccounts = std::function<Queues*(std::string_view account_id)>;
  void set_other_accounts(OtherAccounts other_accounts) {
    other_accounts_ = std::move(other_accounts);
  }
  // As find_by_arn, or else the queue in the ARN's account, for deliveries that may cross
  // accounts (SNS subscriptions, EventBridge targets, their dead-letter queues). A queue of
  // another account writes through that account's engine: send to it with Queue::send, never
  // by staging it into a batch of this account's.
  std::shared_ptr<Queue> find_by_arn_any_account(const std::string& arn) const;

  // Dead-letter observers: `observer` is called for each message a RedrivePolicy moves into a
  // dead-letter queue (any queue's, including queues created later), after the move, on the
  // thread that caused it (a receive, a timer), with no queue lock held. It must not block and
  // may call back into Queues. Removing waits for no running call: an observer guards its own
  // lifetime (capture a shared state, not `this`).
  using DeadLetterObserver = std::function<void(const DeadLetterArrival&)>;
  std::uint64_t add_dead_letter_observer(DeadLetterObserver observer);
  void remove_dead_letter_observer(std::uint64_t id);

  // Drops every queue, its messages and the move tasks, in one write (POST /v1/reset).
  // Parked receives on the dropped queues complete empty; their timers disarm. Requests
  // racing with it see either the old queues or none. -> the number of queues dropped.
  Result<std::size_t> reset();

  // Completes every parked receive with an empty result and refuses new waits.
  void shutdown();

  // For /metrics: every queue's depths and counters, and the counters of the queues deleted
  // (or reset) since the daemon started, so that totals over all queues never go down.
  struct Stats {
    std::vector<QueueStats> queues;
    QueueCounts deleted;
  };
  Stats stats() const;

 private:
  using Registry = std::unordered_map<std::string, std::shared_ptr<Queue>>;

  std::shared_ptr<Queue> find(const std::string& name) const;
  Result<std::shared_ptr<Queue>> require(const std::string& name) const;
  std::shared_ptr<const Registry> snapshot() const;
  // Writes the queue's record (configuration, tags) as it is now. Caller holds write_mu_.
  Result<void> persist_locked(const Queue& queue);
  std::shared_ptr<Queue> make_queue(const std::string& name, std::uint64_t uid, QueueConfig config,
                                    TagMap tags, Millis created);
  Result<void> validate_redrive_target(const std::string& source_name,
                                       const AttributeMap& attributes) const;

  const Clock& clock_;
  Timers& timers_;
  storage::Engine& engine_;
  storage::EventSink* const events_;
  QueuesOptions options_;
  OtherAccounts other_accounts_;

  mutable std::mutex write_mu_;  // serialises registry writers (create/delete), and stats()
  std::atomic<std::shared_ptr<const Registry>> registry_;
  QueueCounts deleted_counts_;  // guarded by write_mu_
  std::atomic<bool> shutting_down_{false};

  void notify_dead_letter(const DeadLetterArrival& arrival) const;
  using Observers =
      std::vector<std::pair<std::uint64_t, std::shared_ptr<const DeadLetterObserver>>>;
  std::mutex observers_mu_;  // serialises add/remove; the message path reads the snapshot
  std::uint64_t next_observer_id_ = 1;
  std::atomic<std::shared_ptr<const Observers>> observers_;

  mutable std::mutex tasks_mu_;
  std::vector<std::shared_ptr<MoveTask>> tasks_;
};

}  // namespace eb::sqs
