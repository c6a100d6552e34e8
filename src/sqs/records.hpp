#pragma once
// The records the queues keep in the engine and their encoding (protobuf messages of
// proto/eventbroker/v1/records.proto, each with a format version), plus their keys. Plain
// structs here so the rest of sqs/ never sees protobuf.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/attributes.hpp"
#include "core/clock.hpp"
#include "sqs/fifo_dedup.hpp"

namespace eb::sqs {

struct QueuePermission {
  std::string label;
  std::vector<std::string> account_ids;
  std::vector<std::string> actions;
};

struct QueueRecord {
  std::string name;
  std::uint64_t uid = 0;
  std::map<std::string, std::string> attributes;  // settable attributes as strings
  std::map<std::string, std::string> tags;
  std::vector<QueuePermission> permissions;
  Millis created = 0;
  Millis modified = 0;
};

// What a message was sent with; written once, never changed.
struct MessageRecord {
  std::string id;           // 16 raw bytes
  std::string md5_of_body;  // 16 raw bytes
  std::string body;
  MessageAttributes attributes;
  MessageAttributes system_attributes;
  std::string md5_of_attributes;
  std::string sender_id;
  std::string dead_letter_source_arn;
  Millis sent = 0;
  std::string group_id;             // MessageGroupId (FIFO and fair queues)
  std::string deduplication_id;     // FIFO only
  bool signature_deferred = false;  // SendInput::signature_deferred
};

// What recovery needs of a message record: enough to schedule it, payload left on disk.
struct MessageMeta {
  Millis sent = 0;
  std::string group_id;
};

// A deduplication window entry of a FIFO queue or FIFO topic.
struct DedupRecord {
  std::string message_id;  // queues: 16 raw bytes; topics: the id's text
  std::uint64_t seq = 0;
  Millis sent = 0;
};

// The delivery state, rewritten by receives and visibility changes.
struct MessageState {
  enum class Kind : std::uint8_t { kReady, kDelayed, kInflight };
  Millis visible_at = 0;
  Millis first_receive = 0;
  Millis last_receive = 0;
  std::uint32_t receive_count = 0;
  std::uint32_t receipt_generation = 0;
  Kind kind = Kind::kReady;
};

struct MoveTaskRecord {
  std::string task_handle;
  std::string status;
  std::string source_arn;
  std::string destination_arn;
  int max_per_second = 0;  // 0: unpaced
  std::int64_t moved = 0;
  std::int64_t to_move = 0;
  std::string failure_reason;
  Millis started = 0;
};

std::string encode(const QueueRecord& r);
std::optional<QueueRecord> decode_queue(std::string_view bytes);
std::string encode(const MessageRecord& r);
std::optional<MessageRecord> decode_message(std::string_view bytes);
// The sent time and group of an encoded MessageRecord, without copying anything else.
std::optional<MessageMeta> decode_message_meta(std::string_view bytes);
std::string encode(const DedupRecord& r);
std::optional<DedupRecord> decode_dedup(std::string_view bytes);
std::string encode(const MessageState& s);
std::optional<MessageState> decode_state(std::string_view bytes);

std::string encode(const MoveTaskRecord& r);
std::optional<MoveTaskRecord> decode_move_task(std::string_view bytes);
// kTasks key of a move task: started time first, so a scan lists tasks oldest first.
std::string move_task_key(Millis started, std::string_view task_handle);
inline constexpr std::string_view kMoveTaskPrefix = "move/";

// kMessages and kStates keys: queue uid then seq, so one queue's messages are one range.
std::string message_key(std::uint64_t queue_uid, std::uint64_t seq);
std::string queue_range_begin(std::uint64_t queue_uid);
std::string queue_range_end(std::uint64_t queue_uid);
// kMeta keys bounding the message seqs a queue has handed out, so seqs (and receipt handles)
// are never reused after a restart even when the queue was emptied. The queue reserves seqs in
// blocks and writes one key per block ceiling (next_seq/<uid><ceiling>): sends write unlocked,
// so their batches may land out of order, but a late write of an older ceiling cannot lower
// the maximum that recovery takes over the range. next_seq/<uid> alone is the older, single
// key (read on recovery, no longer written).
std::string next_seq_key(std::uint64_t queue_uid);
std::string next_seq_block_key(std::uint64_t queue_uid, std::uint64_t ceiling);
std::string next_seq_range_end(std::uint64_t queue_uid);  // the range starts at next_seq_key
// kMeta keys of a FIFO queue's deduplication window: dedup/<uid><window key>.
std::string dedup_key(std::uint64_t queue_uid, std::string_view window_key);
// The window key part of a deduplication record's key (queues and topics): 'h' and the 16
// bytes of the DedupKey. Records written before keys were hashed have the key's text there
// (DedupWindow::key_text, which starts with 'q' or 'g'); recovery rewrites them.
std::string dedup_window_key(const DedupKey& key);
// The DedupKey of a window key part, or nullopt for the older text form.
std::optional<DedupKey> parse_dedup_window_key(std::string_view window_key);
std::string dedup_range_begin(std::uint64_t queue_uid);
std::string dedup_range_end(std::uint64_t queue_uid);

}  // namespace eb::sqs
