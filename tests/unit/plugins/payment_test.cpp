// The payment worker through the daemon path: deterministic rules, one charge per key, refunds.
#include "plugins/payment.hpp"

#include <gtest/gtest.h>

#include "daemon_fixture.hpp"

namespace eb::plugins {
namespace {

class PaymentTest : public testing::PluginDaemon {
 protected:
  void SetUp() override {
    PluginDaemon::SetUp();
    apply({payment()});
  }
  static config::PluginSpec payment() {
    return spec("payment", "payment", "payment-events-queue",
                config::PaymentPluginSpec{.decline_payment_methods = {"card_declined"},
                                          .decline_amount_over = 10000,
                                          .no_reply_payment_methods = {"card_timeout"}});
  }
  static std::string charge(const std::string& order, double amount, const std::string& method) {
    return R"({"orderId":")" + order + R"(","amount":)" + std::to_string(amount) +
           R"(,"currency":"EUR","paymentMethod":")" + method + R"("})";
  }
  static std::string payment_id(const Envelope& e) {
    const auto at = e.data.find(R"("paymentId":")");
    if (at == std::string::npos) return {};
    const auto start = at + 13;
    return e.data.substr(start, e.data.find('"', start) - start);
  }
};

TEST_F(PaymentTest, ChargesAndAnswersWithAPaymentId) {
  const std::string request = publish("payment.process-requested",
                                      R"({"orderId":"o-1","amount":120.5,"currency":"EUR",)"
                                      R"("paymentMethod":"card"})",
                                      "saga-1");
  auto got = replies();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, "payment.processed");
  EXPECT_EQ(got[0].correlation_id, "saga-1");
  EXPECT_EQ(got[0].causation_id, request);
  const std::string id = payment_id(got[0]);
  ASSERT_TRUE(id.starts_with("pay-")) << got[0].data;
  EXPECT_EQ(got[0].data, R"({"paymentId":")" + id +
                             R"(","orderId":"o-1","amount":120.5,"currency":"EUR",)"
                             R"("paymentMethod":"card"})");
  auto listed = route("payment", "GET", {"payments", id});
  ASSERT_TRUE(listed);
  EXPECT_EQ(*listed, R"({"paymentId":")" + id +
                         R"(","status":"processed","orderId":"o-1","amount":120.5,)"
                         R"("currency":"EUR","paymentMethod":"card"})");
}

TEST_F(PaymentTest, DeclinesByMethodAndByAmountAndNeverAnswersATimeoutMethod) {
  publish("payment.process-requested", charge("o-1", 10, "card_declined"), "saga-1");
  publish("payment.process-requested", charge("o-2", 10000.5, "card"), "saga-2");
  publish("payment.process-requested", charge("o-3", 10000, "card"), "saga-3");
  publish("payment.process-requested", charge("o-4", 10, "card_timeout"), "saga-4");
  auto got = replies();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].type, "payment.failed");
  EXPECT_NE(got[0].data.find(R"("reason":"card declined")"), std::string::npos) << got[0].data;
  EXPECT_EQ(got[1].type, "payment.failed");
  EXPECT_NE(got[1].data.find(R"("reason":"amount over 10000")"), std::string::npos) << got[1].data;
  EXPECT_EQ(got[2].type, "payment.processed");  // 10,000 itself is not over
  EXPECT_EQ(got[2].correlation_id, "saga-3");
  EXPECT_EQ(attribute("payment-events-queue", "ApproximateNumberOfMessages"), "0");
  const std::string listed = d_->host.list_json();
  EXPECT_NE(listed.find(R"("payments":1,"refunds":0,"declined":2,"unanswered":1)"),
            std::string::npos)
      << listed;
}

TEST_F(PaymentTest, ARepeatedRequestIsChargedOnce) {
  const std::string key = R"({"idempotencyKey":"saga-1:process-payment"})";
  publish("payment.process-requested", charge("o-1", 5, "card"), "saga-1", key);
  publish("payment.process-requested", charge("o-1", 5, "card"), "saga-1", key);
  auto got = replies();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].data, got[0].data);
  auto all = route("payment", "GET", {"payments"});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->find("paymentId"), all->rfind("paymentId")) << *all;  // one payment
}

TEST_F(PaymentTest, RefundsByPaymentIdOrCorrelationOnceAndRefundsOfNothingAreZero) {
  publish("payment.process-requested", charge("o-1", 5, "card"), "saga-1");
  publish("payment.process-requested", charge("o-2", 7, "card"), "saga-2");
  auto charged = replies();
  ASSERT_EQ(charged.size(), 2u);
  const std::string first = payment_id(charged[0]);
  publish("payment.refund-requested", R"({"paymentId":")" + first + R"("})", "saga-1");
  publish("payment.refund-requested", R"({"paymentId":")" + first + R"("})", "saga-1");
  publish("payment.refund-requested", "{}", "saga-2");  // the design's saga sends no data
  publish("payment.refund-requested", "{}", "saga-none");
  auto got = replies();
  ASSERT_EQ(got.size(), 4u);
  for (const auto& e : got) EXPECT_EQ(e.type, "payment.refunded");
  EXPECT_EQ(got[0].data,
            R"({"paymentId":")" + first + R"(","orderId":"o-1","amount":5.0,"currency":"EUR"})");
  EXPECT_EQ(got[1].data, got[0].data);
  EXPECT_EQ(payment_id(got[2]), payment_id(charged[1]));
  EXPECT_EQ(got[3].data, R"({"amount":0,"reason":"no such payment"})");
  auto status = route("payment", "GET", {"payments", first});
  ASSERT_TRUE(status);
  EXPECT_NE(status->find(R"("status":"refunded")"), std::string::npos) << *status;
  EXPECT_EQ(route("payment", "GET", {"payments", "pay-nope"}).error().code,
            Errc::kResourceNotFound);
}

