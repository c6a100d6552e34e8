#include "events/partner_sources.hpp"

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

constexpr std::string_view kSource = "aws.partner/example.com/123/orders";
constexpr std::string_view kAccount = "000000000000";  // the daemon's own account

class PartnerSourcesTest : public ::testing::Test {
 protected:
  ManualClock clock_{1'709'208'000'000};  // 2024-02-29T12:00:00Z
  storage::MemoryEngine store_{false};
  sqs::Queues queues_{clock_, clock_, store_};
  EventBuses buses_{clock_, clock_, store_, queues_};
  PartnerSources sources_{clock_, store_};

  void SetUp() override {
    buses_.set_event_sources(&sources_);
    ASSERT_TRUE(queues_.recover());
    ASSERT_TRUE(buses_.recover());
    ASSERT_TRUE(sources_.recover());
  }

  Result<BusDescription> partner_bus(std::string name, std::optional<std::string> source) {
    CreateBusInput in;
    in.name = std::move(name);
    in.event_source_name = std::move(source);
    return buses_.create_event_bus(in);
  }

  std::string state_of(std::string_view name) {
    auto described = sources_.describe_event_source(std::string(name));
    return described ? described->state : described.error().message;
  }

  static PutEventsEntry entry(std::string_view source) {
    PutEventsEntry e;
    e.source = std::string(source);
    e.detail_type = "Order Placed";
    e.detail = R"({"id":7})";
    return e;
  }

  // PutPartnerEvents as the api handler makes it: the plan, put_events, the merge.
  PutEventsOutput put_partner_events(const std::vector<PutEventsEntry>& entries) {
    auto plan = sources_.plan_partner_events(entries);
    EXPECT_TRUE(plan) << plan.error().message;
    if (!plan) return {};
    std::vector<PutEventsOutput> answers;
    for (const auto& batch : plan->batches) {
      auto done = buses_.put_events(batch);
      EXPECT_TRUE(done) << done.error().message;
      if (done) answers.push_back(*done);
    }
    return std::move(*plan).finish(answers);
  }

  std::vector<std::string> drain(const std::string& queue) {
    std::vector<std::string> bodies;
    std::optional<Result<std::vector<sqs::ReceivedMessage>>> out;
    sqs::ReceiveInput in;
    in.wait_seconds = 0;
    in.max_messages = 10;
    queues_.receive_message(queue, in, [&](auto r) { out = std::move(r); });
    if (out && out->has_value()) {
      // Deleted, so a later drain sees only what arrived since.
      for (const auto& m : **out) {
        bodies.push_back(m.body);
        EXPECT_TRUE(queues_.delete_message(queue, m.receipt_handle));
      }
    }
    return bodies;
  }
};

TEST_F(PartnerSourcesTest, TheCustomerSeesAPendingSourceUntilItsBusExists) {
  auto arn = sources_.create_partner_event_source(std::string(kSource), std::string(kAccount));
  ASSERT_TRUE(arn) << arn.error().message;
  EXPECT_EQ(*arn, "arn:aws:events:us-east-1::event-source/aws.partner/example.com/123/orders");
  auto described = sources_.describe_event_source(std::string(kSource));
  ASSERT_TRUE(described);
  EXPECT_EQ(described->state, "PENDING");
  EXPECT_EQ(described->created_by, "example.com");
  EXPECT_EQ(described->created, 1'709'208'000'000);

  auto bus = partner_bus(std::string(kSource), std::string(kSource));
  ASSERT_TRUE(bus) << bus.error().message;
  EXPECT_EQ(bus->arn,
            "arn:aws:events:us-east-1:000000000000:event-bus/aws.partner/example.com/123/orders");
  EXPECT_EQ(state_of(kSource), "ACTIVE");

  // A second bus for the same source is refused, by its name.
  auto twice = partner_bus(std::string(kSource), std::string(kSource));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, Errc::kResourceAlreadyExists);

  ASSERT_TRUE(sources_.deactivate_event_source(std::string(kSource)));
  EXPECT_EQ(state_of(kSource), "PENDING");
  auto again = sources_.deactivate_event_source(std::string(kSource));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kInvalidState);
  ASSERT_TRUE(sources_.activate_event_source(std::string(kSource)));
  EXPECT_EQ(state_of(kSource), "ACTIVE");

  // Deleting the bus frees the source.
  ASSERT_TRUE(buses_.delete_event_bus(std::string(kSource)));
  EXPECT_EQ(state_of(kSource), "PENDING");
  auto no_bus = sources_.activate_event_source(std::string(kSource));
  ASSERT_FALSE(no_bus);
  EXPECT_EQ(no_bus.error().code, Errc::kInvalidState);
}

