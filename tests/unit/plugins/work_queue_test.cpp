// The plugins' thread's queue: work in arrival order, admitted tasks in waves once the work is
// done (or after enough of it), everything queued still run after stop().
#include "plugins/work_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace eb::plugins {
namespace {

class WorkQueueTest : public ::testing::Test {
 protected:
  WorkQueue q_;
  std::vector<std::string> ran_;

  WorkQueue::Task note(std::string what) {
    return [this, what = std::move(what)] { ran_.push_back(what); };
  }
  void drain() {
    while (q_.run_one()) {
    }
  }
};

TEST_F(WorkQueueTest, AdmittedTasksWaitUntilTheWorkUnderWayIsDone) {
  q_.admit(note("start-1"));
  q_.post(note("work-1"));
  q_.post([this] {
    ran_.push_back("work-2");
    q_.post(note("work-3"));  // work a task causes runs before anything admitted
  });
  q_.admit(note("start-2"));
  drain();
  EXPECT_EQ(ran_, (std::vector<std::string>{"work-1", "work-2", "work-3", "start-1", "start-2"}));
  EXPECT_FALSE(q_.run_one());
}

TEST_F(WorkQueueTest, AWaveIsAdmittedWholeAndItsWorkComesBeforeTheNextWave) {
  const std::size_t burst = WorkQueue::kWave + 1;
  for (std::size_t i = 0; i < burst; ++i) {
    q_.admit([this, i] {
      ran_.push_back("start-" + std::to_string(i));
      q_.post(note("work-" + std::to_string(i)));
    });
  }
  drain();
  ASSERT_EQ(ran_.size(), 2 * burst);
  // The first wave's starts, then their work, then the last start and its work.
  for (std::size_t i = 0; i < WorkQueue::kWave; ++i) {
    EXPECT_EQ(ran_[i], "start-" + std::to_string(i));
    EXPECT_EQ(ran_[WorkQueue::kWave + i], "work-" + std::to_string(i));
  }
  EXPECT_EQ(ran_[2 * WorkQueue::kWave], "start-" + std::to_string(WorkQueue::kWave));
}

TEST_F(WorkQueueTest, WorkThatNeverLetsUpStillLetsAWaveIn) {
  // Each task posts the next: the work never runs out.
  std::size_t done = 0;
  std::function<void()> endless = [&] {
    ++done;
    if (done < 10 * WorkQueue::kWorkPerWave) q_.post(endless);
  };
  q_.post(endless);
  bool started = false;
  q_.admit([&] { started = true; });
  // kWorkPerWave tasks, then the wave joins behind the one already queued.
  for (std::size_t i = 0; i < WorkQueue::kWorkPerWave + 2 && !started; ++i) {
    ASSERT_TRUE(q_.run_one());
  }
  EXPECT_TRUE(started);
  EXPECT_EQ(done, WorkQueue::kWorkPerWave + 1);
  drain();
}

TEST_F(WorkQueueTest, StopRunsWhatIsQueuedThenRunReturns) {
  q_.post(note("work"));
  q_.admit(note("start"));
  q_.stop();
  std::thread runner([this] { q_.run(); });
  runner.join();
  EXPECT_EQ(ran_, (std::vector<std::string>{"work", "start"}));
}

TEST_F(WorkQueueTest, RunWaitsForWorkFromOtherThreads) {
  std::thread runner([this] { q_.run(); });
  std::atomic<int> count{0};
  for (int i = 0; i < 100; ++i) {
    q_.post([&] { count.fetch_add(1); });
    q_.admit([&] { count.fetch_add(1); });
  }
  q_.stop();
  runner.join();
  EXPECT_EQ(count.load(), 200);
}

}  // namespace
}  // namespace eb::plugins
