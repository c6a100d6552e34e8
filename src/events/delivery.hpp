#pragma once
// The deliveries of a set of events to the targets of the rules they matched (a PutEvents, a
// schedule's firing): SQS copies grouped per queue and written in one batch with the events'
// event-log records, then made visible. Lives within one call on the calling thread.
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/errors.hpp"
#include "events/registry.hpp"
#include "sqs/queue.hpp"
#include "storage/event_sink.hpp"

namespace simdjson::dom {
class element;
}  // namespace simdjson::dom

namespace eb::sqs {
class Queues;
}  // namespace eb::sqs

namespace eb::events {

class DeliveryBatch {
 public:
  DeliveryBatch(sqs::Queues& queues, std::string sender_id)
      : queues_(queues), sender_id_(std::move(sender_id)) {}

  // What each of `rule`'s targets receives for `event` (parsed from `envelope`).
  void add(const Rule& rule, const simdjson::dom::element& event, std::string_view event_id,
           std::string_view envelope, std::string_view ingestion_time);

  // Writes the copies with `logged` (the events' records; may be empty) in one batch, then
  // makes the copies visible. Fails only when the write fails: then nothing is delivered.
  Result<void> commit(storage::Engine& engine, storage::EventSink* sink,
                      std::span<const storage::IncomingMessage> logged);

 private:
  struct QueueSends {
    std::shared_ptr<sqs::Queue> queue;
    std::vector<sqs::SendInput> inputs;
    sqs::Queue::StagedSends staged;
  };

  sqs::Queues& queues_;
  const std::string sender_id_;
  std::vector<QueueSends> queue_sends_;
  std::unordered_map<const sqs::Queue*, std::size_t> queue_index_;
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