TEST_F(PartnerSourcesTest, PartnerBusNamesNeedTheirSource) {
  auto unknown = partner_bus(std::string(kSource), std::string(kSource));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::kResourceNotFound);
  EXPECT_EQ(unknown.error().message,
            "Event source aws.partner/example.com/123/orders does not exist.");

  ASSERT_TRUE(sources_.create_partner_event_source(std::string(kSource), std::string(kAccount)));
  auto slash = partner_bus(std::string(kSource), std::nullopt);
  ASSERT_FALSE(slash);
  EXPECT_EQ(slash.error().message, "Event bus name must not contain '/'.");
  auto other_name = partner_bus("orders", std::string(kSource));
  ASSERT_FALSE(other_name);
  EXPECT_EQ(other_name.error().code, Errc::kValidationError);
  EXPECT_EQ(state_of(kSource), "PENDING");
}

TEST_F(PartnerSourcesTest, AnotherAccountsSourceIsThePartnersOnly) {
  ASSERT_TRUE(sources_.create_partner_event_source(std::string(kSource), "111122223333"));
  auto partner = sources_.describe_partner_event_source(std::string(kSource));
  ASSERT_TRUE(partner);
  EXPECT_EQ(partner->name, kSource);
  auto accounts = sources_.list_partner_event_source_accounts(std::string(kSource), {});
  ASSERT_TRUE(accounts);
  ASSERT_EQ(accounts->items.size(), 1u);
  EXPECT_EQ(accounts->items[0].account, "111122223333");
  EXPECT_EQ(accounts->items[0].state, "PENDING");

  EXPECT_FALSE(sources_.describe_event_source(std::string(kSource)));
  auto listed = sources_.list_event_sources({});
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->items.empty());
  EXPECT_FALSE(partner_bus(std::string(kSource), std::string(kSource)));
}

TEST_F(PartnerSourcesTest, ValidatesNamesAndAccountsWithAwsWording) {
  auto bad = sources_.create_partner_event_source("aws.partner/only-one", std::string(kAccount));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "1 validation error detected: Value 'aws.partner/only-one' at 'name' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            "aws\\.partner(/[\\.\\-_A-Za-z0-9]+){2,}");
  auto account = sources_.create_partner_event_source(std::string(kSource), "12345");
  ASSERT_FALSE(account);
  EXPECT_EQ(account.error().message,
            "1 validation error detected: Value '12345' at 'account' failed to satisfy "
            "constraint: Member must have length greater than or equal to 12");
  ASSERT_TRUE(sources_.create_partner_event_source(std::string(kSource), std::string(kAccount)));
  auto twice = sources_.create_partner_event_source(std::string(kSource), std::string(kAccount));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, Errc::kResourceAlreadyExists);
  auto no_prefix = sources_.list_partner_event_sources({});
  ASSERT_FALSE(no_prefix);
  EXPECT_EQ(no_prefix.error().code, Errc::kValidationError);
}

TEST_F(PartnerSourcesTest, PutPartnerEventsReachesTheRulesOfThePartnerBus) {
  ASSERT_TRUE(sources_.create_partner_event_source(std::string(kSource), std::string(kAccount)));
  ASSERT_TRUE(partner_bus(std::string(kSource), std::string(kSource)));
  ASSERT_TRUE(queues_.create_queue({"partner", {}, {}}));
  PutRuleInput rule;
  rule.name = "from-partner";
  rule.bus = std::string(kSource);
  rule.event_pattern = R"({"source":[{"prefix":"aws.partner/"}]})";
  ASSERT_TRUE(buses_.put_rule(rule));
  auto target = parse_target(R"({"Id":"q","Arn":")" + queues_.queue_arn("partner") + R"("})");
  ASSERT_TRUE(target);
  ASSERT_TRUE(buses_.put_targets(std::string(kSource), "from-partner", {*target}));

  PutEventsEntry no_detail = entry(kSource);
  no_detail.detail.reset();
  auto out =
      put_partner_events({entry(kSource), entry("aws.partner/example.com/9/unknown"), no_detail});
  ASSERT_EQ(out.entries.size(), 3u);
  EXPECT_EQ(out.failed_entry_count, 2);
  EXPECT_FALSE(out.entries[0].event_id.empty());
  EXPECT_EQ(out.entries[1].error_code, "InvalidArgument");
  EXPECT_EQ(out.entries[1].error_message,
            "Event source aws.partner/example.com/9/unknown does not exist.");
  EXPECT_EQ(out.entries[2].error_code, "InvalidArgument");

  auto bodies = drain("partner");
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_NE(bodies[0].find(R"("source":"aws.partner/example.com/123/orders")"), std::string::npos);
  EXPECT_NE(bodies[0].find(out.entries[0].event_id), std::string::npos);

  // Deactivated: accepted, and delivered nowhere.
  ASSERT_TRUE(sources_.deactivate_event_source(std::string(kSource)));
  out = put_partner_events({entry(kSource)});
  EXPECT_EQ(out.failed_entry_count, 0);
  EXPECT_TRUE(drain("partner").empty());
}

