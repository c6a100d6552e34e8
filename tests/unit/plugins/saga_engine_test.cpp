// The saga engine with the real inventory, payment and order workers on one small daemon: the
// design's order saga end to end, a failure injected at every step (completed steps compensated
// in reverse, stock back, net charge zero), duplicates, timeouts and retries on the manual
// clock, a stuck compensation and its redrive, and recovery on the same engine after a restart.
#include "plugins/saga_engine.hpp"

#include <gtest/gtest.h>

#include "daemon_fixture.hpp"
#include "plugins/json_read.hpp"
#include "plugins/order.hpp"

namespace eb::plugins {
namespace {

config::SagaStepSpec step(std::string name, std::string request, std::string data,
                          std::string success, std::string failure, std::string compensation,
                          std::string compensation_data, std::string compensated) {
  config::SagaStepSpec s;
  s.name = std::move(name);
  s.request = {std::move(request), std::move(data)};
  s.success = {std::move(success)};
  if (!failure.empty()) s.failure = {std::move(failure)};
  s.timeout_seconds = 10;
  s.retry = {.max_attempts = 2, .backoff_seconds = 1, .multiplier = 2};
  s.compensation = config::SagaRequestSpec{std::move(compensation), std::move(compensation_data)};
  s.compensation_success = {std::move(compensated)};
  return s;
}

class SagaEngineTest : public testing::PluginDaemon {
 protected:
  config::SagaPluginSpec definition_ = order_saga();

  static config::SagaPluginSpec order_saga() {
    config::SagaPluginSpec d;
    d.steps = {
        step("reserve-inventory", "inventory.reserve-requested",
             R"({"orderId":"$.input.orderId","items":"$.input.items"})", "inventory.reserved",
             "inventory.reservation-failed", "inventory.release-requested",
             R"({"orderId":"$.input.orderId"})", "inventory.released"),
        step("process-payment", "payment.process-requested",
             R"({"orderId":"$.input.orderId","amount":"$.input.totalAmount",)"
             R"("currency":"EUR","paymentMethod":"$.input.paymentMethod"})",
             "payment.processed", "payment.failed", "payment.refund-requested",
             R"({"paymentId":"$.steps.process-payment.result.paymentId"})", "payment.refunded"),
        step("create-order", "order.create-requested", R"("$.input")", "order.created", "",
             "order.cancel-requested", R"({"orderId":"$.input.orderId"})", "order.cancelled"),
    };
    return d;
  }

  std::vector<config::PluginSpec> specs() const {
    return {spec("inventory", "inventory", "inventory-events-queue",
                 config::InventoryPluginSpec{.stock = {{"SKU-1", 10}}}),
            spec("payment", "payment", "payment-events-queue",
                 config::PaymentPluginSpec{.decline_payment_methods = {"card_declined"},
                                           .no_reply_payment_methods = {"card_timeout"}}),
            spec("order", "order", "order-events-queue", config::OrderPluginSpec{}),
            spec("order-creation", "saga", "saga-events-queue", definition_)};
  }

  void SetUp() override {
    PluginDaemon::SetUp();
    apply(specs());
  }

  std::shared_ptr<SagaEngine> engine() {
    for (auto& p : d_->host.running()) {
      if (auto e = std::dynamic_pointer_cast<SagaEngine>(p)) return e;
    }
    ADD_FAILURE() << "no saga engine runs";
    return nullptr;
  }

  static std::string input(const std::string& order, const std::string& method, int quantity = 2,
                           int amount = 40) {
    return R"({"orderId":")" + order + R"(","items":[{"productId":"SKU-1","quantity":)" +
           std::to_string(quantity) + R"(}],"totalAmount":)" + std::to_string(amount) +
           R"(,"paymentMethod":")" + method + R"("})";
  }

  SagaEngine::Started start(const std::string& id, const std::string& in) {
    auto started = engine()->start(id, in);
    EXPECT_TRUE(started) << started.error().message;
    run_tasks();
    return started.value_or(SagaEngine::Started{});
  }

