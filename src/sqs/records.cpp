#include "sqs/records.hpp"

#include "eventbroker/codec.hpp"
#include "eventbroker/v1/records.pb.h"
#include "storage/keys.hpp"

namespace eb::sqs {
namespace {

using storage::append_u64;
using storage::read_u64;
using storage::u64_pair_key;

constexpr std::uint32_t kRecordVersion = 1;
// Marks a hashed deduplication window key; text keys start with 'q' or 'g'.
constexpr char kHashedWindowKey = 'h';

}  // namespace

std::string encode(const QueueRecord& r) {
  eventbroker::v1::QueueRecord p;
  p.set_format_version(kRecordVersion);
  p.set_name(r.name);
  p.set_uid(r.uid);
  p.mutable_attributes()->insert(r.attributes.begin(), r.attributes.end());
  p.mutable_tags()->insert(r.tags.begin(), r.tags.end());
  for (const auto& perm : r.permissions) {
    auto* out = p.add_permissions();
    out->set_label(perm.label);
    for (const auto& a : perm.account_ids) out->add_account_ids(a);
    for (const auto& a : perm.actions) out->add_actions(a);
  }
  p.set_created_ms(r.created);
  p.set_modified_ms(r.modified);
  return p.SerializeAsString();
}

std::optional<QueueRecord> decode_queue(std::string_view bytes) {
  auto p = proto::parse<eventbroker::v1::QueueRecord>(bytes);
  if (!p) return std::nullopt;
  QueueRecord r;
  r.name = p->name();
  r.uid = p->uid();
  r.attributes.insert(p->attributes().begin(), p->attributes().end());
  r.tags.insert(p->tags().begin(), p->tags().end());
  for (const auto& perm : p->permissions()) {
    r.permissions.push_back({perm.label(),
                             {perm.account_ids().begin(), perm.account_ids().end()},
                             {perm.actions().begin(), perm.actions().end()}});
  }
  r.created = p->created_ms();
  r.modified = p->modified_ms();
  return r;
}

std::string encode(const MessageRecord& r) {
  eventbroker::v1::MessageRecord p;
  p.set_format_version(kRecordVersion);
  p.set_id(r.id);
  p.set_md5_of_body(r.md5_of_body);
  p.set_body(r.body);
  proto::put_attributes(r.attributes, *p.mutable_attributes());
  proto::put_attributes(r.system_attributes, *p.mutable_system_attributes());
  p.set_md5_of_attributes(r.md5_of_attributes);
  p.set_sender_id(r.sender_id);
  p.set_dead_letter_source_arn(r.dead_letter_source_arn);
  p.set_sent_ms(r.sent);
  p.set_message_group_id(r.group_id);
  p.set_deduplication_id(r.deduplication_id);
  p.set_signature_deferred(r.signature_deferred);
  return p.SerializeAsString();
}

std::optional<MessageRecord> decode_message(std::string_view bytes) {
  auto p = proto::parse<eventbroker::v1::MessageRecord>(bytes);
  if (!p) return std::nullopt;
  MessageRecord r;
  r.id = p->id();
  r.md5_of_body = p->md5_of_body();
  r.body = std::move(*p->mutable_body());
  r.attributes = proto::take_attributes(*p->mutable_attributes());
  r.system_attributes = proto::take_attributes(*p->mutable_system_attributes());
  r.md5_of_attributes = p->md5_of_attributes();
  r.sender_id = p->sender_id();
  r.dead_letter_source_arn = p->dead_letter_source_arn();
  r.sent = p->sent_ms();
  r.group_id = p->message_group_id();
  r.deduplication_id = p->deduplication_id();
  r.signature_deferred = p->signature_deferred();
  return r;
}

std::optional<MessageMeta> decode_message_meta(std::string_view bytes) {
  // Walks the wire format for fields 9 and 12 alone: recovery reads a million of these and
  // needs nothing else, so it skips the body and attribute copies a full parse would make.
  using google::protobuf::internal::WireFormatLite;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  constexpr int kSentField = 9;
  constexpr int kGroupField = 12;
  MessageMeta meta;
  while (const std::uint32_t tag = in.ReadTag()) {
    const int field = WireFormatLite::GetTagFieldNumber(tag);
    const auto type = WireFormatLite::GetTagWireType(tag);
    if (field == kSentField && type == WireFormatLite::WIRETYPE_VARINT) {
      std::uint64_t v = 0;
      if (!in.ReadVarint64(&v)) return std::nullopt;
      meta.sent = static_cast<Millis>(v);
    } else if (field == kGroupField && type == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!WireFormatLite::ReadString(&in, &meta.group_id)) return std::nullopt;
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      return std::nullopt;
    }
  }
  if (!in.ConsumedEntireMessage()) return std::nullopt;
  return meta;
}

std::string encode(const DedupRecord& r) {
  eventbroker::v1::DedupRecord p;
  p.set_format_version(kRecordVersion);
  p.set_message_id(r.message_id);
  p.set_seq(r.seq);
  p.set_sent_ms(r.sent);
  return p.SerializeAsString();
}

