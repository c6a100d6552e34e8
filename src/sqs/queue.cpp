#include "sqs/queue.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cstring>

#include "core/log.hpp"
#include "sqs/logged_write.hpp"
#include "sqs/message_view.hpp"
#include "sqs/queue_recovery.hpp"
#include "sqs/records.hpp"
#include "sqs/sequence_number.hpp"
#include "storage/keys.hpp"

namespace eb::sqs {
namespace {

constexpr Millis kSecond = 1000;
constexpr Millis kPurgeInterval = 60 * kSecond;

Error invalid_receipt_handle(std::string_view text) {
  return Error{Errc::kReceiptHandleIsInvalid,
               fmt::format("The input receipt handle \"{}\" is not a valid receipt handle.", text)};
}

}  // namespace

Queue::Queue(std::string name, std::string arn, std::uint64_t uid, QueueConfig config, TagMap tags,
             Millis created, const Clock& clock, Timers& timers, Resolver resolver,
             QueueStorage storage, DeadLetterNotify on_dead_letter)
    : name_(std::move(name)),
      arn_(std::move(arn)),
      uid_(uid),
      clock_(clock),
      timers_(timers),
      resolver_(std::move(resolver)),
      on_dead_letter_(std::move(on_dead_letter)),
      engine_(storage.engine),
      events_(storage.events),
      durable_(storage.engine.durable()),
      fifo_(config.fifo),
      config_(std::move(config)),
      tags_(std::move(tags)),
      created_(created),
      last_modified_(created),
      schedule_(fifo_),
      records_(storage.engine, uid_),
      dedup_(records_) {}

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

AttributeMap Queue::attributes(const std::vector<std::string>& names) {
  std::lock_guard lock(mu_);
  refresh_locked(clock_.now_ms());
  Deferred unused;
  (void)commit_locked(unused);  // only retention erasures: retried by the next operation
  AttributeMap all = config_.render();
  all["ApproximateNumberOfMessages"] = std::to_string(schedule_.ready_count());
  all["ApproximateNumberOfMessagesNotVisible"] = std::to_string(schedule_.inflight_count());
  all["ApproximateNumberOfMessagesDelayed"] = std::to_string(schedule_.delayed_count());
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

void Queue::erase_locked(std::uint64_t seq) {
  if (schedule_.erase(seq)) forget_locked(seq);
}

void Queue::forget_locked(std::uint64_t seq) {
  if (fifo_) attempts_.invalidate(seq);
  records_.erase_message(seq);
}

Result<void> Queue::commit_locked(Deferred& deferred) {
  std::vector<std::uint64_t> taken;
  taken.swap(taken_seqs_);
  auto written = records_.write();
  if (written) return written;
  // The receives of this operation could not be recorded: undo them, so the messages are
  // visible again at once rather than hidden behind a visibility timeout nobody knows of.
  for (std::uint64_t seq : taken) {
    StoredMessage* m = schedule_.find(seq);
    if (m == nullptr || m->state != StoredMessage::State::kInflight) continue;
    if (--m->receive_count == 0) m->first_receive = 0;
    schedule_.make_ready(*m);
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
  schedule_.expire(now, retention, [this](std::uint64_t seq) {
    forget_locked(seq);
    counters_.add(QueueCount::kExpired);
  });
  // A message whose delay or visibility timeout ended keeps a stored state saying so with a
  // past deadline, which a restart reads as visible: no write needed.
  schedule_.release_due(now);
}

Queue::Taken Queue::take_locked(const ReceiveSpec& spec, Millis now, const Queue* dlq,
                                Deferred& deferred) {
  Taken out;
  const RedrivePolicy* redrive = (dlq != nullptr && config_.redrive_policy &&
                                  config_.redrive_policy->dead_letter_target_arn == dlq->arn())
                                     ? &*config_.redrive_policy
                                     : nullptr;
  // A message this receive would take past maxReceiveCount goes to the DLQ instead. Its
  // records stay here until the DLQ's write moves them.
  auto exhausted = [&](const StoredMessage& m) {
    return redrive && m.receive_count >= static_cast<std::uint32_t>(redrive->max_receive_count);
  };
  auto dead_letter = [&](std::uint64_t seq) {
    deferred.dead_letter_arn = redrive->dead_letter_target_arn;
    deferred.dead_letters.push_back(MovedMessage{schedule_.extract_ready(seq), uid_, seq});
  };
  const auto max = static_cast<std::size_t>(spec.max_messages);
  if (FifoGroups* groups = schedule_.groups()) {
    // The index chooses (and marks in flight) whole runs of groups. A dead-lettered message
    // leaves its group, which may unlock it, so the receive asks again until it is full.
    const bool remember = fifo_ && !spec.attempt_id.empty();
    std::vector<AttemptMessage> listed;  // what a retry with this attempt id returns
    while (out.messages.size() < max) {
      const std::vector<std::uint64_t> seqs = groups->take(max - out.messages.size());
      if (seqs.empty()) break;
      for (std::uint64_t seq : seqs) {
        StoredMessage& m = *schedule_.find(seq);
        if (exhausted(m)) {
          dead_letter(seq);
          continue;
        }
        deliver_locked(m, spec, now, out);
        if (remember) listed.push_back({seq, m.receipt_generation});
      }
    }
    if (!listed.empty()) attempts_.remember(spec.attempt_id, std::move(listed), now);
    return out;
  }
  while (out.messages.size() < max) {
    StoredMessage* m = schedule_.pop_ready();
    if (m == nullptr) break;
    if (exhausted(*m)) {
      dead_letter(m->seq);
    } else {
      deliver_locked(*m, spec, now, out);
    }
  }
  return out;
}

void Queue::deliver_locked(StoredMessage& m, const ReceiveSpec& spec, Millis now, Taken& out) {
  const Millis visibility =
      static_cast<Millis>(spec.visibility_timeout.value_or(config_.visibility_timeout)) * kSecond;
  ++m.receive_count;
  ++m.receipt_generation;
  counters_.add(QueueCount::kReceived);
  if (m.receive_count > 1) counters_.add(QueueCount::kRedelivered);
  if (m.first_receive == 0) m.first_receive = now;
  m.last_receive = now;
  schedule_.set_timed(m, StoredMessage::State::kInflight, now + visibility);
  records_.put_state(m);
  taken_seqs_.push_back(m.seq);
  describe_locked(m, spec, out);
}

void Queue::describe_locked(const StoredMessage& m, const ReceiveSpec& spec, Taken& out) const {
  ReceivedMessage r;
  r.receipt_handle = encode_receipt_handle({uid_, m.seq, m.receipt_generation});
  describe_state(r, m, fifo_, spec.system_attributes);
  if (m.payload) {
    describe_payload(r, *m.payload, spec.system_attributes, spec.message_attributes);
  } else {
    out.unfilled.push_back(m.seq);
  }
  out.messages.push_back(std::move(r));
}

bool Queue::replay_attempt_locked(const ReceiveSpec& spec, Millis now, Taken& out) {
  const std::vector<AttemptMessage>* listed = attempts_.find(spec.attempt_id, now);
  if (listed == nullptr) return false;
  // Replayable while every message is still the one that receive handed out: same receipt
  // generation (nobody received it since), not deleted, visibility not changed (those
  // invalidate the attempt). A message whose visibility ran out meanwhile is taken again.
  for (const AttemptMessage& a : *listed) {
    const StoredMessage* m = schedule_.find(a.seq);
    if (m == nullptr || m->receipt_generation != a.generation ||
        m->state == StoredMessage::State::kDelayed) {
      attempts_.invalidate(a.seq);
      return false;
    }
  }
  const Millis visibility =
      static_cast<Millis>(spec.visibility_timeout.value_or(config_.visibility_timeout)) * kSecond;
  for (const AttemptMessage& a : *listed) {
    StoredMessage& m = *schedule_.find(a.seq);
    if (m.state == StoredMessage::State::kReady) schedule_.groups()->mark_in_flight(a.seq);
    schedule_.set_timed(m, StoredMessage::State::kInflight, now + visibility);
    records_.put_state(m);
    describe_locked(m, spec, out);
  }
  return true;
}

void Queue::serve_waiters_locked(Millis now, const Queue* dlq, Deferred& deferred) {
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    if (schedule_.ready_count() > 0) {
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
  if (auto due = schedule_.next_due()) next = std::min(next, *due);
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

Result<void> Queue::load_payloads(std::vector<MovedMessage>& moved) const {
  std::vector<QueueRecords::Ref> refs;
  std::vector<std::size_t> index;
  for (std::size_t i = 0; i < moved.size(); ++i) {
    if (moved[i].message.payload) continue;
    refs.push_back({moved[i].origin_uid, moved[i].origin_seq});
    index.push_back(i);
  }
  if (refs.empty()) return {};
  EB_ASSIGN_OR_RETURN(auto payloads, records_.read_payloads(refs));
  for (std::size_t k = 0; k < refs.size(); ++k) {
    moved[index[k]].message.payload = std::move(payloads[k]);
  }
  // Purged or deleted meanwhile: nothing to move.
  std::erase_if(moved, [](const MovedMessage& m) { return !m.message.payload; });
  return {};
}

Result<std::vector<ReceivedMessage>> Queue::fill(Taken taken, const NameSelection& system,
                                                 const NameSelection& user) const {
  if (taken.unfilled.empty()) return std::move(taken.messages);
  std::vector<QueueRecords::Ref> refs;
  refs.reserve(taken.unfilled.size());
  for (std::uint64_t seq : taken.unfilled) refs.push_back({uid_, seq});
  EB_ASSIGN_OR_RETURN(auto payloads, records_.read_payloads(refs));
  std::vector<ReceivedMessage> out;
  out.reserve(refs.size());
  for (std::size_t i = 0; i < refs.size(); ++i) {
    // A message purged or expired between the take and this read is simply not returned.
    if (!payloads[i]) continue;
    describe_payload(taken.messages[i], *payloads[i], system, user);
    out.push_back(std::move(taken.messages[i]));
  }
  return out;
}

void Queue::run(Deferred& deferred, const std::shared_ptr<Queue>& dlq) {
  if (!deferred.dead_letters.empty()) {
    // take_locked only moves messages when `dlq` was resolved, so it is non-null here.
    (void)load_payloads(deferred.dead_letters);
    // A payload that could not be read is not moved: its records stay at the origin, where a
    // restart finds it.
    std::erase_if(deferred.dead_letters, [](const MovedMessage& m) { return !m.message.payload; });
    for (auto& m : deferred.dead_letters) m.message.payload->extra().dead_letter_source_arn = arn_;
    counters_.add(QueueCount::kDeadLettered, deferred.dead_letters.size());
    log_dead_letters(deferred.dead_letters, *dlq);
    std::vector<DeadLetterArrival> arrivals;
    if (on_dead_letter_) {
      // Described before accept(), which resets the receive count and may drop the payload.
      const Millis now = clock_.now_ms();
      for (const auto& m : deferred.dead_letters) {
        arrivals.push_back(describe_dead_letter(m.message, *dlq, now));
      }
    }
    dlq->accept(std::move(deferred.dead_letters), Arrival::kDeadLetter);
    for (const auto& arrival : arrivals) on_dead_letter_(arrival);
  }
  for (auto& c : deferred.completions) {
    if (c.error) {
      c.done(std::unexpected(std::move(*c.error)));
    } else {
      c.done(counted(fill(std::move(c.taken), c.system_attributes, c.message_attributes)));
    }
  }
}

void Queue::log_dead_letters(const std::vector<MovedMessage>& moved, const Queue& dlq) const {
  if (!log::enabled(log::Level::kInfo)) return;
  for (const auto& m : moved) {
    const Payload& p = *m.message.payload;
    const std::string id = uuid_text(p.id);
    log::info(
        "message moved to dead-letter queue",
        {{"queue", dlq.name()}, {"sourceQueue", name_}, {"receiveCount", m.message.receive_count}},
        log::MessageRef{id, p.body, p.extras ? &p.extras->attributes : nullptr});
  }
}

DeadLetterArrival Queue::describe_dead_letter(const StoredMessage& m, const Queue& dlq,
                                              Millis now) const {
  DeadLetterArrival a;
  a.queue = dlq.name();
  a.queue_arn = dlq.arn();
  a.source_queue = name_;
  a.source_arn = arn_;
  a.message_id = uuid_text(m.payload->id);
  a.receive_count = m.receive_count;
  if (m.payload->extras) {
    const auto& attributes = m.payload->extras->attributes;
    if (auto it = attributes.find("eventType");
        it != attributes.end() && it->second.data_type.starts_with("String")) {
      a.event_type = it->second.string_value;
    }
  }
  const std::string& body = m.payload->body;
  std::size_t n = std::min(body.size(), DeadLetterArrival::kMaxBodyPreview);
  // Never cut a UTF-8 character in two: back up over continuation bytes.
  while (n < body.size() && n > 0 && (static_cast<unsigned char>(body[n]) & 0xC0) == 0x80) --n;
  a.body_preview = body.substr(0, n);
  a.at = now;
  return a;
}

std::uint64_t Queue::take_seq_locked() {
  const std::uint64_t seq = next_seq_++;
  records_.claim_seq(seq);
  return seq;
}

Result<void> Queue::stage_locked(PreparedSend& p, Millis now) {
  if (p.size > static_cast<std::size_t>(config_.maximum_message_size)) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("One or more parameters are invalid. Reason: Message must be "
                            "shorter than {} bytes.",
                            config_.maximum_message_size));
  }
  StoredMessage& m = p.message;
  if (fifo_) {
    if (!p.explicit_dedup && !config_.content_based_deduplication) {
      return fail(Errc::kInvalidParameterValue,
                  "The queue should either have ContentBasedDeduplication enabled or "
                  "MessageDeduplicationId provided explicitly");
    }
    const DedupScope scope = config_.deduplication_scope == "messageGroup"
                                 ? DedupScope::kMessageGroup
                                 : DedupScope::kQueue;
    if (dedup_.find_original(p, scope, now)) return {};
  }
  if (!last_sender_ || *last_sender_ != p.sender_id) {
    last_sender_ = std::make_shared<const std::string>(std::move(p.sender_id));
  }
  m.payload->sender_id = last_sender_;
  m.seq = take_seq_locked();
  const int delay = fifo_ ? config_.delay_seconds : p.delay_seconds.value_or(config_.delay_seconds);
  m.state = delay > 0 ? StoredMessage::State::kDelayed : StoredMessage::State::kReady;
  m.visible_at = delay > 0 ? now + delay * kSecond : 0;
  records_.put_message(m.seq, std::move(p.record));
  if (delay > 0) records_.put_state(m);
  if (fifo_) {
    p.output.sequence_number = sequence_number_text(m.seq);
    dedup_.enter(p, m);
  }
  return {};
}

void Queue::insert_locked(PreparedSend& p) {
  StoredMessage& m = p.message;
  if (durable_) m.payload.reset();  // the store has it; receives read it back
  schedule_.enter(std::move(m), p.group_id);
}

Queue::StagedSends Queue::stage_sends(std::vector<SendInput> inputs, storage::Batch& batch) {
  StagedSends sends;
  sends.prepared.reserve(inputs.size());
  for (auto& in : inputs)
    sends.prepared.push_back(prepare_send(std::move(in), {fifo_, durable_}, clock_.now_ms()));
  sends.staged.resize(sends.prepared.size());

  // Phase 1, locked: seqs and records. The write itself happens without mu_, so concurrent
  // senders share RocksDB's write group instead of queueing on this lock; nobody can act on
  // a message before phase 2 inserts it, so its records cannot race with its later changes.
  // FIFO sends take a ticket and note which earlier sends phase 2 must wait for (StagedSends).
  std::lock_guard lock(mu_);
  const Millis now = clock_.now_ms();
  if (fifo_) {
    sends.ticket = turns_.open();
    dedup_.expire(now);
  }
  bool waits_for_all = false;
  for (std::size_t i = 0; i < sends.prepared.size(); ++i) {
    if (!sends.prepared[i]) continue;
    PreparedSend& p = *sends.prepared[i];
    sends.staged[i] = stage_locked(p, now);
    if (!fifo_ || !sends.staged[i]) continue;
    if (p.duplicate) {
      waits_for_all |= p.original_pending;
      continue;
    }
    turns_.claim_group(sends.ticket, p.group_id, sends.after);
  }
  if (waits_for_all) turns_.wait_for_all_earlier(sends.ticket, sends.after);
  records_.move_into(batch);
  return sends;
}

std::vector<Result<SendOutput>> Queue::finish_sends(StagedSends sends,
                                                    const Result<void>& written) {
  auto& prepared = sends.prepared;
  auto& staged = sends.staged;
  // Phase 2, locked: the messages become visible and parked receives are served.
  std::shared_ptr<Queue> dlq;
  Deferred deferred;
  {
    std::unique_lock lock(mu_);
    if (fifo_) {
      turns_.wait(lock, sends.after);
    }
    if (!written) records_.write_failed();
    for (std::size_t i = 0; i < prepared.size(); ++i) {
      if (!prepared[i] || !staged[i] || prepared[i]->duplicate) continue;
      PreparedSend& p = *prepared[i];
      if (fifo_) dedup_.settle(p, written.has_value());
      if (!written) {
        staged[i] = std::unexpected(written.error());
      } else {
        counters_.add(QueueCount::kSent);
        counters_.add(QueueCount::kSentBytes, p.size);
        // A purge between the phases removed it (on disk too, by its erase range).
        if (p.message.seq >= purge_floor_) insert_locked(p);
      }
    }
    // Duplicates after the originals of this same batch were settled above.
    const Millis now = clock_.now_ms();
    for (std::size_t i = 0; i < prepared.size(); ++i) {
      if (!prepared[i] || !staged[i] || !prepared[i]->duplicate) continue;
      if (!written) {
        staged[i] = std::unexpected(written.error());
        continue;
      }
      if (prepared[i]->original_pending) {
        staged[i] = dedup_.settle_duplicate(*prepared[i], now);
      }
      if (staged[i]) counters_.add(QueueCount::kDeduplicated);
    }
    if (fifo_) {
      for (const auto& p : prepared) {
        if (p && !p->duplicate) turns_.release_group(sends.ticket, p->group_id);
      }
      turns_.close(sends.ticket, schedule_);
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
  LoggedWrite write(engine_, events_);
  StagedSends sends = write.stage(*this, std::move(inputs));
  if (write.logging()) {
    write.reserve_log(sends.prepared.size());
    for (std::size_t i = 0; i < sends.prepared.size(); ++i) {
      if (!sends.prepared[i] || !sends.staged[i] || sends.prepared[i]->duplicate) continue;
      const StoredMessage& m = sends.prepared[i]->message;
      const MessageExtras* extras = m.payload->extras.get();
      write.log({.source_arn = arn_,
                 .message_id = sends.prepared[i]->output.message_id,
                 .body = m.payload->body,
                 .attributes = extras ? &extras->attributes : nullptr,
                 .timestamp = m.sent,
                 .group_id = extras ? std::string_view(extras->group_id) : "",
                 .deduplication_id = extras ? std::string_view(extras->deduplication_id) : ""});
    }
  }
  (void)write.commit();  // finish() reports a failed write for every message
  return write.finish(*this, std::move(sends));
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
  Result<void> written;
  {
    std::lock_guard lock(mu_);
    const Millis now = clock_.now_ms();
    refresh_locked(now);
    if (!fifo_ || spec.attempt_id.empty() || !replay_attempt_locked(spec, now, got)) {
      got = take_locked(spec, now, dlq.get(), deferred);
    }
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
  done(counted(fill(std::move(got), spec.system_attributes, spec.message_attributes)));
  // NOLINTEND(bugprone-use-after-move)
}

StoredMessage* Queue::find_locked(const ReceiptHandle& handle) {
  StoredMessage* m = schedule_.find(handle.seq);
  return m != nullptr && m->receipt_generation == handle.generation ? m : nullptr;
}

Result<void> Queue::delete_message(const std::string& receipt_handle) {
  return std::move(delete_messages({receipt_handle}).front());
}

std::vector<Result<void>> Queue::delete_messages(const std::vector<std::string>& receipt_handles) {
  std::vector<Result<void>> results;
  results.reserve(receipt_handles.size());
  std::shared_ptr<Queue> dlq;
  Deferred deferred;
  {
    std::unique_lock lock(mu_);
    for (const std::string& receipt_handle : receipt_handles) {
      auto handle = decode_receipt_handle_of(receipt_handle, uid_);
      if (!handle) {
        results.emplace_back(std::unexpected(invalid_receipt_handle(receipt_handle)));
        continue;
      }
      // A handle whose message is gone, or that a newer receive superseded, succeeds without
      // deleting anything, as AWS documents.
      if (find_locked(*handle) != nullptr) {
        erase_locked(handle->seq);
        counters_.add(QueueCount::kDeleted);
      }
      results.emplace_back();
    }
    if (auto written = commit_locked(deferred); !written) {
      for (auto& r : results) {
        if (r) r = std::unexpected(written.error());
      }
      return results;
    }
    // Deleting a FIFO message may unlock its group for a receive that is waiting.
    if (fifo_) serve_after_send(lock, dlq, deferred);
  }
  run(deferred, dlq);
  return results;
}

Result<void> Queue::change_visibility(const std::string& receipt_handle, int timeout_seconds) {
  if (timeout_seconds < 0 || timeout_seconds > kMaxVisibilityTimeout) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("Value {} for parameter VisibilityTimeout is invalid. Reason: Must be "
                            "between 0 and 43200, if provided.",
                            timeout_seconds));
  }
  auto handle = decode_receipt_handle_of(receipt_handle, uid_);
  if (!handle) return std::unexpected(invalid_receipt_handle(receipt_handle));
  auto dlq = dead_letter_target();
  Deferred deferred;
  Result<void> written;
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
    if (fifo_) attempts_.invalidate(m->seq);
    if (timeout_seconds == 0) {
      schedule_.make_ready(*m);
      records_.put_state(*m);
      serve_waiters_locked(now, dlq.get(), deferred);
    } else {
      schedule_.set_timed(*m, StoredMessage::State::kInflight, until);
      records_.put_state(*m);
    }
    written = commit_locked(deferred);
    rearm_locked(now);
  }
  run(deferred, dlq);
  return written;
}

Result<void> Queue::purge() {
  std::lock_guard lock(mu_);
  const Millis now = clock_.now_ms();
  if (last_purge_ != 0 && now - last_purge_ < kPurgeInterval) {
    return fail(
        Errc::kPurgeQueueInProgress,
        fmt::format("Only one PurgeQueue operation on {} is allowed every 60 seconds.", name_));
  }
  records_.erase_all_messages();
  Deferred unused;
  EB_TRY(commit_locked(unused));
  last_purge_ = now;
  purge_floor_ = next_seq_;
  counters_.add(QueueCount::kPurged,
                schedule_.ready_count() + schedule_.inflight_count() + schedule_.delayed_count());
  schedule_.clear();
  turns_.drop_held();
  return {};
}

void Queue::accept(std::vector<MovedMessage> messages, Arrival arrival) {
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
      moved.group = m.payload->group_id();
      if (arrival == Arrival::kRedrive) {
        // A redriven message is a new message (AWS: new MessageId and enqueue time).
        m.payload->id = random_uuid_bytes();
        m.sent = clock_.now_ms();
      } else if (arrival == Arrival::kDeadLetter && fifo_) {
        // A FIFO dead letter's deduplication id becomes its MessageId, and its retention
        // starts again from the move.
        m.payload->extra().deduplication_id = uuid_text(m.payload->id);
        m.sent = clock_.now_ms();
      }
      // The move is one write: the message appears here and leaves its origin together.
      records_.put_moved(m, moved.origin_uid, moved.origin_seq);
      if (durable_) m.payload.reset();
    }
    // On a failed write the messages stay in this queue's memory (their records are still at
    // the origin, where a restart finds them): nothing is dropped either way.
    (void)commit_locked(deferred);
    for (auto& moved : messages) {
      if (turns_.writing()) {
        // FIFO sends staged lower seqs and have not inserted them yet: go in after them.
        turns_.hold(std::move(moved.message), std::move(moved.group));
      } else {
        schedule_.enter(std::move(moved.message), moved.group);
      }
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
    auto move_out = [&](std::uint64_t seq) {
      out.push_back(MovedMessage{schedule_.extract_ready(seq), uid_, seq});
    };
    if (FifoGroups* groups = schedule_.groups()) {
      // Whole runs of each available group, in order, so the destination keeps group order.
      while (out.size() < max) {
        const std::vector<std::uint64_t> seqs = groups->take(max - out.size());
        if (seqs.empty()) break;
        for (std::uint64_t seq : seqs) move_out(seq);
      }
    } else {
      while (out.size() < max) {
        StoredMessage* m = schedule_.pop_ready();
        if (m == nullptr) break;
        move_out(m->seq);
      }
    }
  }
  (void)load_payloads(out);
  counters_.add(QueueCount::kMovedOut, out.size());
  return out;
}

Result<std::vector<ReceivedMessage>> Queue::counted(Result<std::vector<ReceivedMessage>> received) {
  if (received && received->empty()) counters_.add(QueueCount::kEmptyReceives);
  return received;
}

QueueStats Queue::stats() {
  QueueStats s{.queue = summary()};
  s.counts = counters_.read();
  return s;
}

std::size_t Queue::approximate_visible() {
  std::lock_guard lock(mu_);
  refresh_locked(clock_.now_ms());
  Deferred unused;
  (void)commit_locked(unused);
  return schedule_.ready_count();
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

}  // namespace eb::sqs
