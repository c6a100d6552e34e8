#pragma once
// The SequenceNumber AWS returns for FIFO messages (SendMessage, SendMessageBatch, the
// SequenceNumber message attribute). AWS documents it as a large, non-consecutive number of
// up to 128 bits that keeps increasing within a message group; what it returns is a decimal
// string of 20 digits. Ours increase per queue (so also per group), have 20 digits for the
// first 2 * 10^16 values of a queue and then simply grow longer, numerically still increasing.
// They step by kStride so clients that wrongly expect consecutive numbers fail here too.
#include <cstdint>
#include <string>

namespace eb::sqs {

// 20 digits: 10^19 + value * kStride, in decimal.
std::string sequence_number_text(std::uint64_t value);

// Hands out a queue's sequence values and says what must be persisted so that values never
// repeat or go backwards after a crash (kill -9). Values are reserved in blocks: the caller
// writes the block's ceiling, under its own key (kMeta, queue uid + ceiling), in the same
// batch as every message that used a value of that block. Keys of different blocks never
// overwrite each other, so however concurrent batches are ordered on disk, the largest
// ceiling key present is above every value ever acknowledged; recovery starts there
// (restored_ceiling), skipping the unused rest of the last block. Not thread-safe: called
// with the owning queue's lock held.
class SequenceCounter {
 public:
  static constexpr std::uint64_t kBlock = 4096;
  static constexpr std::uint64_t kStride = 4096;

  struct Issued {
    std::uint64_t value;
    std::uint64_t ceiling;  // persist with the message: every value issued so far is below it
  };

  // `restored_ceiling`: the largest ceiling found on recovery, 0 for a new queue.
  explicit SequenceCounter(std::uint64_t restored_ceiling = 0) : next_(restored_ceiling) {}

  Issued next();
  // The value next() will return.
  std::uint64_t peek() const { return next_; }
  // The ceiling of the block holding `value`.
  static std::uint64_t ceiling_of(std::uint64_t value) { return (value / kBlock + 1) * kBlock; }

 private:
  std::uint64_t next_;
};

}  // namespace eb::sqs
