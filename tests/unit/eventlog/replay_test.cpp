#include "eventlog/replay.hpp"

#include <gtest/gtest.h>

#include "eventlog/event_log_fixture.hpp"

namespace eb::eventlog {
namespace {

constexpr std::string_view kTarget = "arn:aws:sqs:us-east-1:000000000000:replayed";

class ReplayTest : public EventLogTest {
 protected:
  struct Delivery {
    std::string target;
    std::string body;
    MessageAttributes attributes;
  };
  std::vector<Delivery> delivered_;
  bool fail_delivery_ = false;
  // Like the broker, delivery sends the copy back into the log.
  bool loop_back_ = true;
  std::unique_ptr<Replays> replays_ = make_replays();

  std::unique_ptr<Replays> make_replays() {
    ReplayTarget target;
    target.validate = [](const std::string& t) -> Result<void> {
      if (t != kTarget) return fail(Errc::kQueueDoesNotExist, "no such queue: " + t);
      return {};
    };
    target.deliver = [this](const std::string& t, std::vector<ReplayMessage> messages) {
      std::vector<Result<void>> results;
      for (auto& m : messages) {
        if (fail_delivery_) {
          results.push_back(fail(Errc::kQueueDoesNotExist, "queue deleted"));
          continue;
        }
        if (loop_back_) send(m.body, m.attributes, t);
        delivered_.push_back({t, std::move(m.body), std::move(m.attributes)});
        results.emplace_back();
      }
      return results;
    };
    auto replays = std::make_unique<Replays>(*log_, engine_, clock_, clock_, std::move(target));
    auto recovered = replays->recover();
    EXPECT_TRUE(recovered) << (recovered ? "" : recovered.error().message);
    return replays;
  }

  ReplayStatus start(ReplaySpec spec) {
    if (spec.target.empty()) spec.target = std::string(kTarget);
    auto r = replays_->start(std::move(spec));
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : ReplayStatus{};
  }

