#pragma once
// A queued message as the queue engine keeps it: its scheduling state (StoredMessage) and,
// with --in-memory or while it moves between queues, what it was sent with (Payload).
#include <cstdint>
#include <memory>
#include <string>

#include "core/attributes.hpp"
#include "core/clock.hpp"
#include "core/encoding.hpp"

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
  bool signature_deferred = false;               // SendInput::signature_deferred

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

}  // namespace eb::sqs
