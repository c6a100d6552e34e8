#include "events/archives.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/manual_clock.hpp"
#include "events/event_buses.hpp"
#include "events/targets.hpp"
#include "sqs/queues.hpp"
#include "storage/memory_engine.hpp"

namespace eb::events {
namespace {

// Archives over a fake event log: `logged` holds (envelope, timestamp) of the default bus.
class ArchivesTest : public ::testing::Test {
 protected:
  ManualClock clock_{1'709'208'000'000};
  storage::MemoryEngine store_{false};
  sqs::Queues queues_{clock_, clock_, store_};
  EventBuses buses_{clock_, clock_, store_, queues_};
  Archives archives_{clock_, clock_, store_, buses_};
  std::vector<std::pair<std::string, Millis>> logged_;

  void SetUp() override {
    ASSERT_TRUE(queues_.recover());
    ASSERT_TRUE(buses_.recover());
    archives_.set_reader(reader());
    ASSERT_TRUE(archives_.recover());
  }

  BusEventReader reader() {
    return [this](const std::string&, Millis from, Millis to, const EventVisitor& visit) {
      for (const auto& [envelope, at] : logged_) {
        if (at >= from && at <= to && !visit(envelope, at)) break;
      }
      return Result<void>();
    };
  }

  std::string event(const std::string& id, const std::string& source) {
    return R"({"version":"0","id":")" + id + R"(","detail-type":"t","source":")" + source +
           R"(","account":"000000000000","time":"2024-02-29T12:00:00Z","region":"us-east-1",)"
           R"("resources":[],"detail":{}})";
  }

  CreateArchiveInput archive(std::string pattern) {
    CreateArchiveInput in;
    in.name = "a";
    in.source_arn = buses_.arns().bus_arn("default");
    in.event_pattern = std::move(pattern);
    return in;
  }
};

TEST_F(ArchivesTest, AnArchiveCountsItsBusesMatchingEventsSinceItWasCreated) {
  logged_.emplace_back(event("before", "shop"), clock_.now_ms() - 1);
  ASSERT_TRUE(archives_.create_archive(archive(R"({"source":["shop"]})")));
  logged_.emplace_back(event("e1", "shop"), clock_.now_ms());
  logged_.emplace_back(event("e2", "other"), clock_.now_ms());
  auto described = archives_.describe_archive("a");
  ASSERT_TRUE(described) << described.error().message;
  EXPECT_EQ(described->event_count, 1);
  EXPECT_EQ(described->size_bytes, static_cast<std::int64_t>(event("e1", "shop").size()));
  auto again = archives_.create_archive(archive("{}"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kInvalidEventPattern);
}

TEST_F(ArchivesTest, AReplayCutShortByAStopIsFailedAfterTheRestart) {
  ASSERT_TRUE(archives_.create_archive(archive(R"({"source":["shop"]})")));
  StartReplayInput in;
  in.name = "r";
  in.source_arn = buses_.arns().bus_arn("default");
  in.source_arn = "arn:aws:events:us-east-1:000000000000:archive/a";
  in.destination_arn = buses_.arns().bus_arn("default");
  in.start = clock_.now_ms() - 60'000;
  in.end = clock_.now_ms();
  auto started = archives_.start_replay(in);
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_EQ(started->state, "STARTING");
  // The daemon stops before the replay's timer runs.
  Archives restarted{clock_, clock_, store_, buses_};
  restarted.set_reader(reader());
  ASSERT_TRUE(restarted.recover());
  auto described = restarted.describe_replay("r");
  ASSERT_TRUE(described);
  EXPECT_EQ(described->state, "FAILED");
  EXPECT_FALSE(described->state_reason.empty());
}

TEST_F(ArchivesTest, ReplaysAreCheckedBeforeTheyStart) {
  ASSERT_TRUE(archives_.create_archive(archive(R"({"source":["shop"]})")));
  StartReplayInput in;
  in.name = "r";
  in.source_arn = "arn:aws:events:us-east-1:000000000000:archive/missing";
  in.destination_arn = buses_.arns().bus_arn("default");
  in.start = clock_.now_ms() - 60'000;
  in.end = clock_.now_ms();
  EXPECT_EQ(archives_.start_replay(in).error().message,
            "Parameter EventSourceArn is not valid. Reason: Archive missing does not exist.");
  in.source_arn = "arn:aws:events:us-east-1:000000000000:archive/a";
  in.end = clock_.now_ms() + 1'000;
  EXPECT_EQ(archives_.start_replay(in).error().code, Errc::kValidationError);
  in.end = clock_.now_ms();
  ASSERT_TRUE(archives_.start_replay(in));
  EXPECT_EQ(archives_.start_replay(in).error().code, Errc::kResourceAlreadyExists);
  // The replay runs on the clock's timers: advancing lets it finish.
  clock_.advance(0);
  EXPECT_EQ(archives_.describe_replay("r")->state, "COMPLETED");
  EXPECT_EQ(archives_.cancel_replay("r").error().code, Errc::kIllegalStatus);
}

TEST_F(ArchivesTest, AnArchiveKeepsAManagedRuleOnItsBusInStep) {
  ASSERT_TRUE(archives_.create_archive(archive(R"({"source":["shop"]})")));
  auto rule = buses_.describe_rule(std::nullopt, "Events-Archive-a");
  ASSERT_TRUE(rule) << rule.error().message;
  EXPECT_EQ(rule->managed_by, "events.amazonaws.com");
  EXPECT_EQ(rule->state, "ENABLED");
  EXPECT_EQ(rule->event_pattern, R"({"replay-name":[{"exists":false}],"source":["shop"]})");
  auto listed = buses_.list_rules(std::nullopt, {});
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0].managed_by, "events.amazonaws.com");
  // The rule's pattern is what the archive keeps: its bus's events but replayed ones.
  std::string replayed = event("r1", "shop");
  replayed.insert(replayed.size() - 1, R"(,"replay-name":"r")");
  EXPECT_TRUE(*buses_.test_event_pattern(rule->event_pattern, event("e1", "shop")));
  EXPECT_FALSE(*buses_.test_event_pattern(rule->event_pattern, replayed));

  UpdateArchiveInput update;
  update.name = "a";
  update.event_pattern = R"({"source":["other"]})";
  ASSERT_TRUE(archives_.update_archive(update));
  EXPECT_EQ(buses_.describe_rule(std::nullopt, "Events-Archive-a")->event_pattern,
            R"({"replay-name":[{"exists":false}],"source":["other"]})");
  ASSERT_TRUE(archives_.delete_archive("a"));
  EXPECT_EQ(buses_.describe_rule(std::nullopt, "Events-Archive-a").error().code,
            Errc::kResourceNotFound);

  // Without a pattern the rule takes every event of the bus.
  CreateArchiveInput every = archive("");
  every.event_pattern.reset();
  ASSERT_TRUE(archives_.create_archive(every));
  EXPECT_EQ(buses_.describe_rule(std::nullopt, "Events-Archive-a")->event_pattern,
            R"({"replay-name":[{"exists":false}]})");
}

