#include "events/scheduler.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/manual_clock.hpp"
#include "events/event_buses.hpp"
#include "events/targets.hpp"
#include "sqs/queues.hpp"
#include "storage/memory_engine.hpp"

namespace eb::events {
namespace {

constexpr Millis kMinute = 60'000;
constexpr std::string_view kMissingQueue = "arn:aws:sqs:us-east-1:000000000000:does-not-exist";

// The injected Timers, keeping every deadline asked for: a schedule's firings and its retries.
class RecordingTimers final : public Timers {
 public:
  explicit RecordingTimers(Timers& inner) : inner_(inner) {}
  Id schedule_at(Millis deadline, std::function<void()> fn) override {
    deadlines.push_back(deadline);
    return inner_.schedule_at(deadline, std::move(fn));
  }
  void cancel(Id id) override { inner_.cancel(id); }

  std::vector<Millis> deadlines;

 private:
  Timers& inner_;
};

class SchedulerTest : public ::testing::Test {
 protected:
  ManualClock clock_{1'772'366'400'000};  // 2026-03-01T12:00:00Z
  storage::MemoryEngine store_{false};
  sqs::Queues queues_{clock_, clock_, store_};
  EventBuses buses_{clock_, clock_, store_, queues_};
  RecordingTimers timers_{clock_};
  std::optional<Scheduler> scheduler_;

  void SetUp() override {
    ASSERT_TRUE(queues_.recover());
    ASSERT_TRUE(buses_.recover());
    scheduler_.emplace(clock_, timers_, store_, queues_, buses_);
    ASSERT_TRUE(scheduler_->recover());
  }

  std::string queue(const std::string& name, AttributeMap attributes = {}) {
    auto created = queues_.create_queue({name, std::move(attributes), {}});
    EXPECT_TRUE(created) << (created ? "" : created.error().message);
    return queues_.queue_arn(name);
  }

  std::vector<sqs::ReceivedMessage> drain(const std::string& queue) {
    std::optional<Result<std::vector<sqs::ReceivedMessage>>> out;
    sqs::ReceiveInput in;
    in.wait_seconds = 0;
    in.max_messages = 10;
    in.message_attribute_names = {"All"};
    queues_.receive_message(queue, in, [&](auto r) { out = std::move(r); });
    std::vector<sqs::ReceivedMessage> messages;
    if (out && out->has_value()) {
      for (auto& m : **out) {
        EXPECT_TRUE(queues_.delete_message(queue, m.receipt_handle));
        messages.push_back(std::move(m));
      }
    }
    return messages;
  }

  static ScheduleInput input(std::string name, std::string expression, std::string target_arn) {
    ScheduleInput in;
    in.name = std::move(name);
    in.expression = std::move(expression);
    in.target.arn = std::move(target_arn);
    in.target.role_arn = "arn:aws:iam::000000000000:role/scheduler";
    in.target.input = R"({"hello":"world"})";
    return in;
  }

  // A one-time schedule at 12:01 into a queue that does not exist, dead-lettered into "dlq".
  ScheduleInput into_missing_queue(std::string name) {
    auto in = input(std::move(name), "at(2026-03-01T12:01:00)", std::string(kMissingQueue));
    in.target.dead_letter_arn = queue("dlq");
    return in;
  }

