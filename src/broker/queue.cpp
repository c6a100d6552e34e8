#include "broker/queue.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cstring>

#include "broker/message_rules.hpp"
#include "storage/keys.hpp"
#include "storage/records.hpp"

namespace eb::broker {
namespace {

constexpr Millis kSecond = 1000;
constexpr Millis kPurgeInterval = 60 * kSecond;

// A fixed FNV-1a tag so a handle that merely decodes to the right length is still rejected.
// Fixed (not per-process) because handles must keep working across restarts.
std::uint32_t handle_tag(const unsigned char* data, std::size_t n) {
  std::uint32_t h = 2166136261u;
  for (std::size_t i = 0; i < n; ++i) h = (h ^ data[i]) * 16777619u;
  return h ^ 0x5eb0a11du;
}

void put_be(unsigned char* out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<unsigned char>(v >> (8 * (bytes - 1 - i)));
}

std::uint64_t get_be(const unsigned char* in, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | in[i];
  return v;
}

storage::MessageState::Kind kind_of(StoredMessage::State s) {
  switch (s) {
    case StoredMessage::State::kDelayed:
      return storage::MessageState::Kind::kDelayed;
    case StoredMessage::State::kInflight:
      return storage::MessageState::Kind::kInflight;
    case StoredMessage::State::kReady:
      break;
  }
  return storage::MessageState::Kind::kReady;
}

storage::MessageRecord to_record(const StoredMessage& m) {
  const Payload& p = *m.payload;
  storage::MessageRecord r;
  r.id.assign(reinterpret_cast<const char*>(p.id.data()), p.id.size());
  r.md5_of_body.assign(reinterpret_cast<const char*>(p.md5_of_body.data()), p.md5_of_body.size());
  r.body = p.body;
  if (p.sender_id) r.sender_id = *p.sender_id;
  if (p.extras) {
    r.attributes = p.extras->attributes;
    r.system_attributes = p.extras->system_attributes;
    r.md5_of_attributes = p.extras->md5_of_attributes;
    r.dead_letter_source_arn = p.extras->dead_letter_source_arn;
  }
  r.sent = m.sent;
  return r;
}

std::unique_ptr<Payload> payload_from(storage::MessageRecord&& r) {
  auto p = std::make_unique<Payload>();
  std::memcpy(p->id.data(), r.id.data(), std::min(r.id.size(), p->id.size()));
  std::memcpy(p->md5_of_body.data(), r.md5_of_body.data(),
              std::min(r.md5_of_body.size(), p->md5_of_body.size()));
  p->body = std::move(r.body);
  p->sender_id = std::make_shared<const std::string>(std::move(r.sender_id));
  if (!r.attributes.empty() || !r.system_attributes.empty() || !r.dead_letter_source_arn.empty()) {
    MessageExtras& e = p->extra();
    e.attributes = std::move(r.attributes);
    e.system_attributes = std::move(r.system_attributes);
    e.md5_of_attributes = std::move(r.md5_of_attributes);
    e.dead_letter_source_arn = std::move(r.dead_letter_source_arn);
  }
  return p;
}

// The fields of a received message that come from what was sent.
void apply_payload(ReceivedMessage& r, const Payload& p, const NameSelection& sys,
                   const NameSelection& user) {
  r.message_id = uuid_text(p.id);
  r.body = p.body;
  r.md5_of_body = to_hex(p.md5_of_body.data(), p.md5_of_body.size());
  if (!sys.empty()) {
    if (sys.matches("SenderId") && p.sender_id) r.attributes.emplace_back("SenderId", *p.sender_id);
    if (p.extras) {
      const auto& system = p.extras->system_attributes;
      if (auto t = system.find("AWSTraceHeader");
          t != system.end() && sys.matches("AWSTraceHeader")) {
        r.attributes.emplace_back("AWSTraceHeader", t->second.string_value);
      }
    }
    if (!p.dead_letter_source_arn().empty() && sys.matches("DeadLetterQueueSourceArn")) {
      r.attributes.emplace_back("DeadLetterQueueSourceArn", p.dead_letter_source_arn());
    }
  }
  if (!user.empty() && p.extras && !p.extras->attributes.empty()) {
    if (user.all) {
      r.message_attributes = p.extras->attributes;
      r.md5_of_attributes = p.extras->md5_of_attributes;
    } else {
      for (const auto& [k, v] : p.extras->attributes) {
        if (user.matches(k)) r.message_attributes.emplace(k, v);
      }
      r.md5_of_attributes = md5_of_attributes(r.message_attributes);
    }
  }
}

}  // namespace

const std::string& Payload::dead_letter_source_arn() const {
  static const std::string none;
  return extras ? extras->dead_letter_source_arn : none;
}

bool NameSelection::matches(const std::string& name) const {
  if (all) return true;
  if (std::find(names.begin(), names.end(), name) != names.end()) return true;
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& p) { return name.starts_with(p); });
}

