// EventBridge deliveries that cross accounts: rule targets and dead-letter queues in another
// account's SQS, and bus-to-bus forwards. Each account has its own MemoryEngine (durable, so a
// restart reads back what it wrote), Queues and EventBuses, wired with the resolvers the daemon
// gives them.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/manual_clock.hpp"
#include "events/event_buses.hpp"
#include "events/targets.hpp"
#include "sqs/queues_fixture.hpp"

namespace eb::events {
namespace {

constexpr const char* kAccountA = "111111111111";
constexpr const char* kAccountB = "222222222222";

// One run of one account's SQS and EventBridge over its engine.
struct Account {
  Account(ManualClock& clock, storage::Engine& engine, const char* id)
      : queues(clock, clock, engine, sqs::QueuesOptions{.account_id = id}),
        buses(clock, clock, engine, queues, EventsOptions{.account_id = id}) {}
  sqs::Queues queues;
  EventBuses buses;
};

std::string field(const std::string& json, const char* name) {
  simdjson::dom::parser parser;
  std::string_view v;
  if (parser.parse(json)[name].get_string().get(v)) return "<none>";
  return std::string(v);
}

class CrossAccountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = start(a_store_, kAccountA);
    b_ = start(b_store_, kAccountB);
  }

  // A (re)start of one account, reaching the others through the fixture.
  std::unique_ptr<Account> start(storage::MemoryEngine& store, const char* id) {
    auto account = std::make_unique<Account>(clock_, store, id);
    account->queues.set_other_accounts([this](std::string_view other) -> sqs::Queues* {
      Account* found = find(other);
      return found == nullptr ? nullptr : &found->queues;
    });
    account->buses.set_other_accounts([this](std::string_view other) -> EventBuses* {
      Account* found = find(other);
      return found == nullptr ? nullptr : &found->buses;
    });
    EXPECT_TRUE(account->queues.recover());
    EXPECT_TRUE(account->buses.recover());
    return account;
  }

  Account* find(std::string_view id) const {
    if (id == kAccountA) return a_.get();
    if (id == kAccountB) return b_.get();
    return nullptr;
  }

  static std::string queue(Account& account, const std::string& name,
                           AttributeMap attributes = {}) {
    auto created = account.queues.create_queue({name, std::move(attributes), {}});
    EXPECT_TRUE(created) << (created ? "" : created.error().message);
    return account.queues.queue_arn(name);
  }

  // A rule on `bus` matching source "shop", with the given Target objects.
  static void rule(Account& account, std::optional<std::string> bus, const std::string& name,
                   const std::vector<std::string>& targets) {
    PutRuleInput in;
    in.name = name;
    in.bus = bus;
    in.event_pattern = R"({"source":["shop"]})";
    auto put = account.buses.put_rule(in);
    ASSERT_TRUE(put) << put.error().message;
    std::vector<TargetSpec> specs;
    for (const std::string& json : targets) {
      auto target = parse_target(json);
      ASSERT_TRUE(target) << target.error().message;
      specs.push_back(*target);
    }
    auto put_targets = account.buses.put_targets(bus, name, specs);
    ASSERT_TRUE(put_targets) << put_targets.error().message;
    ASSERT_TRUE(put_targets->empty());
  }

  static std::string target(const std::string& id, const std::string& arn,
                            const std::string& more = "") {
    return R"({"Id":")" + id + R"(","Arn":")" + arn + R"(")" + more + "}";
  }

  static std::string put(Account& account, const std::string& detail = "{}") {
    PutEventsEntry e;
    e.source = "shop";
    e.detail_type = "OrderPlaced";
    e.detail = detail;
    auto out = account.buses.put_events({e});
    EXPECT_TRUE(out) << (out ? "" : out.error().message);
    return out && !out->entries.empty() ? out->entries[0].event_id : std::string();
  }

  static std::vector<sqs::ReceivedMessage> receive(Account& account, const std::string& name) {
    sqs::ReceiveInput in;
    in.max_messages = 10;
    in.message_attribute_names = {"All"};
    return sqs::testing::receive_now(account.queues, name, std::move(in));
  }

  ManualClock clock_{1'709'208'000'000};
  storage::MemoryEngine a_store_{/*durable=*/true};
  storage::MemoryEngine b_store_{/*durable=*/true};
  std::unique_ptr<Account> a_;
  std::unique_ptr<Account> b_;
};

TEST_F(CrossAccountTest, ARuleDeliversIntoAnotherAccountsQueueThroughItsEngine) {
  rule(*a_, std::nullopt, "out", {target("q", queue(*b_, "inbox"))});
  const std::string id = put(*a_);

  // The copy is in B's engine: B's restart finds it.
  b_ = start(b_store_, kAccountB);
  auto got = receive(*b_, "inbox");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(field(got[0].body, "id"), id);
  EXPECT_EQ(field(got[0].body, "account"), kAccountA);  // the source account, as AWS keeps it
}