  Errc create_error(ScheduleInput in) {
    auto created = scheduler_->create_schedule(std::move(in));
    EXPECT_FALSE(created);
    return created ? Errc::kInternalError : created.error().code;
  }
};

TEST_F(SchedulerTest, TheDefaultGroupExistsAndCannotBeDeleted) {
  auto group = scheduler_->get_group("default");
  ASSERT_TRUE(group);
  EXPECT_EQ(group->arn, "arn:aws:scheduler:us-east-1:000000000000:schedule-group/default");
  auto deleted = scheduler_->delete_group("default");
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().code, Errc::kValidationError);
}

TEST_F(SchedulerTest, DeletingAGroupDeletesItsSchedules) {
  const std::string q = queue("q");
  ASSERT_TRUE(scheduler_->create_group("team", {{"k", "v"}}, ""));
  auto in = input("s", "rate(1 hour)", q);
  in.group = "team";
  auto arn = scheduler_->create_schedule(in);
  ASSERT_TRUE(arn) << arn.error().message;
  EXPECT_EQ(*arn, "arn:aws:scheduler:us-east-1:000000000000:schedule/team/s");
  ASSERT_TRUE(scheduler_->delete_group("team"));
  EXPECT_FALSE(scheduler_->get_group("team"));
  in.group = "team";
  EXPECT_EQ(scheduler_->get_schedule(std::string("team"), "s").error().code,
            Errc::kResourceNotFound);
  // Its timer went with it.
  clock_.advance(2 * 60 * kMinute);
  EXPECT_TRUE(drain("q").empty());
}

TEST_F(SchedulerTest, ARateFiresAtOnceAndThenEveryPeriodIntoSqs) {
  const std::string q = queue("q");
  ASSERT_TRUE(scheduler_->create_schedule(input("every5", "rate(5 minutes)", q)));
  clock_.advance(0);
  auto first = drain("q");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].body, R"({"hello":"world"})");
  clock_.advance(5 * kMinute - 1);
  EXPECT_TRUE(drain("q").empty());
  clock_.advance(1);
  EXPECT_EQ(drain("q").size(), 1u);
  // Disabled: no more.
  auto disabled = input("every5", "rate(5 minutes)", q);
  disabled.state = "DISABLED";
  ASSERT_TRUE(scheduler_->update_schedule(disabled));
  clock_.advance(20 * kMinute);
  EXPECT_TRUE(drain("q").empty());
}

TEST_F(SchedulerTest, StartAndEndDatesBoundARecurringSchedule) {
  const std::string q = queue("q");
  auto in = input("bounded", "cron(0 * * * ? *)", q);
  in.start_date = clock_.now_ms() + 90 * kMinute;  // 13:30: first fire at 14:00
  in.end_date = clock_.now_ms() + 150 * kMinute;   // 14:30: 14:00 is the only one
  ASSERT_TRUE(scheduler_->create_schedule(in));
  clock_.advance(119 * kMinute);
  EXPECT_TRUE(drain("q").empty());
  clock_.advance(kMinute);
  EXPECT_EQ(drain("q").size(), 1u);
  clock_.advance(5 * 60 * kMinute);
  EXPECT_TRUE(drain("q").empty());
}

TEST_F(SchedulerTest, AOneTimeScheduleWithDeleteIsGoneAfterItFires) {
  const std::string q = queue("q");
  auto in = input("once", "at(2026-03-01T12:10:00)", q);
  in.action_after_completion = "DELETE";
  ASSERT_TRUE(scheduler_->create_schedule(in));
  auto kept = input("kept", "at(2026-03-01T12:10:00)", q);
  ASSERT_TRUE(scheduler_->create_schedule(kept));
  clock_.advance(10 * kMinute);
  EXPECT_EQ(drain("q").size(), 2u);
  EXPECT_EQ(scheduler_->get_schedule(std::nullopt, "once").error().code, Errc::kResourceNotFound);
  EXPECT_TRUE(scheduler_->get_schedule(std::nullopt, "kept"));
}

TEST_F(SchedulerTest, AFlexibleWindowFiresOnceWithinTheWindow) {
  const std::string q = queue("q");
  auto in = input("flex", "at(2026-03-01T13:00:00)", q);
  in.flexible_mode = "FLEXIBLE";
  in.flexible_window_minutes = 15;
  ASSERT_TRUE(scheduler_->create_schedule(in));
  clock_.advance(60 * kMinute - 1);
  EXPECT_TRUE(drain("q").empty());
  clock_.advance(15 * kMinute);
  EXPECT_EQ(drain("q").size(), 1u);
  clock_.advance(60 * kMinute);
  EXPECT_TRUE(drain("q").empty());
}

