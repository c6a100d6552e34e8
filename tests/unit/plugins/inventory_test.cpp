// The inventory worker through the whole daemon path: events published to the topic reach it
// through its queue, its answers reach the saga's queue, and its state survives a restart.
#include "plugins/inventory.hpp"

#include <gtest/gtest.h>

#include "daemon_fixture.hpp"

namespace eb::plugins {
namespace {

class InventoryTest : public testing::PluginDaemon {
 protected:
  void SetUp() override {
    PluginDaemon::SetUp();
    apply({inventory()});
  }
  static config::PluginSpec inventory(bool handle_order_created = true) {
    return spec("inventory", "inventory", "inventory-events-queue",
                config::InventoryPluginSpec{.stock = {{"SKU-1", 10}, {"SKU-2", 3}},
                                            .handle_order_created = handle_order_created});
  }
  std::string level(const std::string& product) {
    auto got = route("inventory", "GET", {"stock", product});
    return got ? *got : "error: " + got.error().message;
  }
  static std::string level_json(const std::string& product, int available, int reserved) {
    return R"({"productId":")" + product + R"(","available":)" + std::to_string(available) +
           R"(,"reserved":)" + std::to_string(reserved) + "}";
  }
};

constexpr const char* kTwoItems =
    R"({"orderId":"o-1","items":[{"productId":"SKU-1","quantity":4},{"productId":"SKU-2","quantity":1}]})";

TEST_F(InventoryTest, ReservesAndAnswersWithTheRequestsCorrelationAndCause) {
  const std::string request = publish("inventory.reserve-requested", kTwoItems, "saga-1");
  auto got = replies();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, "inventory.reserved");
  EXPECT_EQ(got[0].source, "inventory-service");
  EXPECT_EQ(got[0].correlation_id, "saga-1");
  EXPECT_EQ(got[0].causation_id, request);
  EXPECT_NE(got[0].data.find(R"("orderId":"o-1")"), std::string::npos) << got[0].data;
  EXPECT_NE(got[0].data.find(R"({"productId":"SKU-1","quantity":4,"reservationId":")"),
            std::string::npos)
      << got[0].data;
  EXPECT_EQ(level("SKU-1"), level_json("SKU-1", 6, 4));
  EXPECT_EQ(level("SKU-2"), level_json("SKU-2", 2, 1));
  EXPECT_EQ(attribute("inventory-events-queue", "ApproximateNumberOfMessages"), "0");
}

TEST_F(InventoryTest, ShortStockFailsWithTheShortItemsAndReservesNothing) {
  publish("inventory.reserve-requested",
          R"({"orderId":"o-2","items":[{"productId":"SKU-1","quantity":2},)"
          R"({"productId":"SKU-2","quantity":2},{"productId":"SKU-2","quantity":2},)"
          R"({"productId":"SKU-9","quantity":1}]})",
          "saga-2");
  auto got = replies();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, "inventory.reservation-failed");
  EXPECT_EQ(got[0].data, R"({"orderId":"o-2","reason":"insufficient stock","items":[)"
                         R"({"productId":"SKU-2","requested":4,"available":3},)"
                         R"({"productId":"SKU-9","requested":1,"available":0}]})");
  EXPECT_EQ(level("SKU-1"), level_json("SKU-1", 10, 0));
  EXPECT_EQ(level("SKU-2"), level_json("SKU-2", 3, 0));
}

TEST_F(InventoryTest, InvalidItemsAreAnsweredAsAFailure) {
  publish("inventory.reserve-requested", R"({"orderId":"o-3","items":[{"productId":"SKU-1"}]})",
          "saga-3");
  auto got = replies();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, "inventory.reservation-failed");
  EXPECT_NE(got[0].data.find("invalid request"), std::string::npos) << got[0].data;
}

TEST_F(InventoryTest, ARepeatedRequestGetsTheSameAnswerAndNeverReservesTwice) {
  publish("inventory.reserve-requested", kTwoItems, "saga-1");
  publish("inventory.reserve-requested", kTwoItems, "saga-1");
  // The design's order.created for the same order (the saga's create-order step) too.
  publish("order.created", kTwoItems, "saga-1");
  auto got = replies();
  ASSERT_EQ(got.size(), 3u);
  for (const auto& e : got) {
    EXPECT_EQ(e.type, "inventory.reserved");
    EXPECT_EQ(e.data, got[0].data);  // the same reservation ids
  }
  EXPECT_EQ(level("SKU-1"), level_json("SKU-1", 6, 4));
}

