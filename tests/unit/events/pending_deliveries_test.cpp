// Deliveries after the write (here: outbox targets) survive a crash between the write that
// accepts their events and the delivery itself, and are made again after a restart.
#include "events/pending_deliveries.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "core/manual_clock.hpp"
#include "events/event_buses.hpp"
#include "events/targets.hpp"
#include "sns/endpoint_delivery.hpp"
#include "sqs/queues.hpp"
#include "storage/memory_engine.hpp"

namespace eb::events {
namespace {

constexpr std::string_view kFunction = "arn:aws:lambda:us-east-1:000000000000:function:f";

// An outbox that keeps what it is given, or one that dies on its first message as a process
// killed mid-delivery would (the exception leaves put_events before anything after it runs).
class Outbox final : public sns::EndpointDelivery {
 public:
  explicit Outbox(bool crash) : crash_(crash) {}
  void deliver(sns::EndpointMessage message) override {
    if (crash_) throw std::runtime_error("killed");
    messages.push_back(std::move(message));
  }
  std::vector<sns::EndpointMessage> messages;

 private:
  bool crash_;
};

// One run of the daemon's EventBridge over a store that outlives it.
struct Lifetime {
  Lifetime(ManualClock& clock, storage::Engine& store, bool crash)
      : outbox(crash), queues(clock, clock, store), buses(clock, clock, store, queues) {
    buses.set_target_services({.topics = nullptr, .outbox = &outbox});
    EXPECT_TRUE(queues.recover());
    EXPECT_TRUE(buses.recover());
  }
  Outbox outbox;
  sqs::Queues queues;
  EventBuses buses;
};

class PendingDeliveriesTest : public ::testing::Test {
 protected:
  ManualClock clock_{1'709'208'000'000};
  storage::MemoryEngine store_{/*durable=*/true};

  static void rule_to_function(EventBuses& buses) {
    PutRuleInput in;
    in.name = "orders";
    in.event_pattern = R"({"source":["shop"]})";
    ASSERT_TRUE(buses.put_rule(in));
    auto target = parse_target(R"({"Id":"fn","Arn":")" + std::string(kFunction) + R"("})");
    ASSERT_TRUE(target);
    ASSERT_TRUE(buses.put_targets(std::nullopt, "orders", {*target}));
  }

