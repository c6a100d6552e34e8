#pragma once
// The scheduling state of one queue's messages (ADR 0001, 0003): the messages by seq; what a
// receive takes next (the `ready` heap by seq, or on FIFO and fair queues the FifoGroups index);
// what becomes visible later (`timed`: delayed and in-flight messages by visible-at); retention
// order by sent time; and the counts GetQueueAttributes reports. Heap entries carry the
// message's epoch at insertion and a state change bumps it, so stale entries are skipped when
// popped instead of searched for.
//
// Pure in-memory work: no lock, no storage, no clock, no timer; time comes in as arguments.
// Owned by one Queue, whose mutex guards every call; tests drive it directly.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "sqs/fifo_groups.hpp"
#include "sqs/message.hpp"

namespace eb::sqs {

class MessageSchedule {
 public:
  using State = StoredMessage::State;
  struct IndexEntry {
    Millis when;  // visible_at for timed entries, sent for retention, seq for ready order
    std::uint64_t seq;
    std::uint32_t epoch;
    bool operator>(const IndexEntry& o) const {
      return when != o.when ? when > o.when : seq > o.seq;
    }
  };
  using MinHeap = std::priority_queue<IndexEntry, std::vector<IndexEntry>, std::greater<>>;
  using GroupsBySeq = std::unordered_map<std::uint64_t, std::string>;

  // A FIFO queue schedules through a kFifo group index from the start; a standard queue through
  // the ready heap until its first MessageGroupId (then a kFair index: a fair queue).
  explicit MessageSchedule(bool fifo);

  std::size_t ready_count() const { return ready_count_; }
  std::size_t inflight_count() const { return inflight_count_; }
  std::size_t delayed_count() const { return delayed_count_; }
  // The group index receives take from; null on a standard queue that never saw a group.
  FifoGroups* groups() { return groups_.get(); }

  StoredMessage* find(std::uint64_t seq) {
    auto it = messages_.find(seq);
    return it == messages_.end() ? nullptr : &it->second;
  }

  // A message enters the queue (send, redrive, move), kReady or kDelayed until visible_at,
  // with its group (empty: none).
  void enter(StoredMessage&& message, const std::string& group);
  // A delayed or in-flight message becomes visible.
  void make_ready(StoredMessage& m) {
    --count_for(m.state);
    m.state = State::kReady;
    ++ready_count_;
    ++m.epoch;
    if (!groups_) {
      ready_.push({static_cast<Millis>(m.seq), m.seq, m.epoch});
    } else if (!groups_->make_visible(m.seq)) {
      // Not in the index yet: it was delayed until now.
      groups_->add(m.seq, first_group(m.seq));
    }
  }
  // The message is hidden (kInflight or kDelayed) until `visible_at`.
  void set_timed(StoredMessage& m, State state, Millis visible_at) {
    --count_for(m.state);
    m.state = state;
    ++count_for(state);
    m.visible_at = visible_at;
    ++m.epoch;
    timed_.push({visible_at, m.seq, m.epoch});
  }
  // The oldest ready message of a queue without a group index (which takes through groups()),
  // skipping stale entries; null when there is none. It stays kReady: the caller delivers it.
  StoredMessage* pop_ready() {
    while (!ready_.empty()) {
      const IndexEntry e = ready_.top();
      ready_.pop();
      auto it = messages_.find(e.seq);
      if (it != messages_.end() && it->second.epoch == e.epoch &&
          it->second.state == State::kReady) {
        return &it->second;
      }
    }
    return nullptr;
  }
  // Removes a ready (or just taken from groups()) message and hands it over: a dead letter, a
  // move task's message.
  StoredMessage extract_ready(std::uint64_t seq);
  // Removes a message in any state; false when there is none.
  bool erase(std::uint64_t seq);
  // Erases every message sent `retention` or longer before `now`, calling on_erased(seq) after
  // each (the queue drops its records).
  template <class OnErased>
  void expire(Millis now, Millis retention, OnErased&& on_erased) {
    while (!retention_.empty()) {
      const IndexEntry e = retention_.top();
      if (!messages_.contains(e.seq)) {
        retention_.pop();
        continue;
      }
      if (e.when + retention > now) break;
      retention_.pop();
      erase(e.seq);
      on_erased(e.seq);
    }
  }
  // The send time of the oldest message (any state), dropping stale retention entries on the
  // way; nullopt when the queue is empty.
  std::optional<Millis> oldest_sent() {
    while (!retention_.empty()) {
      if (messages_.contains(retention_.top().seq)) return retention_.top().when;
      retention_.pop();
    }
    return std::nullopt;
  }
  // Makes every delayed or in-flight message whose time has come visible.
  void release_due(Millis now);
  // When the next delayed or in-flight message becomes visible (possibly a stale entry's time).
  std::optional<Millis> next_due() const {
    if (timed_.empty()) return std::nullopt;
    return timed_.top().when;
  }
  // The seqs above `after` of the messages whose state `wanted(state)` accepts, lowest first, at
  // most `max` of them (peek: reads only).
  template <class Wanted>
  std::vector<std::uint64_t> seqs_after(std::uint64_t after, Wanted&& wanted,
                                        std::size_t max) const {
    std::vector<std::uint64_t> seqs;
    for (const auto& [seq, m] : messages_) {
      if (seq > after && wanted(m.state)) seqs.push_back(seq);
    }
    const auto end = seqs.begin() + static_cast<std::ptrdiff_t>(std::min(max, seqs.size()));
    std::partial_sort(seqs.begin(), end, seqs.end());
    seqs.erase(end, seqs.end());
    return seqs;
  }
  // Forgets every message (purge); a group index keeps its mode.
  void clear();

  // Recovery: load() each message as sent (kReady), then set_timed() those a state record
  // hides, then finish_load() with every message's retention entry and the groups of those
  // that have one. Heaps are built in one O(n) heapify rather than n pushes.
  void load(StoredMessage&& m) {
    ++ready_count_;
    messages_.emplace(m.seq, std::move(m));
  }
  void finish_load(std::vector<IndexEntry> retention, GroupsBySeq groups);

 private:
  std::size_t& count_for(State state) {
    switch (state) {
      case State::kDelayed:
        return delayed_count_;
      case State::kInflight:
        return inflight_count_;
      case State::kReady:
        break;
    }
    return ready_count_;
  }
  // The group of a message becoming ready for the first time (delayed until now).
  std::string first_group(std::uint64_t seq);
  // Makes this standard queue a fair queue: its ready messages move into a kFair group index.
  void use_groups();

  std::unordered_map<std::uint64_t, StoredMessage> messages_;
  MinHeap ready_;      // when = seq: oldest first
  MinHeap timed_;      // delayed and in-flight messages by the time they become visible
  MinHeap retention_;  // by sent time
  std::size_t ready_count_ = 0;
  std::size_t inflight_count_ = 0;
  std::size_t delayed_count_ = 0;
  // FIFO queues, and standard queues once a message had a MessageGroupId (fair queues): the
  // index a receive takes from instead of ready_. Null for plain standard queues.
  std::unique_ptr<FifoGroups> groups_;
  GroupsBySeq delayed_groups_;  // groups of delayed messages, until they become ready
};

// The group a fair queue gives a message sent without MessageGroupId: a group of its own, as
// AWS treats such messages. '\x01' cannot occur in a MessageGroupId.
std::string groupless(std::uint64_t seq);

}  // namespace eb::sqs