std::string encode_receipt_handle(const ReceiptHandle& handle) {
  unsigned char raw[24];
  put_be(raw, handle.queue_uid, 8);
  put_be(raw + 8, handle.seq, 8);
  put_be(raw + 16, handle.generation, 4);
  put_be(raw + 20, handle_tag(raw, 20), 4);
  return base64_encode(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
}

std::optional<ReceiptHandle> decode_receipt_handle(std::string_view text) {
  auto raw = base64_decode(text);
  if (!raw || raw->size() != 24) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(raw->data());
  if (get_be(p + 20, 4) != handle_tag(p, 20)) return std::nullopt;
  return ReceiptHandle{get_be(p, 8), get_be(p + 8, 8),
                       static_cast<std::uint32_t>(get_be(p + 16, 4))};
}

Queue::Queue(std::string name, std::string arn, std::uint64_t uid, QueueConfig config, TagMap tags,
             Millis created, const Clock& clock, Timers& timers, Resolver resolver,
             QueueStorage storage)
    : name_(std::move(name)),
      arn_(std::move(arn)),
      uid_(uid),
      clock_(clock),
      timers_(timers),
      resolver_(std::move(resolver)),
      engine_(storage.engine),
      events_(storage.events),
      durable_(storage.engine.durable()),
      config_(std::move(config)),
      tags_(std::move(tags)),
      created_(created),
      last_modified_(created) {}

Queue::~Queue() {
  if (armed_) timers_.cancel(armed_->second);
}

QueueConfig Queue::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

void Queue::set_config(QueueConfig config) {
  std::lock_guard lock(mu_);
  config_ = std::move(config);
  last_modified_ = clock_.now_ms();
}

Millis Queue::last_modified() const {
  std::lock_guard lock(mu_);
  return last_modified_;
}

void Queue::restore_last_modified(Millis at) {
  std::lock_guard lock(mu_);
  last_modified_ = at;
}

storage::Status Queue::restore() {
  std::lock_guard lock(mu_);
  const Millis now = clock_.now_ms();
  const std::string begin = storage::queue_range_begin(uid_);
  const std::string end = storage::queue_range_end(uid_);
  auto ceilings = engine_.scan(storage::Family::kMeta, storage::next_seq_key(uid_),
                               storage::next_seq_range_end(uid_),
                               [&](std::string_view, std::string_view value) {
                                 if (value.size() == 8) {
                                   next_seq_ = std::max(next_seq_, storage::read_u64(value));
                                 }
                                 return true;
                               });
  if (!ceilings) return std::unexpected(ceilings.error());
  seq_ceiling_ = next_seq_;
  bool corrupt = false;
  // Heaps are built in one O(n) heapify at the end rather than n pushes.
  std::vector<IndexEntry> retention;
  auto loaded = engine_.scan(storage::Family::kMessages, begin, end,
                             [&](std::string_view key, std::string_view value) {
                               auto sent = storage::decode_message_sent(value);
                               if (!sent) {
                                 corrupt = true;
                                 return false;
                               }
                               StoredMessage m;
                               m.seq = storage::read_u64(key, 8);
                               m.sent = *sent;
                               next_seq_ = std::max(next_seq_, m.seq + 1);
                               retention.push_back({m.sent, m.seq, 0});
                               ++ready_count_;
                               messages_.emplace(m.seq, std::move(m));
                               return true;
                             });
  if (!loaded) return loaded;
  if (corrupt) return fail(Errc::kInternalError, "unreadable message record in queue " + name_);
  auto states = engine_.scan(
      storage::Family::kStates, begin, end, [&](std::string_view key, std::string_view value) {
        const std::uint64_t seq = storage::read_u64(key, 8);
        auto it = messages_.find(seq);
        auto state = storage::decode_state(value);
        if (it == messages_.end() || !state) {
          // A state whose message was deleted concurrently with its last change.
          pending_.erase(storage::Family::kStates, key);
          return true;
        }
        StoredMessage& m = it->second;
        m.first_receive = state->first_receive;
        m.last_receive = state->last_receive;
        m.receive_count = state->receive_count;
        m.receipt_generation = state->receipt_generation;
        if (state->kind != storage::MessageState::Kind::kReady && state->visible_at > now) {
          set_timed_locked(m,
                           state->kind == storage::MessageState::Kind::kDelayed
                               ? StoredMessage::State::kDelayed
                               : StoredMessage::State::kInflight,
                           state->visible_at);
        }
        return true;
      });
  if (!states) return states;
  std::vector<IndexEntry> ready;
  ready.reserve(ready_count_);
  for (auto& [seq, m] : messages_) {
    if (m.state == StoredMessage::State::kReady) {
      ready.push_back({static_cast<Millis>(seq), seq, m.epoch});
    }
  }
  ready_ = MinHeap(std::greater<>{}, std::move(ready));
  retention_ = MinHeap(std::greater<>{}, std::move(retention));
  refresh_locked(now);
  Deferred unused;
  return commit_locked(unused);
}

AttributeMap Queue::attributes(const std::vector<std::string>& names) {
  std::lock_guard lock(mu_);
  refresh_locked(clock_.now_ms());
  Deferred unused;
  (void)commit_locked(unused);  // only retention erasures: retried by the next operation
  AttributeMap all = config_.render();
  all["ApproximateNumberOfMessages"] = std::to_string(ready_count_);
  all["ApproximateNumberOfMessagesNotVisible"] = std::to_string(inflight_count_);
  all["ApproximateNumberOfMessagesDelayed"] = std::to_string(delayed_count_);
  all["CreatedTimestamp"] = std::to_string(created_ / kSecond);
  all["LastModifiedTimestamp"] = std::to_string(last_modified_ / kSecond);
  all["QueueArn"] = arn_;
  if (!config_.permissions.empty()) {
    all["Policy"] = render_permission_policy(arn_, config_.permissions);
  }
  if (std::find(names.begin(), names.end(), "All") != names.end()) return all;
  AttributeMap out;
  for (const auto& n : names) {
    if (auto it = all.find(n); it != all.end()) out.insert(*it);
  }
  return out;
}

TagMap Queue::tags() const {
  std::lock_guard lock(mu_);
  return tags_;
}

void Queue::set_tags(const TagMap& tags) {
  std::lock_guard lock(mu_);
  for (const auto& [k, v] : tags) tags_[k] = v;
}

void Queue::remove_tags(const std::vector<std::string>& keys) {
  std::lock_guard lock(mu_);
  for (const auto& k : keys) tags_.erase(k);
}

void Queue::replace_tags(TagMap tags) {
  std::lock_guard lock(mu_);
  tags_ = std::move(tags);
}

std::size_t& Queue::count_for(StoredMessage::State state) {
  switch (state) {
    case StoredMessage::State::kDelayed:
      return delayed_count_;
    case StoredMessage::State::kInflight:
      return inflight_count_;
    case StoredMessage::State::kReady:
      break;
  }
  return ready_count_;
}

void Queue::make_ready_locked(StoredMessage& m) {
  --count_for(m.state);
  m.state = StoredMessage::State::kReady;
  ++ready_count_;
  ++m.epoch;
  ready_.push({static_cast<Millis>(m.seq), m.seq, m.epoch});
}

void Queue::set_timed_locked(StoredMessage& m, StoredMessage::State state, Millis visible_at) {
  --count_for(m.state);
  m.state = state;
  ++count_for(state);
  m.visible_at = visible_at;
  ++m.epoch;
  timed_.push({visible_at, m.seq, m.epoch});
}

void Queue::stage_state_locked(const StoredMessage& m) {
  if (!durable_) return;
  storage::MessageState s;
  s.visible_at = m.visible_at;
  s.first_receive = m.first_receive;
  s.last_receive = m.last_receive;
  s.receive_count = m.receive_count;
  s.receipt_generation = m.receipt_generation;
  s.kind = kind_of(m.state);
  pending_.put(storage::Family::kStates, storage::message_key(uid_, m.seq), storage::encode(s));
}

void Queue::erase_locked(std::uint64_t seq) {
  auto it = messages_.find(seq);
  if (it == messages_.end()) return;
  --count_for(it->second.state);
  messages_.erase(it);
  if (durable_) {
    const std::string key = storage::message_key(uid_, seq);
    pending_.erase(storage::Family::kMessages, key);
    pending_.erase(storage::Family::kStates, key);
  }
}

storage::Status Queue::commit_locked(Deferred& deferred) {
  std::vector<std::uint64_t> taken;
  taken.swap(taken_seqs_);
  if (pending_.empty()) return storage::Ok{};
  auto written = engine_.write(pending_);
  pending_.clear();
  if (written) return written;
  seq_ceiling_ = 0;  // the ceiling this write may have carried is not on disk: write it again
  // The receives of this operation could not be recorded: undo them, so the messages are
  // visible again at once rather than hidden behind a visibility timeout nobody knows of.
  for (std::uint64_t seq : taken) {
    auto it = messages_.find(seq);
    if (it == messages_.end() || it->second.state != StoredMessage::State::kInflight) continue;
    StoredMessage& m = it->second;
    if (--m.receive_count == 0) m.first_receive = 0;
    make_ready_locked(m);
  }
  for (auto& c : deferred.completions) {
    if (!c.taken.messages.empty()) {
      c.taken = Taken{};
      c.error = written.error();
    }
  }
  return written;
}

void Queue::refresh_locked(Millis now) {
  const Millis retention = static_cast<Millis>(config_.message_retention_period) * kSecond;
  while (!retention_.empty()) {
    const IndexEntry e = retention_.top();
    auto it = messages_.find(e.seq);
    if (it == messages_.end()) {
      retention_.pop();
      continue;
    }
    if (e.when + retention > now) break;
    retention_.pop();
    erase_locked(e.seq);
  }
  while (!timed_.empty() && timed_.top().when <= now) {
    const IndexEntry e = timed_.top();
    timed_.pop();
    auto it = messages_.find(e.seq);
    if (it == messages_.end() || it->second.epoch != e.epoch ||
        it->second.state == StoredMessage::State::kReady) {
      continue;
    }
    // The stored state keeps saying in flight/delayed with a past deadline, which a restart
    // reads as visible: no write needed.
    make_ready_locked(it->second);
  }
}

Queue::MessageMap::iterator Queue::pop_ready_locked() {
  while (!ready_.empty()) {
    const IndexEntry e = ready_.top();
    ready_.pop();
    auto it = messages_.find(e.seq);
    if (it != messages_.end() && it->second.epoch == e.epoch &&
        it->second.state == StoredMessage::State::kReady) {
      return it;
    }
  }
  return messages_.end();
}

Queue::Taken Queue::take_locked(const ReceiveSpec& spec, Millis now, const Queue* dlq,
                                Deferred& deferred) {
  Taken out;
  const Millis visibility =
      static_cast<Millis>(spec.visibility_timeout.value_or(config_.visibility_timeout)) * kSecond;
  const RedrivePolicy* redrive = (dlq != nullptr && config_.redrive_policy &&
                                  config_.redrive_policy->dead_letter_target_arn == dlq->arn())
                                     ? &*config_.redrive_policy
                                     : nullptr;
  while (out.messages.size() < static_cast<std::size_t>(spec.max_messages)) {
    auto it = pop_ready_locked();
    if (it == messages_.end()) break;
    StoredMessage& m = it->second;
    if (redrive && m.receive_count >= static_cast<std::uint32_t>(redrive->max_receive_count)) {
      // This receive would exceed maxReceiveCount: the message goes to the DLQ instead. Its
      // records stay here until the DLQ's write moves them.
      deferred.dead_letter_arn = redrive->dead_letter_target_arn;
      --ready_count_;
      deferred.dead_letters.push_back(MovedMessage{std::move(m), uid_, it->first});
      messages_.erase(it);
      continue;
    }
    ++m.receive_count;
    ++m.receipt_generation;
    if (m.first_receive == 0) m.first_receive = now;
    m.last_receive = now;
    set_timed_locked(m, StoredMessage::State::kInflight, now + visibility);
    stage_state_locked(m);
    taken_seqs_.push_back(m.seq);

    ReceivedMessage r;
    r.receipt_handle = encode_receipt_handle({uid_, m.seq, m.receipt_generation});
    const NameSelection& sys = spec.system_attributes;
    if (!sys.empty()) {
      if (sys.matches("SentTimestamp")) {
        r.attributes.emplace_back("SentTimestamp", std::to_string(m.sent));
      }
      if (sys.matches("ApproximateReceiveCount")) {
        r.attributes.emplace_back("ApproximateReceiveCount", std::to_string(m.receive_count));
      }
      if (sys.matches("ApproximateFirstReceiveTimestamp")) {
        r.attributes.emplace_back("ApproximateFirstReceiveTimestamp",
                                  std::to_string(m.first_receive));
      }
    }
    if (m.payload) {
      apply_payload(r, *m.payload, sys, spec.message_attributes);
    } else {
      out.unfilled.push_back(m.seq);
    }
    out.messages.push_back(std::move(r));
  }
  return out;
}

void Queue::serve_waiters_locked(Millis now, const Queue* dlq, Deferred& deferred) {
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    if (ready_count_ > 0) {
      Taken got = take_locked(it->spec, now, dlq, deferred);
      if (!got.messages.empty()) {
        deferred.completions.push_back(Completion{std::move(it->done), std::move(got),
                                                  std::move(it->spec.system_attributes),
                                                  std::move(it->spec.message_attributes)});
        it = waiters_.erase(it);
        continue;
      }
    }
    if (it->deadline <= now) {
      deferred.completions.push_back(Completion{std::move(it->done), Taken{}, {}, {}});
      it = waiters_.erase(it);
      continue;
    }
    ++it;
  }
}

