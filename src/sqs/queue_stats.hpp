#pragma once
// What /metrics reports of a queue: counters the queue bumps as it works (relaxed atomics, read
// without its lock) and a snapshot of its depths taken at scrape.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/clock.hpp"
#include "core/metrics.hpp"

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

// One queue at scrape time.
struct QueueStats {
  std::string name;
  const char* type = "standard";  // "standard", "fifo" or "fair"
  std::size_t visible = 0;
  std::size_t in_flight = 0;
  std::size_t delayed = 0;
  std::size_t waiters = 0;  // parked long polls
  Millis oldest_sent = 0;   // the oldest message's send time; 0 when empty
  QueueCounts counts;
};

}  // namespace eb::sqs
