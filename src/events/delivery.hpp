#pragma once
// The deliveries of a set of events to the targets of the rules they matched (a PutEvents, a
// schedule's firing): SQS copies grouped per queue and written in one batch with the events'
// event-log records and the records of the deliveries that follow the write (PendingDeliveries),
// then made visible; other accounts' queues, which write through their own engines, are sent to
// after that batch. Lives within one call on the calling thread.
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/errors.hpp"
#include "events/pending_deliveries.hpp"
#include "events/registry.hpp"
#include "sqs/queue.hpp"
#include "storage/event_sink.hpp"

namespace simdjson::dom {
class element;
}  // namespace simdjson::dom

namespace eb::sqs {
class Queues;
}  // namespace eb::sqs

namespace eb::sns {
class Topics;
class EndpointDelivery;
}  // namespace eb::sns

namespace eb::events {

class ApiDestinationDeliveries;
struct ApiDestinationDelivery;

// Where targets that are not SQS queues go. Null members: such targets are skipped (logged).
struct TargetServices {
  sns::Topics* topics = nullptr;            // SNS topic targets
  sns::EndpointDelivery* outbox = nullptr;  // Lambda and every other target type: recorded
  // API destination targets: invoked over HTTP (null: recorded in the outbox instead).
  ApiDestinationDeliveries* api_destinations = nullptr;
};

// An event for another bus (a bus target), of this account or another: matched there after
// this batch.
struct Forward {
  std::string account;  // the bus's account when it is not this one; empty: this one
  std::string bus_name;
  std::string event_id;
  std::string envelope;
  std::string pending_key;                // its PendingDeliveries record; empty when none
  std::shared_ptr<BusCounters> counters;  // of the bus whose rule forwards it
};

class DeliveryBatch {
 public:
  // `forwarded`: these events already crossed from another bus, so bus targets are not
  // followed again (one hop at most). `pending`, when given, records the deliveries made after
  // the write (topics, buses, outbox types) in that write until finish_pending().
  DeliveryBatch(sqs::Queues& queues, const TargetServices& services, std::string sender_id,
                bool forwarded = false, PendingDeliveries* pending = nullptr)
      : queues_(queues),
        services_(services),
        sender_id_(std::move(sender_id)),
        forwarded_(forwarded),
        pending_(pending != nullptr && pending->enabled() ? pending : nullptr) {}

  // What each of `rule`'s targets receives for `event` (parsed from `envelope`). The match and
  // the deliveries' outcomes count on `counters`, those of the rule's bus (null: nowhere).
  void add(const Rule& rule, const std::shared_ptr<BusCounters>& counters,
           const simdjson::dom::element& event, std::string_view event_id,
           std::string_view envelope, std::string_view ingestion_time);

  // A delivery a previous run recorded (key `key`) and did not finish: made again by commit(),
  // its record erased by finish_pending(); its outcome counts on `counters`.
  void resume(std::string key, PendingDelivery delivery, std::shared_ptr<BusCounters> counters);

  // Writes the SQS copies with `logged` (the events' records; may be empty) in one batch and
  // makes them visible; then publishes to topics, records outbox targets and sends what could
  // not be delivered to its target's dead-letter queue. Fails only when the write fails: then
  // nothing is delivered.
  Result<void> commit(storage::Engine& engine, storage::EventSink* sink,
                      std::span<const storage::IncomingMessage> logged);

  // After commit(): the events bus targets hand to other buses.
  std::vector<Forward>& forwards() { return forwards_; }

  // After commit() and the forwards: erases the records of every delivery made.
  void finish_pending();

  // Erases another batch's delivery record (`key`; empty: none) in this batch's write: the
  // forward whose copies this batch makes, so a crash can neither lose nor repeat them.
  void erase_pending_in_write(const std::string& key);

 private:
  // One delivery's identity, kept for its dead letter, and where its outcome counts.
  struct Attempt {
    std::string rule_arn;
    std::string target_arn;
    std::string dead_letter_arn;
    std::string event;  // the event as it entered the bus; empty without a dead-letter queue
    std::shared_ptr<BusCounters> counters;
  };
  struct QueueSends {
    std::shared_ptr<sqs::Queue> queue;
    bool foreign = false;  // another account's: sent after the write, not staged into it
    std::vector<sqs::SendInput> inputs;
    std::vector<Attempt> attempts;  // parallel to inputs
    sqs::Queue::StagedSends staged;
  };
  struct Later {
    enum class Kind { kTopic, kOutbox, kApiDestination } kind;
    Attempt attempt;
    std::string target_id;
    std::string body;
    std::string event_id;
    std::string pending_key;                      // its PendingDeliveries record; empty when none
    std::shared_ptr<ApiDestinationDelivery> api;  // kApiDestination: all but on_final
  };

  // Records a delivery that follows the write, in that write; its key, or "" without records.
  std::string stage_pending(PendingKind kind, const Attempt& attempt, const TargetSpec& target,
                            std::string_view event_id, std::string_view body);

  // The Forward of an event to the bus `bus_arn` names.
  Forward forward_to(const std::string& bus_arn, std::string event_id, std::string envelope,
                     std::string pending_key, std::shared_ptr<BusCounters> counters) const;

  // Non-retryable failures (a missing target, a refused message) go straight to the target's
  // dead-letter queue, as EventBridge sends them, with its error attributes.
  void dead_letter(const Attempt& attempt, std::string_view code, std::string_view message);
  // Counts the messages of `q` its queue took and dead-letters those it refused.
  void settle_sends(const QueueSends& q, const std::vector<Result<sqs::SendOutput>>& sent);

  sqs::Queues& queues_;
  const TargetServices& services_;
  const std::string sender_id_;
  const bool forwarded_;
  PendingDeliveries* const pending_;       // null: deliveries are not recorded
  storage::Batch pending_batch_;           // their records, written by commit()
  std::vector<std::string> dropped_keys_;  // resumed records that cannot be delivered
  std::vector<QueueSends> queue_sends_;
  std::unordered_map<const sqs::Queue*, std::size_t> queue_index_;
  std::vector<Later> later_;
  std::vector<Forward> forwards_;
};

// "2026-12-03T16:00:00Z": events carry whole seconds.
std::string event_time(Millis ms);

struct EnvelopeFields {
  std::string_view id;
  std::string_view detail_type;
  std::string_view source;
  Millis time = 0;
  const std::vector<std::string>& resources;
  std::string_view detail_json;  // a JSON object
};
// The event as EventBridge delivers it: exactly {version, id, detail-type, source, account,
// time, region, resources, detail}.
std::string build_envelope(const EnvelopeFields& fields, const EventsOptions& options);

}  // namespace eb::events
