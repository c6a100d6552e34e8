// EventLog::reset: every committed event and its index entries go; seqs keep growing and a
// stream continues after its last version, as after a retention trim; a restart agrees.
#include <gtest/gtest.h>

#include "eventlog/event_log_fixture.hpp"

namespace eb::eventlog {
namespace {

TEST_F(EventLogTest, ResetErasesEveryCommittedEventAndItsIndexes) {
  send("plain");
  send(envelope("e1", "order.created", "flow-1"));
  append("order-1", ExpectedVersion::no_stream(), {envelope("e2", "order.placed")});
  ASSERT_EQ(seqs().size(), 3u);

  auto erased = log_->reset();
  ASSERT_TRUE(erased) << erased.error().message;
  EXPECT_EQ(*erased, 3u);
  EXPECT_TRUE(seqs().empty());
  EXPECT_TRUE(seqs({.type = "order.created"}).empty());
  EXPECT_TRUE(seqs({.stream = "order-1"}).empty());
  auto trace = log_->trace("flow-1");
  ASSERT_TRUE(trace);

  // New events get new seqs; the stream continues at its next version.
  EXPECT_EQ(send("after"), 4u);
  const auto appended = append("order-1", ExpectedVersion::exact(0), {envelope("e3", "x")});
  EXPECT_EQ(appended.outcome, AppendResult::Outcome::kAppended);
  EXPECT_EQ(seqs(), (std::vector<std::uint64_t>{4, 5}));

  restart();
  EXPECT_EQ(seqs(), (std::vector<std::uint64_t>{4, 5}));
  EXPECT_EQ(send("later"), 6u);
}

TEST_F(EventLogTest, ResettingAnEmptyLogErasesNothing) {
  auto erased = log_->reset();
  ASSERT_TRUE(erased);
  EXPECT_EQ(*erased, 0u);
}

}  // namespace
}  // namespace eb::eventlog
