#pragma once
// One queue's records in the storage engine (ADR 0002), and the changes the operation under way
// makes to them, collected in one batch and written at once. Message records and states are
// keyed by (queue uid, seq); the deduplication window's entries and the ceilings of the seq
// blocks the queue hands out are in the meta family. With an engine that is not durable nothing
// of a message is kept there (payloads stay in RAM): every staging call is then a no-op.
// Owned by one Queue and used with its mutex held; not thread-safe. read_payloads() only reads
// the engine and may run unlocked.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "sqs/fifo_dedup.hpp"
#include "sqs/message.hpp"
#include "storage/engine.hpp"

namespace eb::sqs {

class QueueRecords {
 public:
  // Seqs are reserved in blocks of this many; each block's ceiling is one meta key.
  static constexpr std::uint64_t kSeqBlock = 4096;

  QueueRecords(storage::Engine& engine, std::uint64_t uid)
      : engine_(engine), uid_(uid), durable_(engine.durable()) {}

  bool durable() const { return durable_; }

  // A seq about to be used. Entering a new block stages its ceiling and drops the previous
  // block's key (recovery takes the maximum, so the order in which batches land is irrelevant).
  void claim_seq(std::uint64_t seq);
  // Recovery: the seqs below `ceiling` are covered by a key on disk.
  void restore_ceiling(std::uint64_t ceiling) { ceiling_ = ceiling; }

  // A new message's record, encoded outside the lock (PreparedSend::record).
  void put_message(std::uint64_t seq, std::string record);
  // A message moving in from another queue: its record is written here and erased at its
  // origin in the same batch, so it is in exactly one queue whatever happens.
  void put_moved(const StoredMessage& m, std::uint64_t origin_uid, std::uint64_t origin_seq);
  // The message's receive state (visibility deadline, receive count, receipt generation).
  void put_state(const StoredMessage& m);
  void erase_state(std::uint64_t seq);
  // The message's record and state.
  void erase_message(std::uint64_t seq);
  // PurgeQueue: every message record and state of the queue.
  void erase_all_messages();
  // A FIFO deduplication window entry, answered with `m`'s id and seq until it expires.
  void put_dedup(const DedupKey& key, const StoredMessage& m);
  void erase_dedup(const DedupKey& key);
  // Recovery: a record under the window key part `stored` as found (a text key from before
  // keys were hashed, an unreadable or ended record) is deleted; moved is rewritten under
  // `key` in the same batch.
  void erase_dedup_record(std::string_view stored);
  void move_dedup_record(std::string_view stored, const DedupKey& key, std::string_view record);

  bool empty() const { return pending_.empty(); }
  // Writes what is staged as one atomic batch and clears it.
  [[nodiscard]] Result<void> write();
  // Hands what is staged to a caller who writes it with other records (Queue::stage_sends).
  void move_into(storage::Batch& batch) { batch.append(std::move(pending_)); }
  // A batch carrying staged records failed: a ceiling it may have carried is not on disk, so
  // the next claim writes one again.
  void write_failed() { ceiling_ = 0; }

  // The payloads of messages of any queue, read from the engine (no lock needed). One entry
  // per ref, null where the message is gone (purged, deleted, expired) or unreadable.
  struct Ref {
    std::uint64_t uid = 0;
    std::uint64_t seq = 0;
  };
  [[nodiscard]] Result<std::vector<std::unique_ptr<Payload>>> read_payloads(
      std::span<const Ref> refs) const;

 private:
  storage::Engine& engine_;
  const std::uint64_t uid_;
  const bool durable_;
  // Seqs below this are covered by a ceiling key in the engine (0: none written yet, or the
  // write carrying it failed).
  std::uint64_t ceiling_ = 0;
  storage::Batch pending_;
};

}  // namespace eb::sqs
