#pragma once
// One atomic write of messages entering the broker: their queue records and their event-log
// records in one storage::Batch (DESIGN: one WriteBatch per request). The protocol, in order:
//   stage(queue, inputs) per queue, in increasing Queue::uid() order (FIFO finishes wait only
//     for earlier tickets, so multi-queue writers never wait on each other);
//   log(message) for what the event log records (a queue's own sends, or an SNS publish whose
//     queue copies are not logged again);
//   commit(): EventSink::stage, Engine::write (no lock held), EventSink::finish;
//   finish(queue, staged) per queue, in the same order: the messages become visible.
// A stack object of one request on one thread; holds no lock between the calls. Views passed
// to log() must stay valid until commit() returns.
#include <vector>

#include "core/errors.hpp"
#include "sqs/queue.hpp"
#include "sqs/types.hpp"
#include "storage/engine.hpp"
#include "storage/event_sink.hpp"

namespace eb::sqs {

class LoggedWrite {
 public:
  // `events` may be null: nothing is logged. `batch` may already hold the caller's records.
  LoggedWrite(storage::Engine& engine, storage::EventSink* events, storage::Batch batch = {})
      : engine_(engine), events_(events), batch_(std::move(batch)) {}

  bool logging() const { return events_ != nullptr; }
  Queue::StagedSends stage(Queue& queue, std::vector<SendInput> inputs) {
    return queue.stage_sends(std::move(inputs), batch_);
  }
  // For the number of log() calls to come, so they do not reallocate.
  void reserve_log(std::size_t n) { incoming_.reserve(n); }
  void log(const storage::IncomingMessage& message) {
    if (events_ != nullptr) incoming_.push_back(message);
  }
  // Writes everything staged and logged. Call once, after every stage() and log().
  const Result<void>& commit();
  // After commit(): makes one queue's sends visible, or reports the failed write for each.
  std::vector<Result<SendOutput>> finish(Queue& queue, Queue::StagedSends staged) {
    return queue.finish_sends(std::move(staged), written_);
  }
  const Result<void>& written() const { return written_; }

 private:
  storage::Engine& engine_;
  storage::EventSink* const events_;
  storage::Batch batch_;
  std::vector<storage::IncomingMessage> incoming_;
  Result<void> written_;
};

}  // namespace eb::sqs
