#pragma once
// Deliveries acknowledged but not finished. The targets that are not SQS queues (topics, other
// buses, API destinations, the outbox types) get their copies after the write that accepts the
// events; each of those deliveries is written as a record in that same write and erased once
// its target took it (or it was dead-lettered or dropped). A crash in between loses nothing:
// recovery hands back what is left, which is delivered again. At least once, as EventBridge
// promises: a crash after a target took a copy but before its record went repeats that copy.
// Thread-safe. Holds no record in memory. With an engine that is not durable it does nothing.
#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "storage/engine.hpp"

namespace eb::events {

enum class PendingKind : std::uint32_t { kTopic = 1, kOutbox = 2, kBus = 3, kApiDestination = 4 };

struct PendingDelivery {
  PendingKind kind = PendingKind::kOutbox;
  std::string rule_arn;
  std::string target_json;  // the Target structure, as PutTargets gave it
  std::string event_id;
  std::string event;   // the event as it entered the bus, when a dead letter or a bus needs it
  std::string body;    // what the target receives
  Millis created = 0;  // when it was accepted; stage() sets it when 0
};

class PendingDeliveries {
 public:
  PendingDeliveries(storage::Engine& engine, const Clock& clock) : engine_(engine), clock_(clock) {}
  PendingDeliveries(const PendingDeliveries&) = delete;
  PendingDeliveries& operator=(const PendingDeliveries&) = delete;

  // False with an engine that keeps nothing across restarts: then nothing is staged.
  bool enabled() const { return engine_.durable(); }

  // Adds `delivery`'s record to `batch` (the write that accepts its event); returns its key.
  std::string stage(storage::Batch& batch, const PendingDelivery& delivery);

  // Erases finished deliveries' records in one write. A failed write is logged: those
  // deliveries are then made again after a restart.
  void erase(const std::vector<std::string>& keys);

  // The records a previous run left, oldest first, with their keys. New keys follow the last.
  // Called once, before the first stage().
  Result<std::vector<std::pair<std::string, PendingDelivery>>> recover();

 private:
  storage::Engine& engine_;
  const Clock& clock_;
  std::atomic<std::uint64_t> next_{1};
};

}  // namespace eb::events
