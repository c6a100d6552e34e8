#include "sqs/queue_records.hpp"

#include <cstring>

#include "sqs/queue_recovery.hpp"
#include "sqs/records.hpp"
#include "storage/keys.hpp"

namespace eb::sqs {

void QueueRecords::claim_seq(std::uint64_t seq) {
  if (!durable_ || seq < ceiling_) return;
  const std::uint64_t ceiling = (seq / kSeqBlock + 1) * kSeqBlock;
  pending_.put(storage::Family::kMeta, next_seq_block_key(uid_, ceiling),
               storage::u64_key(ceiling));
  if (ceiling_ > 0 && ceiling_ < ceiling) {
    pending_.erase(storage::Family::kMeta, next_seq_block_key(uid_, ceiling_));
  }
  ceiling_ = ceiling;
}

void QueueRecords::put_message(std::uint64_t seq, std::string record) {
  if (durable_) pending_.put(storage::Family::kMessages, message_key(uid_, seq), std::move(record));
}

void QueueRecords::put_moved(const StoredMessage& m, std::uint64_t origin_uid,
                             std::uint64_t origin_seq) {
  if (!durable_) return;
  pending_.put(storage::Family::kMessages, message_key(uid_, m.seq), encode(to_record(m)));
  const std::string origin = message_key(origin_uid, origin_seq);
  pending_.erase(storage::Family::kMessages, origin);
  pending_.erase(storage::Family::kStates, origin);
}

void QueueRecords::put_state(const StoredMessage& m) {
  if (!durable_) return;
  MessageState s;
  s.visible_at = m.visible_at;
  s.first_receive = m.first_receive;
  s.last_receive = m.last_receive;
  s.receive_count = m.receive_count;
  s.receipt_generation = m.receipt_generation;
  s.kind = kind_of(m.state);
  pending_.put(storage::Family::kStates, message_key(uid_, m.seq), encode(s));
}

void QueueRecords::erase_state(std::uint64_t seq) {
  if (durable_) pending_.erase(storage::Family::kStates, message_key(uid_, seq));
}

void QueueRecords::erase_message(std::uint64_t seq) {
  if (!durable_) return;
  const std::string key = message_key(uid_, seq);
  pending_.erase(storage::Family::kMessages, key);
  pending_.erase(storage::Family::kStates, key);
}

void QueueRecords::erase_all_messages() {
  if (!durable_) return;
  const std::string begin = queue_range_begin(uid_);
  const std::string end = queue_range_end(uid_);
  pending_.erase_range(storage::Family::kMessages, begin, end);
  pending_.erase_range(storage::Family::kStates, begin, end);
}

void QueueRecords::put_dedup(const DedupKey& key, const StoredMessage& m) {
  if (!durable_) return;
  const Uuid& id = m.payload->id;
  pending_.put(storage::Family::kMeta, dedup_key(uid_, dedup_window_key(key)),
               encode(DedupRecord{std::string(reinterpret_cast<const char*>(id.data()), id.size()),
                                  m.seq, m.sent}));
}

void QueueRecords::erase_dedup(const DedupKey& key) { erase_dedup_record(dedup_window_key(key)); }

void QueueRecords::erase_dedup_record(std::string_view stored) {
  if (durable_) pending_.erase(storage::Family::kMeta, dedup_key(uid_, stored));
}

void QueueRecords::move_dedup_record(std::string_view stored, const DedupKey& key,
                                     std::string_view record) {
  if (!durable_) return;
  pending_.erase(storage::Family::kMeta, dedup_key(uid_, stored));
  pending_.put(storage::Family::kMeta, dedup_key(uid_, dedup_window_key(key)), std::string(record));
}

Result<void> QueueRecords::write() {
  if (pending_.empty()) return {};
  auto written = engine_.write(pending_);
  pending_.clear();
  if (!written) write_failed();
  return written;
}

Result<std::vector<std::unique_ptr<Payload>>> QueueRecords::read_payloads(
    std::span<const Ref> refs) const {
  std::vector<std::string> keys;
  keys.reserve(refs.size());
  for (const Ref& r : refs) keys.push_back(message_key(r.uid, r.seq));
  EB_ASSIGN_OR_RETURN(auto values, engine_.multi_get(storage::Family::kMessages, keys));
  std::vector<std::unique_ptr<Payload>> out(refs.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!values[i]) continue;
    if (auto record = decode_message(*values[i])) out[i] = payload_from(std::move(*record));
  }
  return out;
}

}  // namespace eb::sqs
