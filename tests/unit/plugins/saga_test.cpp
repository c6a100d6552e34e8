// The saga state machine alone (saga.hpp): no broker, no clock, no I/O. Each test drives one
// saga through `advance`, `reply` and `redrive`, folding every event with `apply` as the engine
// does, and checks what the saga decided at each point.
#include "plugins/saga.hpp"

#include <gtest/gtest.h>

namespace eb::plugins::saga {
namespace {

using Kind = Event::Kind;

config::SagaStepSpec step(const std::string& name, const std::string& request,
                          const std::string& success, const std::string& failure,
                          const std::string& compensation, const std::string& compensated) {
  config::SagaStepSpec s;
  s.name = name;
  s.request.type = request;
  s.success = {success};
  if (!failure.empty()) s.failure = {failure};
  s.timeout_seconds = 10;
  s.retry = {.max_attempts = 2, .backoff_seconds = 1, .multiplier = 2};
  if (!compensation.empty()) {
    s.compensation = config::SagaRequestSpec{compensation, R"("$.input")"};
    s.compensation_success = {compensated};
  }
  return s;
}

// The design's order saga.
config::SagaPluginSpec order_saga() {
  config::SagaPluginSpec d;
  d.steps = {
      step("reserve-inventory", "inventory.reserve-requested", "inventory.reserved",
           "inventory.reservation-failed", "inventory.release-requested", "inventory.released"),
      step("process-payment", "payment.process-requested", "payment.processed", "payment.failed",
           "payment.refund-requested", "payment.refunded"),
      step("create-order", "order.create-requested", "order.created", "", "order.cancel-requested",
           "order.cancelled")};
  return d;
}

class SagaTest : public ::testing::Test {
 protected:
  config::SagaPluginSpec d_ = order_saga();
  State s_;
  Millis now_ = 1'000'000;
  int ids_ = 0;

  void SetUp() override {
    s_.id = "saga-1";
    Event started;
    started.kind = Kind::kStarted;
    started.at = now_;
    started.step = d_.steps.size();
    started.definition = "order-creation";
    started.input = R"({"orderId":"o-1"})";
    commit(started);
  }

