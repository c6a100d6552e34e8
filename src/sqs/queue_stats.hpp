#pragma once
// What /metrics reports of a queue: counters the queue bumps as it works (relaxed atomics, read
// without its lock) and a snapshot of its depths taken at scrape.
#include <cstdint>
#include "core/metrics.hpp"
#include "sqs/types.hpp"

namespace eb::sqs {

// Monotonic counts of one queue since it was created (or the daemon started).
enum class QueueCount : std::uint8_t {
  kSent,           // messages accepted by a send (duplicates not counted), as AWS counts them
  kSentBytes,      // their bodies' and attributes' bytes
  kDeduplicated,   // FIFO sends answered as duplicates
  kReceived,       // messages returned by receives
  kRedelivered,    // of those, received before (receive count > 1)
  kEmptyReceives,  // receives that returned nothing
  kDeleted,        // messages deleted by a receipt handle
  kDeadLettered,   // moved to the dead-letter queue by the redrive policy
  kExpired,        // dropped at the end of the retention period
  kPurged,         // dropped by PurgeQueue
  kMovedOut,       // taken by message move tasks (DLQ redrive)
  kEnd,
};
using QueueCounts = Counts<QueueCount>;
using QueueCounters = CounterSet<QueueCount>;

// One queue at scrape time: its summary, then its counters (read after the summary's lazy
// time, which may count expiries).
struct QueueStats {
  QueueSummary queue;
  QueueCounts counts;
};

}  // namespace eb::sqs
