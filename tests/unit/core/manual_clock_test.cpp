// ManualClock: the unit tests' clock and the daemon's --clock manual.
#include "core/manual_clock.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace eb {
namespace {

TEST(ManualClock, RunsDueTimersInDeadlineOrder) {
  ManualClock clock(1000);
  std::vector<int> order;
  clock.schedule_at(3000, [&] { order.push_back(3); });
  auto cancelled = clock.schedule_at(1500, [&] { order.push_back(0); });
  clock.schedule_at(2000, [&] {
    order.push_back(2);
    EXPECT_EQ(clock.now_ms(), 2000);
  });
  clock.cancel(cancelled);
  clock.advance(1500);
  EXPECT_EQ(order, (std::vector<int>{2}));
  clock.advance(500);
  EXPECT_EQ(order, (std::vector<int>{2, 3}));
  EXPECT_EQ(clock.now_ms(), 3000);
}

TEST(ManualClock, TimersAddedWhileAdvancingRunInTheSameAdvance) {
  ManualClock clock(0);
  std::vector<Millis> fired;
  clock.schedule_at(100, [&] {
    fired.push_back(clock.now_ms());
    clock.schedule_at(150, [&] { fired.push_back(clock.now_ms()); });
    clock.schedule_at(500, [&] { fired.push_back(clock.now_ms()); });
  });
  EXPECT_EQ(clock.advance(200), 200);
  EXPECT_EQ(fired, (std::vector<Millis>{100, 150}));
  EXPECT_EQ(clock.pending_timers(), 1u);
}

TEST(ManualClock, WithoutAnExecutorADueTimerWaitsForTheNextAdvance) {
  ManualClock clock(1000);
  int runs = 0;
  clock.schedule_at(1000, [&] { ++runs; });
  clock.schedule_at(10, [&] { ++runs; });  // in the past
  EXPECT_EQ(runs, 0);
  clock.advance(0);
  EXPECT_EQ(runs, 2);
}

// The daemon's mode: a timer already due is handed to the executor, as a real clock's timer
// would fire at once; one that is cancelled before the executor runs never fires.
TEST(ManualClock, WithAnExecutorDueTimersRunThere) {
  std::vector<std::function<void()>> posted;
  ManualClock clock(1000, [&](std::function<void()> task) { posted.push_back(std::move(task)); });
  int runs = 0;
  clock.schedule_at(2000, [&] { ++runs; });  // in the future: waits for an advance
  EXPECT_TRUE(posted.empty());
  clock.schedule_at(1000, [&] { ++runs; });
  auto cancelled = clock.schedule_at(999, [&] { runs += 100; });
  ASSERT_EQ(posted.size(), 1u);  // one task runs every due timer
  clock.cancel(cancelled);
  posted.front()();
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(clock.pending_timers(), 1u);
  clock.schedule_at(1000, [&] { ++runs; });
  EXPECT_EQ(posted.size(), 2u);  // the first task has run: a new one is posted
  posted.back()();
  EXPECT_EQ(runs, 2);
}

TEST(ManualClock, ConcurrentAdvancesAddUpAndNeverGoBack) {
  ManualClock clock(0);
  std::atomic<int> fired{0};
  for (Millis t = 1; t <= 400; ++t) clock.schedule_at(t, [&] { fired.fetch_add(1); });
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      Millis last = 0;
      for (int k = 0; k < 100; ++k) {
        const Millis now = clock.advance(1);
        EXPECT_GT(now, last);
        last = now;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(clock.now_ms(), 400);
  EXPECT_EQ(fired.load(), 400);
}

TEST(ManualClock, CancelAllDropsEveryTimer) {
  ManualClock clock(0);
  int runs = 0;
  clock.schedule_at(1, [&] { ++runs; });
  clock.schedule_at(2, [&] { ++runs; });
  clock.cancel_all();
  clock.advance(10);
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(clock.pending_timers(), 0u);
}

// A daemon under --clock manual holds a timer per waiting saga, many with one deadline, and
// cancels them one by one (each by its id, not by a scan: bench/saga_recovery.py measures the
// stop with 100,000 of them). Cancelling exactly the right one among equal deadlines, and
// cancelling one that ran or was cancelled already, must be harmless.
TEST(ManualClock, CancelFindsItsTimerAmongManyWithOneDeadline) {
  ManualClock clock(0);
  constexpr int kTimers = 1000;
  std::vector<Timers::Id> ids;
  std::vector<int> ran;
  ids.reserve(kTimers);
  for (int i = 0; i < kTimers; ++i) {
    ids.push_back(clock.schedule_at(1000, [&ran, i] { ran.push_back(i); }));
  }
  const int kept = kTimers / 2;
  for (int i = kTimers - 1; i >= 0; --i) {
    if (i != kept) clock.cancel(ids[i]);
  }
  EXPECT_EQ(clock.pending_timers(), 1u);
  clock.cancel(ids.front());  // cancelled already: nothing happens
  clock.advance(1000);
  EXPECT_EQ(ran, std::vector<int>{kept});
  clock.cancel(ids[kept]);  // ran already: nothing happens
  EXPECT_EQ(clock.pending_timers(), 0u);
}

}  // namespace
}  // namespace eb