void Queue::rearm_locked(Millis now) {
  if (waiters_.empty()) {
    if (armed_) {
      timers_.cancel(armed_->second);
      armed_.reset();
    }
    return;
  }
  Millis next = waiters_.front().deadline;
  for (const auto& w : waiters_) next = std::min(next, w.deadline);
  if (!timed_.empty()) next = std::min(next, timed_.top().when);
  next = std::max(next, now);
  if (armed_ && armed_->first == next) return;
  if (armed_) timers_.cancel(armed_->second);
  std::weak_ptr<Queue> self = weak_from_this();
  Timers::Id id = timers_.schedule_at(next, [self, next] {
    if (auto q = self.lock()) q->on_timer(next);
  });
  armed_.emplace(next, id);
}

void Queue::on_timer(Millis deadline) {
  auto dlq = dead_letter_target();
  Deferred deferred;
  {
    std::lock_guard lock(mu_);
    if (armed_ && armed_->first == deadline) armed_.reset();
    const Millis now = clock_.now_ms();
    refresh_locked(now);
    serve_waiters_locked(now, dlq.get(), deferred);
    (void)commit_locked(deferred);  // a failure is handed to the completions
    rearm_locked(now);
  }
  run(deferred, dlq);
}

std::shared_ptr<Queue> Queue::dead_letter_target() const {
  std::string arn;
  {
    std::lock_guard lock(mu_);
    if (!config_.redrive_policy) return nullptr;
    arn = config_.redrive_policy->dead_letter_target_arn;
  }
  return resolver_(arn);
}

