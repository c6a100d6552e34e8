#pragma once
// A StartMessageMoveTask run: moves visible messages out of a dead-letter queue, back to
// the queues they came from or to one destination, paced by timers. Owned by the Queues;
// its timer callbacks hold weak_ptrs. Thread-safe. Its record in the engine is rewritten
// after every batch, so a restart resumes a running task where it was.
#include <memory>
#include <mutex>

#include "core/clock.hpp"
#include "sqs/types.hpp"
#include "storage/engine.hpp"

namespace eb::sqs {

class Queues;
class Queue;

class MoveTask : public std::enable_shared_from_this<MoveTask> {
 public:
  // `queues` resolves destinations; every reference must outlive the task's timers (the Queues
  // that owns it stops them at shutdown).
  MoveTask(const Clock& clock, Timers& timers, storage::Engine& engine, Queues& queues,
           const std::shared_ptr<Queue>& source, MoveTaskInfo info);
  void start();
  // Continues a task recovered from its record (already written).
  void resume();
  // Returns the number moved so far; false when the task is no longer running.
  Result<std::int64_t> cancel();
  MoveTaskInfo info() const;
  bool active() const;
  const std::string& source_arn() const { return source_arn_; }

 private:
  void tick();
  void schedule(Millis at);
  // Writes the task's progress so a restart resumes (or reports) it. Caller holds mu_.
  void persist_locked();

  const Clock& clock_;
  Timers& timers_;
  storage::Engine& engine_;
  Queues& queues_;
  std::weak_ptr<Queue> source_;
  const std::string source_arn_;
  mutable std::mutex mu_;
  MoveTaskInfo info_;
};

}  // namespace eb::sqs
