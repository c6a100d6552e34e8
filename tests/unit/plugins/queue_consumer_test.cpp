// QueueConsumer on a real Queues (ManualClock, MemoryEngine); the executor is a task list the
// test runs, so every step is explicit and nothing sleeps.
#include "plugins/queue_consumer.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <stdexcept>

#include "core/manual_clock.hpp"
#include "sqs/queues.hpp"
#include "storage/memory_engine.hpp"

namespace eb::plugins {
namespace {

class QueueConsumerTest : public ::testing::TestWithParam<bool> {
 protected:
  ManualClock clock_;
  storage::MemoryEngine store_{GetParam()};
  sqs::Queues queues_{clock_, clock_, store_};
  std::deque<std::function<void()>> tasks_;
  std::vector<std::string> seen_;  // bodies, in handling order
  std::function<Result<void>(const ConsumedMessage&)> behaviour_ =
      [](const ConsumedMessage&) -> Result<void> { return {}; };

  std::unique_ptr<QueueConsumer> consumer(const std::string& queue) {
    return std::make_unique<QueueConsumer>(
        queues_, clock_, clock_,
        [this](std::function<void()> t) { tasks_.push_back(std::move(t)); }, queue,
        [this](const ConsumedMessage& m) {
          seen_.push_back(m.body + "#" + std::to_string(m.receive_count));
          return behaviour_(m);
        });
  }

  // Runs posted tasks until none is left (bounded: a busy loop would be a bug).
  void run_tasks() {
    for (int i = 0; i < 1000 && !tasks_.empty(); ++i) {
      auto task = std::move(tasks_.front());
      tasks_.pop_front();
      task();
    }
    ASSERT_TRUE(tasks_.empty()) << "the consumer keeps posting work";
  }

  void create(const std::string& name, AttributeMap attributes = {}) {
    ASSERT_TRUE(queues_.create_queue({name, std::move(attributes), {}}));
  }
  void send(const std::string& queue, const std::string& body) {
    sqs::SendInput in;
    in.body = body;
    in.attributes["eventType"] = {"String", "test.event", {}};
    ASSERT_TRUE(queues_.send_message(queue, std::move(in)));
  }
  std::string count(const std::string& queue, const std::string& attribute) {
    return queues_.get_queue_attributes(queue, {attribute}).value().at(attribute);
  }
};

TEST_P(QueueConsumerTest, HandledMessagesAreDeleted) {
  create("work");
  send("work", "a");
  send("work", "b");
  auto c = consumer("work");
  c->start();
  run_tasks();
  EXPECT_EQ(seen_, (std::vector<std::string>{"a#1", "b#1"}));
  EXPECT_EQ(count("work", "ApproximateNumberOfMessages"), "0");
  EXPECT_EQ(count("work", "ApproximateNumberOfMessagesNotVisible"), "0");
  // The consumer now waits in a long poll: a send wakes it.
  send("work", "c");
  run_tasks();
  EXPECT_EQ(seen_.back(), "c#1");
  EXPECT_EQ(c->counters().handled, 3u);
  EXPECT_EQ(c->counters().failed, 0u);
}

TEST_P(QueueConsumerTest, FailuresComeBackAndEndInTheDeadLetterQueue) {
  create("work-dlq");
  create("work", {{"VisibilityTimeout", "30"},
                  {"RedrivePolicy", R"({"deadLetterTargetArn":")" + queues_.queue_arn("work-dlq") +
                                        R"(","maxReceiveCount":"2"})"}});
  behaviour_ = [](const ConsumedMessage& m) -> Result<void> {
    if (m.body == "bad") return fail(Errc::kInvalidParameterValue, "cannot handle");
    return {};
  };
  send("work", "bad");
  auto c = consumer("work");
  c->start();
  run_tasks();
  EXPECT_EQ(seen_, (std::vector<std::string>{"bad#1"}));
  EXPECT_EQ(count("work", "ApproximateNumberOfMessagesNotVisible"), "1");  // left, not deleted
  clock_.advance(30'000);  // visible again; the long poll timed out at 20 s
  run_tasks();
  EXPECT_EQ(seen_, (std::vector<std::string>{"bad#1", "bad#2"}));
  clock_.advance(30'000);  // a third receive would exceed maxReceiveCount 2: redriven
  run_tasks();
  EXPECT_EQ(seen_.size(), 2u);
  EXPECT_EQ(count("work-dlq", "ApproximateNumberOfMessages"), "1");
  EXPECT_EQ(count("work", "ApproximateNumberOfMessages"), "0");
  EXPECT_EQ(c->counters().failed, 2u);
}

TEST_P(QueueConsumerTest, AThrowingHandlerLeavesTheMessage) {
  create("work", {{"VisibilityTimeout", "5"}});
  behaviour_ = [](const ConsumedMessage&) -> Result<void> { throw std::runtime_error("boom"); };
  send("work", "x");
  auto c = consumer("work");
  c->start();
  run_tasks();
  EXPECT_EQ(c->counters().failed, 1u);
  EXPECT_EQ(count("work", "ApproximateNumberOfMessagesNotVisible"), "1");
  behaviour_ = [](const ConsumedMessage&) -> Result<void> { return {}; };
  clock_.advance(20'000);
  run_tasks();
  EXPECT_EQ(seen_, (std::vector<std::string>{"x#1", "x#2"}));
  EXPECT_EQ(c->counters().handled, 1u);
}

TEST_P(QueueConsumerTest, AMissingQueueIsRetriedUntilItExists) {
  auto c = consumer("later");
  c->start();
  run_tasks();  // the receive failed; a retry is scheduled, nothing spins
  create("later");
  send("later", "m");
  clock_.advance(1000);
  run_tasks();
  EXPECT_EQ(seen_, (std::vector<std::string>{"m#1"}));
}

TEST_P(QueueConsumerTest, AfterStopMessagesAreHandedBackAtOnce) {
  create("work", {{"VisibilityTimeout", "600"}});
  auto c = consumer("work");
  c->start();
  run_tasks();  // parked in a long poll
  c->stop();
  EXPECT_FALSE(c->running());
  send("work", "m");  // completes the parked receive, after stop()
  run_tasks();
  EXPECT_TRUE(seen_.empty());
  EXPECT_EQ(count("work", "ApproximateNumberOfMessages"), "1");  // visible, not hidden 600 s
}

INSTANTIATE_TEST_SUITE_P(Engines, QueueConsumerTest, ::testing::Bool());

}  // namespace
}  // namespace eb::plugins