storage::Status Queue::load_payloads(std::vector<MovedMessage>& moved) const {
  std::vector<std::string> keys;
  std::vector<std::size_t> index;
  for (std::size_t i = 0; i < moved.size(); ++i) {
    if (moved[i].message.payload) continue;
    keys.push_back(storage::message_key(moved[i].origin_uid, moved[i].origin_seq));
    index.push_back(i);
  }
  if (keys.empty()) return storage::Ok{};
  auto values = engine_.multi_get(storage::Family::kMessages, keys);
  if (!values) return std::unexpected(values.error());
  for (std::size_t k = 0; k < keys.size(); ++k) {
    if (!(*values)[k]) continue;  // purged or deleted meanwhile: nothing to move
    if (auto record = storage::decode_message(*(*values)[k])) {
      moved[index[k]].message.payload = payload_from(std::move(*record));
    }
  }
  std::erase_if(moved, [](const MovedMessage& m) { return !m.message.payload; });
  return storage::Ok{};
}

Result<std::vector<ReceivedMessage>> Queue::fill(Taken taken, const NameSelection& system,
                                                 const NameSelection& user) const {
  if (taken.unfilled.empty()) return std::move(taken.messages);
  std::vector<std::string> keys;
  keys.reserve(taken.unfilled.size());
  for (std::uint64_t seq : taken.unfilled) keys.push_back(storage::message_key(uid_, seq));
  auto values = engine_.multi_get(storage::Family::kMessages, keys);
  if (!values) return std::unexpected(values.error());
  std::vector<ReceivedMessage> out;
  out.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    // A message purged or expired between the take and this read is simply not returned.
    if (!(*values)[i]) continue;
    auto record = storage::decode_message(*(*values)[i]);
    if (!record) continue;
    auto payload = payload_from(std::move(*record));
    apply_payload(taken.messages[i], *payload, system, user);
    out.push_back(std::move(taken.messages[i]));
  }
  return out;
}

