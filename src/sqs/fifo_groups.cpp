#include "sqs/fifo_groups.hpp"

#include <algorithm>

namespace eb::sqs {

bool FifoGroups::add(std::uint64_t seq, std::string_view group) {
  auto [it, inserted] = messages_.try_emplace(seq, Message{nullptr, false});
  if (!inserted) return false;
  Group& g = group_for(group);
  it->second.group = &g;
  // Sends append (seqs grow), so the hint makes the common insert O(1).
  g.visible.emplace_hint(g.visible.end(), seq);
  ++visible_;
  reindex(g);
  return true;
}

std::vector<std::uint64_t> FifoGroups::take(std::size_t max) {
  std::vector<std::uint64_t> out;
  out.reserve(std::min(max, visible_));
  if (mode_ == Mode::kFifo) {
    take_fifo(max, out);
  } else {
    take_fair(max, out);
  }
  return out;
}

// Whole runs of one group, in order: the group with the oldest head first, then the next.
// A group taken from is in flight afterwards, so it leaves available_ and is not revisited.
void FifoGroups::take_fifo(std::size_t max, std::vector<std::uint64_t>& out) {
  while (out.size() < max && !available_.empty()) {
    Group& g = *available_.begin()->second;
    while (out.size() < max && !g.visible.empty()) {
      const std::uint64_t seq = *g.visible.begin();
      to_flight(messages_.at(seq), seq);
      out.push_back(seq);
    }
    reindex(g);
  }
}

// One message at a time from the least loaded, least recently served group.
void FifoGroups::take_fair(std::size_t max, std::vector<std::uint64_t>& out) {
  while (out.size() < max && !available_.empty()) {
    Group& g = *available_.begin()->second;
    const std::uint64_t seq = *g.visible.begin();
    to_flight(messages_.at(seq), seq);
    g.last_served = ++serve_clock_;
    out.push_back(seq);
    reindex(g);
  }
}

bool FifoGroups::mark_in_flight(std::uint64_t seq) {
  auto it = messages_.find(seq);
  if (it == messages_.end() || it->second.in_flight) return false;
  to_flight(it->second, seq);
  reindex(*it->second.group);
  return true;
}

bool FifoGroups::make_visible(std::uint64_t seq) {
  auto it = messages_.find(seq);
  if (it == messages_.end() || !it->second.in_flight) return false;
  Message& m = it->second;
  m.in_flight = false;
  --m.group->in_flight;
  --in_flight_;
  m.group->visible.insert(seq);
  ++visible_;
  reindex(*m.group);
  return true;
}

bool FifoGroups::remove(std::uint64_t seq) {
  auto it = messages_.find(seq);
  if (it == messages_.end()) return false;
  Group& g = *it->second.group;
  if (it->second.in_flight) {
    --g.in_flight;
    --in_flight_;
  } else {
    g.visible.erase(seq);
    --visible_;
  }
  messages_.erase(it);
  reindex(g);
  drop_if_empty(g);
  return true;
}

bool FifoGroups::in_flight(std::uint64_t seq) const {
  auto it = messages_.find(seq);
  return it != messages_.end() && it->second.in_flight;
}

const std::string* FifoGroups::group_of(std::uint64_t seq) const {
  auto it = messages_.find(seq);
  return it == messages_.end() ? nullptr : &it->second.group->name;
}

FifoGroups::Group& FifoGroups::group_for(std::string_view name) {
  auto [it, created] = groups_.try_emplace(std::string(name));
  if (created) {
    it->second.name = it->first;
    // A new group counts as served just now, so it queues behind groups already waiting
    // with the same load rather than jumping ahead of them.
    it->second.last_served = ++serve_clock_;
  }
  return it->second;
}

bool FifoGroups::eligible(const Group& g) const {
  if (g.visible.empty()) return false;
  return mode_ == Mode::kFair || g.in_flight == 0;
}

FifoGroups::Key FifoGroups::key_of(const Group& g) const {
  if (mode_ == Mode::kFifo) return {*g.visible.begin(), 0};
  return {g.in_flight, g.last_served};
}

void FifoGroups::reindex(Group& g) {
  if (!eligible(g)) {
    unindex(g);
    return;
  }
  const Key key = key_of(g);
  if (g.indexed && g.key == key) return;
  unindex(g);
  available_.emplace(key, &g);
  g.key = key;
  g.indexed = true;
}

void FifoGroups::unindex(Group& g) {
  if (!g.indexed) return;
  available_.erase(g.key);
  g.indexed = false;
}

void FifoGroups::drop_if_empty(Group& g) {
  if (!g.visible.empty() || g.in_flight != 0) return;
  unindex(g);
  // By iterator: erasing by g.name would pass a key that lives in the node being destroyed.
  groups_.erase(groups_.find(g.name));
}

void FifoGroups::to_flight(Message& m, std::uint64_t seq) {
  m.group->visible.erase(seq);
  --visible_;
  m.in_flight = true;
  ++m.group->in_flight;
  ++in_flight_;
}

}  // namespace eb::sqs