TEST_F(SchedulerTest, WithoutRetriesAMissingTargetGoesToTheDeadLetterQueueAsAwsShowsIt) {
  auto in = into_missing_queue("lost");
  in.target.maximum_retry_attempts = 0;
  ASSERT_TRUE(scheduler_->create_schedule(in));
  clock_.advance(kMinute);
  auto dead = drain("dlq");
  ASSERT_EQ(dead.size(), 1u);
  // The request made to the target's API (configuring-schedule-dlq.html).
  EXPECT_EQ(dead[0].body, R"({"MessageBody":"{\"hello\":\"world\"}",)"
                          R"("QueueUrl":"http://localhost:4566/000000000000/does-not-exist"})");
  std::map<std::string, std::string> attributes;
  for (const auto& [name, value] : dead[0].message_attributes) {
    EXPECT_EQ(value.data_type, "String") << name;
    attributes[name] = value.string_value;
  }
  const std::string execution_id = attributes["EXECUTION_ID"];
  EXPECT_EQ(execution_id.size(), 16u);
  EXPECT_EQ(execution_id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(attributes,
            (std::map<std::string, std::string>{
                {"ERROR_CODE", "AWS.SimpleQueueService.NonExistentQueue"},
                {"ERROR_MESSAGE", "The specified queue does not exist for this wsdl version."},
                {"EXECUTION_ID", execution_id},
                {"EXHAUSTED_RETRY_CONDITION", "MaximumRetryAttempts"},
                {"IS_PAYLOAD_TRUNCATED", "false"},
                {"RETRY_ATTEMPTS", "0"},
                {"SCHEDULED_TIME", "2026-03-01T12:01:00Z"},
                {"SCHEDULE_ARN", "arn:aws:scheduler:us-east-1:000000000000:schedule/default/lost"},
                {"TARGET_ARN", "arn:aws:scheduler:::aws-sdk:sqs:sendMessage"},
            }));
  // MaximumRetryAttempts 0: one attempt, no retry timer; a queue created later gets nothing.
  EXPECT_EQ(timers_.deadlines, (std::vector<Millis>{clock_.now_ms()}));
  queue("does-not-exist");
  clock_.advance(24 * 60 * kMinute);
  EXPECT_TRUE(drain("does-not-exist").empty());
  EXPECT_TRUE(drain("dlq").empty());
}

TEST_F(SchedulerTest, AFailedInvocationIsRetriedAtGrowingIntervals) {
  auto in = into_missing_queue("retried");
  in.target.maximum_retry_attempts = 8;
  ASSERT_TRUE(scheduler_->create_schedule(in));
  const Millis scheduled = clock_.now_ms() + kMinute;
  clock_.advance(kMinute);
  ASSERT_EQ(timers_.deadlines.size(), 2u);  // the firing, then the first retry
  // Each retry runs at its deadline and arms the next, further away each time.
  for (std::size_t n = 2; n <= 9; ++n) {
    clock_.advance(timers_.deadlines.back() - clock_.now_ms());
    EXPECT_EQ(timers_.deadlines.size(), std::min<std::size_t>(n + 1, 9)) << n;
  }
  ASSERT_EQ(timers_.deadlines.size(), 9u);
  EXPECT_EQ(timers_.deadlines.front(), scheduled);
  Millis previous = 0;
  for (std::size_t retry = 1; retry < timers_.deadlines.size(); ++retry) {
    const Millis delay = timers_.deadlines[retry] - timers_.deadlines[retry - 1];
    const Millis ceiling = 1000LL << (retry - 1);  // 1 s doubling, jitter down to half
    EXPECT_GE(delay, ceiling / 2) << retry;
    EXPECT_LE(delay, ceiling) << retry;
    EXPECT_GE(delay, previous) << retry;
    previous = delay;
  }
  auto dead = drain("dlq");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].message_attributes.at("RETRY_ATTEMPTS").string_value, "8");
  EXPECT_EQ(dead[0].message_attributes.at("EXHAUSTED_RETRY_CONDITION").string_value,
            "MaximumRetryAttempts");
}

TEST_F(SchedulerTest, AQueueCreatedBetweenAttemptsGetsTheMessageOnce) {
  auto in = into_missing_queue("late");
  ASSERT_TRUE(scheduler_->create_schedule(in));
  clock_.advance(kMinute);  // the first attempt fails
  EXPECT_EQ(timers_.deadlines.size(), 2u);
  queue("does-not-exist");
  clock_.advance(kMinute);
  auto got = drain("does-not-exist");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, R"({"hello":"world"})");
  clock_.advance(24 * 60 * kMinute);
  EXPECT_TRUE(drain("does-not-exist").empty());
  EXPECT_TRUE(drain("dlq").empty());
  EXPECT_EQ(timers_.deadlines.size(), 2u);  // delivered at the first retry: no other
  const ScheduleCounts counts = scheduler_->counts();
  EXPECT_EQ(counts[ScheduleCount::kRetried], 1u);
  EXPECT_EQ(counts[ScheduleCount::kDelivered], 1u);
  EXPECT_EQ(counts[ScheduleCount::kFailed], 0u);
}

