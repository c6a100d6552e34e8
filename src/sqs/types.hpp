#pragma once
// Plain data that crosses the broker's boundary: decoded requests from api/, results
// back to it. No wire format here; api/sqs maps these to JSON 1.0 and the query protocol.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/attributes.hpp"
#include "core/batch.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"

namespace eb::sqs {

struct CreateQueueInput {
  std::string name;
  AttributeMap attributes;
  TagMap tags;
};

struct ListQueuesInput {
  std::string prefix;
  std::optional<int> max_results;
  std::string next_token;
};

struct ListQueuesOutput {
  std::vector<std::string> names;
  std::string next_token;  // empty: no more pages
};

struct SendInput {
  std::string body;
  MessageAttributes attributes;
  std::optional<int> delay_seconds;
  // System attributes a sender may set; only AWSTraceHeader exists today.
  MessageAttributes system_attributes;
  std::optional<std::string> group_id;
  std::optional<std::string> deduplication_id;
  std::string sender_id;  // the caller's access key id; the account id when unknown
  // The body is an SNS notification whose Signature is left empty: signing it is the receive
  // API's job (ReceivedMessage::signature_deferred), so copies consumed inside the daemon never
  // pay for an RSA signature.
  bool signature_deferred = false;
};

struct SendOutput {
  std::string message_id;
  std::string md5_of_body;
  std::string md5_of_attributes;         // empty when the message has no attributes
  std::string md5_of_system_attributes;  // empty when none were sent
  std::string sequence_number;           // FIFO only
};

// Which names to return: nothing, everything ("All" or ".*"), exact names, and "prefix.*".
struct NameSelection {
  bool all = false;
  std::vector<std::string> names;
  std::vector<std::string> prefixes;
  bool empty() const { return !all && names.empty() && prefixes.empty(); }
  bool matches(const std::string& name) const;
};

struct ReceiveInput {
  std::optional<int> max_messages;
  std::optional<int> visibility_timeout;
  std::optional<int> wait_seconds;
  std::vector<std::string> system_attribute_names;   // "All", "SentTimestamp", ...
  std::vector<std::string> message_attribute_names;  // "All", ".*", "name", "prefix.*"
  std::string receive_request_attempt_id;
};

struct ReceivedMessage {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
  std::string md5_of_body;
  std::vector<std::pair<std::string, std::string>> attributes;  // system attributes
  MessageAttributes message_attributes;                         // the selected ones
  std::string md5_of_attributes;  // over the selected ones; empty when none
  // Sent with SendInput::signature_deferred: a reader outside the daemon needs body's SNS
  // Signature filled in, and md5_of_body computed again over the signed body.
  bool signature_deferred = false;
};

// Peek (the admin API's message listing): messages as they are, nothing about them changed.
enum class PeekState : std::uint8_t { kVisible, kInflight, kDelayed };

struct PeekInput {
  std::uint64_t after = 0;  // only messages with a larger seq
  std::size_t limit = 100;  // 0 is taken as 1
  // Which states to list; all of them when every flag is false.
  bool visible = false;
  bool inflight = false;
  bool delayed = false;
};

struct PeekedMessage {
  std::uint64_t seq = 0;
  PeekState state = PeekState::kVisible;
  Millis visible_at = 0;    // delayed and in-flight messages: when they become visible
  ReceivedMessage message;  // every system and message attribute; no receipt handle
};

struct PeekPage {
  std::vector<PeekedMessage> messages;  // by seq
  std::optional<std::uint64_t> next;    // the `after` of the next page; none when no more
};

// What the admin API's queue listing shows of a queue.
struct QueueSummary {
  std::string name;
  std::string arn;
  std::string type;  // "standard", "fifo" or "fair" (a standard queue that saw a group id)
  std::size_t visible = 0;
  std::size_t inflight = 0;
  std::size_t delayed = 0;
  std::size_t waiters = 0;             // parked long polls
  std::optional<Millis> oldest_age;    // of the oldest message in any state; none when empty
  std::string dead_letter_target_arn;  // empty without a RedrivePolicy
  Millis created = 0;
};

struct ChangeVisibilityInput {
  std::string receipt_handle;
  std::optional<int> visibility_timeout;
};

struct MoveTaskInput {
  std::string source_arn;
  std::string destination_arn;  // empty: each message goes back to its source queue
  std::optional<int> max_per_second;
};

struct MoveTaskInfo {
  std::string task_handle;
  std::string status;  // RUNNING, COMPLETED, CANCELLING, CANCELLED, FAILED
  std::string source_arn;
  std::string destination_arn;
  std::optional<int> max_per_second;
  std::int64_t moved = 0;
  std::int64_t to_move = 0;
  std::string failure_reason;
  Millis started = 0;
};

struct PermissionInput {
  std::string label;
  std::vector<std::string> account_ids;
  std::vector<std::string> actions;
};

// A message a RedrivePolicy just moved into a dead-letter queue, as Queues reports it to its
// dead-letter observers.
struct DeadLetterArrival {
  static constexpr std::size_t kMaxBodyPreview = 1024;
  std::string queue;         // the dead-letter queue's name
  std::string queue_arn;     // and ARN
  std::string source_queue;  // the queue whose maxReceiveCount it exhausted
  std::string source_arn;
  std::string message_id;
  std::uint32_t receive_count = 0;  // its receives at the source
  std::string event_type;           // its `eventType` String attribute; empty when none
  std::string body_preview;         // its body's first kMaxBodyPreview bytes (whole characters)
  Millis at = 0;                    // when it moved
};

}  // namespace eb::sqs
