// The order worker: orders are streams order-{orderId}, folded by the order projection.
#include "plugins/order.hpp"

#include <gtest/gtest.h>

#include "daemon_fixture.hpp"

namespace eb::plugins {
namespace {

class OrderTest : public testing::PluginDaemon {
 protected:
  void SetUp() override {
    PluginDaemon::SetUp();
    apply({order()});
  }
  static config::PluginSpec order() {
    return spec("order", "order", "order-events-queue", config::OrderPluginSpec{});
  }
  std::string state(const std::string& order_id) {
    auto s = d_->events.state(OrderWorker::stream_of(order_id));
    return s ? s->state_json : "error: " + s.error().message;
  }
  std::int64_t version(const std::string& order_id) {
    auto s = d_->events.state(OrderWorker::stream_of(order_id));
    return s ? s->version : -2;
  }
};

constexpr const char* kOrder = R"({"orderId":"o-1","totalAmount":20,"currency":"EUR"})";

TEST_F(OrderTest, CreateRequestedAppendsOrderCreatedToTheOrdersStreamAndPublishesIt) {
  const std::string request = publish("order.create-requested", kOrder, "saga-1");
  auto got = replies();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, "order.created");
  EXPECT_EQ(got[0].source, "order-service");
  EXPECT_EQ(got[0].correlation_id, "saga-1");
  EXPECT_EQ(got[0].causation_id, request);
  EXPECT_EQ(got[0].data, kOrder);
  EXPECT_EQ(state("o-1"),
            R"({"orderId":"o-1","totalAmount":20,"currency":"EUR","status":"created"})");
  EXPECT_EQ(version("o-1"), 0);
  // Its own order.created came back through order-events-queue and was not appended again.
  EXPECT_EQ(attribute("order-events-queue", "ApproximateNumberOfMessages"), "0");
}

TEST_F(OrderTest, ARepeatedCreateAnswersAgainWithoutASecondEvent) {
  publish("order.create-requested", kOrder, "saga-1");
  publish("order.create-requested", kOrder, "saga-1");
  auto got = replies();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].type, "order.created");
  EXPECT_EQ(version("o-1"), 0);
}

TEST_F(OrderTest, CancelByOrderIdOrCorrelationAppendsOnce) {
  publish("order.create-requested", kOrder, "saga-1");
  publish("order.cancel-requested", "{}", "saga-1");  // the design's saga sends no data
  publish("order.cancel-requested", R"({"orderId":"o-1"})", "saga-1");
  publish("order.cancel-requested", R"({"orderId":"o-none"})", "saga-2");
  auto got = replies();
  ASSERT_EQ(got.size(), 4u);
  for (std::size_t i = 1; i < got.size(); ++i) EXPECT_EQ(got[i].type, "order.cancelled");
  EXPECT_EQ(got[1].data, R"({"orderId":"o-1"})");
  EXPECT_EQ(version("o-1"), 1);
  EXPECT_NE(state("o-1").find(R"("status":"cancelled")"), std::string::npos) << state("o-1");
  EXPECT_EQ(version("o-none"), -2);  // no stream for an order that never existed
}

TEST_F(OrderTest, OtherServicesOrderEventsFoldIntoTheSameStreamOncePerEvent) {
  publish("order.created", kOrder, "corr-1", "{}", "evt-1");
  publish("order.paid", R"({"orderId":"o-1","paymentId":"pay-1"})", "corr-1", "{}", "evt-2");
  publish("order.paid", R"({"orderId":"o-1","paymentId":"pay-1"})", "corr-1", "{}", "evt-2");
  publish("order.shipped", R"({"orderId":"o-1","trackingNumber":"T-1"})", "corr-1", "{}", "evt-3");
  EXPECT_EQ(version("o-1"), 2);
  EXPECT_EQ(state("o-1"),
            R"({"orderId":"o-1","totalAmount":20,"currency":"EUR","status":"shipped",)"
            R"("paymentId":"pay-1","trackingNumber":"T-1"})");
  EXPECT_TRUE(replies().empty());  // recorded, not answered
}

TEST_F(OrderTest, ARequestWithoutOrderIdIsLeftForRedrive) {
  publish("order.create-requested", R"({"totalAmount":1})", "saga-1");
  EXPECT_TRUE(replies().empty());
  EXPECT_EQ(attribute("order-events-queue", "ApproximateNumberOfMessagesNotVisible"), "1");
}

// Snapshots (see SagaSnapshotTest): after kill -9 a cancel that names no order (the design's
// saga sends none) still finds the order its correlation created.
class OrderSnapshotTest : public OrderTest, public ::testing::WithParamInterface<std::size_t> {
 protected:
  OrderSnapshotTest() { snapshot_every_ = GetParam(); }
};

TEST_P(OrderSnapshotTest, ACancelByCorrelationFindsItsOrderAfterAKill) {
  publish("order.create-requested", kOrder, "saga-1");
  publish("order.create-requested", R"({"orderId":"o-2","totalAmount":5,"currency":"EUR"})",
          "saga-2");
  ASSERT_EQ(replies().size(), 2u);
  crash_restart({order()});
  publish("order.cancel-requested", "{}", "saga-2");
  auto got = replies();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data, R"({"orderId":"o-2"})");
  EXPECT_NE(state("o-2").find(R"("status":"cancelled")"), std::string::npos) << state("o-2");
  EXPECT_EQ(state("o-1").find(R"("status":"cancelled")"), std::string::npos) << state("o-1");
}

INSTANTIATE_TEST_SUITE_P(EveryNChanges, OrderSnapshotTest, ::testing::Values(0, 1, 100'000));

}  // namespace
}  // namespace eb::plugins
