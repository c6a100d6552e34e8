#pragma once
// What /metrics reports of an event bus: counters its PutEvents, matching and target deliveries
// bump (relaxed atomics, shared by every version of the bus and by the deliveries still under
// way, read without a lock at scrape).
#include <cstdint>
#include <memory>
#include <string>

#include "core/metrics.hpp"

namespace eb::events {

// Monotonic counts of one bus since it was created (or the daemon started).
enum class BusCount : std::uint8_t {
  kPutAccepted,   // PutEvents entries accepted onto the bus
  kPutFailed,     // PutEvents entries refused (FailedEntryCount)
  kMatched,       // rule matches: an event and an enabled rule that took it (schedules included)
  kDelivered,     // target invocations that reached their target (outbox targets: recorded)
  kFailed,        // target invocations that failed for good, after any retries
  kRetried,       // retries of target invocations (API destinations)
  kDeadLettered,  // failed invocations sent to the target's dead-letter queue
  // Events lost: failed invocations no dead-letter queue took, events put on a bus that does
  // not exist, forwards to a bus or account that does not exist or a second hop.
  kDropped,
  kEnd,
};
using BusCounts = Counts<BusCount>;
using BusCounters = CounterSet<BusCount>;

// One bus at scrape time.
struct BusStats {
  std::string name;
  BusCounts counts;
};

// Counts on `counters` when there are any (a delivery made for no bus counts nowhere).
inline void count(const std::shared_ptr<BusCounters>& counters, BusCount what,
                  std::uint64_t n = 1) {
  if (counters) counters->add(what, n);
}

}  // namespace eb::events