// A saga that timed out on its payment refunds it without a paymentId; a charge request still
// queued behind (the service was down) must not take the money afterwards, before or after a
// restart.
TEST_F(PaymentTest, AChargeAfterItsRefundIsDeclined) {
  const std::string key = R"({"idempotencyKey":"saga-9:process-payment"})";
  publish("payment.refund-requested", "{}", "saga-9", key);
  ASSERT_EQ(replies().at(0).data, R"({"amount":0,"reason":"no such payment"})");
  publish("payment.process-requested", charge("o-9", 5, "card"), "saga-9", key);
  publish("payment.process-requested", charge("o-9", 5, "card_timeout"), "saga-9");
  auto got = replies();
  ASSERT_EQ(got.size(), 2u);
  for (const auto& e : got) {
    EXPECT_EQ(e.type, "payment.failed");
    EXPECT_NE(e.data.find(R"("reason":"refunded before it was processed")"), std::string::npos)
        << e.data;
  }
  restart({payment()});
  publish("payment.process-requested", charge("o-9", 5, "card"), "saga-9", key);
  EXPECT_EQ(replies().at(0).type, "payment.failed");
  publish("payment.process-requested", charge("o-10", 5, "card"), "saga-10");  // others charge
  EXPECT_EQ(replies().at(0).type, "payment.processed");
  const std::string listed = d_->host.list_json();
  EXPECT_NE(listed.find(R"("payments":1,)"), std::string::npos) << listed;
}

TEST_F(PaymentTest, ChargesAndRefundsSurviveARestart) {
  const std::string key = R"({"idempotencyKey":"k-1"})";
  publish("payment.process-requested", charge("o-1", 5, "card"), "saga-1", key);
  const std::string id = payment_id(replies().at(0));
  publish("payment.refund-requested", "{}", "saga-1");
  ASSERT_EQ(replies().size(), 1u);
  restart({payment()});
  publish("payment.process-requested", charge("o-1", 5, "card"), "saga-1", key);
  publish("payment.refund-requested", "{}", "saga-1");
  auto got = replies();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(payment_id(got[0]), id);  // the same charge, not a new one
  EXPECT_EQ(got[1].type, "payment.refunded");
  EXPECT_EQ(payment_id(got[1]), id);
  auto status = route("payment", "GET", {"payments", id});
  ASSERT_TRUE(status);
  EXPECT_NE(status->find(R"("status":"refunded")"), std::string::npos) << *status;
}

// Snapshots (see SagaSnapshotTest): after kill -9, charges, refunds, the payment a correlation
// refunds and the correlations refunded before any charge are as they were, however much of
// them the last snapshot held.
class PaymentSnapshotTest : public PaymentTest, public ::testing::WithParamInterface<std::size_t> {
 protected:
  PaymentSnapshotTest() { snapshot_every_ = GetParam(); }
};

TEST_P(PaymentSnapshotTest, AKilledDaemonKeepsEveryChargeAndRefund) {
  const std::string k1 = R"({"idempotencyKey":"k-1"})";
  const std::string k2 = R"({"idempotencyKey":"k-2"})";
  const std::string k9 = R"({"idempotencyKey":"k-9"})";
  publish("payment.process-requested", charge("o-1", 5, "card"), "saga-1", k1);
  publish("payment.process-requested", charge("o-2", 7, "card"), "saga-2", k2);
  publish("payment.refund-requested", "{}", "saga-2");
  publish("payment.refund-requested", "{}", "saga-9", k9);  // before any charge
  const auto before = replies();
  ASSERT_EQ(before.size(), 4u);
  // {"payments":2,"refunds":1,"declined":0,...}: the state's counts (the counters before them
  // count this run's messages).
  const auto counts = [&] {
    const std::string listed = d_->host.list_json();
    return listed.substr(listed.find(R"("payments":)"));
  };
  const std::string listed = counts();

  crash_restart({payment()});
  EXPECT_EQ(counts(), listed);
  publish("payment.process-requested", charge("o-1", 5, "card"), "saga-1", k1);
  publish("payment.refund-requested", "{}", "saga-2");
  publish("payment.process-requested", charge("o-9", 5, "card"), "saga-9", k9);
  publish("payment.refund-requested", "{}", "saga-1");  // by correlation, after the restart
  const auto after = replies();
  ASSERT_EQ(after.size(), 4u);
  EXPECT_EQ(after[0].data, before[0].data);  // the same charge, not a new one
  EXPECT_EQ(after[1].data, before[2].data);  // the same refund
  EXPECT_EQ(after[2].type, "payment.failed");
  EXPECT_EQ(after[3].type, "payment.refunded");
  EXPECT_EQ(payment_id(after[3]), payment_id(before[0]));
}

INSTANTIATE_TEST_SUITE_P(EveryNChanges, PaymentSnapshotTest, ::testing::Values(0, 1, 3, 100'000));

}  // namespace
}  // namespace eb::plugins