TEST_F(InventoryTest, OrderCreatedIsTheChoreographyPathUnlessTurnedOff) {
  publish("order.created", kTwoItems, "corr-1");
  ASSERT_EQ(replies().size(), 1u);
  apply({inventory(false)});
  publish("order.created", R"({"orderId":"o-9","items":[{"productId":"SKU-1","quantity":1}]})",
          "corr-9");
  EXPECT_TRUE(replies().empty());
  EXPECT_EQ(level("SKU-1"), level_json("SKU-1", 6, 4));
}

TEST_F(InventoryTest, ReleaseReturnsTheUnitsOnceAndARepeatGetsTheSameAnswer) {
  publish("inventory.reserve-requested", kTwoItems, "saga-1");
  publish("inventory.release-requested", R"({"orderId":"o-1"})", "saga-1");
  publish("inventory.release-requested", R"({"orderId":"o-1"})", "saga-1");
  auto got = replies();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].type, "inventory.released");
  EXPECT_EQ(got[1].data, R"({"orderId":"o-1","items":[{"productId":"SKU-1","quantity":4},)"
                         R"({"productId":"SKU-2","quantity":1}]})");
  EXPECT_EQ(got[2].data, got[1].data);
  EXPECT_EQ(level("SKU-1"), level_json("SKU-1", 10, 0));
  EXPECT_EQ(level("SKU-2"), level_json("SKU-2", 3, 0));
}

TEST_F(InventoryTest, TheDesignsSagaIsKeyedByCorrelationWhenThereIsNoOrderId) {
  // The design's saga sends only items, and its compensation no data at all.
  publish("inventory.reserve-requested", R"({"items":[{"productId":"SKU-1","quantity":1}]})",
          "saga-7");
  publish("inventory.release-requested", "{}", "saga-7");
  auto got = replies();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].data, R"({"items":[{"productId":"SKU-1","quantity":1}]})");
  EXPECT_EQ(level("SKU-1"), level_json("SKU-1", 10, 0));
}

TEST_F(InventoryTest, AReleaseBeforeItsReserveRefusesTheLateReserve) {
  publish("inventory.release-requested", R"({"orderId":"o-1"})", "saga-1");
  publish("inventory.reserve-requested", kTwoItems, "saga-1");
  auto got = replies();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].type, "inventory.released");
  EXPECT_EQ(got[0].data, R"({"orderId":"o-1","items":[]})");
  EXPECT_EQ(got[1].type, "inventory.reservation-failed");
  EXPECT_EQ(level("SKU-1"), level_json("SKU-1", 10, 0));
}

TEST_F(InventoryTest, StateIsRebuiltFromTheLogAfterARestart) {
  publish("inventory.reserve-requested", kTwoItems, "saga-1");
  ASSERT_TRUE(route("inventory", "PUT", {"stock", "SKU-3"}, R"({"available":7})"));
  const std::string first = replies().at(0).data;
  restart({inventory()});
  EXPECT_EQ(level("SKU-1"), level_json("SKU-1", 6, 4));
  EXPECT_EQ(level("SKU-3"), level_json("SKU-3", 7, 0));
  publish("inventory.reserve-requested", kTwoItems, "saga-1");
  auto got = replies();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data, first);
  EXPECT_EQ(level("SKU-1"), level_json("SKU-1", 6, 4));
}

// Snapshots (see SagaSnapshotTest): after kill -9 the levels and every order's answer are as
// they were, however much of them the last snapshot held; other configured stock is another
// snapshot tag, so the levels are folded again over the new stock.
class InventorySnapshotTest : public InventoryTest,
                              public ::testing::WithParamInterface<std::size_t> {
 protected:
  InventorySnapshotTest() { snapshot_every_ = GetParam(); }
};

