// EventBuses::reset and Scheduler::reset: buses, rules, groups and schedules go in one write
// each, the default bus and group come back, and no dropped timer fires afterwards.
#include <gtest/gtest.h>

#include "core/manual_clock.hpp"
#include "events/archives.hpp"
#include "events/event_buses.hpp"
#include "events/scheduler.hpp"
#include "events/targets.hpp"
#include "sqs/queues.hpp"
#include "storage/memory_engine.hpp"

namespace eb::events {
namespace {

constexpr Millis kMinute = 60'000;

class EventsResetTest : public ::testing::Test {
 protected:
  ManualClock clock_{1'772'366'400'000};  // 2026-03-01T12:00:00Z
  storage::MemoryEngine store_{false};
  sqs::Queues queues_{clock_, clock_, store_};
  EventBuses buses_{clock_, clock_, store_, queues_};
  std::optional<Scheduler> scheduler_;

  void SetUp() override {
    ASSERT_TRUE(queues_.recover());
    ASSERT_TRUE(buses_.recover());
    scheduler_.emplace(clock_, clock_, store_, queues_, buses_);
    ASSERT_TRUE(scheduler_->recover());
    ASSERT_TRUE(queues_.create_queue({"q", {}, {}}));
  }

  std::size_t visible() {
    auto attributes = queues_.get_queue_attributes("q", {"ApproximateNumberOfMessages"});
    return attributes ? std::stoul(attributes->at("ApproximateNumberOfMessages")) : 0;
  }

  std::vector<std::string> bus_names(EventBuses& buses) {
    std::vector<std::string> names;
    auto listed = buses.list_event_buses({});
    EXPECT_TRUE(listed) << (listed ? "" : listed.error().message);
    if (listed) {
      for (const auto& bus : listed->items) names.push_back(bus.name);
    }
    return names;
  }
};

TEST_F(EventsResetTest, BusesAndRulesGoAndTheDefaultBusComesBack) {
  ASSERT_TRUE(buses_.create_event_bus({.name = "orders"}));
  PutRuleInput rule;
  rule.name = "every-minute";
  rule.schedule_expression = "rate(1 minute)";
  ASSERT_TRUE(buses_.put_rule(rule));
  auto target = parse_target(R"({"Id":"t","Arn":")" + queues_.queue_arn("q") + R"("})");
  ASSERT_TRUE(target);
  ASSERT_TRUE(buses_.put_targets(std::nullopt, "every-minute", {*target}));
  clock_.advance(kMinute);
  ASSERT_EQ(visible(), 1u);

  auto dropped = buses_.reset();
  ASSERT_TRUE(dropped) << dropped.error().message;
  EXPECT_EQ(*dropped, 2u);
  EXPECT_EQ(bus_names(buses_), std::vector<std::string>{"default"});
  auto rules = buses_.list_rules(std::nullopt, {});
  ASSERT_TRUE(rules) << rules.error().message;
  EXPECT_TRUE(rules->items.empty());
  clock_.advance(10 * kMinute);
  EXPECT_EQ(visible(), 1u);  // the scheduled rule's timer is gone

  EXPECT_TRUE(buses_.create_event_bus({.name = "orders"}));
  EventBuses recovered{clock_, clock_, store_, queues_};
  ASSERT_TRUE(recovered.recover());
  EXPECT_EQ(bus_names(recovered), (std::vector<std::string>{"default", "orders"}));
}

TEST_F(EventsResetTest, SchedulesAndGroupsGoAndTheDefaultGroupComesBack) {
  ASSERT_TRUE(scheduler_->create_group("orders", {}, ""));
  ScheduleInput in;
  in.name = "tick";
  in.group = "orders";
  in.expression = "rate(5 minutes)";
  in.target.arn = queues_.queue_arn("q");
  in.target.role_arn = "arn:aws:iam::000000000000:role/scheduler";
  ASSERT_TRUE(scheduler_->create_schedule(in));
  clock_.advance(0);
  ASSERT_EQ(visible(), 1u);

  auto dropped = scheduler_->reset();
  ASSERT_TRUE(dropped) << dropped.error().message;
  EXPECT_EQ(*dropped, 1u);
  EXPECT_TRUE(scheduler_->list_schedules({})->items.empty());
  auto groups = scheduler_->list_groups({});
  ASSERT_TRUE(groups);
  ASSERT_EQ(groups->items.size(), 1u);
  EXPECT_EQ(groups->items[0].name, "default");
  clock_.advance(30 * kMinute);
  EXPECT_EQ(visible(), 1u);  // no firing of the dropped schedule

  Scheduler recovered{clock_, clock_, store_, queues_, buses_};
  ASSERT_TRUE(recovered.recover());
  EXPECT_EQ(recovered.list_groups({})->items.size(), 1u);
  EXPECT_TRUE(recovered.list_schedules({})->items.empty());
}

TEST_F(EventsResetTest, ArchivesGoInOneWrite) {
  Archives archives{clock_, clock_, store_, buses_};
  ASSERT_TRUE(archives.recover());
  CreateArchiveInput in;
  in.name = "all";
  in.source_arn = buses_.arns().bus_arn("default");
  ASSERT_TRUE(archives.create_archive(in));
  auto dropped = archives.reset();
  ASSERT_TRUE(dropped) << dropped.error().message;
  EXPECT_EQ(*dropped, 1u);
  EXPECT_TRUE(archives.list_archives({})->items.empty());
  ASSERT_TRUE(archives.create_archive(in));
  ASSERT_TRUE(archives.reset());
  Archives recovered{clock_, clock_, store_, buses_};
  ASSERT_TRUE(recovered.recover());
  EXPECT_TRUE(recovered.list_archives({})->items.empty());
}

}  // namespace
}  // namespace eb::events