std::optional<DedupRecord> decode_dedup(std::string_view bytes) {
  auto p = proto::parse<eventbroker::v1::DedupRecord>(bytes);
  if (!p) return std::nullopt;
  return DedupRecord{p->message_id(), p->seq(), p->sent_ms()};
}

std::string encode(const MessageState& s) {
  eventbroker::v1::MessageStateRecord p;
  p.set_format_version(kRecordVersion);
  p.set_visible_at_ms(s.visible_at);
  p.set_first_receive_ms(s.first_receive);
  p.set_last_receive_ms(s.last_receive);
  p.set_receive_count(s.receive_count);
  p.set_receipt_generation(s.receipt_generation);
  switch (s.kind) {
    case MessageState::Kind::kReady:
      p.set_state(eventbroker::v1::MessageStateRecord::READY);
      break;
    case MessageState::Kind::kDelayed:
      p.set_state(eventbroker::v1::MessageStateRecord::DELAYED);
      break;
    case MessageState::Kind::kInflight:
      p.set_state(eventbroker::v1::MessageStateRecord::INFLIGHT);
      break;
  }
  return p.SerializeAsString();
}

std::optional<MessageState> decode_state(std::string_view bytes) {
  auto p = proto::parse<eventbroker::v1::MessageStateRecord>(bytes);
  if (!p) return std::nullopt;
  MessageState s;
  s.visible_at = p->visible_at_ms();
  s.first_receive = p->first_receive_ms();
  s.last_receive = p->last_receive_ms();
  s.receive_count = p->receive_count();
  s.receipt_generation = p->receipt_generation();
  switch (p->state()) {
    case eventbroker::v1::MessageStateRecord::DELAYED:
      s.kind = MessageState::Kind::kDelayed;
      break;
    case eventbroker::v1::MessageStateRecord::INFLIGHT:
      s.kind = MessageState::Kind::kInflight;
      break;
    default:
      s.kind = MessageState::Kind::kReady;
      break;
  }
  return s;
}

std::string encode(const MoveTaskRecord& r) {
  eventbroker::v1::MoveTaskRecord p;
  p.set_format_version(kRecordVersion);
  p.set_task_handle(r.task_handle);
  p.set_status(r.status);
  p.set_source_arn(r.source_arn);
  p.set_destination_arn(r.destination_arn);
  p.set_max_per_second(r.max_per_second);
  p.set_moved(r.moved);
  p.set_to_move(r.to_move);
  p.set_failure_reason(r.failure_reason);
  p.set_started_ms(r.started);
  return p.SerializeAsString();
}

std::optional<MoveTaskRecord> decode_move_task(std::string_view bytes) {
  auto p = proto::parse<eventbroker::v1::MoveTaskRecord>(bytes);
  if (!p) return std::nullopt;
  return MoveTaskRecord{p->task_handle(),     p->status(),         p->source_arn(),
                        p->destination_arn(), p->max_per_second(), p->moved(),
                        p->to_move(),         p->failure_reason(), p->started_ms()};
}

std::string move_task_key(Millis started, std::string_view task_handle) {
  std::string k(kMoveTaskPrefix);
  append_u64(k, static_cast<std::uint64_t>(started));
  k.append(task_handle);
  return k;
}

std::string message_key(std::uint64_t queue_uid, std::uint64_t seq) {
  return u64_pair_key(queue_uid, seq);
}
std::string queue_range_begin(std::uint64_t queue_uid) { return u64_pair_key(queue_uid, 0); }
std::string queue_range_end(std::uint64_t queue_uid) {
  return u64_pair_key(queue_uid, ~std::uint64_t{0});
}
std::string next_seq_key(std::uint64_t queue_uid) {
  std::string k = "next_seq/";
  append_u64(k, queue_uid);
  return k;
}

std::string next_seq_block_key(std::uint64_t queue_uid, std::uint64_t ceiling) {
  std::string k = next_seq_key(queue_uid);
  append_u64(k, ceiling);
  return k;
}

std::string next_seq_range_end(std::uint64_t queue_uid) {
  return next_seq_block_key(queue_uid, ~std::uint64_t{0}) + '\xff';
}

std::string dedup_range_begin(std::uint64_t queue_uid) {
  std::string k = "dedup/";
  append_u64(k, queue_uid);
  return k;
}

std::string dedup_key(std::uint64_t queue_uid, std::string_view window_key) {
  std::string k = dedup_range_begin(queue_uid);
  k.append(window_key);
  return k;
}

std::string dedup_window_key(const DedupKey& key) {
  std::string k(1, kHashedWindowKey);
  append_u64(k, key.high);
  append_u64(k, key.low);
  return k;
}

std::optional<DedupKey> parse_dedup_window_key(std::string_view window_key) {
  if (window_key.size() != 17 || window_key[0] != kHashedWindowKey) return std::nullopt;
  return DedupKey{read_u64(window_key, 1), read_u64(window_key, 9)};
}

std::string dedup_range_end(std::uint64_t queue_uid) {
  // Window keys start with 'h', 'q' or 'g', so every one sorts below this.
  return dedup_range_begin(queue_uid) + '\xff';
}

}  // namespace eb::sqs