void Queue::run(Deferred& deferred, const std::shared_ptr<Queue>& dlq) {
  if (!deferred.dead_letters.empty()) {
    // take_locked only moves messages when `dlq` was resolved, so it is non-null here.
    (void)load_payloads(deferred.dead_letters);
    for (auto& m : deferred.dead_letters) m.message.payload->extra().dead_letter_source_arn = arn_;
    dlq->accept(std::move(deferred.dead_letters));
  }
  for (auto& c : deferred.completions) {
    if (c.error) {
      c.done(std::unexpected(std::move(*c.error)));
    } else {
      c.done(fill(std::move(c.taken), c.system_attributes, c.message_attributes));
    }
  }
}

Result<Queue::Prepared> Queue::prepare(SendInput input) {
  if (input.delay_seconds &&
      (*input.delay_seconds < 0 || *input.delay_seconds > kMaxDelaySeconds)) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("Value {} for parameter DelaySeconds is invalid. Reason: DelaySeconds "
                            "must be >= 0 and <= 900.",
                            *input.delay_seconds));
  }
  if (input.body.empty()) {
    return fail(Errc::kMissingParameter, "The request must contain the parameter MessageBody.");
  }
  if (auto ok = validate_text(input.body, "message body"); !ok) return std::unexpected(ok.error());
  if (auto ok = validate_attributes(input.attributes, false); !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = validate_attributes(input.system_attributes, true); !ok) {
    return std::unexpected(ok.error());
  }
  if (input.deduplication_id) {
    return fail(Errc::kInvalidParameterValue,
                "The request include parameter that is not valid for this queue type");
  }
  Prepared p;
  p.size = message_size(input.body, input.attributes);
  p.delay_seconds = input.delay_seconds;
  p.sender_id = std::move(input.sender_id);
  StoredMessage& m = p.message;
  m.sent = clock_.now_ms();
  m.payload = std::make_unique<Payload>();
  Payload& payload = *m.payload;
  payload.id = random_uuid_bytes();
  payload.md5_of_body = md5(input.body);
  SendOutput& out = p.output;
  out.message_id = uuid_text(payload.id);
  out.md5_of_body = to_hex(payload.md5_of_body.data(), payload.md5_of_body.size());
  out.md5_of_attributes = md5_of_attributes(input.attributes);
  out.md5_of_system_attributes = md5_of_attributes(input.system_attributes);
  if (!input.attributes.empty() || !input.system_attributes.empty()) {
    MessageExtras& extras = payload.extra();
    extras.md5_of_attributes = out.md5_of_attributes;
    extras.attributes = std::move(input.attributes);
    extras.system_attributes = std::move(input.system_attributes);
  }
  payload.body = std::move(input.body);
  if (durable_) {
    // Encoded here, outside the lock; the seq is in the key, assigned when staged.
    storage::MessageRecord record = to_record(m);
    record.sender_id = p.sender_id;
    p.record = storage::encode(record);
  }
  return p;
}

