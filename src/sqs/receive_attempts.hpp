#pragma once
// ReceiveRequestAttemptId of one FIFO queue: which messages a receive with a given attempt id
// returned, so that retrying it (the response was lost) returns the same messages and the
// same receipt handles instead of new ones, while the group stays locked by them.
//
// AWS's rules (ReceiveMessage, ReceiveRequestAttemptId; "Using the receive request attempt
// ID"), and how this class and its caller implement them:
// - An attempt id can be reused for 5 minutes after the receive: entries expire lazily
//   at received + kInterval from the Millis passed in.
// - A retry returns the same messages and handles only while none of them was modified,
//   that is deleted or had its visibility changed: the queue calls invalidate(seq) on
//   DeleteMessage and ChangeMessageVisibility, and remember() invalidates any older attempt
//   holding one of the messages it lists (the message was received again, so its handle
//   changed). After that a retry with the id is answered as a new receive.
// - A retry within the interval resets the messages' visibility timeout: the queue re-hides
//   the listed messages from the retry's time, without a new receive generation (so the
//   handles stay valid) and without counting a receive.
// - What AWS does for a retry whose messages became visible again on their own and were not
//   received by anyone else is not documented; the queue treats it as a retry (the messages
//   are listed, unmodified) and hides them again.
// Owned by one queue and called with its lock held (not thread-safe).
#include <cstdint>
#include <functional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"

namespace eb::sqs {

// One message of a remembered receive: enough to rebuild its receipt handle.
struct AttemptMessage {
  std::uint64_t seq = 0;
  std::uint32_t generation = 0;
  bool operator==(const AttemptMessage&) const = default;
};

class ReceiveAttempts {
 public:
  static constexpr Millis kInterval = Millis{5} * 60 * 1000;

  explicit ReceiveAttempts(Millis interval = kInterval) : interval_(interval) {}

  // Remembers what the receive with `attempt_id` at `now` returned, replacing any earlier
  // entry of that id. Older attempts holding one of these messages become unusable.
  void remember(const std::string& attempt_id, std::vector<AttemptMessage> messages, Millis now);
  // What a retry at `now` returns, or null when the id is unknown, expired or invalidated.
  // Valid until the next non-const call.
  const std::vector<AttemptMessage>* find(const std::string& attempt_id, Millis now);
  // The message was deleted or its visibility changed: the attempt that returned it can no
  // longer be replayed.
  void invalidate(std::uint64_t seq);

  struct Listed {
    std::string attempt_id;
    std::vector<AttemptMessage> messages;
    Millis received = 0;
  };
  // Attempts still usable at `now` (what recovery needs), in no particular order.
  std::vector<Listed> live(Millis now);
  // Recovery: puts back a listed attempt with its original receive time.
  void restore(Listed attempt);

  void expire(Millis now);
  std::size_t size() const { return attempts_.size(); }

 private:
  struct Attempt {
    std::vector<AttemptMessage> messages;
    Millis received = 0;
    std::uint64_t serial = 0;  // tells this entry from an earlier one under the same id
  };
  struct Deadline {
    Millis at;
    std::uint64_t serial;
    std::string attempt_id;
    bool operator>(const Deadline& o) const { return at > o.at; }
  };

  void drop(const std::string& attempt_id);

  const Millis interval_;
  std::uint64_t next_serial_ = 1;
  std::unordered_map<std::string, Attempt> attempts_;
  std::unordered_map<std::uint64_t, std::string> attempt_of_;  // seq -> the attempt listing it
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines_;
};

}  // namespace eb::sqs
