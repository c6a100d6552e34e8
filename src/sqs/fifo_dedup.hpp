#pragma once
// The deduplication window of one FIFO queue (or FIFO topic). A send whose deduplication id
// was accepted less than five minutes ago is a duplicate: AWS answers it with success and
// the original MessageId but does not deliver it again (SendMessage MessageDeduplicationId;
// "Amazon SQS FIFO queue key terms"). The interval runs from the first accepted send; a
// duplicate does not extend it (the docs describe a fixed interval and nothing that
// restarts it), and the id stays tracked after the message is received or deleted.
//
// Compact because a busy queue holds five minutes of sends (a million at ~3,300 sends/s):
// an entry is keyed by a 128-bit hash of its scope, group and id (DedupKey), holds the
// original's MessageId as 16 bytes, and sits in a deque in insertion order, which is expiry
// order since every entry's window is the same length; a flat open-addressing table indexes
// the deque. About 76 bytes an entry (bench/dedup_window_bench), against ~330-390 for
// strings in a node map with a deadline heap. Memory follows the window: entries leave after
// five minutes and the table shrinks when they do, so what it holds is bounded by five
// minutes of accepted sends (see README.md, "FIFO deduplication").
//
// Time is whatever Millis the caller passes: entries expire lazily, oldest first, when any
// operation runs (amortised O(1), no timers). Owned by one queue and called with its lock
// held (not thread-safe). Recovery puts back the persisted entries with restore().
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/encoding.hpp"

namespace eb::sqs {

// DeduplicationScope: one window per queue, or one per message group (high throughput).
enum class DedupScope : std::uint8_t { kQueue, kMessageGroup };

// A window key: the first 128 bits of the SHA-256 of the key's text (key_text). Two distinct
// ids share a key with probability 2^-128 per pair (a million live entries: ~2^-89 that any
// two do), and finding two that do takes ~2^64 SHA-256 evaluations; the hash is unkeyed so
// that keys on disk mean the same after a restart.
struct DedupKey {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  friend bool operator==(const DedupKey&, const DedupKey&) = default;
};

// What a duplicate is answered with.
struct DedupEntry {
  Uuid message_id{};
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
  // same id in two groups is two messages.
  static DedupKey key(DedupScope scope, std::string_view group, std::string_view dedup_id);
  // What key() hashes, and what the window's records were keyed by before keys were hashed
  // (recovery migrates those with key_of_text). Length-prefixed, so no (group, id) split of
  // one text can be read as another.
  static std::string key_text(DedupScope scope, std::string_view group, std::string_view dedup_id);
  static DedupKey key_of_text(std::string_view text);
  // ContentBasedDeduplication: hex SHA-256 of the body (attributes do not count, as on AWS).
  static std::string content_id(std::string_view body);

  // The original of a duplicate sent at `now`, or null when `key` is free. Valid until the
  // next non-const call.
  const DedupEntry* find(const DedupKey& key, Millis now);
  // Remembers an accepted send; its window runs from entry.sent. False (and nothing changes)
  // when a live entry holds the key.
  bool insert(const DedupKey& key, const DedupEntry& entry, Millis now);
  // insert() for a key find() just reported free at the same time: skips the second lookup.
  void insert_absent(const DedupKey& key, const DedupEntry& entry);
  // The original's write completed: clears `pending`. No-op for an unknown key.
  void confirm(const DedupKey& key);
  // Undoes an insert whose send could not be written.
  void erase(const DedupKey& key);

  struct Listed {
    DedupKey key;
    DedupEntry entry;
  };
  // Recovery: puts back persisted entries as they were, in any order (no expiry check; the
  // next call expires what has ended).
  void restore(std::vector<Listed> entries);
  // Entries still live at `now`, oldest first.
  std::vector<Listed> live(Millis now);

  // Drops every entry whose window ended at or before `now`; their keys are appended to
  // `expired` when given, so the caller can delete their records.
  void expire(Millis now, std::vector<DedupKey>* expired = nullptr);
  std::size_t size() const { return size_; }
  Millis interval() const { return interval_; }

 private:
  // One accepted send in insertion order; 56 bytes, so a 512-byte deque block holds nine.
  struct Slot {
    DedupKey key;
    DedupEntry entry;  // entry.sent == kErased: undone or replaced, skipped and dropped
  };
  static constexpr Millis kErased = INT64_MIN;
  static constexpr std::size_t kNotFound = SIZE_MAX;
  static constexpr std::size_t kMinCapacity = 16;

  // A table cell: 0 when empty, else a fingerprint of the key (its high 32 bits, made odd so
  // that no cell is 0) over the low 32 bits of the slot's ordinal. Slots between first_ and
  // first_ + order_.size() are live, so 32 bits tell them apart.
  static std::uint64_t cell(const DedupKey& key, std::uint64_t ordinal) {
    return ((key.high | (std::uint64_t{1} << 32)) & ~std::uint64_t{0xffffffff}) |
           (ordinal & 0xffffffff);
  }
  Slot& slot_of(std::uint64_t cell);
  std::size_t home(const DedupKey& key) const { return key.low & (table_.size() - 1); }
  // The table index of `key`'s cell, or kNotFound.
  std::size_t locate(const DedupKey& key);
  void put(const DedupKey& key, const DedupEntry& entry);
  // Empties the cell at `index`, moving later cells of its probe run back (no tombstones).
  void remove_cell(std::size_t index);
  void rehash(std::size_t capacity);

  const Millis interval_;
  std::deque<Slot> order_;
  std::uint64_t first_ = 0;  // ordinal of order_.front()
  std::vector<std::uint64_t> table_ = std::vector<std::uint64_t>(kMinCapacity);
  std::size_t size_ = 0;  // live entries: the table's occupied cells
};

}  // namespace eb::sqs
