#include "plugins/queue_consumer.hpp"

#include "core/log.hpp"

#include <cstdlib>
#include <exception>
#include <mutex>

#include "sqs/queues.hpp"

namespace eb::plugins {

struct QueueConsumer::State : std::enable_shared_from_this<State> {
  State(sqs::Queues& q, Timers& t, const Clock& c, Executor e, std::string name, Handler h,
        ConsumerOptions o)
      : queues(q),
        timers(t),
        clock(c),
        executor(std::move(e)),
        queue(std::move(name)),
        handler(std::move(h)),
        options(o) {}

  sqs::Queues& queues;
  Timers& timers;
  const Clock& clock;
  const Executor executor;
  const std::string queue;
  const Handler handler;
  const ConsumerOptions options;

  std::atomic<bool> started{false};
  std::atomic<bool> stopped{false};
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> handled{0};
  std::atomic<std::uint64_t> failed{0};
  std::mutex timer_mu;
  Timers::Id retry_timer = 0;
  // Held while handlers run, so stop() returns only once none is running.
  std::mutex handling_mu;

  void receive() {
    if (stopped.load()) return;
    sqs::ReceiveInput in;
    in.max_messages = options.max_messages;
    in.wait_seconds = options.wait_seconds;
    in.system_attribute_names = {"ApproximateReceiveCount"};
    in.message_attribute_names = {"All"};
    queues.receive_message(
        queue, std::move(in),
        [self = shared_from_this()](Result<std::vector<sqs::ReceivedMessage>> got) {
          // Completed on the receiving thread or a timer's: the work goes to the executor.
          self->executor([self, got = std::move(got)]() mutable { self->on_received(got); });
        });
  }

  void on_received(Result<std::vector<sqs::ReceivedMessage>>& got) {
    if (!got) {
      log::warn("plugin consumer: receive failed; retrying",
                {{"queue", queue}, {"error", got.error().message}});
      retry_later();
      return;
    }
    std::unique_lock busy(handling_mu);
    std::vector<BatchEntry<std::string>> done;
    for (auto& m : *got) {
      if (stopped.load()) {
        // Received after stop(): hand it back now instead of hiding it for a visibility timeout.
        (void)queues.change_message_visibility(queue, {m.receipt_handle, 0});
        continue;
      }
      received.fetch_add(1);
      if (handle(m)) {
        handled.fetch_add(1);
        done.push_back({std::to_string(done.size()), std::move(m.receipt_handle)});
      } else {
        failed.fetch_add(1);
      }
    }
    // The handled messages go in one write. A failed delete (the queue is gone) leaves them to
    // be delivered again, which handlers tolerate: delivery is at least once.
    if (!done.empty()) (void)queues.delete_message_batch(queue, std::move(done));
    busy.unlock();
    receive();
  }

  bool handle(sqs::ReceivedMessage& m) {
    ConsumedMessage message;
    message.message_id = m.message_id;
    message.body = std::move(m.body);
    message.attributes = std::move(m.message_attributes);
    for (const auto& [name, value] : m.attributes) {
      if (name == "ApproximateReceiveCount") message.receive_count = std::atoi(value.c_str());
    }
    const log::MessageRef about{message.message_id, message.body, &message.attributes};
    try {
      auto result = handler(message);
      if (!result) {
        log::debug("message left for redelivery",
                   {{"queue", queue},
                    {"receiveCount", message.receive_count},
                    {"error", result.error().message}},
                   about);
      }
      return result.has_value();
    } catch (const std::exception& e) {
      log::warn("plugin handler threw on a message", {{"queue", queue}, {"error", e.what()}},
                about);
    } catch (...) {
      log::warn("plugin handler threw on a message", {{"queue", queue}}, about);
    }
    return false;
  }

  void retry_later() {
    std::lock_guard lock(timer_mu);
    if (stopped.load()) return;
    std::weak_ptr<State> weak = weak_from_this();
    retry_timer = timers.schedule_at(clock.now_ms() + options.retry_after_error_ms, [weak] {
      if (auto self = weak.lock()) self->executor([self] { self->receive(); });
    });
  }
};

QueueConsumer::QueueConsumer(sqs::Queues& queues, Timers& timers, const Clock& clock,
                             Executor executor, std::string queue, Handler handler,
                             ConsumerOptions options)
    : state_(std::make_shared<State>(queues, timers, clock, std::move(executor), std::move(queue),
                                     std::move(handler), options)) {}

QueueConsumer::~QueueConsumer() { stop(); }

const std::string& QueueConsumer::queue() const { return state_->queue; }

void QueueConsumer::start() {
  if (state_->started.exchange(true)) return;
  state_->executor([state = state_] { state->receive(); });
}

void QueueConsumer::stop() {
  state_->stopped.store(true);
  { const std::lock_guard wait_for_handlers(state_->handling_mu); }
  std::lock_guard lock(state_->timer_mu);
  if (state_->retry_timer != 0) state_->timers.cancel(state_->retry_timer);
}

bool QueueConsumer::running() const { return state_->started.load() && !state_->stopped.load(); }

ConsumerCounters QueueConsumer::counters() const {
  return {state_->received.load(), state_->handled.load(), state_->failed.load()};
}

}  // namespace eb::plugins