TEST_F(CrossAccountTest, AFifoQueueOfAnotherAccountGetsTheTargetsGroup) {
  const std::string arn = queue(*b_, "inbox.fifo", {{"FifoQueue", "true"}});
  rule(*a_, std::nullopt, "out", {target("q", arn, R"(,"SqsParameters":{"MessageGroupId":"g"})")});
  const std::string id = put(*a_);
  auto got = receive(*b_, "inbox.fifo");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(field(got[0].body, "id"), id);
}

TEST_F(CrossAccountTest, RefusedOrMissingQueuesOfOtherAccountsDeadLetterIntoAnyAccount) {
  const std::string dlq = queue(*b_, "dlq");
  const std::string config = R"(,"DeadLetterConfig":{"Arn":")" + dlq + R"("})";
  rule(*a_, std::nullopt, "out",
       {target("small", queue(*b_, "small", {{"MaximumMessageSize", "1024"}}), config),
        target("nobody", "arn:aws:sqs:us-east-1:333333333333:nobody", config)});
  put(*a_, R"({"pad":")" + std::string(1500, 'x') + R"("})");

  EXPECT_TRUE(receive(*b_, "small").empty());
  auto dead = receive(*b_, "dlq");
  ASSERT_EQ(dead.size(), 2u);
  std::vector<std::string> codes;
  for (const auto& m : dead) codes.push_back(m.message_attributes.at("ERROR_CODE").string_value);
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(codes, (std::vector<std::string>{"INVALID_PARAMETER", "NO_RESOURCE"}));
}

TEST_F(CrossAccountTest, ABusOfAnotherAccountGetsTheEventOnceAndDoesNotForwardItAgain) {
  ASSERT_TRUE(b_->buses.create_event_bus({.name = "inbound"}));
  ASSERT_TRUE(a_->buses.create_event_bus({.name = "back"}));
  rule(*a_, std::nullopt, "out", {target("bus", b_->buses.arns().bus_arn("inbound"))});
  rule(*a_, "back", "echo", {target("q", queue(*a_, "echo"))});
  // B's rule copies the event into B's queue and names a bus of A, which it must not follow.
  rule(*b_, "inbound", "in",
       {target("q", queue(*b_, "inbox")), target("bus", a_->buses.arns().bus_arn("back"))});
  const std::string id = put(*a_);

  b_ = start(b_store_, kAccountB);  // written through B's engine
  auto got = receive(*b_, "inbox");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(field(got[0].body, "id"), id);
  EXPECT_EQ(field(got[0].body, "account"), kAccountA);
  EXPECT_TRUE(receive(*a_, "echo").empty());
  // Nothing is left to resume in A.
  a_ = start(a_store_, kAccountA);
  auto resumed = a_->buses.resume_deliveries();
  ASSERT_TRUE(resumed);
  EXPECT_EQ(*resumed, 0u);
}

TEST_F(CrossAccountTest, ForwardsToMissingAccountsOrBusesAreDropped) {
  rule(*a_, std::nullopt, "out",
       {target("nobody", "arn:aws:events:us-east-1:333333333333:event-bus/default"),
        target("gone", b_->buses.arns().bus_arn("gone"))});
  EXPECT_FALSE(put(*a_).empty());
  a_ = start(a_store_, kAccountA);
  auto resumed = a_->buses.resume_deliveries();
  ASSERT_TRUE(resumed);
  EXPECT_EQ(*resumed, 0u);
}

TEST_F(CrossAccountTest, AForwardTheOtherAccountCouldNotWriteIsMadeAfterARestart) {
  ASSERT_TRUE(b_->buses.create_event_bus({.name = "inbound"}));
  rule(*a_, std::nullopt, "out", {target("bus", b_->buses.arns().bus_arn("inbound"))});
  rule(*b_, "inbound", "in", {target("q", queue(*b_, "inbox"))});
  b_store_.fail_writes(true);
  const std::string id = put(*a_);
  b_store_.fail_writes(false);
  EXPECT_TRUE(receive(*b_, "inbox").empty());

  a_ = start(a_store_, kAccountA);
  auto resumed = a_->buses.resume_deliveries();
  ASSERT_TRUE(resumed) << resumed.error().message;
  EXPECT_EQ(*resumed, 1u);
  auto got = receive(*b_, "inbox");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(field(got[0].body, "id"), id);

  a_ = start(a_store_, kAccountA);
  auto again = a_->buses.resume_deliveries();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0u);
}

}  // namespace
}  // namespace eb::events
