#include "sqs/message_schedule.hpp"

#include <fmt/format.h>

namespace eb::sqs {

std::string groupless(std::uint64_t seq) { return fmt::format("\x01{}", seq); }

const std::string& Payload::dead_letter_source_arn() const {
  static const std::string none;
  return extras ? extras->dead_letter_source_arn : none;
}

const std::string& Payload::group_id() const {
  static const std::string none;
  return extras ? extras->group_id : none;
}

MessageSchedule::MessageSchedule(bool fifo) {
  if (fifo) groups_ = std::make_unique<FifoGroups>(FifoGroups::Mode::kFifo);
}

void MessageSchedule::enter(StoredMessage&& message, const std::string& group) {
  if (!group.empty() && !groups_) use_groups();
  const State state = message.state;
  const Millis visible_at = message.visible_at;
  message.state = State::kReady;
  auto [it, inserted] = messages_.emplace(message.seq, std::move(message));
  StoredMessage& stored = it->second;
  ++ready_count_;
  retention_.push({stored.sent, stored.seq, 0});
  if (state == State::kDelayed) {
    if (groups_ && !group.empty()) delayed_groups_.emplace(stored.seq, group);
    set_timed(stored, State::kDelayed, visible_at);
  } else if (groups_) {
    groups_->add(stored.seq, group.empty() ? std::string_view(groupless(stored.seq)) : group);
  } else {
    ready_.push({static_cast<Millis>(stored.seq), stored.seq, 0});
  }
}

void MessageSchedule::use_groups() {
  // The first MessageGroupId on a standard queue: from now on it is a fair queue. Messages
  // already ready enter as groups of one; delayed and in-flight ones get theirs when they
  // become ready (first_group).
  groups_ = std::make_unique<FifoGroups>(FifoGroups::Mode::kFair);
  for (StoredMessage* m = pop_ready(); m != nullptr; m = pop_ready()) {
    groups_->add(m->seq, groupless(m->seq));
  }
}

std::string MessageSchedule::first_group(std::uint64_t seq) {
  auto it = delayed_groups_.find(seq);
  if (it == delayed_groups_.end()) return groupless(seq);
  std::string group = std::move(it->second);
  delayed_groups_.erase(it);
  return group;
}

StoredMessage MessageSchedule::extract_ready(std::uint64_t seq) {
  auto it = messages_.find(seq);
  if (groups_) groups_->remove(seq);
  --count_for(it->second.state);
  StoredMessage m = std::move(it->second);
  messages_.erase(it);
  return m;
}

bool MessageSchedule::erase(std::uint64_t seq) {
  auto it = messages_.find(seq);
  if (it == messages_.end()) return false;
  --count_for(it->second.state);
  messages_.erase(it);
  if (groups_) {
    groups_->remove(seq);
    if (!delayed_groups_.empty()) delayed_groups_.erase(seq);
  }
  return true;
}

void MessageSchedule::release_due(Millis now) {
  while (!timed_.empty() && timed_.top().when <= now) {
    const IndexEntry e = timed_.top();
    timed_.pop();
    auto it = messages_.find(e.seq);
    if (it == messages_.end() || it->second.epoch != e.epoch || it->second.state == State::kReady) {
      continue;
    }
    make_ready(it->second);
  }
}

void MessageSchedule::clear() {
  messages_.clear();
  if (groups_) groups_ = std::make_unique<FifoGroups>(groups_->mode());
  delayed_groups_.clear();
  ready_ = MinHeap{};
  timed_ = MinHeap{};
  retention_ = MinHeap{};
  ready_count_ = inflight_count_ = delayed_count_ = 0;
}

void MessageSchedule::finish_load(std::vector<IndexEntry> retention, GroupsBySeq groups) {
  if (!groups.empty() && !groups_) groups_ = std::make_unique<FifoGroups>(FifoGroups::Mode::kFair);
  if (groups_) {
    // Each group's order is its seqs' order, whatever order they are added in; a message in
    // flight before the restart keeps its group locked until its visibility timeout ends.
    for (auto& [seq, m] : messages_) {
      auto g = groups.find(seq);
      std::string group = g != groups.end() ? std::move(g->second) : groupless(seq);
      if (m.state == State::kDelayed) {
        delayed_groups_.emplace(seq, std::move(group));
        continue;
      }
      groups_->add(seq, group);
      if (m.state == State::kInflight) groups_->mark_in_flight(seq);
    }
  } else {
    std::vector<IndexEntry> ready;
    ready.reserve(ready_count_);
    for (auto& [seq, m] : messages_) {
      if (m.state == State::kReady) ready.push_back({static_cast<Millis>(seq), seq, m.epoch});
    }
    ready_ = MinHeap(std::greater<>{}, std::move(ready));
  }
  retention_ = MinHeap(std::greater<>{}, std::move(retention));
}

}  // namespace eb::sqs