TEST_F(SchedulerTest, ExhaustedRetriesPutOneDeadLetterWithTheirCount) {
  auto in = into_missing_queue("doomed");
  in.target.maximum_retry_attempts = 3;
  ASSERT_TRUE(scheduler_->create_schedule(in));
  clock_.advance(60 * kMinute);
  EXPECT_EQ(timers_.deadlines.size(), 4u);  // the firing and 3 retries
  auto dead = drain("dlq");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].message_attributes.at("RETRY_ATTEMPTS").string_value, "3");
  EXPECT_EQ(dead[0].message_attributes.at("EXHAUSTED_RETRY_CONDITION").string_value,
            "MaximumRetryAttempts");
  EXPECT_EQ(dead[0].message_attributes.at("SCHEDULED_TIME").string_value, "2026-03-01T12:01:00Z");
  clock_.advance(24 * 60 * kMinute);
  EXPECT_TRUE(drain("dlq").empty());
  const ScheduleCounts counts = scheduler_->counts();
  EXPECT_EQ(counts[ScheduleCount::kRetried], 3u);
  EXPECT_EQ(counts[ScheduleCount::kFailed], 1u);
  EXPECT_EQ(counts[ScheduleCount::kDeadLettered], 1u);
  EXPECT_EQ(counts[ScheduleCount::kDelivered], 0u);
  EXPECT_EQ(counts[ScheduleCount::kDropped], 0u);
}

TEST_F(SchedulerTest, MaximumEventAgeCutsRetriesShort) {
  auto in = into_missing_queue("aged");
  in.target.maximum_event_age_seconds = 60;  // 185 retries would take hours
  ASSERT_TRUE(scheduler_->create_schedule(in));
  const Millis scheduled = clock_.now_ms() + kMinute;
  clock_.advance(kMinute + 60'000);
  auto dead = drain("dlq");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].message_attributes.at("EXHAUSTED_RETRY_CONDITION").string_value,
            "MaximumEventAgeInSeconds");
  const int retries = std::stoi(dead[0].message_attributes.at("RETRY_ATTEMPTS").string_value);
  EXPECT_GE(retries, 5);  // delays of at most 1+2+4+8+16 s fit in a minute
  EXPECT_LE(retries, 6);  // delays of at least 0.5+1+2+4+8+16+32 s do not
  EXPECT_EQ(timers_.deadlines.size(), static_cast<std::size_t>(retries) + 1);
  for (Millis deadline : timers_.deadlines) EXPECT_LE(deadline, scheduled + 60'000);
  clock_.advance(24 * 60 * kMinute);
  EXPECT_TRUE(drain("dlq").empty());
}

TEST_F(SchedulerTest, ADeletedScheduleIsNotRetried) {
  auto in = into_missing_queue("gone");
  ASSERT_TRUE(scheduler_->create_schedule(in));
  clock_.advance(kMinute);
  ASSERT_TRUE(scheduler_->delete_schedule(std::nullopt, "gone"));
  queue("does-not-exist");
  clock_.advance(24 * 60 * kMinute);
  EXPECT_TRUE(drain("does-not-exist").empty());
  EXPECT_TRUE(drain("dlq").empty());
  EXPECT_EQ(scheduler_->counts()[ScheduleCount::kDropped], 1u);
}

TEST_F(SchedulerTest, ARefusedMessageIsNotRetried) {
  const std::string dlq = queue("dlq");
  const std::string fifo = queue("jobs.fifo", {{"FifoQueue", "true"}});
  auto in = input("no-group", "at(2026-03-01T12:01:00)", fifo);  // no MessageGroupId
  in.target.dead_letter_arn = dlq;
  ASSERT_TRUE(scheduler_->create_schedule(in));
  clock_.advance(kMinute);
  auto dead = drain("dlq");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].message_attributes.at("RETRY_ATTEMPTS").string_value, "0");
  EXPECT_FALSE(dead[0].message_attributes.contains("EXHAUSTED_RETRY_CONDITION"));
  EXPECT_EQ(timers_.deadlines.size(), 1u);
}