  static std::vector<PutEventsEntry> order_placed() {
    PutEventsEntry e;
    e.source = "shop";
    e.detail_type = "OrderPlaced";
    e.detail = R"({"orderId":"o-1"})";
    return {e};
  }
};

TEST_F(PendingDeliveriesTest, ADeliveryCutShortByACrashIsMadeAfterTheRestart) {
  {
    Lifetime first(clock_, store_, /*crash=*/true);
    rule_to_function(first.buses);
    EXPECT_THROW((void)first.buses.put_events(order_placed()), std::runtime_error);
  }
  Lifetime second(clock_, store_, /*crash=*/false);
  auto resumed = second.buses.resume_deliveries();
  ASSERT_TRUE(resumed) << resumed.error().message;
  EXPECT_EQ(*resumed, 1u);
  ASSERT_EQ(second.outbox.messages.size(), 1u);
  const auto& m = second.outbox.messages[0];
  EXPECT_EQ(m.endpoint, kFunction);
  EXPECT_EQ(m.protocol, "lambda");
  EXPECT_EQ(m.subscription_arn, "fn");
  EXPECT_NE(m.body.find(R"("detail":{"orderId":"o-1"})"), std::string::npos) << m.body;

  // Made once: its record is gone.
  Lifetime third(clock_, store_, /*crash=*/false);
  auto again = third.buses.resume_deliveries();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0u);
  EXPECT_TRUE(third.outbox.messages.empty());
}

// An event forwarded to another bus, whose rule copies it into a queue and hands it to a
// function: the process dies at the function, after the write that made the queue's copy.
TEST_F(PendingDeliveriesTest, AForwardIsNotMadeAgainOnceItsWriteIsDone) {
  {
    Lifetime first(clock_, store_, /*crash=*/true);
    ASSERT_TRUE(first.buses.create_event_bus({.name = "other"}));
    ASSERT_TRUE(first.queues.create_queue({"q", {}, {}}));
    PutRuleInput in;
    in.name = "to-other";
    in.event_pattern = R"({"source":["shop"]})";
    ASSERT_TRUE(first.buses.put_rule(in));
    auto to_bus =
        parse_target(R"({"Id":"bus","Arn":")" + first.buses.arns().bus_arn("other") + R"("})");
    ASSERT_TRUE(to_bus);
    ASSERT_TRUE(first.buses.put_targets(std::nullopt, "to-other", {*to_bus}));
    in.name = "there";
    in.bus = "other";
    ASSERT_TRUE(first.buses.put_rule(in));
    auto to_queue = parse_target(R"({"Id":"q","Arn":")" + first.queues.queue_arn("q") + R"("})");
    auto to_function = parse_target(R"({"Id":"fn","Arn":")" + std::string(kFunction) + R"("})");
    ASSERT_TRUE(to_queue && to_function);
    ASSERT_TRUE(first.buses.put_targets("other", "there", {*to_queue, *to_function}));
    EXPECT_THROW((void)first.buses.put_events(order_placed()), std::runtime_error);
  }
  Lifetime second(clock_, store_, /*crash=*/false);
  auto resumed = second.buses.resume_deliveries();
  ASSERT_TRUE(resumed) << resumed.error().message;
  EXPECT_EQ(*resumed, 1u);  // the function's delivery; the forward was done
  EXPECT_EQ(second.outbox.messages.size(), 1u);
  auto count = second.queues.get_queue_attributes("q", {"ApproximateNumberOfMessages"});
  ASSERT_TRUE(count);
  EXPECT_EQ(count->at("ApproximateNumberOfMessages"), "1");
}

TEST_F(PendingDeliveriesTest, AFinishedDeliveryLeavesNoRecord) {
  {
    Lifetime first(clock_, store_, /*crash=*/false);
    rule_to_function(first.buses);
    auto put = first.buses.put_events(order_placed());
    ASSERT_TRUE(put);
    EXPECT_EQ(first.outbox.messages.size(), 1u);
  }
  Lifetime second(clock_, store_, /*crash=*/false);
  auto resumed = second.buses.resume_deliveries();
  ASSERT_TRUE(resumed);
  EXPECT_EQ(*resumed, 0u);
  EXPECT_TRUE(second.outbox.messages.empty());
}

TEST_F(PendingDeliveriesTest, KeysKeepIncreasingAcrossRestarts) {
  PendingDeliveries pending(store_, clock_);
  ASSERT_TRUE(pending.recover());
  storage::Batch batch;
  const std::string first = pending.stage(batch, {.kind = PendingKind::kTopic, .rule_arn = "r"});
  ASSERT_TRUE(store_.write(batch));

  PendingDeliveries after(store_, clock_);
  auto left = after.recover();
  ASSERT_TRUE(left);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].first, first);
  EXPECT_EQ((*left)[0].second.rule_arn, "r");
  EXPECT_EQ((*left)[0].second.created, clock_.now_ms());
  storage::Batch next;
  EXPECT_GT(after.stage(next, {.kind = PendingKind::kTopic}), first);
  after.erase({first});
  PendingDeliveries last(store_, clock_);
  auto none = last.recover();
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(PendingDeliveriesTest, NothingIsRecordedWithoutADurableEngine) {
  storage::MemoryEngine volatile_store{/*durable=*/false};
  {
    Lifetime first(clock_, volatile_store, /*crash=*/true);
    rule_to_function(first.buses);
    EXPECT_THROW((void)first.buses.put_events(order_placed()), std::runtime_error);
  }
  Lifetime second(clock_, volatile_store, /*crash=*/false);
  auto resumed = second.buses.resume_deliveries();
  ASSERT_TRUE(resumed);
  EXPECT_EQ(*resumed, 0u);
}

}  // namespace
}  // namespace eb::events
