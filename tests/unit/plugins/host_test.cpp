// PluginHost: the checks against the live topology, and what apply keeps, replaces and stops.
#include "plugins/host.hpp"

#include <gtest/gtest.h>

#include "daemon_fixture.hpp"

namespace eb::plugins {
namespace {

class HostTest : public testing::PluginDaemon {
 protected:
  static config::PluginSpec order(const std::string& queue_name = "order-events-queue") {
    return spec("order", "order", queue_name, config::OrderPluginSpec{});
  }
  static config::PluginSpec inventory(std::int64_t units = 5) {
    return spec("inventory", "inventory", "inventory-events-queue",
                config::InventoryPluginSpec{.stock = {{"SKU-1", units}}});
  }
  std::string failure(const std::vector<config::PluginSpec>& specs) {
    auto applied = d_->host.apply(specs);
    return applied ? "applied" : applied.error().message;
  }
};

TEST_F(HostTest, MissingQueueTopicOrRouteStopsTheApplyWithTheMissingPiece) {
  auto no_topic = order();
  no_topic.topic = "nowhere";
  EXPECT_EQ(failure({order("no-such-queue"), no_topic}),
            "plugin order: queue 'no-such-queue' does not exist\n"
            "plugin order: topic 'nowhere' does not exist");
  // payment-events-queue exists but its subscription admits none of the order worker's types.
  EXPECT_EQ(failure({order("payment-events-queue")}),
            "plugin order: no confirmed sqs subscription of topic 'portfolio-events' delivers any "
            "of the event types it handles (order.create-requested, order.cancel-requested, "
            "order.created, order.paid, order.shipped) to queue 'payment-events-queue'; subscribe "
            "the queue with a filter policy that admits them");
  queue("unsubscribed");
  EXPECT_NE(failure({order("unsubscribed")}).find("no confirmed sqs subscription"),
            std::string::npos);
  EXPECT_EQ(d_->host.list_json(), R"({"plugins":[]})");  // nothing was started
}

TEST_F(HostTest, ATypeRoutedElsewhereOnlyWarnsAndASubscriptionWithoutPolicyRoutesAll) {
  auto check =
      check_routing(order(), {"order.created", "payment.refunded"}, d_->queues, d_->topics);
  EXPECT_TRUE(check.problems.empty());
  EXPECT_EQ(check.unrouted_types, std::vector<std::string>{"payment.refunded"});
  queue("everything");
  ASSERT_TRUE(
      d_->topics.subscribe({topic_arn(), "sqs", d_->queues.queue_arn("everything"), {}, false}));
  check = check_routing(order("everything"), {"order.created", "x.y"}, d_->queues, d_->topics);
  EXPECT_TRUE(check.problems.empty());
  EXPECT_TRUE(check.unrouted_types.empty());
}

TEST_F(HostTest, UnchangedInstancesKeepRunningChangedOnesAreReplacedRemovedOnesStop) {
  apply({inventory(), order()});
  publish("inventory.reserve-requested",
          R"({"orderId":"o-1","items":[{"productId":"SKU-1","quantity":1}]})", "s-1");
  ASSERT_NE(d_->host.list_json().find(R"("received":1)"), std::string::npos);

  apply({inventory(), order()});  // nothing changed: the same instances, counters and all
  EXPECT_NE(d_->host.list_json().find(R"("received":1)"), std::string::npos)
      << d_->host.list_json();

  apply({inventory(7)});  // inventory changed, order removed
  const std::string listed = d_->host.list_json();
  EXPECT_EQ(listed.find(R"("name":"order")"), std::string::npos) << listed;
  EXPECT_EQ(listed.find(R"("received":1)"), std::string::npos) << listed;  // a new instance
  // The new instance folded the log over its new configured stock.
  auto level = route("inventory", "GET", {"stock", "SKU-1"});
  ASSERT_TRUE(level);
  EXPECT_EQ(*level, R"({"productId":"SKU-1","available":6,"reserved":1})");
  // The removed order worker no longer consumes its queue.
  publish("order.create-requested", R"({"orderId":"o-1"})", "s-1");
  EXPECT_EQ(attribute("order-events-queue", "ApproximateNumberOfMessages"), "1");
}

TEST_F(HostTest, ADisabledInstanceIsListedAndLeavesItsQueueAlone) {
  auto disabled = order("not-even-a-queue");
  disabled.enabled = false;
  apply({disabled});
  EXPECT_EQ(d_->host.list_json(),
            R"({"plugins":[{"name":"order","kind":"order","state":"disabled","enabled":false,)"
            R"("queue":"not-even-a-queue","topic":"portfolio-events","source":"order-service"}]})");
  auto answer = route("order", "GET", {});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, Errc::kInvalidState);
  EXPECT_EQ(route("nobody", "GET", {}).error().code, Errc::kResourceNotFound);
}

TEST_F(HostTest, ListsKindStateQueueHandledTypesAndCounters) {
  apply({order()});
  publish("order.create-requested", R"({"orderId":"o-1"})", "s-1");
  EXPECT_EQ(d_->host.list_json(),
            R"({"plugins":[{"name":"order","kind":"order","state":"running","enabled":true,)"
            R"("queue":"order-events-queue","topic":"portfolio-events","source":"order-service",)"
            R"("handles":["order.create-requested","order.cancel-requested","order.created",)"
            R"("order.paid","order.shipped"],"counters":{"received":2,"handled":2,"failed":0,)"
            R"("ignored":1,"published":1},"created":1,"cancelled":0}]})");
  d_->host.stop_all();
  EXPECT_NE(d_->host.list_json().find(R"("state":"stopped")"), std::string::npos);
}

}  // namespace
}  // namespace eb::plugins