TEST_F(PartnerSourcesTest, TwentyEntriesGoThroughPutEventsInBatchesOfTen) {
  ASSERT_TRUE(sources_.create_partner_event_source(std::string(kSource), std::string(kAccount)));
  ASSERT_TRUE(partner_bus(std::string(kSource), std::string(kSource)));
  std::vector<PutEventsEntry> entries(20, entry(kSource));
  entries[13].detail = "not json";  // put_events' own check, answered in place
  auto out = put_partner_events(entries);
  ASSERT_EQ(out.entries.size(), 20u);
  EXPECT_EQ(out.failed_entry_count, 1);
  EXPECT_EQ(out.entries[13].error_code, "MalformedDetail");
  EXPECT_FALSE(out.entries[19].event_id.empty());
}

TEST_F(PartnerSourcesTest, PutPartnerEventsChecksTheEntryCount) {
  auto none = sources_.plan_partner_events({});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::kValidationError);
  std::vector<PutEventsEntry> many(21, entry(kSource));
  auto too_many = sources_.plan_partner_events(many);
  ASSERT_FALSE(too_many);
  EXPECT_NE(too_many.error().message.find("Member must have length less than or equal to 20"),
            std::string::npos);
}

TEST_F(PartnerSourcesTest, DeletingTheSourceLeavesTheCustomerADeletedOne) {
  ASSERT_TRUE(sources_.create_partner_event_source(std::string(kSource), std::string(kAccount)));
  ASSERT_TRUE(partner_bus(std::string(kSource), std::string(kSource)));
  ASSERT_TRUE(sources_.delete_partner_event_source(std::string(kSource), std::string(kAccount)));
  EXPECT_EQ(state_of(kSource), "DELETED");
  EXPECT_FALSE(sources_.describe_partner_event_source(std::string(kSource)));
  ASSERT_TRUE(buses_.delete_event_bus(std::string(kSource)));
  EXPECT_EQ(state_of(kSource), "Event source aws.partner/example.com/123/orders does not exist.");

  // Without a bus, the source simply goes.
  ASSERT_TRUE(sources_.create_partner_event_source(std::string(kSource), std::string(kAccount)));
  ASSERT_TRUE(sources_.delete_partner_event_source(std::string(kSource), std::string(kAccount)));
  EXPECT_FALSE(sources_.describe_event_source(std::string(kSource)));
}

TEST_F(PartnerSourcesTest, RulesOfAPartnerBusAreTaggedByTheirArn) {
  ASSERT_TRUE(sources_.create_partner_event_source(std::string(kSource), std::string(kAccount)));
  ASSERT_TRUE(partner_bus(std::string(kSource), std::string(kSource)));
  PutRuleInput rule;
  rule.name = "r";
  rule.bus = std::string(kSource);
  rule.event_pattern = R"({"source":["x"]})";
  auto arn = buses_.put_rule(rule);
  ASSERT_TRUE(arn);
  EXPECT_EQ(*arn,
            "arn:aws:events:us-east-1:000000000000:rule/aws.partner/example.com/123/orders/r");
  ASSERT_TRUE(buses_.tag_resource(*arn, {{"team", "orders"}}));
  auto tags = buses_.list_tags(*arn);
  ASSERT_TRUE(tags) << tags.error().message;
  EXPECT_EQ(tags->at("team"), "orders");
}

TEST_F(PartnerSourcesTest, SourcesSurviveARestart) {
  ASSERT_TRUE(sources_.create_partner_event_source(std::string(kSource), std::string(kAccount)));
  ASSERT_TRUE(partner_bus(std::string(kSource), std::string(kSource)));
  PartnerSources restarted{clock_, store_};
  ASSERT_TRUE(restarted.recover());
  auto described = restarted.describe_event_source(std::string(kSource));
  ASSERT_TRUE(described) << described.error().message;
  EXPECT_EQ(described->state, "ACTIVE");
  EXPECT_EQ(described->created, 1'709'208'000'000);
  // The bus recovers too (EventBuses' own records): its name has a '/'.
  EventBuses buses{clock_, clock_, store_, queues_};
  ASSERT_TRUE(buses.recover());
  EXPECT_TRUE(buses.describe_event_bus(std::string(kSource)));
}

}  // namespace
}  // namespace eb::events
