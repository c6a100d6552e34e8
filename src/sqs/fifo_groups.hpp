#pragma once
// The scheduling index of a queue whose messages carry a MessageGroupId: which visible
// messages a receive may take, in which order. It knows messages only by the queue's
// per-message seq (assigned in send order) and their group; times, payloads and records stay
// in Queue. Owned by one Queue and called only with that queue's lock held (not thread-safe).
//
// Two modes:
// - kFifo (FIFO queues). Within a group, messages are delivered strictly in seq order, and
//   while any message of a group is in flight no other message of that group is delivered
//   (AWS "FIFO queue delivery logic": a receive returns as many messages of one group as it
//   can, in order; later receives get nothing more from that group until the received ones
//   are deleted or visible again). A receive serves the available group whose head (oldest
//   visible message) is oldest, takes as many of its messages as fit, then the next such
//   group. "First available group" is not defined further by AWS; oldest head first keeps
//   the queue as a whole close to send order and cannot starve a group: every other group's
//   head is younger, so a group waits at most until the ones ahead of it are served.
// - kFair (standard queues with MessageGroupId, AWS "fair queues"). No in-flight blocking;
//   each message is taken from the group with the fewest messages in flight, ties going to
//   the group served least recently. With equal consumers this is round-robin; a noisy group
//   with many messages in flight yields to quiet ones, as AWS describes (it prefers quiet
//   tenants and, among noisy ones, the one with fewest in flight). AWS only starts to
//   deprioritise past thresholds (>10% of in-flight and >=30 messages); this index always
//   does, which is stricter but never starves anyone.
//
// Costs: O(log n) per message added, taken or released; O(log g) per group re-indexed. No
// operation scans messages or groups.
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace eb::sqs {

class FifoGroups {
 public:
  enum class Mode : std::uint8_t { kFifo, kFair };

  explicit FifoGroups(Mode mode = Mode::kFifo) : mode_(mode) {}
  FifoGroups(const FifoGroups&) = delete;
  FifoGroups& operator=(const FifoGroups&) = delete;

  Mode mode() const { return mode_; }

  // A visible message of `group`. Its place in the group is its seq: a send appends (seqs
  // grow), and recovery may add in any order. False when seq is already known.
  bool add(std::uint64_t seq, std::string_view group);

  // Takes up to `max` messages for one receive and marks them in flight, in delivery order.
  std::vector<std::uint64_t> take(std::size_t max);

  // A visible message goes in flight without a receive choosing it (recovery of a message
  // that was in flight before a restart). False when seq is unknown or already in flight.
  bool mark_in_flight(std::uint64_t seq);

  // An in-flight message is visible again (visibility expired, ChangeMessageVisibility 0, or
  // a receive undone): it goes back into its group ahead of every later message. False when
  // seq is unknown or not in flight.
  bool make_visible(std::uint64_t seq);

  // Forgets a message in any state: deleted, expired by retention, purged, moved to a
  // dead-letter queue. Releases its group when it was the last one in flight. False when
  // unknown.
  bool remove(std::uint64_t seq);

  bool contains(std::uint64_t seq) const { return messages_.contains(seq); }
  bool in_flight(std::uint64_t seq) const;
  // The message's group, or null when unknown. Valid until the message is removed.
  const std::string* group_of(std::uint64_t seq) const;

  // ApproximateNumberOfMessages counts every visible message, also those waiting behind an
  // in-flight one of their group; ApproximateNumberOfMessagesNotVisible the in-flight ones.
  std::size_t visible() const { return visible_; }
  std::size_t in_flight() const { return in_flight_; }
  // Groups with at least one message; groups that become empty are forgotten.
  std::size_t groups() const { return groups_.size(); }
  // Groups a receive could take from right now.
  std::size_t available_groups() const { return available_.size(); }

 private:
  // What orders available groups: (head seq, 0) for kFifo, (in flight, last served) for kFair.
  using Key = std::pair<std::uint64_t, std::uint64_t>;

  struct Group {
    std::string name;
    std::set<std::uint64_t> visible;  // ordered by seq: the head is begin()
    std::size_t in_flight = 0;
    std::uint64_t last_served = 0;  // kFair tie-break: smaller was served longer ago
    bool indexed = false;
    Key key{};  // valid while indexed
  };
  struct Message {
    Group* group;
    bool in_flight;
  };

  Group& group_for(std::string_view name);
  bool eligible(const Group& g) const;
  Key key_of(const Group& g) const;
  // Puts the group in available_ under its current key, or takes it out; call after any
  // change to its visible set or in-flight count.
  void reindex(Group& g);
  void unindex(Group& g);
  // Forgets a group that holds nothing any more.
  void drop_if_empty(Group& g);
  void to_flight(Message& m, std::uint64_t seq);
  void take_fifo(std::size_t max, std::vector<std::uint64_t>& out);
  void take_fair(std::size_t max, std::vector<std::uint64_t>& out);

  const Mode mode_;
  // unordered_map nodes are stable, so Message::group and available_ may point into it.
  std::unordered_map<std::string, Group> groups_;
  std::unordered_map<std::uint64_t, Message> messages_;
  std::map<Key, Group*> available_;
  std::uint64_t serve_clock_ = 0;  // kFair: ticks on every group creation and every serve
  std::size_t visible_ = 0;
  std::size_t in_flight_ = 0;
};

}  // namespace eb::sqs