TEST_P(InventorySnapshotTest, AKilledDaemonKeepsLevelsAndAnswers) {
  publish("inventory.reserve-requested", kTwoItems, "saga-1");
  publish("inventory.reserve-requested",
          R"({"orderId":"o-2","items":[{"productId":"SKU-2","quantity":9}]})", "saga-2");
  publish("inventory.reserve-requested",
          R"({"orderId":"o-3","items":[{"productId":"SKU-1","quantity":1}]})", "saga-3");
  publish("inventory.release-requested", R"({"orderId":"o-3"})", "saga-3");
  ASSERT_TRUE(route("inventory", "PUT", {"stock", "SKU-3"}, R"({"available":7})"));
  const auto answers = replies();
  ASSERT_EQ(answers.size(), 4u);

  crash_restart({inventory()});
  EXPECT_EQ(level("SKU-1"), level_json("SKU-1", 6, 4));
  EXPECT_EQ(level("SKU-2"), level_json("SKU-2", 2, 1));
  EXPECT_EQ(level("SKU-3"), level_json("SKU-3", 7, 0));
  // Each order gets its first answer again, and nothing is reserved twice.
  publish("inventory.reserve-requested", kTwoItems, "saga-1");
  publish("inventory.reserve-requested",
          R"({"orderId":"o-2","items":[{"productId":"SKU-2","quantity":1}]})", "saga-2");
  publish("inventory.reserve-requested",
          R"({"orderId":"o-3","items":[{"productId":"SKU-1","quantity":1}]})", "saga-3");
  const auto again = replies();
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(again[0].data, answers[0].data);
  EXPECT_EQ(again[1].data, answers[1].data);
  EXPECT_EQ(again[2].type, "inventory.reservation-failed");  // released first: refused
  EXPECT_EQ(level("SKU-1"), level_json("SKU-1", 6, 4));

  // Other configured stock: the snapshot does not apply, the log is folded over it.
  auto more = inventory();
  std::get<config::InventoryPluginSpec>(more.settings).stock["SKU-1"] = 20;
  restart({more});
  EXPECT_EQ(level("SKU-1"), level_json("SKU-1", 16, 4));
  EXPECT_EQ(level("SKU-3"), level_json("SKU-3", 7, 0));
}

INSTANTIATE_TEST_SUITE_P(EveryNChanges, InventorySnapshotTest, ::testing::Values(0, 1, 3, 100'000));

TEST_F(InventoryTest, StockRoutes) {
  auto all = route("inventory", "GET", {"stock"});
  ASSERT_TRUE(all);
  EXPECT_EQ(*all,
            R"({"stock":[)" + level_json("SKU-1", 10, 0) + "," + level_json("SKU-2", 3, 0) + "]}");
  auto set = route("inventory", "PUT", {"stock", "SKU-1"}, R"({"available":25})");
  ASSERT_TRUE(set);
  EXPECT_EQ(*set, level_json("SKU-1", 25, 0));
  EXPECT_EQ(route("inventory", "GET", {"stock", "nope"}).error().code, Errc::kResourceNotFound);
  EXPECT_EQ(route("inventory", "PUT", {"stock", "SKU-1"}, "[").error().code,
            Errc::kMalformedRequest);
  EXPECT_EQ(route("inventory", "PUT", {"stock", "SKU-1"}, "{}").error().code,
            Errc::kMissingParameter);
  EXPECT_EQ(route("inventory", "PUT", {"stock", "SKU-1"}, R"({"available":-1})").error().code,
            Errc::kInvalidParameterValue);
  EXPECT_EQ(route("inventory", "PUT", {"stock", "SKU-1"}, R"({"available":1.5})").error().code,
            Errc::kInvalidParameterValue);
  EXPECT_EQ(route("inventory", "DELETE", {"stock", "SKU-1"}).error().code,
            Errc::kUnsupportedOperation);
  EXPECT_EQ(route("inventory", "GET", {"elsewhere"}).error().code, Errc::kResourceNotFound);
}

TEST_F(InventoryTest, AMessageThatIsNoEventIsLeftForTheDeadLetterQueue) {
  sqs::SendInput in;
  in.body = "not json";
  ASSERT_TRUE(d_->queues.send_message("inventory-events-queue", std::move(in)));
  run_tasks();
  EXPECT_EQ(attribute("inventory-events-queue", "ApproximateNumberOfMessagesNotVisible"), "1");
  auto listed = d_->host.list_json();
  EXPECT_NE(listed.find(R"("failed":1)"), std::string::npos) << listed;
}

}  // namespace
}  // namespace eb::plugins
