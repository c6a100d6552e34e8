// The replay target's reading of queue URLs, ARNs and names.
#include "app/replay_targets.hpp"

#include <gtest/gtest.h>

namespace eb::app {
namespace {

TEST(ReplayTargetsTest, QueueNamesFromUrlsAndArns) {
  EXPECT_EQ(*replay_queue_name("http://localhost:4566/000000000000/orders"), "orders");
  EXPECT_EQ(*replay_queue_name("http://127.0.0.1:1/000000000000/o.fifo/"), "o.fifo");
  EXPECT_EQ(*replay_queue_name("arn:aws:sqs:us-east-1:000000000000:orders"), "orders");
  EXPECT_EQ(*replay_queue_name("orders"), "orders");
  for (const char* bad : {"", "http://localhost", "arn:aws:sqs:us-east-1", "arn:aws:s3:::bucket",
                          "arn:aws:sns:us-east-1:000000000000:topic", "a/b"}) {
    auto r = replay_queue_name(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::kInvalidAddress);
  }
}

}  // namespace
}  // namespace eb::app
