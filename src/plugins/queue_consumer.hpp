#pragma once
// Consumes one queue in-process the way an SQS client does (the design's EventBus.subscribe):
// long-polls it for up to ten messages, hands each to a handler, deletes it when the handler
// succeeds and leaves it when the handler fails or throws. A left message comes back when its
// visibility timeout ends, with a higher receive count, and the queue's RedrivePolicy moves it
// to its dead-letter queue after maxReceiveCount receives: the real SQS semantics, so a
// built-in worker's failures look like any consumer's, and a user can stop the worker and
// consume the queue with their own service instead.
//
// Receives run through an executor (the daemon posts them to its io_context), never recursively,
// so a full queue is drained in a loop of posted tasks. A receive that fails (the queue was
// deleted) is retried after a pause on the daemon's Timers. Handlers run one message at a time
// per consumer. Thread-safe; stop() may be called from any thread.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/attributes.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"

namespace eb::sqs {
class Queues;
}

namespace eb::plugins {

struct ConsumedMessage {
  std::string message_id;
  std::string body;
  MessageAttributes attributes;
  int receive_count = 0;  // ApproximateReceiveCount: 1 on the first delivery
};

struct ConsumerOptions {
  int max_messages = 10;
  int wait_seconds = 20;
  Millis retry_after_error_ms = 1000;  // after a failed receive (queue missing)
};

struct ConsumerCounters {
  std::uint64_t received = 0;
  std::uint64_t handled = 0;  // handler succeeded, message deleted
  std::uint64_t failed = 0;   // handler failed or threw: left for redelivery
};

class QueueConsumer {
 public:
  // Runs a task soon on another thread.
  using Executor = std::function<void(std::function<void()>)>;
  // An error (or an exception) leaves the message in the queue.
  using Handler = std::function<Result<void>(const ConsumedMessage&)>;

  QueueConsumer(sqs::Queues& queues, Timers& timers, const Clock& clock, Executor executor,
                std::string queue, Handler handler, ConsumerOptions options = {});
  ~QueueConsumer();  // stops
  QueueConsumer(const QueueConsumer&) = delete;
  QueueConsumer& operator=(const QueueConsumer&) = delete;

  const std::string& queue() const;
  // Starts the receive loop (once).
  void start();
  // No receive starts after it; messages a parked receive still brings are made visible again
  // at once rather than waiting out their visibility timeout. Returns once no handler runs, so
  // what the handler references may go away after it. Never call it from the handler.
  void stop();
  bool running() const;
  ConsumerCounters counters() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace eb::plugins
