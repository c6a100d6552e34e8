// Queues::reset: every queue and message goes in one write, parked receives are answered,
// and the names can be taken again (also after recovery from the same engine).
#include <gtest/gtest.h>

#include "sqs/queues_fixture.hpp"

namespace eb::sqs::testing {
namespace {

using ResetTest = QueuesTest;

TEST_P(ResetTest, DropsQueuesAndMessagesAndFreesTheNames) {
  ASSERT_TRUE(queues_.recover());
  create("a");
  create("b.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  send("a", "one");
  SendInput fifo;
  fifo.group_id = "g";
  send("b.fifo", "two", fifo);
  ReceiveInput wait;
  wait.wait_seconds = 20;
  create("idle");
  auto parked = park("idle", wait);
  ASSERT_FALSE(parked->done());

  auto dropped = queues_.reset();
  ASSERT_TRUE(dropped) << dropped.error().message;
  EXPECT_EQ(*dropped, 3u);
  EXPECT_TRUE(parked->done());
  EXPECT_EQ(parked->count(), 0u);
  auto listed = queues_.list_queues({});
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->names.empty());
  EXPECT_EQ(queues_.get_queue("a").error().code, Errc::kQueueDoesNotExist);
  // No timer of a dropped queue fires into anything afterwards.
  clock_.advance(60'000);

  create("a");
  EXPECT_TRUE(receive("a").empty());
  send("a", "fresh");
  ASSERT_EQ(receive("a").size(), 1u);

  // What an engine holds after the reset is only the new queue.
  Queues recovered{clock_, clock_, store_};
  ASSERT_TRUE(recovered.recover());
  auto names = recovered.list_queues({});
  ASSERT_TRUE(names);
  EXPECT_EQ(names->names, std::vector<std::string>{"a"});
}

TEST_P(ResetTest, AnEmptyRegistryResetsToNothing) {
  ASSERT_TRUE(queues_.recover());
  auto dropped = queues_.reset();
  ASSERT_TRUE(dropped);
  EXPECT_EQ(*dropped, 0u);
}

INSTANTIATE_TEST_SUITE_P(Payloads, ResetTest, ::testing::Bool());

}  // namespace
}  // namespace eb::sqs::testing