  ReplayStatus status(const std::string& id) {
    auto r = replays_->get(id);
    EXPECT_TRUE(r);
    return r ? *r : ReplayStatus{};
  }
};

TEST_F(ReplayTest, ReplaysTheSelectionWithTheReplayAttribute) {
  send(envelope("1", "order.created"), {{"color", {"String", "red", {}}}});
  send(envelope("2", "order.paid"));
  send("plain");
  send(envelope("3", "order.created"), {}, "arn:aws:sqs:us-east-1:000000000000:elsewhere");
  auto started = start(ReplaySpec{.types = {"order.created"}});
  EXPECT_EQ(started.state, ReplayState::kRunning);
  EXPECT_EQ(started.total, 2u);
  EXPECT_EQ(started.spec.to_seq, std::optional<std::uint64_t>(4));
  EXPECT_TRUE(delivered_.empty());  // background work, not inside start()
  clock_.advance(0);
  ASSERT_EQ(delivered_.size(), 2u);
  EXPECT_EQ(delivered_[0].target, kTarget);
  EXPECT_EQ(delivered_[0].body, envelope("1", "order.created"));
  EXPECT_EQ(delivered_[0].attributes.at("color").string_value, "red");
  EXPECT_EQ(delivered_[0].attributes.at(std::string(kReplayAttribute)).string_value, started.id);
  EXPECT_EQ(delivered_[0].attributes.at(std::string(kReplayAttribute)).data_type, "String");
  auto done = status(started.id);
  EXPECT_EQ(done.state, ReplayState::kCompleted);
  EXPECT_EQ(done.replayed, 2u);
  // The copies re-entered the log (seqs 5, 6) but the replay stopped at its watermark.
  EXPECT_EQ(log_->visible_through(), 6u);
  clock_.advance(10'000);
  EXPECT_EQ(delivered_.size(), 2u);
}

TEST_F(ReplayTest, RangeAndSourceNarrowTheSelection) {
  for (int i = 0; i < 10; ++i) send("m" + std::to_string(i));
  send("other", {}, "arn:other");
  auto r = start(ReplaySpec{.from_seq = 3, .to_seq = 6, .source = std::string(kQueueArn)});
  EXPECT_EQ(r.total, 4u);
  clock_.advance(0);
  ASSERT_EQ(delivered_.size(), 4u);
  EXPECT_EQ(delivered_.front().body, "m2");
  EXPECT_EQ(delivered_.back().body, "m5");
  auto other = start(ReplaySpec{.source = "arn:other"});
  EXPECT_EQ(other.total, 1u);
  clock_.advance(0);
  EXPECT_EQ(delivered_.back().body, "other");
}

// An unfiltered selection is counted by key, not by reading each record: the count must still
// skip a failed write's gap and stop at the watermark.
TEST_F(ReplayTest, AnUnfilteredTotalSkipsGapsAndStopsAtTheWatermark) {
  for (int i = 0; i < 3; ++i) send("m" + std::to_string(i));  // seqs 1-3
  storage::Batch failed_batch;
  log_->finish(stage("lost", nullptr, failed_batch), false);  // seq 4: a gap
  send("m3");
  send("m4");  // seqs 5, 6
  storage::Batch pending_batch;
  auto pending = stage("pending", nullptr, pending_batch);  // seq 7, not committed
  auto r = start(ReplaySpec{.from_seq = 2});
  EXPECT_EQ(r.spec.to_seq, std::optional<std::uint64_t>(6));
  EXPECT_EQ(r.total, 4u);
  clock_.advance(0);
  EXPECT_EQ(status(r.id).replayed, 4u);
  ASSERT_TRUE(engine_.write(pending_batch));
  log_->finish(pending, true);
}

TEST_F(ReplayTest, TheRateLimitPacesBatchesOnTimers) {
  for (int i = 0; i < 10; ++i) send("m");
  auto r = start(ReplaySpec{.rate_per_second = 5});  // one event every 200 ms
  clock_.advance(0);
  EXPECT_EQ(delivered_.size(), 1u);
  clock_.advance(199);
  EXPECT_EQ(delivered_.size(), 1u);
  clock_.advance(1);
  EXPECT_EQ(delivered_.size(), 2u);
  clock_.advance(1'000);
  EXPECT_EQ(delivered_.size(), 7u);
  EXPECT_EQ(status(r.id).replayed, 7u);
  EXPECT_EQ(status(r.id).state, ReplayState::kRunning);
  clock_.advance(1'000);
  EXPECT_EQ(delivered_.size(), 10u);
  EXPECT_EQ(status(r.id).state, ReplayState::kCompleted);
}

TEST_F(ReplayTest, CancelStopsDelivery) {
  for (int i = 0; i < 10; ++i) send("m");
  auto r = start(ReplaySpec{.rate_per_second = 1});
  clock_.advance(0);
  EXPECT_EQ(delivered_.size(), 1u);
  auto cancelled = replays_->cancel(r.id);
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->state, ReplayState::kCancelled);
  clock_.advance(60'000);
  EXPECT_EQ(delivered_.size(), 1u);
  EXPECT_EQ(status(r.id).state, ReplayState::kCancelled);
  // Cancelling again (or a finished replay) changes nothing.
  EXPECT_EQ(replays_->cancel(r.id)->state, ReplayState::kCancelled);
  EXPECT_EQ(clock_.pending_timers(), 0u);
}

TEST_F(ReplayTest, BadRequestsAndUnknownIds) {
  send("m");
  auto unknown_target = replays_->start(ReplaySpec{.target = "arn:aws:sqs:x:0:nope"});
  ASSERT_FALSE(unknown_target);
  EXPECT_EQ(unknown_target.error().code, Errc::kQueueDoesNotExist);
  EXPECT_FALSE(replays_->start(ReplaySpec{}));  // no target
  EXPECT_FALSE(replays_->start(ReplaySpec{.target = std::string(kTarget), .rate_per_second = -1}));
  EXPECT_FALSE(
      replays_->start(ReplaySpec{.from_seq = 5, .to_seq = 2, .target = std::string(kTarget)}));
  auto missing = replays_->get("nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kResourceNotFound);
  EXPECT_FALSE(replays_->cancel("nope"));
  // An empty selection completes at once.
  auto empty = start(ReplaySpec{.from_seq = 100});
  EXPECT_EQ(empty.state, ReplayState::kCompleted);
  EXPECT_EQ(empty.total, 0u);
}

TEST_F(ReplayTest, ADeliveryFailureFailsTheReplay) {
  send("a");
  send("b");
  fail_delivery_ = true;
  auto r = start(ReplaySpec{});
  clock_.advance(0);
  auto s = status(r.id);
  EXPECT_EQ(s.state, ReplayState::kFailed);
  EXPECT_NE(s.error.find("queue deleted"), std::string::npos);
  EXPECT_EQ(s.replayed, 0u);
}

TEST_F(ReplayTest, ReplaysSurviveARestartAndResume) {
  for (int i = 0; i < 6; ++i) send("m" + std::to_string(i));
  auto running = start(ReplaySpec{.rate_per_second = 1});
  auto cancelled = start(ReplaySpec{.rate_per_second = 1});
  clock_.advance(1'000);  // two batches of one
  ASSERT_TRUE(replays_->cancel(cancelled.id));
  const auto before = delivered_.size();
  EXPECT_EQ(status(running.id).replayed, 2u);

  replays_.reset();
  restart();
  replays_ = make_replays();
  EXPECT_EQ(status(cancelled.id).state, ReplayState::kCancelled);
  auto resumed = status(running.id);
  EXPECT_EQ(resumed.state, ReplayState::kRunning);
  EXPECT_EQ(resumed.replayed, 2u);
  EXPECT_EQ(resumed.total, 6u);
  clock_.advance(10'000);
  auto done = status(running.id);
  EXPECT_EQ(done.state, ReplayState::kCompleted);
  EXPECT_EQ(done.replayed, 6u);
  EXPECT_EQ(delivered_.size(), before + 4);
  EXPECT_EQ(delivered_.back().body, "m5");
  EXPECT_EQ(replays_->list().size(), 2u);
}

TEST_F(ReplayTest, RecoveryReportsUnreadableStorage) {
  send("m");
  start(ReplaySpec{.rate_per_second = 1});
  replays_.reset();
  FlakyReadEngine engine(engine_);
  engine.fail_reads = true;
  Replays replays(*log_, engine, clock_, clock_, ReplayTarget{});
  auto recovered = replays.recover();
  ASSERT_FALSE(recovered);
  EXPECT_EQ(recovered.error().code, Errc::kInternalError);
  EXPECT_EQ(recovered.error().message, "replays: cannot read saved replays: corrupt block");
  EXPECT_TRUE(replays.list().empty());
}

}  // namespace
}  // namespace eb::eventlog
