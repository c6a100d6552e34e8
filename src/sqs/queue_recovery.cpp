// Queue::restore and the record <-> message mapping (see queue_recovery.hpp).
#include "sqs/queue_recovery.hpp"

#include <algorithm>
#include <cstring>

#include "sqs/queue.hpp"
#include "storage/keys.hpp"

namespace eb::sqs {

MessageState::Kind kind_of(StoredMessage::State s) {
  switch (s) {
    case StoredMessage::State::kDelayed:
      return MessageState::Kind::kDelayed;
    case StoredMessage::State::kInflight:
      return MessageState::Kind::kInflight;
    case StoredMessage::State::kReady:
      break;
  }
  return MessageState::Kind::kReady;
}

MessageRecord to_record(const StoredMessage& m) {
  const Payload& p = *m.payload;
  MessageRecord r;
  r.id.assign(reinterpret_cast<const char*>(p.id.data()), p.id.size());
  r.md5_of_body.assign(reinterpret_cast<const char*>(p.md5_of_body.data()), p.md5_of_body.size());
  r.body = p.body;
  if (p.sender_id) r.sender_id = *p.sender_id;
  if (p.extras) {
    r.attributes = p.extras->attributes;
    r.system_attributes = p.extras->system_attributes;
    r.md5_of_attributes = p.extras->md5_of_attributes;
    r.dead_letter_source_arn = p.extras->dead_letter_source_arn;
    r.group_id = p.extras->group_id;
    r.deduplication_id = p.extras->deduplication_id;
  }
  r.sent = m.sent;
  r.signature_deferred = p.signature_deferred;
  return r;
}

std::unique_ptr<Payload> payload_from(MessageRecord&& r) {
  auto p = std::make_unique<Payload>();
  std::memcpy(p->id.data(), r.id.data(), std::min(r.id.size(), p->id.size()));
  std::memcpy(p->md5_of_body.data(), r.md5_of_body.data(),
              std::min(r.md5_of_body.size(), p->md5_of_body.size()));
  p->body = std::move(r.body);
  p->sender_id = std::make_shared<const std::string>(std::move(r.sender_id));
  p->signature_deferred = r.signature_deferred;
  if (!r.attributes.empty() || !r.system_attributes.empty() || !r.dead_letter_source_arn.empty() ||
      !r.group_id.empty()) {
    MessageExtras& e = p->extra();
    e.attributes = std::move(r.attributes);
    e.system_attributes = std::move(r.system_attributes);
    e.md5_of_attributes = std::move(r.md5_of_attributes);
    e.dead_letter_source_arn = std::move(r.dead_letter_source_arn);
    e.group_id = std::move(r.group_id);
    e.deduplication_id = std::move(r.deduplication_id);
  }
  return p;
}

Result<void> Queue::restore() {
  std::lock_guard lock(mu_);
  const Millis now = clock_.now_ms();
  const std::string begin = queue_range_begin(uid_);
  const std::string end = queue_range_end(uid_);
  EB_TRY(engine_.scan(storage::Family::kMeta, next_seq_key(uid_), next_seq_range_end(uid_),
                      [&](std::string_view, std::string_view value) {
                        if (value.size() == 8) {
                          next_seq_ = std::max(next_seq_, storage::read_u64(value));
                        }
                        return true;
                      }));
  records_.restore_ceiling(next_seq_);
  bool corrupt = false;
  std::vector<MessageSchedule::IndexEntry> retention;
  MessageSchedule::GroupsBySeq groups;  // of the messages that have one
  EB_TRY(engine_.scan(storage::Family::kMessages, begin, end,
                      [&](std::string_view key, std::string_view value) {
                        auto meta = decode_message_meta(value);
                        if (!meta) {
                          corrupt = true;
                          return false;
                        }
                        StoredMessage m;
                        m.seq = storage::read_u64(key, 8);
                        m.sent = meta->sent;
                        next_seq_ = std::max(next_seq_, m.seq + 1);
                        retention.push_back({m.sent, m.seq, 0});
                        if (!meta->group_id.empty()) {
                          groups.emplace(m.seq, std::move(meta->group_id));
                        }
                        schedule_.load(std::move(m));
                        return true;
                      }));
  if (corrupt) return fail(Errc::kInternalError, "unreadable message record in queue " + name_);
  EB_TRY(engine_.scan(storage::Family::kStates, begin, end,
                      [&](std::string_view key, std::string_view value) {
                        const std::uint64_t seq = storage::read_u64(key, 8);
                        StoredMessage* m = schedule_.find(seq);
                        auto state = decode_state(value);
                        if (m == nullptr || !state) {
                          // A state whose message was deleted concurrently with its last change.
                          records_.erase_state(seq);
                          return true;
                        }
                        m->first_receive = state->first_receive;
                        m->last_receive = state->last_receive;
                        m->receive_count = state->receive_count;
                        m->receipt_generation = state->receipt_generation;
                        if (state->kind != MessageState::Kind::kReady && state->visible_at > now) {
                          schedule_.set_timed(*m,
                                              state->kind == MessageState::Kind::kDelayed
                                                  ? StoredMessage::State::kDelayed
                                                  : StoredMessage::State::kInflight,
                                              state->visible_at);
                        }
                        return true;
                      }));
  schedule_.finish_load(std::move(retention), std::move(groups));
  if (fifo_) {
    // The deduplication window: entries whose five minutes have not ended yet. The others are
    // deleted here (a crash may have come before the send that would have deleted them), and
    // records keyed by the text of their key (written before keys were hashed) are rewritten
    // under the hash, in the batch this recovery commits.
    const std::string prefix = dedup_range_begin(uid_);
    std::vector<DedupWindow::Listed> window;
    EB_TRY(engine_.scan(storage::Family::kMeta, prefix, dedup_range_end(uid_),
                        [&](std::string_view key, std::string_view value) {
                          const std::string_view stored = key.substr(prefix.size());
                          auto record = decode_dedup(value);
                          if (!record || record->sent + dedup_.window().interval() <= now ||
                              record->message_id.size() != 16) {
                            records_.erase_dedup_record(stored);
                            return true;
                          }
                          std::optional<DedupKey> hashed = parse_dedup_window_key(stored);
                          if (!hashed) {
                            hashed = DedupWindow::key_of_text(stored);
                            records_.move_dedup_record(stored, *hashed, value);
                          }
                          DedupEntry entry{{}, record->seq, record->sent};
                          std::memcpy(entry.message_id.data(), record->message_id.data(),
                                      entry.message_id.size());
                          window.push_back({*hashed, entry});
                          return true;
                        }));
    dedup_.window().restore(std::move(window));
  }
  refresh_locked(now);
  Deferred unused;
  return commit_locked(unused);
}

}  // namespace eb::sqs