  // A member of the saga's document ("status"), or of its step `step` when given.
  std::string saga(const std::string& id, const std::string& member, int step = -1) {
    auto doc = engine()->saga_json(id);
    if (!doc) return "<no saga>";
    simdjson::dom::parser parser;
    auto o = json::object(parser, *doc);
    if (step < 0) return json::string(*o, member);
    simdjson::dom::array steps;
    if (o->at_key("steps").get_array().get(steps) || static_cast<int>(steps.size()) <= step) {
      return "<no step>";
    }
    simdjson::dom::object s;
    if (steps.at(step).get_object().get(s)) return "<bad step>";
    const std::string text = json::string(s, member);
    return text.empty() ? json::raw(s, member) : text;
  }

  std::string stock() {
    auto got = route("inventory", "GET", {"stock", "SKU-1"});
    return got ? *got : got.error().message;
  }
  std::string payments() {
    auto got = route("payment", "GET", {"payments"});
    return got ? *got : got.error().message;
  }
  void advance(Millis ms) {
    clock_.advance(ms);
    run_tasks();
  }
  // "type source" of each event in saga `id`'s stream, in order.
  std::vector<std::string> stream(const std::string& id) {
    auto page = d_->events.read_stream(SagaEngine::stream_of(id), 0, 100);
    EXPECT_TRUE(page);
    std::vector<std::string> out;
    for (const auto& e : page ? page->events : std::vector<eventlog::Event>{}) {
      out.push_back((e.envelope ? e.envelope->type : "?") + " " + e.source_arn);
    }
    return out;
  }
  // Publishes what the inventory worker would answer to saga `id`'s reservation, without
  // letting anything handle it yet. The saga must have just sent that request.
  void reserved(const std::string& id) {
    Envelope e;
    e.id = "reply-" + id;
    e.type = "inventory.reserved";
    e.timestamp = utc_timestamp(clock_.now_ms());
    e.source = "inventory-service";
    e.correlation_id = id;
    auto page = d_->events.read_stream(SagaEngine::stream_of(id), 0, 100);
    ASSERT_TRUE(page && !page->events.empty() && page->events.back().envelope);
    e.causation_id = page->events.back().envelope->id;  // the reservation request
    e.data = R"({"orderId":")" + id + R"(","items":[]})";
    sns::PublishInput in;
    in.topic_arn = topic_arn();
    in.message = encode(e);
    in.attributes = event_attributes(e);
    ASSERT_TRUE(d_->topics.publish(std::move(in)));
  }
  std::vector<config::PluginSpec> without_inventory() const {
    auto out = specs();
    out.erase(out.begin());
    return out;
  }
};

const std::string kSagaStream = "eventbroker:streams/saga-";

constexpr const char* kFullStock = R"({"productId":"SKU-1","available":10,"reserved":0})";

TEST_F(SagaEngineTest, TheDesignsOrderSagaCompletes) {
  auto started = start("o-1", input("o-1", "card"));
  EXPECT_TRUE(started.created);
  EXPECT_EQ(saga("o-1", "status"), "completed");
  EXPECT_EQ(saga("o-1", "type"), "order-creation");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(saga("o-1", "status", i), "completed") << i;
  EXPECT_EQ(stock(), R"({"productId":"SKU-1","available":8,"reserved":2})");
  EXPECT_NE(payments().find(R"("status":"processed","orderId":"o-1","amount":40)"),
            std::string::npos)
      << payments();
  auto order = d_->events.state(OrderWorker::stream_of("o-1"));
  ASSERT_TRUE(order);
  EXPECT_NE(order->state_json.find(R"("status":"created")"), std::string::npos);
  // Requests and replies share the saga id as correlationId.
  auto trace = d_->events.trace("o-1");
  ASSERT_TRUE(trace);
  EXPECT_GE(trace->nodes.size(), 10u);
  EXPECT_EQ(trace->roots.size(), 1u);  // saga.started, and everything under it
}

TEST_F(SagaEngineTest, MetricsCountSagasAndTimeEachStepFromRequestToReply) {
  ASSERT_TRUE(engine()->start("m-1", input("m-1", "card")));
  clock_.advance(250);  // the inventory takes 250 ms to answer; the other steps answer at once
  run_tasks();
  ASSERT_EQ(saga("m-1", "status"), "completed");
  start("m-2", input("m-2", "card_declined"));
  ASSERT_EQ(saga("m-2", "status"), "compensated");

  using C = SagaEngine::Count;
  const SagaEngine::Metrics m = engine()->metrics();
  EXPECT_EQ(m.counts[C::kStarted], 2u);
  EXPECT_EQ(m.counts[C::kCompleted], 1u);
  EXPECT_EQ(m.counts[C::kCompensated], 1u);
  EXPECT_EQ(m.counts[C::kStuck], 0u);
  ASSERT_EQ(m.step_latency.size(), 6u);  // three steps, two phases each
  const auto observed = [&](std::size_t i) {
    std::uint64_t n = 0;
    for (std::uint64_t c : m.step_latency[i].counts) n += c;
    return n;
  };
  // reserve-inventory: two replies (one after 250 ms), and its release after the decline.
  EXPECT_EQ(observed(0), 2u);
  EXPECT_EQ(m.step_latency[0].sum_us, 250'000u);
  EXPECT_EQ(m.step_latency[0].counts[LatencyHistogram::bucket_of(250'000)], 1u);
  EXPECT_EQ(observed(1), 1u);
  EXPECT_EQ(observed(2), 2u);  // process-payment: processed, then declined
  EXPECT_EQ(observed(3), 0u);  // a declined payment owes no refund
  EXPECT_EQ(observed(4), 1u);  // create-order
  EXPECT_EQ(observed(5), 0u);
}

// A reply's outcome is written with the request it leads to (one write), the last outcome with
// the saga's end: the stream still tells every step in order, the saga's own events as appends
// to it and the requests as what the topic published.
TEST_F(SagaEngineTest, TheStreamHoldsEveryEventInTheOrderItHappened) {
  start("s-1", input("s-1", "card"));
  ASSERT_EQ(saga("s-1", "status"), "completed");
  const std::string appended = kSagaStream + "s-1";
  const std::string published = topic_arn();
  EXPECT_EQ(stream("s-1"), (std::vector<std::string>{
                               "saga.started " + appended,
                               "inventory.reserve-requested " + published,
                               "saga.step-succeeded " + appended,
                               "payment.process-requested " + published,
                               "saga.step-succeeded " + appended,
                               "order.create-requested " + published,
                               "saga.step-succeeded " + appended,
                               "saga.completed " + appended,
                           }));
  // And they fold back into the same saga.
  restart(specs());
  EXPECT_EQ(saga("s-1", "status"), "completed");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(saga("s-1", "status", i), "completed") << i;
}

// A reply whose outcome cannot be written is not taken: the saga stays as it was (no outcome
// half applied) and the reply, left on the queue, moves it on when it comes back.
TEST_F(SagaEngineTest, AReplyThatCannotBeWrittenLeavesTheSagaAsItWasUntilItComesBack) {
  definition_.steps[0].timeout_seconds = 60;  // beyond the reply's visibility timeout
  apply(without_inventory());                 // the test answers for the inventory
  start("w-1", input("w-1", "card"));
  reserved("w-1");
  store_.fail_writes_to(storage::Family::kEvents);  // the receive works, the saga's write not
  run_tasks();
  store_.fail_writes_to(std::nullopt);
  advance(1'000);  // the engine's retry: nothing to send, it still waits for the reply
  EXPECT_EQ(saga("w-1", "status", 0), "started");
  EXPECT_EQ(stream("w-1").size(), 2u);  // started, reserve-requested
  advance(30'000);                      // the queue's visibility timeout: the reply again
  EXPECT_EQ(saga("w-1", "status", 0), "completed");
  const std::string appended = kSagaStream + "w-1";
  const auto events = stream("w-1");
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events[2], "saga.step-succeeded " + appended);
  EXPECT_EQ(events[3], "payment.process-requested " + topic_arn());
}

// When only the request cannot go out (its topic is gone), the outcome is still written on its
// own, and the request is sent on the engine's retry once the topic is back.
TEST_F(SagaEngineTest, AnOutcomeIsKeptWhenTheRequestAfterItCannotBePublished) {
  apply(without_inventory());
  start("p-1", input("p-1", "card"));
  reserved("p-1");
  const std::string arn = topic_arn();
  ASSERT_TRUE(d_->topics.delete_topic(arn));
  run_tasks();
  EXPECT_EQ(saga("p-1", "status", 0), "completed");
  EXPECT_EQ(saga("p-1", "status", 1), "<no step>");  // not requested yet
  const std::string appended = kSagaStream + "p-1";
  EXPECT_EQ(stream("p-1").back(), "saga.step-succeeded " + appended);
  create_topology();
  advance(1'000);  // the retry, well before the reply's visibility timeout
  EXPECT_EQ(saga("p-1", "status"), "completed");
  EXPECT_EQ(stream("p-1")[3], "payment.process-requested " + arn);
}

TEST_F(SagaEngineTest, TheSameIdAndInputIsTheSameSagaAnotherInputConflicts) {
  start("o-1", input("o-1", "card"));
  auto again = engine()->start("o-1", input("o-1", "card"));
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  auto other = engine()->start("o-1", input("o-1", "card", 3));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, Errc::kInvalidState);
  EXPECT_EQ(engine()->start("bad id!", "{}").error().code, Errc::kInvalidParameterValue);
  EXPECT_EQ(engine()->start("o-2", "{nope").error().code, Errc::kInvalidParameterValue);
  EXPECT_EQ(stock(), R"({"productId":"SKU-1","available":8,"reserved":2})");  // reserved once
}

TEST_F(SagaEngineTest, AFailureAtEachStepLeavesNoStockHeldAndNoCharge) {
  // reserve-inventory fails: more than in stock.
  start("s-0", input("s-0", "card", 50));
  EXPECT_EQ(saga("s-0", "status"), "compensated");
  EXPECT_EQ(saga("s-0", "status", 0), "failed");
  EXPECT_EQ(saga("s-0", "error", 0), "insufficient stock");
  // process-payment fails: declined. The reservation is released.
  start("s-1", input("s-1", "card_declined"));
  EXPECT_EQ(saga("s-1", "status"), "compensated");
  EXPECT_EQ(saga("s-1", "status", 0), "compensated");
  EXPECT_EQ(saga("s-1", "error", 1), "card declined");
  EXPECT_EQ(stock(), kFullStock);
  EXPECT_EQ(payments(), R"({"payments":[]})");
  // create-order fails: its request has no orderId, so the order worker leaves it and the
  // step times out on both attempts; the order is cancelled, the payment refunded, the
  // reservation released, in that order.
  definition_.steps[2].request.data = R"({"note":"no order id"})";
  apply(specs());
  start("s-2", input("s-2", "card"));
  EXPECT_EQ(saga("s-2", "status"), "started");
  advance(10'000);  // attempt 1 times out; the retry waits 1 s
  advance(1'000);   // attempt 2
  advance(10'000);  // times out: compensation
  EXPECT_EQ(saga("s-2", "status"), "compensated");
  EXPECT_EQ(saga("s-2", "error", 2), "timed out after 2 attempts");
  // The timed-out step is compensated too: its effect is unknown.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(saga("s-2", "status", i), "compensated") << i;
  EXPECT_EQ(stock(), kFullStock);
  EXPECT_NE(payments().find(R"("status":"refunded")"), std::string::npos) << payments();
}

TEST_F(SagaEngineTest, APaymentThatNeverAnswersTimesOutIsRetriedThenCompensated) {
  start("t-1", input("t-1", "card_timeout"));
  EXPECT_EQ(saga("t-1", "status", 1), "started");
  advance(9'999);
  EXPECT_EQ(saga("t-1", "attempts", 1), "1");
  advance(1);      // the deadline
  advance(1'000);  // the backoff: attempt 2 goes out
  EXPECT_EQ(saga("t-1", "attempts", 1), "2");
  EXPECT_EQ(saga("t-1", "status"), "started");
  advance(10'000);
  EXPECT_EQ(saga("t-1", "status"), "compensated");
  EXPECT_EQ(stock(), kFullStock);
  EXPECT_EQ(payments(), R"({"payments":[]})");
}

// Waiting sagas share one timer, armed for the earliest deadline; each still times out, and
// retries, at its own.
TEST_F(SagaEngineTest, WaitingSagasShareOneTimerAndEachWakesAtItsOwnDeadline) {
  start("t-0", input("t-0", "card_timeout"));  // payment deadline: now + 10 s
  const std::size_t timers = clock_.pending_timers();
  advance(2'000);
  start("t-1", input("t-1", "card_timeout"));  // 2 s later
  advance(2'000);
  start("t-2", input("t-2", "card_timeout"));  // 4 s later
  EXPECT_EQ(clock_.pending_timers(), timers);
  const auto attempts = [&] {
    return saga("t-0", "attempts", 1) + saga("t-1", "attempts", 1) + saga("t-2", "attempts", 1);
  };
  advance(5'999);
  EXPECT_EQ(attempts(), "111");
  advance(1);      // t-0's deadline
  advance(1'000);  // and its backoff: attempt 2
  EXPECT_EQ(attempts(), "211");
  advance(2'000);  // t-1's, a second after its deadline
  EXPECT_EQ(attempts(), "221");
  advance(2'000);
  EXPECT_EQ(attempts(), "222");
  EXPECT_EQ(clock_.pending_timers(), timers);
}

TEST_F(SagaEngineTest, AStuckCompensationWaitsForARedrive) {
  // Without the inventory worker nothing answers the release: the compensation times out.
  auto without_inventory = specs();
  start("k-1", input("k-1", "card_declined"));  // reserved, declined, released: fine
  without_inventory.erase(without_inventory.begin());
  apply(without_inventory);
  // A new saga whose reserve is answered by nobody either: it times out and is compensated
  // (the release unanswered too), then stuck.
  start("k-2", input("k-2", "card"));
  for (int i = 0; i < 6; ++i) advance(10'000);
  EXPECT_EQ(saga("k-2", "status"), "stuck");
  EXPECT_EQ(saga("k-2", "status", 0), "compensation-failed");
  EXPECT_EQ(engine()->redrive("k-1").error().code, Errc::kInvalidState);
  apply(specs());  // the inventory worker is back
  auto redriven = engine()->redrive("k-2");
  ASSERT_TRUE(redriven) << redriven.error().message;
  run_tasks();
  EXPECT_EQ(saga("k-2", "status"), "compensated");
  EXPECT_EQ(engine()->redrive("nope").error().code, Errc::kResourceNotFound);
  const auto counts = engine()->metrics().counts;
  EXPECT_EQ(counts[SagaEngine::Count::kStuck], 1u);
  EXPECT_EQ(counts[SagaEngine::Count::kCompensated], 2u);
}

TEST_F(SagaEngineTest, EveryReplyDeliveredTwiceStillMeansOneReservationAndOneCharge) {
  // Publish a copy of every reply the workers send: the saga and the workers see each twice.
  start("d-1", input("d-1", "card"));
  auto trace = d_->events.trace("d-1");
  ASSERT_TRUE(trace);
  for (const auto& node : trace->nodes) {
    if (!node.event.envelope ||
        node.event.source_arn.find("portfolio-events") == std::string::npos) {
      continue;
    }
    sns::PublishInput again;
    again.topic_arn = topic_arn();
    again.message = node.event.body;
    again.attributes = node.event.attributes;
    again.attributes.erase(std::string(eventlog::kAggregateAttribute));
    ASSERT_TRUE(d_->topics.publish(std::move(again)));
  }
  run_tasks();
  EXPECT_EQ(saga("d-1", "status"), "completed");
  EXPECT_EQ(stock(), R"({"productId":"SKU-1","available":8,"reserved":2})");
  const std::string all = payments();
  EXPECT_EQ(all.find("paymentId"), all.rfind("paymentId")) << all;  // one charge
}

TEST_F(SagaEngineTest, SagasResumeAfterARestartWithTheirDeadlines) {
  start("r-1", input("r-1", "card_timeout"));  // waits for the payment
  start("r-2", input("r-2", "card"));          // completed
  restart(specs());
  EXPECT_EQ(saga("r-2", "status"), "completed");
  EXPECT_EQ(saga("r-1", "status"), "started");
  EXPECT_EQ(saga("r-1", "attempts", 1), "1");
  advance(10'000);  // the persisted deadline, re-armed
  advance(1'000);
  EXPECT_EQ(saga("r-1", "attempts", 1), "2");
  advance(10'000);
  EXPECT_EQ(saga("r-1", "status"), "compensated");
  EXPECT_EQ(stock(), R"({"productId":"SKU-1","available":8,"reserved":2})");  // r-2's
}

TEST_F(SagaEngineTest, ATriggerEventStartsASaga) {
  definition_.start_on = "order.checkout-requested";
  definition_.saga_id = "orderId";
  // The fixture's saga queue admits every reply and trigger type.
  apply(specs());
  publish("order.checkout-requested", input("c-1", "card"), "corr-c");
  EXPECT_EQ(saga("c-1", "status"), "completed");
  publish("order.checkout-requested", input("c-1", "card"), "corr-c");  // the same again
  EXPECT_EQ(stock(), R"({"productId":"SKU-1","available":8,"reserved":2})");
}

// Snapshots (Worker, EventLog::save_snapshot): after kill -9 every saga and the stock are as
// they were, whether the last snapshot holds all of it (saved at every change), part of it
// (the events after it folded from the log) or nothing (never saved: the whole log folded).
class SagaSnapshotTest : public SagaEngineTest, public ::testing::WithParamInterface<std::size_t> {
 protected:
  SagaSnapshotTest() { snapshot_every_ = GetParam(); }

  std::string documents() {
    std::string out;
    for (const char* id : {"s-1", "s-2", "s-3", "s-4"})
      out += engine()->saga_json(id).value_or("-");
    return out + stock();
  }
};

TEST_P(SagaSnapshotTest, AKilledDaemonResumesEverySagaAsItWas) {
  start("s-1", input("s-1", "card"));           // completed
  start("s-2", input("s-2", "card_declined"));  // compensated
  start("s-3", input("s-3", "card_timeout"));   // waits for its payment
  advance(10'000);                              // s-3 times out once, a retry scheduled
  start("s-4", input("s-4", "card_timeout"));   // waits too
  const std::string before = documents();
  ASSERT_EQ(saga("s-3", "attempts", 1), "1");

  crash_restart(specs());
  EXPECT_EQ(documents(), before);

  // The timers were re-armed from the restored deadlines: both waiting sagas run out of
  // attempts and are compensated; the others do not move.
  advance(1'000);
  EXPECT_EQ(saga("s-3", "attempts", 1), "2");
  advance(10'000);
  advance(10'000);
  advance(1'000);
  advance(10'000);
  for (const char* id : {"s-3", "s-4"}) EXPECT_EQ(saga(id, "status"), "compensated") << id;
  EXPECT_EQ(saga("s-1", "status"), "completed");
  EXPECT_EQ(saga("s-2", "status"), "compensated");
  EXPECT_EQ(stock(), R"({"productId":"SKU-1","available":8,"reserved":2})");  // s-1's

  // And once more, now that everything settled (a clean stop saves what changed).
  const std::string settled = documents();
  restart(specs());
  EXPECT_EQ(documents(), settled);
}

// 0: never (the whole log at every start); 1: at every change; 7: some of it; 100,000: only
// at a clean stop, which a crash never reaches.
INSTANTIATE_TEST_SUITE_P(EveryNChanges, SagaSnapshotTest, ::testing::Values(0, 1, 7, 100'000));

TEST_F(SagaEngineTest, AnUnreadableSnapshotFallsBackToTheWholeLog) {
  start("u-1", input("u-1", "card"));
  start("u-2", input("u-2", "card_timeout"));
  const std::string u1 = engine()->saga_json("u-1").value_or("-");
  const std::string u2 = engine()->saga_json("u-2").value_or("-");
  restart(specs());  // a clean stop saves the snapshot
  ASSERT_TRUE(d_->events.save_snapshot(
      "order-creation",
      {"saga/1/reserve-inventory/process-payment/create-order", d_->events.visible_through()},
      {{"u-1", "not a saga"}}));
  restart(specs());
  EXPECT_EQ(engine()->saga_json("u-1").value_or("-"), u1);
  EXPECT_EQ(engine()->saga_json("u-2").value_or("-"), u2);
}

}  // namespace
}  // namespace eb::plugins