std::uint64_t Queue::take_seq_locked() {
  const std::uint64_t seq = next_seq_++;
  if (durable_ && seq >= seq_ceiling_) {
    // Entering a new block of seqs: record its ceiling in this operation's batch, and drop the
    // previous block's key (recovery takes the maximum, so order of landing does not matter).
    const std::uint64_t ceiling = (seq / kSeqBlock + 1) * kSeqBlock;
    pending_.put(storage::Family::kMeta, storage::next_seq_block_key(uid_, ceiling),
                 storage::u64_key(ceiling));
    if (seq_ceiling_ > 0 && seq_ceiling_ < ceiling) {
      pending_.erase(storage::Family::kMeta, storage::next_seq_block_key(uid_, seq_ceiling_));
    }
    seq_ceiling_ = ceiling;
  }
  return seq;
}

Result<Empty> Queue::stage_locked(Prepared& p, Millis now) {
  if (p.size > static_cast<std::size_t>(config_.maximum_message_size)) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("One or more parameters are invalid. Reason: Message must be "
                            "shorter than {} bytes.",
                            config_.maximum_message_size));
  }
  if (!last_sender_ || *last_sender_ != p.sender_id) {
    last_sender_ = std::make_shared<const std::string>(std::move(p.sender_id));
  }
  StoredMessage& m = p.message;
  m.payload->sender_id = last_sender_;
  m.seq = take_seq_locked();
  const int delay = p.delay_seconds.value_or(config_.delay_seconds);
  m.state = delay > 0 ? StoredMessage::State::kDelayed : StoredMessage::State::kReady;
  m.visible_at = delay > 0 ? now + delay * kSecond : 0;
  if (durable_) {
    pending_.put(storage::Family::kMessages, storage::message_key(uid_, m.seq),
                 std::move(p.record));
    if (delay > 0) stage_state_locked(m);
  }
  return Empty{};
}

void Queue::insert_locked(Prepared& p) {
  StoredMessage& m = p.message;
  if (durable_) m.payload.reset();  // the store has it; receives read it back
  const StoredMessage::State state = m.state;
  const Millis visible_at = m.visible_at;
  m.state = StoredMessage::State::kReady;
  auto [it, inserted] = messages_.emplace(m.seq, std::move(m));
  StoredMessage& stored = it->second;
  ++ready_count_;
  retention_.push({stored.sent, stored.seq, 0});
  if (state == StoredMessage::State::kDelayed) {
    set_timed_locked(stored, StoredMessage::State::kDelayed, visible_at);
  } else {
    ready_.push({static_cast<Millis>(stored.seq), stored.seq, stored.epoch});
  }
}

Queue::StagedSends Queue::stage_sends(std::vector<SendInput> inputs, storage::Batch& batch) {
  StagedSends sends;
  sends.prepared.reserve(inputs.size());
  for (auto& in : inputs) sends.prepared.push_back(prepare(std::move(in)));
  sends.staged.resize(sends.prepared.size());

  // Phase 1, locked: seqs and records. The write itself happens unlocked, so concurrent
  // senders share RocksDB's write group instead of queueing on this lock; nobody can act on
  // a message before phase 2 inserts it, so its records cannot race with its later changes.
  std::lock_guard lock(mu_);
  const Millis now = clock_.now_ms();
  for (std::size_t i = 0; i < sends.prepared.size(); ++i) {
    if (sends.prepared[i]) sends.staged[i] = stage_locked(*sends.prepared[i], now);
  }
  batch.append(std::move(pending_));
  return sends;
}

std::vector<Result<SendOutput>> Queue::finish_sends(StagedSends sends,
                                                    const storage::Status& written) {
  auto& prepared = sends.prepared;
  auto& staged = sends.staged;
  // Phase 2, locked: the messages become visible and parked receives are served.
  std::shared_ptr<Queue> dlq;
  Deferred deferred;
  {
    std::unique_lock lock(mu_);
    if (!written) seq_ceiling_ = 0;  // as in commit_locked
    for (std::size_t i = 0; i < prepared.size(); ++i) {
      if (!prepared[i] || !staged[i]) continue;
      if (!written) {
        staged[i] = std::unexpected(written.error());
      } else if (prepared[i]->message.seq >= purge_floor_) {
        insert_locked(*prepared[i]);
      }  // else a purge between the phases removed it: on disk too, by its erase range
    }
    if (written) serve_after_send(lock, dlq, deferred);
  }
  run(deferred, dlq);
  std::vector<Result<SendOutput>> results;
  results.reserve(prepared.size());
  for (std::size_t i = 0; i < prepared.size(); ++i) {
    if (!prepared[i]) {
      results.push_back(std::unexpected(std::move(prepared[i].error())));
    } else if (!staged[i]) {
      results.push_back(std::unexpected(std::move(staged[i].error())));
    } else {
      results.push_back(std::move(prepared[i]->output));
    }
  }
  return results;
}

