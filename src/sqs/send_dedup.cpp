#include "sqs/send_dedup.hpp"

#include <vector>

#include "core/encoding.hpp"
#include "sqs/sequence_number.hpp"

namespace eb::sqs {

void SendDedup::expire(Millis now) {
  std::vector<DedupKey> expired;
  window_.expire(now, records_.durable() ? &expired : nullptr);
  for (const auto& key : expired) records_.erase_dedup(key);
}

bool SendDedup::find_original(PreparedSend& p, DedupScope scope, Millis now) {
  p.dedup_key = DedupWindow::key(scope, p.group_id, p.message.payload->extras->deduplication_id);
  // An original still pending belongs to this operation (a duplicate inside one batch) or to
  // an earlier ticket: either way its fate is known when this send's turn comes.
  const DedupEntry* original = window_.find(p.dedup_key, now);
  if (original == nullptr) return false;
  p.duplicate = true;
  p.original_pending = original->pending;
  p.output.message_id = uuid_text(original->message_id);
  p.output.sequence_number = sequence_number_text(original->sequence);
  return true;
}

void SendDedup::enter(PreparedSend& p, const StoredMessage& m) {
  // The window runs from this send; its entry is written with the message.
  window_.insert_absent(p.dedup_key, DedupEntry{m.payload->id, m.seq, m.sent, true});
  records_.put_dedup(p.dedup_key, m);
}

void SendDedup::settle(const PreparedSend& p, bool written) {
  if (written) {
    window_.confirm(p.dedup_key);
  } else {
    window_.erase(p.dedup_key);
  }
}

Result<void> SendDedup::settle_duplicate(PreparedSend& p, Millis now) {
  // Every earlier send has finished: the entry is confirmed (the original was written), or
  // gone (its write failed), or a later send's own pending entry.
  const DedupEntry* original = window_.find(p.dedup_key, now);
  if (original == nullptr || original->pending) {
    return fail(Errc::kServiceUnavailable,
                "The original message with this deduplication id could not be stored; send "
                "again.");
  }
  p.output.message_id = uuid_text(original->message_id);
  p.output.sequence_number = sequence_number_text(original->sequence);
  return {};
}

}  // namespace eb::sqs