TEST_F(SchedulerTest, QueuesOfAnotherAccountAreTargetsAndDeadLetterQueues) {
  storage::MemoryEngine other_store{true};
  sqs::Queues other(clock_, clock_, other_store, sqs::QueuesOptions{.account_id = "222222222222"});
  queues_.set_other_accounts(
      [&](std::string_view id) { return id == "222222222222" ? &other : nullptr; });
  ASSERT_TRUE(other.create_queue({"inbox", {}, {}}));
  ASSERT_TRUE(other.create_queue({"dlq", {}, {}}));
  ASSERT_TRUE(other.create_queue({"jobs.fifo", {{"FifoQueue", "true"}}, {}}));
  ASSERT_TRUE(scheduler_->create_schedule(
      input("there", "at(2026-03-01T12:01:00)", other.queue_arn("inbox"))));
  auto refused = input("no-group", "at(2026-03-01T12:01:00)", other.queue_arn("jobs.fifo"));
  refused.target.dead_letter_arn = other.queue_arn("dlq");
  ASSERT_TRUE(scheduler_->create_schedule(refused));
  clock_.advance(kMinute);

  const auto count = [&](const std::string& name) {
    auto attributes = other.get_queue_attributes(name, {"ApproximateNumberOfMessages"});
    return attributes ? attributes->at("ApproximateNumberOfMessages") : "<none>";
  };
  EXPECT_EQ(count("inbox"), "1");
  EXPECT_EQ(count("jobs.fifo"), "0");
  EXPECT_EQ(count("dlq"), "1");
}

TEST_F(SchedulerTest, DeleteAfterCompletionWaitsForTheRetries) {
  auto in = input("once", "at(2026-03-01T12:01:00)", std::string(kMissingQueue));
  in.action_after_completion = "DELETE";
  ASSERT_TRUE(scheduler_->create_schedule(in));
  clock_.advance(kMinute);
  EXPECT_TRUE(scheduler_->get_schedule(std::nullopt, "once"));
  queue("does-not-exist");
  clock_.advance(kMinute);
  EXPECT_EQ(drain("does-not-exist").size(), 1u);
  EXPECT_EQ(scheduler_->get_schedule(std::nullopt, "once").error().code, Errc::kResourceNotFound);
}

TEST_F(SchedulerTest, FifoTargetsGetTheMessageGroupId) {
  const std::string q = queue("jobs.fifo", {{"FifoQueue", "true"}});
  auto in = input("fifo", "at(2026-03-01T12:01:00)", q);
  in.target.sqs_message_group_id = "g1";
  ASSERT_TRUE(scheduler_->create_schedule(in));
  clock_.advance(kMinute);
  EXPECT_EQ(drain("jobs.fifo").size(), 1u);
}

TEST_F(SchedulerTest, ABusTargetGetsOneEventWithTheParameters) {
  const std::string q = queue("events");
  PutRuleInput rule;
  rule.name = "r";
  rule.event_pattern = R"({"source":["my.app"]})";
  ASSERT_TRUE(buses_.put_rule(rule));
  auto target = parse_target(R"({"Id":"t","Arn":")" + q + R"("})");
  ASSERT_TRUE(target);
  ASSERT_TRUE(buses_.put_targets(std::nullopt, "r", {*target}));
  auto in = input("bus", "at(2026-03-01T12:01:00)",
                  "arn:aws:events:us-east-1:000000000000:event-bus/default");
  in.target.detail_type = "Tick";
  in.target.source = "my.app";
  ASSERT_TRUE(scheduler_->create_schedule(in));
  clock_.advance(kMinute);
  auto got = drain("events");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NE(got[0].body.find(R"("detail-type":"Tick")"), std::string::npos);
  EXPECT_NE(got[0].body.find(R"("detail":{"hello":"world"})"), std::string::npos);
}