std::vector<Result<SendOutput>> Queue::send_all(std::vector<SendInput> inputs) {
  storage::Batch batch;
  StagedSends sends = stage_sends(std::move(inputs), batch);
  // The event-log records join the same batch, built unlocked (envelope parsing is not cheap).
  storage::EventSink::Staged logged;
  std::vector<storage::IncomingMessage> incoming;
  if (events_ != nullptr) {
    for (std::size_t i = 0; i < sends.prepared.size(); ++i) {
      if (!sends.prepared[i] || !sends.staged[i]) continue;
      const StoredMessage& m = sends.prepared[i]->message;
      incoming.push_back({arn_, sends.prepared[i]->output.message_id, m.payload->body,
                          m.payload->extras ? &m.payload->extras->attributes : nullptr, m.sent});
    }
    if (!incoming.empty()) logged = events_->stage(incoming, batch);
  }
  auto written = engine_.write(batch);
  if (!incoming.empty()) events_->finish(logged, written.has_value());
  return finish_sends(std::move(sends), written);
}

Result<SendOutput> Queue::send(SendInput input) {
  std::vector<SendInput> one;
  one.push_back(std::move(input));
  return std::move(send_all(std::move(one)).front());
}

void Queue::serve_after_send(std::unique_lock<std::mutex>& lock, std::shared_ptr<Queue>& dlq,
                             Deferred& deferred) {
  if (waiters_.empty()) return;
  if (config_.redrive_policy) {
    // Resolving needs the registry, not this lock; the rare redrive case pays a relock.
    lock.unlock();
    dlq = dead_letter_target();
    lock.lock();
  }
  const Millis now = clock_.now_ms();
  refresh_locked(now);
  serve_waiters_locked(now, dlq.get(), deferred);
  (void)commit_locked(deferred);
  rearm_locked(now);
}

void Queue::receive(ReceiveSpec spec, ReceiveCallback done) {
  auto dlq = dead_letter_target();
  Deferred deferred;
  Taken got;
  bool parked = false;
  storage::Status written;
  {
    std::lock_guard lock(mu_);
    const Millis now = clock_.now_ms();
    refresh_locked(now);
    got = take_locked(spec, now, dlq.get(), deferred);
    written = commit_locked(deferred);
    if (!written) got = Taken{};
    const int wait = spec.wait_seconds.value_or(config_.receive_message_wait_time_seconds);
    if (written && got.messages.empty() && wait > 0 && !shut_down_) {
      waiters_.push_back(
          Waiter{next_waiter_id_++, std::move(spec), now + wait * kSecond, std::move(done)});
      rearm_locked(now);
      parked = true;
    }
  }
  run(deferred, dlq);
  if (parked) return;
  // NOLINTBEGIN(bugprone-use-after-move): spec and done are moved only when parked
  if (!written) {
    done(std::unexpected(std::move(written.error())));
    return;
  }
  done(fill(std::move(got), spec.system_attributes, spec.message_attributes));
  // NOLINTEND(bugprone-use-after-move)
}

StoredMessage* Queue::find_locked(const ReceiptHandle& handle) {
  auto it = messages_.find(handle.seq);
  if (it == messages_.end() || it->second.receipt_generation != handle.generation) return nullptr;
  return &it->second;
}

Result<Empty> Queue::delete_message(const std::string& receipt_handle) {
  auto handle = decode_receipt_handle(receipt_handle);
  if (!handle || handle->queue_uid != uid_ || handle->generation == 0) {
    return fail(Errc::kReceiptHandleIsInvalid,
                fmt::format("The input receipt handle \"{}\" is not a valid receipt handle.",
                            receipt_handle));
  }
  std::lock_guard lock(mu_);
  // A handle whose message is gone, or that a newer receive superseded, succeeds without
  // deleting anything, as AWS documents.
  if (find_locked(*handle) != nullptr) erase_locked(handle->seq);
  Deferred unused;
  if (auto written = commit_locked(unused); !written) return std::unexpected(written.error());
  return Empty{};
}

Result<Empty> Queue::change_visibility(const std::string& receipt_handle, int timeout_seconds) {
  if (timeout_seconds < 0 || timeout_seconds > kMaxVisibilityTimeout) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("Value {} for parameter VisibilityTimeout is invalid. Reason: Must be "
                            "between 0 and 43200, if provided.",
                            timeout_seconds));
  }
  auto handle = decode_receipt_handle(receipt_handle);
  if (!handle || handle->queue_uid != uid_ || handle->generation == 0) {
    return fail(Errc::kReceiptHandleIsInvalid,
                fmt::format("The input receipt handle \"{}\" is not a valid receipt handle.",
                            receipt_handle));
  }
  auto dlq = dead_letter_target();
  Deferred deferred;
  storage::Status written;
  {
    std::lock_guard lock(mu_);
    const Millis now = clock_.now_ms();
    refresh_locked(now);
    StoredMessage* m = find_locked(*handle);
    if (m == nullptr) {
      (void)commit_locked(deferred);
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("Value {} for parameter ReceiptHandle is invalid. Reason: Message "
                              "does not exist or is not available for visibility timeout change.",
                              receipt_handle));
    }
    if (m->state != StoredMessage::State::kInflight) {
      (void)commit_locked(deferred);
      return fail(Errc::kMessageNotInflight, "The message referred to isn't in flight.");
    }
    const Millis until = now + static_cast<Millis>(timeout_seconds) * kSecond;
    if (until > m->last_receive + kMaxVisibilityTimeout * kSecond) {
      (void)commit_locked(deferred);
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("Value {} for parameter VisibilityTimeout is invalid. Reason: Total "
                              "VisibilityTimeout for the message is beyond the limit [43200 "
                              "seconds]",
                              timeout_seconds));
    }
    if (timeout_seconds == 0) {
      make_ready_locked(*m);
      stage_state_locked(*m);
      serve_waiters_locked(now, dlq.get(), deferred);
    } else {
      set_timed_locked(*m, StoredMessage::State::kInflight, until);
      stage_state_locked(*m);
    }
    written = commit_locked(deferred);
    rearm_locked(now);
  }
  run(deferred, dlq);
  if (!written) return std::unexpected(written.error());
  return Empty{};
}

