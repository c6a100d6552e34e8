#pragma once
// The part of a send that needs no queue lock: the checks that depend only on the request and
// the queue's type, the message id, the MD5 digests of the answer, the FIFO deduplication id
// (explicit, or the body's SHA-256) and, for a durable queue, the encoded message record.
// What depends on the queue's mutable configuration (MaximumMessageSize, content-based
// deduplication, DelaySeconds) and the seq are decided when Queue stages it. Pure functions of
// their inputs, callable from any thread.
#include <cstddef>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "sqs/fifo_dedup.hpp"
#include "sqs/message.hpp"
#include "sqs/types.hpp"

namespace eb::sqs {

struct PreparedSend {
  StoredMessage message;  // payload set, seq and state not yet
  SendOutput output;      // sequence_number set when staged
  std::size_t size = 0;   // counted against MaximumMessageSize
  std::optional<int> delay_seconds;
  std::string sender_id;
  std::string record;    // the encoded message record, for a durable queue
  std::string group_id;  // scheduling key; empty on a standard queue without groups
  bool explicit_dedup = false;
  // Set by Queue when staged (FIFO):
  DedupKey dedup_key;             // the deduplication window key
  bool duplicate = false;         // answered with the original, nothing stored
  bool original_pending = false;  // a duplicate whose original's write was under way
};

struct SendTarget {
  bool fifo = false;
  bool durable = false;  // encode the record (its key, with the seq, comes when staged)
};

// Validates `input` for a queue of `target`'s type and builds the message sent at `now`.
// Errors are SendMessage's: InvalidParameterValue, MissingParameter, InvalidMessageContents.
[[nodiscard]] Result<PreparedSend> prepare_send(SendInput input, SendTarget target, Millis now);

}  // namespace eb::sqs
