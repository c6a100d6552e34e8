// The admin API's read-only view of queues: Queue::summary and Queue::peek, and the Queues
// calls that find the queue for them (declared in queue.hpp and queues.hpp).
#include <algorithm>
#include <limits>

#include "sqs/message_view.hpp"
#include "sqs/queue.hpp"
#include "sqs/queues.hpp"

namespace eb::sqs {
namespace {

PeekState peek_state(StoredMessage::State state) {
  switch (state) {
    case StoredMessage::State::kDelayed:
      return PeekState::kDelayed;
    case StoredMessage::State::kInflight:
      return PeekState::kInflight;
    case StoredMessage::State::kReady:
      break;
  }
  return PeekState::kVisible;
}

bool wanted(const PeekInput& input, StoredMessage::State state) {
  if (!input.visible && !input.inflight && !input.delayed) return true;
  switch (peek_state(state)) {
    case PeekState::kVisible:
      return input.visible;
    case PeekState::kInflight:
      return input.inflight;
    case PeekState::kDelayed:
      return input.delayed;
  }
  return false;
}

}  // namespace

QueueSummary Queue::summary() {
  std::lock_guard lock(mu_);
  const Millis now = clock_.now_ms();
  // What attributes() does: lazy time, and the retention erasures it stages.
  refresh_locked(now);
  Deferred unused;
  (void)commit_locked(unused);
  QueueSummary s;
  s.name = name_;
  s.arn = arn_;
  if (fifo_) {
    s.type = "fifo";
  } else {
    s.type = schedule_.groups() != nullptr ? "fair" : "standard";
  }
  s.visible = schedule_.ready_count();
  s.inflight = schedule_.inflight_count();
  s.delayed = schedule_.delayed_count();
  s.waiters = waiters_.size();
  if (auto oldest = schedule_.oldest_sent()) s.oldest_age = std::max<Millis>(0, now - *oldest);
  if (config_.redrive_policy) {
    s.dead_letter_target_arn = config_.redrive_policy->dead_letter_target_arn;
  }
  s.created = created_;
  return s;
}

Result<PeekPage> Queue::peek(const PeekInput& input) {
  const NameSelection all{.all = true};
  PeekPage page;
  std::vector<QueueRecords::Ref> refs;  // payloads to read, parallel to `unfilled`
  std::vector<std::size_t> unfilled;
  {
    std::lock_guard lock(mu_);
    refresh_locked(clock_.now_ms());
    Deferred unused;
    (void)commit_locked(unused);
    // One more than the page tells whether another page follows.
    const std::size_t limit =
        std::clamp<std::size_t>(input.limit, 1, std::numeric_limits<std::size_t>::max() - 1);
    std::vector<std::uint64_t> seqs = schedule_.seqs_after(
        input.after, [&](StoredMessage::State s) { return wanted(input, s); }, limit + 1);
    if (seqs.size() > limit) {
      seqs.pop_back();
      page.next = seqs.back();
    }
    page.messages.reserve(seqs.size());
    for (std::uint64_t seq : seqs) {
      const StoredMessage& m = *schedule_.find(seq);
      PeekedMessage& p = page.messages.emplace_back();
      p.seq = seq;
      p.state = peek_state(m.state);
      if (m.state != StoredMessage::State::kReady) p.visible_at = m.visible_at;
      describe_state(p.message, m, fifo_, all);
      if (m.payload) {
        describe_payload(p.message, *m.payload, all, all);
      } else {
        refs.push_back({uid_, seq});
        unfilled.push_back(page.messages.size() - 1);
      }
    }
  }
  if (refs.empty()) return page;
  EB_ASSIGN_OR_RETURN(auto payloads, records_.read_payloads(refs));
  std::vector<bool> gone(page.messages.size(), false);
  for (std::size_t k = 0; k < refs.size(); ++k) {
    if (payloads[k]) {
      describe_payload(page.messages[unfilled[k]].message, *payloads[k], all, all);
    } else {
      gone[unfilled[k]] = true;  // deleted or purged since the snapshot: not listed
    }
  }
  std::vector<PeekedMessage> kept;
  kept.reserve(page.messages.size());
  for (std::size_t i = 0; i < page.messages.size(); ++i) {
    if (!gone[i]) kept.push_back(std::move(page.messages[i]));
  }
  page.messages = std::move(kept);
  return page;
}

std::vector<QueueStats> Queues::queue_summaries(std::string_view prefix) const {
  std::vector<std::shared_ptr<Queue>> queues;
  for (const auto& [name, queue] : *snapshot()) {
    if (name.starts_with(prefix)) queues.push_back(queue);
  }
  std::vector<QueueStats> out;
  out.reserve(queues.size());
  for (const auto& queue : queues) out.push_back(queue->stats());
  std::sort(out.begin(), out.end(),
            [](const QueueStats& a, const QueueStats& b) { return a.queue.name < b.queue.name; });
  return out;
}

Result<QueueStats> Queues::queue_summary(const std::string& name) const {
  EB_ASSIGN_OR_RETURN(auto queue, require(name));
  return queue->stats();
}

Result<PeekPage> Queues::peek_messages(const std::string& name, const PeekInput& input) const {
  EB_ASSIGN_OR_RETURN(auto queue, require(name));
  return queue->peek(input);
}

}  // namespace eb::sqs
