// SendTurns on its own: which earlier tickets a FIFO send waits for, and when held arrivals
// enter the schedule. The queue-level behaviour (concurrent sends, redrive during sends) is in
// fifo_queue_test and concurrency_test.
#include "sqs/send_turns.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

namespace eb::sqs {
namespace {

using Tickets = std::vector<std::uint64_t>;

TEST(SendTurnsTest, WaitsOnlyForEarlierWritersOfItsGroups) {
  SendTurns turns;
  const auto t1 = turns.open();
  Tickets after1;
  turns.claim_group(t1, "a", after1);
  const auto t2 = turns.open();
  Tickets after2;
  turns.claim_group(t2, "b", after2);
  turns.claim_group(t2, "a", after2);
  turns.claim_group(t2, "a", after2);  // its own second message of the group: no self-wait
  const auto t3 = turns.open();
  Tickets after3;
  turns.claim_group(t3, "a", after3);
  EXPECT_TRUE(after1.empty());
  EXPECT_EQ(after2, Tickets{t1});
  EXPECT_EQ(after3, Tickets{t2});  // the latest writer of the group, not every one
  Tickets all;
  turns.wait_for_all_earlier(t3, all);
  EXPECT_EQ(all, (Tickets{t1, t2}));
}

TEST(SendTurnsTest, HeldArrivalsWaitForEveryEarlierTicket) {
  SendTurns turns;
  MessageSchedule schedule(true);
  const auto t1 = turns.open();
  const auto t2 = turns.open();
  ASSERT_TRUE(turns.writing());
  StoredMessage m;
  m.seq = 10;
  turns.hold(std::move(m), "g");
  const auto t3 = turns.open();  // issued after the hold: not waited for
  turns.close(t2, schedule);
  EXPECT_EQ(schedule.find(10), nullptr);
  turns.close(t1, schedule);
  ASSERT_NE(schedule.find(10), nullptr);
  EXPECT_EQ(*schedule.groups()->group_of(10), "g");
  turns.close(t3, schedule);
  EXPECT_FALSE(turns.writing());
}

TEST(SendTurnsTest, WaitReturnsWhenTheEarlierTicketCloses) {
  SendTurns turns;
  MessageSchedule schedule(true);
  std::mutex mu;
  const auto t1 = turns.open();
  Tickets after;
  const auto t2 = turns.open();
  turns.claim_group(t1, "a", after);
  turns.claim_group(t2, "a", after);
  ASSERT_EQ(after, Tickets{t1});
  std::thread closer([&] {
    std::lock_guard lock(mu);
    turns.close(t1, schedule);
  });
  {
    std::unique_lock lock(mu);
    turns.wait(lock, after);
    turns.close(t2, schedule);
  }
  closer.join();
  EXPECT_FALSE(turns.writing());
}

}  // namespace
}  // namespace eb::sqs