TEST_F(ArchivesTest, UsersCannotChangeAnArchivesRuleAndDeleteItOnlyWithForce) {
  ASSERT_TRUE(archives_.create_archive(archive(R"({"source":["shop"]})")));
  const std::string name = "Events-Archive-a";
  const std::string arn = buses_.describe_rule(std::nullopt, name)->arn;
  PutRuleInput put;
  put.name = name;
  put.event_pattern = R"({"source":["mine"]})";
  EXPECT_EQ(buses_.put_rule(put).error().code, Errc::kManagedRule);
  auto target = parse_target(R"({"Id":"t","Arn":"arn:aws:sqs:us-east-1:000000000000:q"})");
  ASSERT_TRUE(target);
  EXPECT_EQ(buses_.put_targets(std::nullopt, name, {*target}).error().code, Errc::kManagedRule);
  EXPECT_EQ(buses_.set_rule_enabled(std::nullopt, name, false).error().code, Errc::kManagedRule);
  EXPECT_EQ(buses_.tag_resource(arn, {{"k", "v"}}).error().code, Errc::kManagedRule);
  EXPECT_EQ(buses_.untag_resource(arn, {"k"}).error().code, Errc::kManagedRule);
  EXPECT_EQ(buses_.remove_targets(std::nullopt, name, {"t"}, false).error().code,
            Errc::kManagedRule);
  EXPECT_EQ(buses_.delete_rule(std::nullopt, name, false).error().code, Errc::kManagedRule);
  EXPECT_EQ(buses_.describe_rule(std::nullopt, name)->event_pattern,
            R"({"replay-name":[{"exists":false}],"source":["shop"]})");
  // Force deletes it; the archive stays and can still be deleted.
  ASSERT_TRUE(buses_.delete_rule(std::nullopt, name, true));
  EXPECT_FALSE(buses_.describe_rule(std::nullopt, name));
  EXPECT_TRUE(archives_.describe_archive("a"));
  EXPECT_TRUE(archives_.delete_archive("a"));
}

TEST_F(ArchivesTest, AnArchiveDoesNotTakeOverARuleTheUserMade) {
  PutRuleInput put;
  put.name = "Events-Archive-a";
  put.event_pattern = R"({"source":["mine"]})";
  ASSERT_TRUE(buses_.put_rule(put));
  EXPECT_EQ(archives_.create_archive(archive(R"({"source":["shop"]})")).error().code,
            Errc::kResourceAlreadyExists);
  EXPECT_FALSE(archives_.describe_archive("a"));
  EXPECT_TRUE(buses_.describe_rule(std::nullopt, "Events-Archive-a")->managed_by.empty());
}

}  // namespace
}  // namespace eb::events
