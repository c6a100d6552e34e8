#include "broker/queue.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cstring>

#include "broker/message_rules.hpp"

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

}  // namespace

const std::string& StoredMessage::dead_letter_source_arn() const {
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
             Millis created, const Clock& clock, Timers& timers, Resolver resolver)
    : name_(std::move(name)),
      arn_(std::move(arn)),
      uid_(uid),
      clock_(clock),
      timers_(timers),
      resolver_(std::move(resolver)),
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

AttributeMap Queue::attributes(const std::vector<std::string>& names) {
  std::lock_guard lock(mu_);
  refresh_locked(clock_.now_ms());
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

void Queue::erase_locked(std::uint64_t seq) {
  auto it = messages_.find(seq);
  if (it == messages_.end()) return;
  --count_for(it->second.state);
  messages_.erase(it);
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
    make_ready_locked(it->second);
  }
}

std::vector<ReceivedMessage> Queue::take_locked(const ReceiveSpec& spec, Millis now,
                                                const Queue* dlq, Deferred& deferred) {
  std::vector<ReceivedMessage> out;
  const Millis visibility =
      static_cast<Millis>(spec.visibility_timeout.value_or(config_.visibility_timeout)) * kSecond;
  const RedrivePolicy* redrive = (dlq != nullptr && config_.redrive_policy &&
                                  config_.redrive_policy->dead_letter_target_arn == dlq->arn())
                                     ? &*config_.redrive_policy
                                     : nullptr;
  while (out.size() < static_cast<std::size_t>(spec.max_messages) && !ready_.empty()) {
    const IndexEntry e = ready_.top();
    ready_.pop();
    auto it = messages_.find(e.seq);
    if (it == messages_.end() || it->second.epoch != e.epoch ||
        it->second.state != StoredMessage::State::kReady) {
      continue;
    }
    StoredMessage& m = it->second;
    if (redrive && m.receive_count >= static_cast<std::uint32_t>(redrive->max_receive_count)) {
      // This receive would exceed maxReceiveCount: the message goes to the DLQ instead.
      deferred.dead_letter_arn = redrive->dead_letter_target_arn;
      m.extra().dead_letter_source_arn = arn_;
      --ready_count_;
      deferred.dead_letters.push_back(std::move(m));
      messages_.erase(it);
      continue;
    }
    ++m.receive_count;
    ++m.receipt_generation;
    if (m.first_receive == 0) m.first_receive = now;
    m.last_receive = now;
    set_timed_locked(m, StoredMessage::State::kInflight, now + visibility);

    ReceivedMessage r;
    r.message_id = uuid_text(m.id);
    r.receipt_handle = encode_receipt_handle({uid_, m.seq, m.receipt_generation});
    r.body = m.body;
    r.md5_of_body = to_hex(m.md5_of_body.data(), m.md5_of_body.size());
    const NameSelection& sys = spec.system_attributes;
    if (!sys.empty()) {
      if (sys.matches("SenderId")) r.attributes.emplace_back("SenderId", *m.sender_id);
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
      if (m.extras) {
        const auto& system = m.extras->system_attributes;
        if (auto t = system.find("AWSTraceHeader");
            t != system.end() && sys.matches("AWSTraceHeader")) {
          r.attributes.emplace_back("AWSTraceHeader", t->second.string_value);
        }
      }
      if (!m.dead_letter_source_arn().empty() && sys.matches("DeadLetterQueueSourceArn")) {
        r.attributes.emplace_back("DeadLetterQueueSourceArn", m.dead_letter_source_arn());
      }
    }
    const NameSelection& user = spec.message_attributes;
    if (!user.empty() && m.extras && !m.extras->attributes.empty()) {
      if (user.all) {
        r.message_attributes = m.extras->attributes;
        r.md5_of_attributes = m.extras->md5_of_attributes;
      } else {
        for (const auto& [k, v] : m.extras->attributes) {
          if (user.matches(k)) r.message_attributes.emplace(k, v);
        }
        r.md5_of_attributes = md5_of_attributes(r.message_attributes);
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

void Queue::serve_waiters_locked(Millis now, const Queue* dlq, Deferred& deferred) {
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    if (ready_count_ > 0) {
      auto got = take_locked(it->spec, now, dlq, deferred);
      if (!got.empty()) {
        deferred.completions.emplace_back(std::move(it->done), std::move(got));
        it = waiters_.erase(it);
        continue;
      }
    }
    if (it->deadline <= now) {
      deferred.completions.emplace_back(std::move(it->done), std::vector<ReceivedMessage>{});
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

void Queue::run(Deferred& deferred, const std::shared_ptr<Queue>& dlq) {
  if (!deferred.dead_letters.empty()) {
    // take_locked only moves messages when `dlq` was resolved, so it is non-null here.
    dlq->accept(std::move(deferred.dead_letters));
  }
  for (auto& [done, messages] : deferred.completions) done(std::move(messages));
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
  m.id = random_uuid_bytes();
  m.md5_of_body = md5(input.body);
  SendOutput& out = p.output;
  out.message_id = uuid_text(m.id);
  out.md5_of_body = to_hex(m.md5_of_body.data(), m.md5_of_body.size());
  out.md5_of_attributes = md5_of_attributes(input.attributes);
  out.md5_of_system_attributes = md5_of_attributes(input.system_attributes);
  if (!input.attributes.empty() || !input.system_attributes.empty()) {
    MessageExtras& extras = m.extra();
    extras.md5_of_attributes = out.md5_of_attributes;
    extras.attributes = std::move(input.attributes);
    extras.system_attributes = std::move(input.system_attributes);
  }
  m.body = std::move(input.body);
  return p;
}

Result<SendOutput> Queue::insert_locked(Prepared& p, Millis now) {
  if (p.size > static_cast<std::size_t>(config_.maximum_message_size)) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("One or more parameters are invalid. Reason: Message must be "
                            "shorter than {} bytes.",
                            config_.maximum_message_size));
  }
  const int delay = p.delay_seconds.value_or(config_.delay_seconds);
  if (!last_sender_ || *last_sender_ != p.sender_id) {
    last_sender_ = std::make_shared<const std::string>(std::move(p.sender_id));
  }
  StoredMessage& m = p.message;
  m.sender_id = last_sender_;
  m.seq = next_seq_++;
  m.sent = now;
  m.state = StoredMessage::State::kReady;
  auto [it, inserted] = messages_.emplace(m.seq, std::move(m));
  StoredMessage& stored = it->second;
  ++ready_count_;
  retention_.push({stored.sent, stored.seq, 0});
  if (delay > 0) {
    set_timed_locked(stored, StoredMessage::State::kDelayed, now + delay * kSecond);
  } else {
    ready_.push({static_cast<Millis>(stored.seq), stored.seq, stored.epoch});
  }
  return std::move(p.output);
}

std::vector<Result<SendOutput>> Queue::send_all(std::vector<SendInput> inputs) {
  std::vector<Result<SendOutput>> results;
  std::vector<Result<Prepared>> prepared;
  prepared.reserve(inputs.size());
  for (auto& in : inputs) prepared.push_back(prepare(std::move(in)));
  results.reserve(prepared.size());

  std::shared_ptr<Queue> dlq;
  Deferred deferred;
  {
    std::unique_lock lock(mu_);
    const Millis now = clock_.now_ms();
    for (auto& p : prepared) {
      results.push_back(p ? insert_locked(*p, now) : std::unexpected(std::move(p.error())));
    }
    serve_after_send(lock, dlq, deferred);
  }
  run(deferred, dlq);
  return results;
}

Result<SendOutput> Queue::send(SendInput input) {
  auto prepared = prepare(std::move(input));
  if (!prepared) return std::unexpected(std::move(prepared.error()));
  std::shared_ptr<Queue> dlq;
  Deferred deferred;
  Result<SendOutput> result;
  {
    std::unique_lock lock(mu_);
    result = insert_locked(*prepared, clock_.now_ms());
    serve_after_send(lock, dlq, deferred);
  }
  run(deferred, dlq);
  return result;
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
  rearm_locked(now);
}

void Queue::receive(ReceiveSpec spec, ReceiveCallback done) {
  auto dlq = dead_letter_target();
  Deferred deferred;
  std::vector<ReceivedMessage> got;
  bool parked = false;
  {
    std::lock_guard lock(mu_);
    const Millis now = clock_.now_ms();
    refresh_locked(now);
    got = take_locked(spec, now, dlq.get(), deferred);
    const int wait = spec.wait_seconds.value_or(config_.receive_message_wait_time_seconds);
    if (got.empty() && wait > 0 && !shut_down_) {
      waiters_.push_back(
          Waiter{next_waiter_id_++, std::move(spec), now + wait * kSecond, std::move(done)});
      rearm_locked(now);
      parked = true;
    }
  }
  run(deferred, dlq);
  if (!parked) done(std::move(got));  // NOLINT(bugprone-use-after-move): moved only when parked
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
  {
    std::lock_guard lock(mu_);
    const Millis now = clock_.now_ms();
    refresh_locked(now);
    StoredMessage* m = find_locked(*handle);
    if (m == nullptr) {
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("Value {} for parameter ReceiptHandle is invalid. Reason: Message "
                              "does not exist or is not available for visibility timeout change.",
                              receipt_handle));
    }
    if (m->state != StoredMessage::State::kInflight) {
      return fail(Errc::kMessageNotInflight, "The message referred to isn't in flight.");
    }
    const Millis until = now + static_cast<Millis>(timeout_seconds) * kSecond;
    if (until > m->last_receive + kMaxVisibilityTimeout * kSecond) {
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("Value {} for parameter VisibilityTimeout is invalid. Reason: Total "
                              "VisibilityTimeout for the message is beyond the limit [43200 "
                              "seconds]",
                              timeout_seconds));
    }
    if (timeout_seconds == 0) {
      make_ready_locked(*m);
      serve_waiters_locked(now, dlq.get(), deferred);
    } else {
      set_timed_locked(*m, StoredMessage::State::kInflight, until);
    }
    rearm_locked(now);
  }
  run(deferred, dlq);
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
  last_purge_ = now;
  messages_.clear();
  ready_ = MinHeap{};
  timed_ = MinHeap{};
  retention_ = MinHeap{};
  ready_count_ = inflight_count_ = delayed_count_ = 0;
  return Empty{};
}

void Queue::accept(std::vector<StoredMessage> messages) {
  Deferred deferred;
  std::shared_ptr<Queue> dlq;
  bool has_waiters;
  {
    std::lock_guard lock(mu_);
    for (auto& m : messages) {
      m.seq = next_seq_++;
      m.receive_count = 0;
      m.receipt_generation = 0;
      m.first_receive = 0;
      m.last_receive = 0;
      m.epoch = 0;
      m.state = StoredMessage::State::kReady;
      const std::uint64_t seq = m.seq;
      const Millis sent = m.sent;
      messages_.emplace(seq, std::move(m));
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
    rearm_locked(now);
  }
  run(deferred, dlq);
}

std::vector<StoredMessage> Queue::take_visible(std::size_t max) {
  std::lock_guard lock(mu_);
  refresh_locked(clock_.now_ms());
  std::vector<StoredMessage> out;
  while (out.size() < max && !ready_.empty()) {
    const IndexEntry e = ready_.top();
    ready_.pop();
    auto it = messages_.find(e.seq);
    if (it == messages_.end() || it->second.epoch != e.epoch ||
        it->second.state != StoredMessage::State::kReady) {
      continue;
    }
    --ready_count_;
    out.push_back(std::move(it->second));
    messages_.erase(it);
  }
  return out;
}

std::size_t Queue::approximate_visible() {
  std::lock_guard lock(mu_);
  refresh_locked(clock_.now_ms());
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
