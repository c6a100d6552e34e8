#include "sqs/move_task.hpp"

#include <algorithm>
#include <map>

#include "sqs/queue.hpp"
#include "sqs/queues.hpp"
#include "sqs/records.hpp"
#include "storage/engine.hpp"

namespace eb::sqs {
namespace {
// Without MaxNumberOfMessagesPerSecond AWS picks a system-optimised rate; we move in
// batches of this size every tick.
constexpr std::size_t kUnpacedBatch = 100;
constexpr Millis kUnpacedTick = 10;
constexpr Millis kPacedTick = 1000;
}  // namespace

MoveTask::MoveTask(const Clock& clock, Timers& timers, storage::Engine& engine, Queues& queues,
                   const std::shared_ptr<Queue>& source, MoveTaskInfo info)
    : clock_(clock),
      timers_(timers),
      engine_(engine),
      queues_(queues),
      source_(source),
      source_arn_(source->arn()),
      info_(std::move(info)) {}

void MoveTask::start() {
  {
    std::lock_guard lock(mu_);
    persist_locked();
  }
  schedule(clock_.now_ms());
}

void MoveTask::resume() { schedule(clock_.now_ms()); }

void MoveTask::persist_locked() {
  MoveTaskRecord r{info_.task_handle,
                   info_.status,
                   info_.source_arn,
                   info_.destination_arn,
                   info_.max_per_second.value_or(0),
                   info_.moved,
                   info_.to_move,
                   info_.failure_reason,
                   info_.started};
  storage::Batch batch;
  batch.put(storage::Family::kTasks, move_task_key(info_.started, info_.task_handle), encode(r));
  // A failed write leaves the previous record: a restart then repeats at most one batch's
  // worth of progress reporting, never moves a message twice (messages move atomically).
  (void)engine_.write(batch);
}

void MoveTask::schedule(Millis at) {
  std::weak_ptr<MoveTask> self = weak_from_this();
  timers_.schedule_at(at, [self] {
    if (auto task = self.lock()) task->tick();
  });
}

void MoveTask::tick() {
  std::size_t batch;
  {
    std::lock_guard lock(mu_);
    if (info_.status == "CANCELLING") {
      info_.status = "CANCELLED";
      persist_locked();
      return;
    }
    if (info_.status != "RUNNING") return;
    const std::int64_t left = info_.to_move - info_.moved;
    batch = info_.max_per_second ? static_cast<std::size_t>(*info_.max_per_second) : kUnpacedBatch;
    batch = std::min<std::size_t>(batch, static_cast<std::size_t>(std::max<std::int64_t>(left, 0)));
  }
  auto source = source_.lock();
  std::vector<MovedMessage> taken;
  if (source && batch > 0) taken = source->take_visible(batch);

  // Group by destination: the task's, or each message's original source queue.
  std::map<std::string, std::vector<MovedMessage>> by_destination;
  for (auto& m : taken) {
    Payload& payload = *m.message.payload;  // take_visible loads every payload
    std::string dest =
        info_.destination_arn.empty() ? payload.dead_letter_source_arn() : info_.destination_arn;
    if (payload.extras) payload.extras->dead_letter_source_arn.clear();
    by_destination[dest].push_back(std::move(m));
  }
  std::string failure;
  std::int64_t moved = 0;
  for (auto& [arn, messages] : by_destination) {
    auto dest = queues_.find_by_arn(arn);
    if (!dest) {
      // Nothing is dropped: messages without a destination go back where they were.
      failure = "Destination queue " + arn + " does not exist.";
      if (source) {
        for (auto& m : messages) m.message.payload->extra().dead_letter_source_arn = arn;
        source->accept(std::move(messages), Queue::Arrival::kReturned);
      }
      continue;
    }
    moved += static_cast<std::int64_t>(messages.size());
    dest->accept(std::move(messages), Queue::Arrival::kRedrive);
  }

  std::lock_guard lock(mu_);
  info_.moved += moved;
  if (!failure.empty()) {
    info_.status = "FAILED";
    info_.failure_reason = failure;
  } else if (info_.status == "CANCELLING") {
    info_.status = "CANCELLED";
  } else if (!source || taken.empty() || info_.moved >= info_.to_move) {
    info_.status = "COMPLETED";
  }
  persist_locked();
  if (info_.status == "RUNNING") {
    schedule(clock_.now_ms() + (info_.max_per_second ? kPacedTick : kUnpacedTick));
  }
}

Result<std::int64_t> MoveTask::cancel() {
  std::lock_guard lock(mu_);
  if (info_.status != "RUNNING") {
    return fail(Errc::kResourceNotFound, "Only active tasks can be cancelled.");
  }
  info_.status = "CANCELLING";
  persist_locked();
  return info_.moved;
}

MoveTaskInfo MoveTask::info() const {
  std::lock_guard lock(mu_);
  return info_;
}

bool MoveTask::active() const {
  std::lock_guard lock(mu_);
  return info_.status == "RUNNING" || info_.status == "CANCELLING";
}

}  // namespace eb::sqs
