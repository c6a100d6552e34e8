#pragma once
// A FIFO queue's deduplication of sends: the window (DedupWindow) with its records in the
// engine, and the protocol that lets sends write without the queue lock. A send staged while
// its deduplication id is in the window is a duplicate and stores nothing. Otherwise its entry
// enters the window pending, is written in the same batch as the message, and is confirmed
// when that write succeeded or erased when it failed. A duplicate staged while its original
// was pending is answered only after the original's fate is known (settle_duplicate).
// Owned by one Queue and used with its mutex held; not thread-safe.
#include <string>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "sqs/fifo_dedup.hpp"
#include "sqs/message.hpp"
#include "sqs/queue_records.hpp"
#include "sqs/send_preparation.hpp"

namespace eb::sqs {

class SendDedup {
 public:
  explicit SendDedup(QueueRecords& records) : records_(records) {}

  // Recovery puts the persisted entries back through it.
  DedupWindow& window() { return window_; }

  // Ends the windows that closed at or before `now` and stages the deletion of their records.
  void expire(Millis now);
  // Sets p.dedup_key. True when `p` duplicates a send in the window: p is then marked a
  // duplicate and answered with the original's id and sequence number.
  bool find_original(PreparedSend& p, DedupScope scope, Millis now);
  // `p`, staged as `m` (seq assigned): its entry enters the window, pending, and is staged to
  // be written with the message.
  void enter(PreparedSend& p, const StoredMessage& m);
  // After the write that carried an entered send: confirms its entry, or erases it.
  void settle(const PreparedSend& p, bool written);
  // A duplicate whose original was pending, once every earlier send has finished: the
  // original's answer, or ServiceUnavailable when its write failed.
  Result<void> settle_duplicate(PreparedSend& p, Millis now);

 private:
  QueueRecords& records_;
  DedupWindow window_;
};

}  // namespace eb::sqs