Result<Empty> Queue::purge() {
  std::lock_guard lock(mu_);
  const Millis now = clock_.now_ms();
  if (last_purge_ != 0 && now - last_purge_ < kPurgeInterval) {
    return fail(
        Errc::kPurgeQueueInProgress,
        fmt::format("Only one PurgeQueue operation on {} is allowed every 60 seconds.", name_));
  }
  if (durable_) {
    const std::string begin = storage::queue_range_begin(uid_);
    const std::string end = storage::queue_range_end(uid_);
    pending_.erase_range(storage::Family::kMessages, begin, end);
    pending_.erase_range(storage::Family::kStates, begin, end);
  }
  Deferred unused;
  if (auto written = commit_locked(unused); !written) return std::unexpected(written.error());
  last_purge_ = now;
  purge_floor_ = next_seq_;
  messages_.clear();
  ready_ = MinHeap{};
  timed_ = MinHeap{};
  retention_ = MinHeap{};
  ready_count_ = inflight_count_ = delayed_count_ = 0;
  return Empty{};
}

void Queue::accept(std::vector<MovedMessage> messages) {
  Deferred deferred;
  std::shared_ptr<Queue> dlq;
  bool has_waiters;
  {
    std::lock_guard lock(mu_);
    for (auto& moved : messages) {
      StoredMessage& m = moved.message;
      m.seq = take_seq_locked();
      m.receive_count = 0;
      m.receipt_generation = 0;
      m.first_receive = 0;
      m.last_receive = 0;
      m.epoch = 0;
      m.state = StoredMessage::State::kReady;
      if (durable_) {
        // The move is one write: the message appears here and leaves its origin together.
        pending_.put(storage::Family::kMessages, storage::message_key(uid_, m.seq),
                     storage::encode(to_record(m)));
        const std::string origin = storage::message_key(moved.origin_uid, moved.origin_seq);
        pending_.erase(storage::Family::kMessages, origin);
        pending_.erase(storage::Family::kStates, origin);
        m.payload.reset();
      }
    }
    // On a failed write the messages stay in this queue's memory (their records are still at
    // the origin, where a restart finds them): nothing is dropped either way.
    (void)commit_locked(deferred);
    for (auto& moved : messages) {
      const std::uint64_t seq = moved.message.seq;
      const Millis sent = moved.message.sent;
      messages_.emplace(seq, std::move(moved.message));
      ++ready_count_;
      retention_.push({sent, seq, 0});
      ready_.push({static_cast<Millis>(seq), seq, 0});
    }
    has_waiters = !waiters_.empty();
  }
  if (!has_waiters) return;
  dlq = dead_letter_target();
  {
    std::lock_guard lock(mu_);
    const Millis now = clock_.now_ms();
    refresh_locked(now);
    serve_waiters_locked(now, dlq.get(), deferred);
    (void)commit_locked(deferred);
    rearm_locked(now);
  }
  run(deferred, dlq);
}

std::vector<MovedMessage> Queue::take_visible(std::size_t max) {
  std::vector<MovedMessage> out;
  {
    std::lock_guard lock(mu_);
    refresh_locked(clock_.now_ms());
    Deferred unused;
    (void)commit_locked(unused);
    while (out.size() < max) {
      auto it = pop_ready_locked();
      if (it == messages_.end()) break;
      --ready_count_;
      out.push_back(MovedMessage{std::move(it->second), uid_, it->first});
      messages_.erase(it);
    }
  }
  (void)load_payloads(out);
  return out;
}

std::size_t Queue::approximate_visible() {
  std::lock_guard lock(mu_);
  refresh_locked(clock_.now_ms());
  Deferred unused;
  (void)commit_locked(unused);
  return ready_count_;
}

void Queue::shutdown() {
  std::vector<ReceiveCallback> parked;
  {
    std::lock_guard lock(mu_);
    shut_down_ = true;
    for (auto& w : waiters_) parked.push_back(std::move(w.done));
    waiters_.clear();
    rearm_locked(clock_.now_ms());
  }
  for (auto& done : parked) done(std::vector<ReceivedMessage>{});
}

std::size_t Queue::parked_receives() const {
  std::lock_guard lock(mu_);
  return waiters_.size();
}

}  // namespace eb::broker
