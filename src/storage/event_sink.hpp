#pragma once
// The hook through which every message entering the broker reaches the event log in the
// same atomic write as the message itself. The broker calls it; the event log implements
// it; the application wires the two (neither depends on the other).
#include <cstdint>
#include <span>
#include <string_view>

#include "core/attributes.hpp"
#include "core/clock.hpp"
#include "storage/engine.hpp"

namespace eb::storage {

// A message as it enters the broker (SQS send, SNS publish, PutEvents, plugin event).
// Views valid for the duration of the call.
struct IncomingMessage {
  std::string_view source_arn;  // the queue, topic or bus it was sent to
  std::string_view message_id;
  std::string_view body;
  const MessageAttributes* attributes = nullptr;  // may be null: none
  Millis timestamp = 0;
  std::string_view group_id;          // MessageGroupId, when it had one
  std::string_view deduplication_id;  // FIFO: the effective deduplication id
  std::string_view subject;           // SNS Subject, when given
  // Non-empty: not a message but an event appended to this stream, recorded as the stream API
  // records an append (source_arn and attributes are ignored; an empty message_id gets one).
  std::string_view stream;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  // What stage() reserved, handed back to finish() once the batch's fate is known.
  struct Staged {
    std::uint64_t first_seq = 0;
    std::uint32_t count = 0;
    std::uint64_t token = 0;  // the sink's own bookkeeping
  };
  // Adds the event-log records (and index entries) of `messages` to `batch`, reserving
  // their global sequence numbers. The broker calls it with no lock held, between staging
  // its own records and writing the batch; it must not block on I/O. (Callers that do hold a
  // lock must take it before the sink's own: lock order queue, then sink.)
  virtual Staged stage(std::span<const IncomingMessage> messages, Batch& batch) = 0;
  // After Engine::write of that batch: `committed` true makes the records visible to
  // readers and live tails; false releases the reservation.
  virtual void finish(const Staged& staged, bool committed) = 0;
};

}  // namespace eb::storage