TEST_F(SchedulerTest, ValidationConflictsAndIdempotency) {
  const std::string q = queue("q");
  EXPECT_EQ(create_error(input("bad", "rate(five minutes)", q)), Errc::kValidationError);
  EXPECT_EQ(create_error(input("bad name!", "rate(5 minutes)", q)), Errc::kValidationError);
  auto zone = input("tz", "cron(0 9 * * ? *)", q);
  zone.timezone = "Nowhere/Special";
  EXPECT_EQ(create_error(zone), Errc::kValidationError);
  auto flexible = input("flex", "rate(5 minutes)", q);
  flexible.flexible_mode = "FLEXIBLE";
  EXPECT_EQ(create_error(flexible), Errc::kValidationError);
  flexible.flexible_window_minutes = 1441;
  EXPECT_EQ(create_error(flexible), Errc::kValidationError);
  auto retry = input("retry", "rate(5 minutes)", q);
  retry.target.maximum_retry_attempts = 186;
  EXPECT_EQ(create_error(retry), Errc::kValidationError);
  retry.target.maximum_retry_attempts = 0;
  retry.target.maximum_event_age_seconds = 59;
  EXPECT_EQ(create_error(retry), Errc::kValidationError);
  auto no_role = input("role", "rate(5 minutes)", q);
  no_role.target.role_arn.clear();
  EXPECT_EQ(create_error(no_role), Errc::kValidationError);
  auto elsewhere = input("x", "rate(5 minutes)", q);
  elsewhere.group = "missing";
  EXPECT_EQ(create_error(elsewhere), Errc::kResourceNotFound);

  auto first = input("dup", "rate(5 minutes)", q);
  first.client_token = "token-1";
  ASSERT_TRUE(scheduler_->create_schedule(first));
  EXPECT_TRUE(scheduler_->create_schedule(first));  // the same request again
  first.client_token = "token-2";
  EXPECT_EQ(create_error(first), Errc::kResourceAlreadyExists);
  EXPECT_EQ(scheduler_->create_group("default", {}, "").error().code, Errc::kResourceAlreadyExists);
  EXPECT_EQ(scheduler_->update_schedule(input("nope", "rate(5 minutes)", q)).error().code,
            Errc::kResourceNotFound);
}

TEST_F(SchedulerTest, ListsPageAndFilter) {
  const std::string q = queue("q");
  for (const char* name : {"a1", "a2", "a3", "b1"}) {
    ASSERT_TRUE(scheduler_->create_schedule(input(name, "rate(1 day)", q)));
  }
  ListSchedulesInput in;
  in.name_prefix = "a";
  in.max_results = 2;
  auto page = scheduler_->list_schedules(in);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_FALSE(page->next_token.empty());
  in.next_token = page->next_token;
  auto rest = scheduler_->list_schedules(in);
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->items.size(), 1u);
  EXPECT_EQ(rest->items[0].spec.name, "a3");
  EXPECT_TRUE(rest->next_token.empty());
  auto groups = scheduler_->list_groups({});
  ASSERT_TRUE(groups);
  ASSERT_EQ(groups->items.size(), 1u);
}

TEST_F(SchedulerTest, TagsBelongToGroups) {
  auto arn = scheduler_->create_group("tagged", {{"a", "1"}}, "");
  ASSERT_TRUE(arn);
  ASSERT_TRUE(scheduler_->tag_resource(*arn, {{"b", "2"}}));
  ASSERT_TRUE(scheduler_->untag_resource(*arn, {"a"}));
  auto tags = scheduler_->list_tags(*arn);
  ASSERT_TRUE(tags);
  EXPECT_EQ(*tags, (Tags{{"b", "2"}}));
  EXPECT_EQ(scheduler_->list_tags(*arn + "x").error().code, Errc::kResourceNotFound);
}

TEST_F(SchedulerTest, SchedulesSurviveARestartAndAreArmedAgain) {
  const std::string q = queue("q");
  ASSERT_TRUE(scheduler_->create_group("g", {}, ""));
  auto in = input("later", "at(2026-03-01T12:30:00)", q);
  in.group = "g";
  in.timezone = "UTC";
  ASSERT_TRUE(scheduler_->create_schedule(in));
  scheduler_.reset();
  scheduler_.emplace(clock_, timers_, store_, queues_, buses_);
  ASSERT_TRUE(scheduler_->recover());
  auto got = scheduler_->get_schedule(std::string("g"), "later");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->spec.expression, "at(2026-03-01T12:30:00)");
  EXPECT_EQ(got->spec.target.input, R"({"hello":"world"})");
  clock_.advance(30 * kMinute);
  EXPECT_EQ(drain("q").size(), 1u);
}

}  // namespace
}  // namespace eb::events