  // Folds `e` as the engine does after writing it, with the next event id.
  Event commit(Event e) {
    e.id = "e" + std::to_string(++ids_);
    apply(d_, s_, e);
    return e;
  }
  // The next thing the saga does at now_ (it must do something), committed.
  Event next() {
    Next n = advance(d_, s_, now_);
    EXPECT_TRUE(n.event.has_value()) << "the saga waits until " << n.wake_at.value_or(-1);
    return n.event ? commit(*n.event) : Event{};
  }
  // When the saga waits, until when (nullopt: for a reply).
  std::optional<Millis> waits() {
    Next n = advance(d_, s_, now_);
    EXPECT_FALSE(n.event.has_value()) << "the saga acts: " << event_type(n.event->kind);
    return n.wake_at;
  }
  std::optional<Event> answer(const std::string& type, const std::string& causation,
                              const std::string& data = "{}") {
    auto e = reply(d_, s_, Reply{"r" + std::to_string(++ids_), type, causation, data, {}}, now_);
    if (e) return commit(*e);
    return std::nullopt;
  }
  // Requests step `i` expects in `phase` and answers it with success.
  void succeed(std::size_t i, Phase phase = Phase::kAction) {
    const Event request = next();
    ASSERT_EQ(request.kind, Kind::kRequested);
    ASSERT_EQ(request.step, i);
    ASSERT_EQ(request.phase, phase);
    const auto& spec = d_.steps[i];
    const auto done = answer(
        phase == Phase::kAction ? spec.success[0] : spec.compensation_success[0], request.id);
    ASSERT_TRUE(done.has_value());
  }
  std::vector<StepStatus> step_statuses() const {
    std::vector<StepStatus> out;
    for (const auto& st : s_.steps) out.push_back(st.status);
    return out;
  }
};

TEST_F(SagaTest, EveryStepInOrderThenCompleted) {
  const Event first = next();
  EXPECT_EQ(first.kind, Kind::kRequested);
  EXPECT_EQ(first.step, 0u);
  EXPECT_EQ(first.attempt, 1);
  EXPECT_EQ(first.deadline, now_ + 10'000);
  EXPECT_EQ(waits(), now_ + 10'000);
  ASSERT_TRUE(answer("inventory.reserved", first.id, R"({"items":[]})"));
  EXPECT_EQ(s_.steps[0].result, R"({"items":[]})");
  succeed(1);
  succeed(2);
  EXPECT_EQ(next().kind, Kind::kCompleted);
  EXPECT_EQ(s_.status, Status::kCompleted);
  EXPECT_FALSE(advance(d_, s_, now_).event);
  EXPECT_FALSE(advance(d_, s_, now_).wake_at);
}

TEST_F(SagaTest, LateDuplicateAndForeignRepliesAreIgnored) {
  const Event request = next();
  EXPECT_FALSE(answer("inventory.reserved", "some-other-request"));  // not its cause
  EXPECT_FALSE(answer("payment.processed", request.id));             // not this step's type
  ASSERT_TRUE(answer("inventory.reserved", request.id));
  EXPECT_FALSE(answer("inventory.reserved", request.id));  // a duplicate: nothing outstanding
  const Event payment = next();
  EXPECT_FALSE(answer("inventory.reserved", request.id));  // late, for a completed step
  EXPECT_TRUE(answer("payment.processed", ""));            // no causationId: matched by type alone
  EXPECT_EQ(payment.step, 1u);
}

TEST_F(SagaTest, AFailureAtEachStepCompensatesTheCompletedStepsInReverse) {
  for (std::size_t failing = 0; failing < 2; ++failing) {
    SCOPED_TRACE(failing);
    SetUp();
    for (std::size_t i = 0; i < failing; ++i) succeed(i);
    const Event request = next();
    ASSERT_TRUE(answer(d_.steps[failing].failure[0], request.id, R"({"reason":"no"})"));
    EXPECT_EQ(s_.status, Status::kCompensating);
    EXPECT_EQ(s_.steps[failing].status, StepStatus::kFailed);
    for (std::size_t i = failing; i-- > 0;) succeed(i, Phase::kCompensation);
    EXPECT_EQ(next().kind, Kind::kCompensated);
    EXPECT_EQ(s_.status, Status::kCompensated);
    for (std::size_t i = 0; i < failing; ++i)
      EXPECT_EQ(s_.steps[i].status, StepStatus::kCompensated);
  }
}

TEST_F(SagaTest, ATimeoutIsRetriedAfterTheBackoffThenFailsAndIsCompensatedToo) {
  succeed(0);
  const Event first = next();
  now_ = first.deadline;
  const Event retry = next();
  EXPECT_EQ(retry.kind, Kind::kRetryScheduled);
  EXPECT_EQ(retry.attempt, 2);
  EXPECT_EQ(retry.retry_at, now_ + 1000);
  EXPECT_EQ(waits(), now_ + 1000);
  EXPECT_FALSE(answer("payment.processed", first.id));  // the timed-out attempt's late reply
  now_ += 1000;
  const Event second = next();
  EXPECT_EQ(second.kind, Kind::kRequested);
  EXPECT_EQ(second.attempt, 2);
  now_ = second.deadline;
  const Event failed = next();
  EXPECT_EQ(failed.kind, Kind::kStepFailed);
  EXPECT_TRUE(failed.timeout);
  EXPECT_EQ(failed.reason, "timed out after 2 attempts");
  // The payment's effect is unknown: it is refunded, then the reservation released.
  succeed(1, Phase::kCompensation);
  succeed(0, Phase::kCompensation);
  EXPECT_EQ(next().kind, Kind::kCompensated);
}

TEST_F(SagaTest, AFailedCompensationMakesTheSagaStuckUntilRedriven) {
  succeed(0);
  const Event payment = next();
  ASSERT_TRUE(answer("payment.failed", payment.id));
  for (int attempt = 1; attempt <= 2; ++attempt) {
    const Event release = next();
    ASSERT_EQ(release.phase, Phase::kCompensation);
    ASSERT_EQ(release.attempt, attempt);
    now_ = release.deadline;
    if (attempt == 1) {
      EXPECT_EQ(next().kind, Kind::kRetryScheduled);
      now_ += 1000;
    }
  }
  const Event stuck = next();
  EXPECT_EQ(stuck.kind, Kind::kCompensationFailed);
  EXPECT_EQ(s_.status, Status::kStuck);
  EXPECT_EQ(s_.steps[0].status, StepStatus::kCompensationFailed);
  EXPECT_FALSE(waits());  // nothing until a redrive

  ASSERT_TRUE(redrive(s_, now_));
  commit(*redrive(s_, now_));
  EXPECT_EQ(s_.status, Status::kCompensating);
  EXPECT_FALSE(redrive(s_, now_));  // only a stuck saga
  const Event again = next();
  EXPECT_EQ(again.kind, Kind::kRequested);
  EXPECT_EQ(again.attempt, 1);
  ASSERT_TRUE(answer("inventory.released", again.id));
  EXPECT_EQ(next().kind, Kind::kCompensated);
}

TEST_F(SagaTest, AStepWithoutCompensationIsSkipped) {
  d_.steps[1].compensation.reset();
  SetUp();
  succeed(0);
  succeed(1);
  const Event order = next();
  now_ = order.deadline;
  EXPECT_EQ(next().kind, Kind::kRetryScheduled);
  now_ += 1000;
  now_ = next().deadline;
  EXPECT_EQ(next().kind, Kind::kStepFailed);
  succeed(2, Phase::kCompensation);  // the timed-out create-order is cancelled
  succeed(0, Phase::kCompensation);  // process-payment has no compensation
  EXPECT_EQ(next().kind, Kind::kCompensated);
  EXPECT_EQ(step_statuses(),
            (std::vector<StepStatus>{StepStatus::kCompensated, StepStatus::kCompleted,
                                     StepStatus::kCompensated}));
}

TEST_F(SagaTest, CausationFollowsTheLatestRequestOrReply) {
  const Event request = next();
  EXPECT_EQ(s_.last_event_id, request.id);
  auto reply_event =
      reply(d_, s_, Reply{"reply-1", "inventory.reserved", request.id, "{}", {}}, now_);
  ASSERT_TRUE(reply_event);
  commit(*reply_event);
  EXPECT_EQ(s_.last_event_id, "reply-1");  // the next request is caused by the reply
}

TEST(SagaBackoff, GrowsByTheMultiplier) {
  const config::SagaRetrySpec retry{.max_attempts = 5, .backoff_seconds = 0.5, .multiplier = 3};
  EXPECT_EQ(backoff_ms(retry, 1), 500);
  EXPECT_EQ(backoff_ms(retry, 2), 1500);
  EXPECT_EQ(backoff_ms(retry, 3), 4500);
}

TEST(SagaNames, StatusesAndEventTypesRoundTrip) {
  for (Status s : {Status::kStarted, Status::kCompensating, Status::kCompleted,
                   Status::kCompensated, Status::kStuck}) {
    EXPECT_EQ(parse_status(to_string(s)), s);
  }
  EXPECT_FALSE(parse_status("running"));
  EXPECT_EQ(parse_event_type("saga.step-succeeded"), Kind::kStepSucceeded);
  EXPECT_FALSE(parse_event_type("inventory.reserved"));
}

// The engine's snapshot entry: a state in every phase (waiting, retrying, failed with a
// reason, compensating, stuck) decodes to what was encoded, with strings that need escaping;
// anything else is refused rather than half read.
TEST_F(SagaTest, TheStateCodecRoundTripsEveryFieldAndRefusesAnythingElse) {
  const auto round_trip = [&] {
    const std::string text = encode_state(s_);
    const auto back = decode_state(text, d_.steps.size());
    ASSERT_TRUE(back) << text;
    EXPECT_EQ(*back, s_) << text;
  };
  round_trip();                // started, nothing requested
  const Event first = next();  // reserve-inventory requested
  round_trip();
  ASSERT_TRUE(answer("inventory.reserved", first.id, R"({"items":[{"sku":"a\"b"}]})"));
  now_ += 10'000;
  next();  // process-payment requested
  now_ += 10'000;
  next();  // ... timed out: a retry scheduled
  round_trip();
  s_.steps[1].error = "declined: \"card\"\n";
  s_.last_event_id = "e-\u00e9";
  s_.steps[1].timed_out = true;
  s_.status = Status::kStuck;
  round_trip();

  const std::string good = encode_state(s_);
  EXPECT_FALSE(decode_state(good, d_.steps.size() + 1));  // another definition's steps
  EXPECT_FALSE(decode_state("not json", d_.steps.size()));
  EXPECT_FALSE(decode_state("{}", d_.steps.size()));
  std::string bad_status = good;
  bad_status.replace(bad_status.find(R"("s":4)"), 5, R"("s":9)");
  EXPECT_FALSE(decode_state(bad_status, d_.steps.size()));
}

}  // namespace
}  // namespace eb::plugins::saga
