#pragma once
// The deduplication window of one FIFO queue (or FIFO topic). A send whose deduplication id
// was accepted less than five minutes ago is a duplicate: AWS answers it with success and
// the original MessageId but does not deliver it again (SendMessage MessageDeduplicationId;
// "Amazon SQS FIFO queue key terms"). The interval runs from the first accepted send; a
// duplicate does not extend it (the docs describe a fixed interval and nothing that
// restarts it), and the id stays tracked after the message is received or deleted.
//
// Time is whatever Millis the caller passes: entries expire lazily, oldest first, when any
// operation runs (amortised O(log n), no timers). Owned by one queue and called with its lock
// held (not thread-safe). Recovery re-inserts the entries that `live` listed.
#include <cstdint>
#include <functional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"

namespace eb::sqs {

// DeduplicationScope: one window per queue, or one per message group (high throughput).
enum class DedupScope : std::uint8_t { kQueue, kMessageGroup };

// What a duplicate is answered with.
struct DedupEntry {
  std::string message_id;
  std::uint64_t sequence = 0;  // the SequenceCounter value of the original
  Millis sent = 0;             // the window ends at sent + interval
  // The original's write has not completed: a duplicate must wait for it (or take its place
  // if it fails) rather than answer with a MessageId that may never exist.
  bool pending = false;
};

class DedupWindow {
 public:
  static constexpr Millis kInterval = Millis{5} * 60 * 1000;

  explicit DedupWindow(Millis interval = kInterval) : interval_(interval) {}

  // The window key of a deduplication id. With kMessageGroup the group is part of it, so the
  // same id in two groups is two messages. Length-prefixed, so no (group, id) split of one key
  // can be read as another.
  static std::string key(DedupScope scope, std::string_view group, std::string_view dedup_id);
  // ContentBasedDeduplication: hex SHA-256 of the body (attributes do not count, as on AWS).
  static std::string content_id(std::string_view body);

  // The original of a duplicate sent at `now`, or null when `key` is free. Valid until the
  // next non-const call.
  const DedupEntry* find(const std::string& key, Millis now);
  // Remembers an accepted send; its window runs from entry.sent. False (and nothing changes)
  // when a live entry holds the key.
  bool insert(const std::string& key, DedupEntry entry, Millis now);
  // insert() for a key find() just reported free at the same time: skips the second lookup.
  void insert_absent(const std::string& key, DedupEntry entry);
  // The original's write completed: clears `pending`. No-op for an unknown key.
  void confirm(const std::string& key);
  // Undoes an insert whose send could not be written.
  void erase(const std::string& key);
  // Recovery: puts back a listed entry as it was (no expiry check; the next call expires it).
  void restore(std::string key, DedupEntry entry);

  struct Listed {
    std::string key;
    DedupEntry entry;
  };
  // Entries still live at `now`, in no particular order (what a snapshot persists).
  std::vector<Listed> live(Millis now);

  // Drops every entry whose window ended at or before `now`; their keys are appended to
  // `expired` when given, so the caller can delete their records.
  void expire(Millis now, std::vector<std::string>* expired = nullptr);
  std::size_t size() const { return entries_.size(); }
  Millis interval() const { return interval_; }

 private:
  struct Deadline {
    Millis at;
    std::string key;
    bool operator>(const Deadline& o) const { return at > o.at; }
  };

  void put(std::string key, DedupEntry entry);

  const Millis interval_;
  std::unordered_map<std::string, DedupEntry> entries_;
  // One deadline per insert. An entry erased and inserted again leaves its old deadline
  // behind; it is recognised on pop because the live entry's own deadline differs.
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines_;
};

}  // namespace eb::sqs
