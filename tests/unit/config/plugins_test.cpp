#include "config/plugins.hpp"

#include <gtest/gtest.h>

#include <string>

namespace eb::config {
namespace {

// The message of parsing `yaml` as "eb.yaml", which must fail.
std::string error_of(std::string_view yaml) {
  auto plugins = parse_plugins(yaml, "eb.yaml");
  if (plugins) return "(parsed)";
  return plugins.error().message;
}

TEST(Plugins, KindsInMessageOrder) {
  EXPECT_EQ(plugin_kinds(), (std::vector<std::string_view>{"inventory", "payment", "order", "saga",
                                                           "dlq-monitor"}));
}

TEST(Plugins, ParsesAnInventoryPlugin) {
  auto plugins = parse_plugins(R"(listen: 127.0.0.1:4566
topics: [{name: portfolio-events}]
plugins:
  - name: inventory
    kind: inventory
    enabled: false
    queue: inventory-events-queue
    topic: portfolio-events
    source: stock-keeper
    stock: {SKU-1: 100, SKU-2: 0, "SKU 3": 1000000000000}
    handle_order_created: no
)",
                               "eb.yaml");
  ASSERT_TRUE(plugins) << plugins.error().message;
  ASSERT_EQ(plugins->size(), 1u);
  const PluginSpec& p = (*plugins)[0];
  EXPECT_EQ(p.name, "inventory");
  EXPECT_EQ(p.kind, "inventory");
  EXPECT_FALSE(p.enabled);
  EXPECT_EQ(p.queue, "inventory-events-queue");
  EXPECT_EQ(p.topic, "portfolio-events");
  EXPECT_EQ(p.source, "stock-keeper");
  ASSERT_TRUE(std::holds_alternative<InventoryPluginSpec>(p.settings));
  const auto& inventory = std::get<InventoryPluginSpec>(p.settings);
  EXPECT_EQ(inventory.stock, (std::map<std::string, std::int64_t>{
                                 {"SKU-1", 100}, {"SKU-2", 0}, {"SKU 3", 1'000'000'000'000}}));
  EXPECT_FALSE(inventory.handle_order_created);
}

TEST(Plugins, AppliesDefaults) {
  auto plugins = parse_plugins(R"(plugins:
  - {name: inv_1, kind: inventory, queue: q, topic: t}
  - {name: pay, kind: payment, queue: q2, topic: t}
)");
  ASSERT_TRUE(plugins) << plugins.error().message;
  ASSERT_EQ(plugins->size(), 2u);
  const PluginSpec& inv = (*plugins)[0];
  EXPECT_TRUE(inv.enabled);
  EXPECT_EQ(inv.source, "inv_1-service");
  const auto& inventory = std::get<InventoryPluginSpec>(inv.settings);
  EXPECT_TRUE(inventory.stock.empty());
  EXPECT_TRUE(inventory.handle_order_created);
  const PluginSpec& pay = (*plugins)[1];
  EXPECT_TRUE(pay.enabled);
  EXPECT_EQ(pay.source, "pay-service");
  EXPECT_EQ(std::get<PaymentPluginSpec>(pay.settings), PaymentPluginSpec{});
}

TEST(Plugins, ParsesAPaymentPlugin) {
  auto plugins = parse_plugins(R"(plugins:
  - name: payment
    kind: payment
    enabled: true
    queue: payment-events-queue
    topic: portfolio-events
    decline:
      payment_methods: [card-declined, expired]
      amount_over: 1000.5
    no_reply:
      payment_methods: [black-hole]
)");
  ASSERT_TRUE(plugins) << plugins.error().message;
  ASSERT_EQ(plugins->size(), 1u);
  const PluginSpec& p = (*plugins)[0];
  EXPECT_EQ(p.name, "payment");
  EXPECT_EQ(p.kind, "payment");
  EXPECT_TRUE(p.enabled);
  EXPECT_EQ(p.queue, "payment-events-queue");
  EXPECT_EQ(p.topic, "portfolio-events");
  EXPECT_EQ(p.source, "payment-service");
  ASSERT_TRUE(std::holds_alternative<PaymentPluginSpec>(p.settings));
  const auto& payment = std::get<PaymentPluginSpec>(p.settings);
  EXPECT_EQ(payment.decline_payment_methods,
            (std::vector<std::string>{"card-declined", "expired"}));
  EXPECT_EQ(payment.decline_amount_over, 1000.5);
  EXPECT_EQ(payment.no_reply_payment_methods, std::vector<std::string>{"black-hole"});

  auto zero = parse_plugins(
      "plugins: [{name: p, kind: payment, queue: q, topic: t, decline: {amount_over: 0}}]");
  ASSERT_TRUE(zero) << zero.error().message;
  EXPECT_EQ(std::get<PaymentPluginSpec>((*zero)[0].settings).decline_amount_over, 0.0);
}

TEST(Plugins, ParsesAnOrderPluginWithKindLast) {
  auto plugins = parse_plugins(R"(plugins:
  - name: order
    queue: order-events-queue
    topic: portfolio-events
    source: orders
    enabled: yes
    kind: order
)");
  ASSERT_TRUE(plugins) << plugins.error().message;
  ASSERT_EQ(plugins->size(), 1u);
  const PluginSpec expected{
      "order",  "order",          true, "order-events-queue", "portfolio-events",
      "orders", OrderPluginSpec{}};
  EXPECT_EQ((*plugins)[0], expected);
}

TEST(Plugins, NoPluginsKeyIsNone) {
  for (std::string_view yaml : {"", "listen: 127.0.0.1:4566\nunknown_to_plugins: 1\n", "plugins:\n",
                                "plugins: []\n", "plugins: ~\n"}) {
    auto plugins = parse_plugins(yaml);
    ASSERT_TRUE(plugins) << yaml << ": " << plugins.error().message;
    EXPECT_TRUE(plugins->empty()) << yaml;
  }
}

TEST(Plugins, ShapeErrors) {
  EXPECT_EQ(error_of("- a\n"),
            "eb.yaml:1:1: the configuration must be a mapping of keys to values");
  EXPECT_EQ(error_of("plugins: {a: 1}\n"), "eb.yaml:1:10: 'plugins' must be a list of plugins");
  EXPECT_EQ(error_of("plugins:\n  - inventory\n"),
            "eb.yaml:2:5: each entry of 'plugins' must be a mapping (a plugin)");
  EXPECT_EQ(error_of("plugins: []\nplugins: []\n"), "eb.yaml:2:1: duplicate key 'plugins'");
  EXPECT_EQ(error_of("plugins:\n  - name: a\n    name: b\n    kind: order\n"),
            "eb.yaml:3:5: duplicate key 'name'");
}

TEST(Plugins, KindErrors) {
  EXPECT_EQ(error_of("plugins:\n  - {name: a, queue: q, topic: t}\n"),
            "eb.yaml:2:5: a plugin needs 'kind'");
  EXPECT_EQ(error_of("plugins:\n  - name: a\n    kind: shipping\n"),
            "eb.yaml:3:11: unknown plugin kind 'shipping' (known: inventory, payment, order, saga, "
            "dlq-monitor)");
  EXPECT_EQ(error_of("plugins:\n  - name: a\n    kind: [order]\n"),
            "eb.yaml:3:11: 'kind' must be a single value");
}

TEST(Plugins, MissingRequiredKeys) {
  EXPECT_EQ(error_of("plugins:\n  - {kind: order, queue: q, topic: t}\n"),
            "eb.yaml:2:5: a plugin needs 'name'");
  EXPECT_EQ(error_of("plugins:\n  - {name: a, kind: order, topic: t}\n"),
            "eb.yaml:2:5: a plugin needs 'queue'");
  EXPECT_EQ(error_of("plugins:\n  - {name: a, kind: order, queue: q}\n"),
            "eb.yaml:2:5: a plugin needs 'topic'");
}

TEST(Plugins, UnknownKeysNameTheKindsKeys) {
  EXPECT_EQ(error_of("plugins:\n  - name: a\n    stock: {}\n    kind: payment\n"),
            "eb.yaml:3:5: unknown key 'stock' in a plugin of kind 'payment' (known: name, kind, "
            "enabled, queue, topic, source, decline, no_reply)");
  EXPECT_EQ(error_of("plugins:\n  - kind: inventory\n    decline: {}\n"),
            "eb.yaml:3:5: unknown key 'decline' in a plugin of kind 'inventory' (known: name, "
            "kind, enabled, queue, topic, source, stock, handle_order_created)");
  EXPECT_EQ(error_of("plugins:\n  - kind: order\n    handle_order_created: true\n"),
            "eb.yaml:3:5: unknown key 'handle_order_created' in a plugin of kind 'order' (known: "
            "name, kind, enabled, queue, topic, source)");
}

TEST(Plugins, NameErrors) {
  EXPECT_EQ(error_of("plugins:\n  - {name: 'a b', kind: order, queue: q, topic: t}\n"),
            "eb.yaml:2:12: 'name' must be 1 to 64 of A-Z a-z 0-9 _ -, not 'a b'");
  const std::string long_name(65, 'x');
  EXPECT_EQ(error_of("plugins:\n  - {name: " + long_name + ", kind: order, queue: q, topic: t}\n"),
            "eb.yaml:2:12: 'name' must be 1 to 64 of A-Z a-z 0-9 _ -, not '" + long_name + "'");
  EXPECT_EQ(error_of("plugins:\n  - {name: '', kind: order, queue: q, topic: t}\n"),
            "eb.yaml:2:12: 'name' must not be empty");
  auto max = parse_plugins("plugins: [{name: " + std::string(64, 'A') +
                           ", kind: order, queue: q, topic: t}]");
  ASSERT_TRUE(max) << max.error().message;

  EXPECT_EQ(error_of(R"(plugins:
  - {name: inv, kind: inventory, queue: q, topic: t}
  - {name: pay, kind: payment, queue: q, topic: t}
  - {name: inv, kind: order, queue: q, topic: t}
)"),
            "eb.yaml:4:5: duplicate plugin 'inv' (first declared at line 2)");
}

TEST(Plugins, CommonValueErrors) {
  EXPECT_EQ(error_of("plugins:\n  - {name: a, kind: order, queue: q, topic: t, enabled: maybe}\n"),
            "eb.yaml:2:57: 'enabled' must be true or false, not 'maybe'");
  EXPECT_EQ(error_of("plugins:\n  - name: a\n    kind: order\n    queue: ''\n"),
            "eb.yaml:4:12: 'queue' must not be empty");
  EXPECT_EQ(error_of("plugins:\n  - name: a\n    kind: order\n    topic: ~\n"),
            "eb.yaml:4:12: 'topic' must be a single value");
  EXPECT_EQ(error_of("plugins:\n  - name: a\n    kind: order\n    source: ''\n"),
            "eb.yaml:4:13: 'source' must not be empty");
}

TEST(Plugins, InventoryValueErrors) {
  const std::string head = "plugins:\n  - name: a\n    kind: inventory\n";
  EXPECT_EQ(error_of(head + "    stock: [a]\n"),
            "eb.yaml:4:12: 'stock' must be a mapping of keys to values");
  EXPECT_EQ(error_of(head + "    stock: {SKU-1: -1}\n"),
            "eb.yaml:4:20: the stock of 'SKU-1' must be a whole number from 0 to 1000000000000, "
            "not '-1'");
  EXPECT_EQ(error_of(head + "    stock: {SKU-1: 1000000000001}\n"),
            "eb.yaml:4:20: the stock of 'SKU-1' must be a whole number from 0 to 1000000000000, "
            "not '1000000000001'");
  EXPECT_EQ(error_of(head + "    stock: {SKU-1: 1.5}\n"),
            "eb.yaml:4:20: the stock of 'SKU-1' must be a whole number from 0 to 1000000000000, "
            "not '1.5'");
  EXPECT_EQ(error_of(head + "    stock: {SKU-1: {n: 1}}\n"),
            "eb.yaml:4:20: the stock of 'SKU-1' must be a single value");
  EXPECT_EQ(error_of(head + "    stock: {'': 1}\n"),
            "eb.yaml:4:13: a productId in 'stock' must not be empty");
  EXPECT_EQ(error_of(head + "    handle_order_created: 2\n"),
            "eb.yaml:4:27: 'handle_order_created' must be true or false, not '2'");
}

TEST(Plugins, PaymentValueErrors) {
  const std::string head = "plugins:\n  - name: a\n    kind: payment\n";
  EXPECT_EQ(error_of(head + "    decline: [card]\n"),
            "eb.yaml:4:14: 'decline' must be a mapping of keys to values");
  EXPECT_EQ(error_of(head + "    decline: {methods: [card]}\n"),
            "eb.yaml:4:15: unknown key 'methods' in 'decline' (known: payment_methods, "
            "amount_over)");
  EXPECT_EQ(error_of(head + "    decline: {payment_methods: card}\n"),
            "eb.yaml:4:32: 'payment_methods' must be a list of values");
  EXPECT_EQ(error_of(head + "    decline: {payment_methods: [card, '']}\n"),
            "eb.yaml:4:39: each entry of 'payment_methods' must not be empty");
  for (std::string_view bad : {"-1", "abc", "inf", "nan", "1e999", "'1 '"}) {
    const std::string text = bad == "'1 '" ? "1 " : std::string(bad);
    EXPECT_EQ(error_of(head + "    decline: {amount_over: " + std::string(bad) + "}\n"),
              "eb.yaml:4:28: 'amount_over' must be a number from 0 up, not '" + text + "'")
        << bad;
  }
  EXPECT_EQ(error_of(head + "    no_reply: {amount_over: 5}\n"),
            "eb.yaml:4:16: unknown key 'amount_over' in 'no_reply' (known: payment_methods)");
  EXPECT_EQ(error_of(head + "    no_reply: {payment_methods: [[card]]}\n"),
            "eb.yaml:4:34: each entry of 'payment_methods' must be a single value");
}

// The design's order saga.
constexpr std::string_view kOrderSaga = R"(plugins:
  - name: order-saga
    kind: saga
    queue: saga-events-queue
    topic: portfolio-events
    timeout_seconds: 20
    retry: {max_attempts: 2, backoff_seconds: 0.5, multiplier: 3}
    start_on: order.checkout-requested
    saga_id: orderId
    steps:
      - name: reserve-inventory
        request:
          type: inventory.reserve-requested
          data:
            orderId: $.input.orderId
            items: $.input.items
            options: {partial: false, note: "null", limit: 5, missing: ~}
        success: [inventory.reserved]
        failure: [inventory.reservation-failed]
        timeout_seconds: 10
        retry: {max_attempts: 1}
        compensation:
          type: inventory.release-requested
          data: {orderId: $.input.orderId}
          success: [inventory.released]
      - name: process-payment
        request:
          type: payment.process-requested
          data:
            orderId: $.sagaId
            amount: $.input.total
            reservations: $.steps.reserve-inventory.result.items
            tags: [a, 1, true]
        success: [payment.processed]
        failure: [payment.failed]
        compensation:
          type: payment.refund-requested
          data: {paymentId: $.steps.process-payment.result.paymentId}
          success: [payment.refunded]
      - name: create-order
        request: {type: order.create-requested, data: $.input}
        success: [order.created]
        retry: {backoff_seconds: 0, multiplier: 1}
        compensation: {type: order.cancel-requested, success: [order.cancelled]}
)";

TEST(Plugins, ParsesTheOrderSaga) {
  auto plugins = parse_plugins(kOrderSaga, "eb.yaml");
  ASSERT_TRUE(plugins) << plugins.error().message;
  ASSERT_EQ(plugins->size(), 1u);
  const PluginSpec& p = (*plugins)[0];
  EXPECT_EQ(p.name, "order-saga");
  EXPECT_EQ(p.kind, "saga");
  EXPECT_TRUE(p.enabled);
  EXPECT_EQ(p.queue, "saga-events-queue");
  EXPECT_EQ(p.topic, "portfolio-events");
  EXPECT_EQ(p.source, "order-saga-service");
  ASSERT_TRUE(std::holds_alternative<SagaPluginSpec>(p.settings));
  const auto& saga = std::get<SagaPluginSpec>(p.settings);
  EXPECT_EQ(saga.timeout_seconds, 20);
  EXPECT_EQ(saga.retry, (SagaRetrySpec{2, 0.5, 3}));
  EXPECT_EQ(saga.start_on, "order.checkout-requested");
  EXPECT_EQ(saga.saga_id, "orderId");
  ASSERT_EQ(saga.steps.size(), 3u);

  SagaStepSpec reserve;
  reserve.name = "reserve-inventory";
  reserve.request = {"inventory.reserve-requested",
                     R"({"orderId":"$.input.orderId","items":"$.input.items",)"
                     R"("options":{"partial":false,"note":"null","limit":5,"missing":null}})"};
  reserve.success = {"inventory.reserved"};
  reserve.failure = {"inventory.reservation-failed"};
  reserve.timeout_seconds = 10;
  reserve.retry = {1, 0.5, 3};
  reserve.compensation =
      SagaRequestSpec{"inventory.release-requested", R"({"orderId":"$.input.orderId"})"};
  reserve.compensation_success = {"inventory.released"};
  EXPECT_EQ(saga.steps[0], reserve);

  SagaStepSpec payment;
  payment.name = "process-payment";
  payment.request = {"payment.process-requested",
                     R"({"orderId":"$.sagaId","amount":"$.input.total",)"
                     R"("reservations":"$.steps.reserve-inventory.result.items",)"
                     R"("tags":["a",1,true]})"};
  payment.success = {"payment.processed"};
  payment.failure = {"payment.failed"};
  payment.timeout_seconds = 20;
  payment.retry = {2, 0.5, 3};
  payment.compensation = SagaRequestSpec{
      "payment.refund-requested", R"({"paymentId":"$.steps.process-payment.result.paymentId"})"};
  payment.compensation_success = {"payment.refunded"};
  EXPECT_EQ(saga.steps[1], payment);

  SagaStepSpec order;
  order.name = "create-order";
  order.request = {"order.create-requested", R"("$.input")"};
  order.success = {"order.created"};
  order.timeout_seconds = 20;
  order.retry = {2, 0, 1};
  order.compensation = SagaRequestSpec{"order.cancel-requested", R"("$.input")"};
  order.compensation_success = {"order.cancelled"};
  EXPECT_EQ(saga.steps[2], order);
}

TEST(Plugins, SagaDefaults) {
  auto plugins = parse_plugins(R"(plugins:
  - name: s
    kind: saga
    queue: q
    topic: t
    steps:
      - {name: only, request: {type: a.requested}, success: [a.done]}
)");
  ASSERT_TRUE(plugins) << plugins.error().message;
  const auto& saga = std::get<SagaPluginSpec>((*plugins)[0].settings);
  EXPECT_EQ(saga.timeout_seconds, 30);
  EXPECT_EQ(saga.retry, SagaRetrySpec{});
  EXPECT_EQ(saga.retry, (SagaRetrySpec{3, 1, 2}));
  EXPECT_EQ(saga.start_on, "");
  EXPECT_EQ(saga.saga_id, "");
  ASSERT_EQ(saga.steps.size(), 1u);
  const SagaStepSpec& step = saga.steps[0];
  EXPECT_EQ(step.name, "only");
  EXPECT_EQ(step.request.type, "a.requested");
  EXPECT_EQ(step.request.data, R"("$.input")");
  EXPECT_EQ(step.success, std::vector<std::string>{"a.done"});
  EXPECT_TRUE(step.failure.empty());
  EXPECT_EQ(step.timeout_seconds, 30);
  EXPECT_EQ(step.retry, SagaRetrySpec{});
  EXPECT_FALSE(step.compensation);
  EXPECT_TRUE(step.compensation_success.empty());

  // start_on without saga_id; null retry, failure and compensation are as if omitted.
  auto started = parse_plugins(R"(plugins:
  - name: s
    kind: saga
    queue: q
    topic: t
    start_on: order.checkout-requested
    retry: ~
    steps:
      - {name: only, request: {type: a}, success: [b], failure: ~, retry: ~, compensation: ~}
)");
  ASSERT_TRUE(started) << started.error().message;
  const auto& started_saga = std::get<SagaPluginSpec>((*started)[0].settings);
  EXPECT_EQ(started_saga.start_on, "order.checkout-requested");
  EXPECT_EQ(started_saga.saga_id, "");
  EXPECT_EQ(started_saga.retry, SagaRetrySpec{});
  EXPECT_EQ(started_saga.steps[0].retry, SagaRetrySpec{});
  EXPECT_FALSE(started_saga.steps[0].compensation);
}

TEST(Plugins, SagaResolvesEachStepsTimeoutAndRetry) {
  // The saga's keys after its steps still apply to them.
  auto plugins = parse_plugins(R"(plugins:
  - name: s
    kind: saga
    queue: q
    topic: t
    steps:
      - {name: inherits, request: {type: a}, success: [b]}
      - name: own
        request: {type: a}
        success: [b]
        timeout_seconds: 0.001
        retry: {max_attempts: 100, multiplier: 100}
      - name: partial
        request: {type: a}
        success: [b]
        retry: {backoff_seconds: 3600}
    timeout_seconds: 86400
    retry: {max_attempts: 5}
)");
  ASSERT_TRUE(plugins) << plugins.error().message;
  const auto& saga = std::get<SagaPluginSpec>((*plugins)[0].settings);
  EXPECT_EQ(saga.timeout_seconds, 86400);
  EXPECT_EQ(saga.retry, (SagaRetrySpec{5, 1, 2}));  // over the defaults
  ASSERT_EQ(saga.steps.size(), 3u);
  EXPECT_EQ(saga.steps[0].timeout_seconds, 86400);
  EXPECT_EQ(saga.steps[0].retry, (SagaRetrySpec{5, 1, 2}));
  EXPECT_EQ(saga.steps[1].timeout_seconds, 0.001);  // over the saga's
  EXPECT_EQ(saga.steps[1].retry, (SagaRetrySpec{100, 1, 100}));
  EXPECT_EQ(saga.steps[2].timeout_seconds, 86400);
  EXPECT_EQ(saga.steps[2].retry, (SagaRetrySpec{5, 3600, 2}));  // over the saga's resolved
}

TEST(Plugins, SagaDataIsJson) {
  const auto data_of = [](std::string_view data) {
    auto plugins = parse_plugins(
        "plugins: [{name: s, kind: saga, queue: q, topic: t, steps: [{name: a, success: [b], "
        "request: {type: a, data: " +
        std::string(data) + "}}]}]");
    if (!plugins) return "error: " + plugins.error().message;
    return std::get<SagaPluginSpec>((*plugins)[0].settings).steps[0].request.data;
  };
  EXPECT_EQ(data_of("$.input.a.b"), R"("$.input.a.b")");
  EXPECT_EQ(data_of("'$.input'"), R"("$.input")");
  EXPECT_EQ(data_of("true"), "true");
  EXPECT_EQ(data_of("'true'"), R"("true")");
  EXPECT_EQ(data_of("~"), "null");
  EXPECT_EQ(data_of("-1.5e3"), "-1.5e3");
  EXPECT_EQ(data_of("yes"), R"("yes")");
  EXPECT_EQ(data_of("{}"), "{}");
  EXPECT_EQ(data_of("[]"), "[]");
  EXPECT_EQ(data_of(R"({"a \"q\"": [1, {b: null}], c: "x\ty"})"),
            R"({"a \"q\"":[1,{"b":null}],"c":"x\ty"})");
  EXPECT_EQ(data_of("{a: 1, a: 2}"), "error: <config>:1:117: duplicate key 'a'");
}

TEST(Plugins, SagaStructureErrors) {
  const std::string head =
      "plugins:\n  - name: s\n    kind: saga\n    queue: q\n    topic: t\n";  // lines 1-5
  EXPECT_EQ(error_of(head), "eb.yaml:2:5: a plugin of kind 'saga' needs 'steps'");
  EXPECT_EQ(error_of(head + "    steps: []\n"), "eb.yaml:6:12: 'steps' must not be empty");
  EXPECT_EQ(error_of(head + "    steps: ~\n"), "eb.yaml:6:12: 'steps' must not be empty");
  EXPECT_EQ(error_of(head + "    steps: {a: 1}\n"),
            "eb.yaml:6:12: 'steps' must be a list of steps");
  EXPECT_EQ(error_of(head + "    steps: [reserve]\n"),
            "eb.yaml:6:13: each entry of 'steps' must be a mapping (a step)");
  EXPECT_EQ(error_of(head + "    stepz: []\n"),
            "eb.yaml:6:5: unknown key 'stepz' in a plugin of kind 'saga' (known: name, kind, "
            "enabled, queue, topic, source, timeout_seconds, retry, start_on, saga_id, steps)");
  EXPECT_EQ(error_of("plugins:\n  - kind: order\n    steps: []\n"),
            "eb.yaml:3:5: unknown key 'steps' in a plugin of kind 'order' (known: name, kind, "
            "enabled, queue, topic, source)");
  EXPECT_EQ(error_of("plugins:\n  - {name: s, kind: saga, topic: t, steps: []}\n"),
            "eb.yaml:2:5: a plugin needs 'queue'");

  const std::string step = "    steps:\n      - {name: a, request: {type: a}, success: [b]}\n";
  EXPECT_EQ(error_of(head + "    saga_id: orderId\n" + step),
            "eb.yaml:6:5: 'saga_id' needs 'start_on'");
  EXPECT_EQ(error_of(head + "    start_on: ''\n" + step),
            "eb.yaml:6:15: 'start_on' must not be empty");
  EXPECT_EQ(error_of(head + "    start_on: x\n    saga_id: ''\n" + step),
            "eb.yaml:7:14: 'saga_id' must not be empty");
}

TEST(Plugins, SagaStepErrors) {
  const std::string head =
      "plugins:\n  - name: s\n    kind: saga\n    queue: q\n    topic: t\n    steps:\n";
  // Steps start on line 7, at column 9 ("      - name: ...").
  EXPECT_EQ(error_of(head + R"(      - {name: a, request: {type: x}, success: [y]}
      - {name: b, request: {type: x}, success: [y]}
      - {name: a, request: {type: x}, success: [y]}
)"),
            "eb.yaml:9:9: duplicate step 'a' (first declared at line 7)");
  EXPECT_EQ(error_of(head + "      - {request: {type: x}, success: [y]}\n"),
            "eb.yaml:7:9: a step needs 'name'");
  EXPECT_EQ(error_of(head + "      - {name: 'a b', request: {type: x}, success: [y]}\n"),
            "eb.yaml:7:16: 'name' must be 1 to 64 of A-Z a-z 0-9 _ -, not 'a b'");
  EXPECT_EQ(error_of(head + "      - {name: " + std::string(65, 'x') +
                     ", request: {type: x}, success: [y]}\n"),
            "eb.yaml:7:16: 'name' must be 1 to 64 of A-Z a-z 0-9 _ -, not '" +
                std::string(65, 'x') + "'");
  EXPECT_EQ(error_of(head + "      - {name: a, success: [y]}\n"),
            "eb.yaml:7:9: a step needs 'request'");
  EXPECT_EQ(error_of(head + "      - {name: a, request: {data: 1}, success: [y]}\n"),
            "eb.yaml:7:28: 'request' needs 'type'");
  EXPECT_EQ(error_of(head + "      - {name: a, request: {type: ''}, success: [y]}\n"),
            "eb.yaml:7:35: 'type' must not be empty");
  EXPECT_EQ(error_of(head + "      - {name: a, request: x.requested, success: [y]}\n"),
            "eb.yaml:7:28: 'request' must be a mapping of keys to values");
  EXPECT_EQ(error_of(head + "      - {name: a, request: ~, success: [y]}\n"),
            "eb.yaml:7:28: 'request' must be a mapping of keys to values");
  EXPECT_EQ(error_of(head + "      - {name: a, request: {type: x, dat: 1}, success: [y]}\n"),
            "eb.yaml:7:38: unknown key 'dat' in 'request' (known: type, data)");
  EXPECT_EQ(error_of(head + "      - {name: a, request: {type: x}}\n"),
            "eb.yaml:7:9: a step needs 'success'");
  EXPECT_EQ(error_of(head + "      - {name: a, request: {type: x}, success: []}\n"),
            "eb.yaml:7:48: 'success' must not be empty");
  EXPECT_EQ(error_of(head + "      - {name: a, request: {type: x}, success: y}\n"),
            "eb.yaml:7:48: 'success' must be a list of values");
  EXPECT_EQ(error_of(head + "      - {name: a, request: {type: x}, success: [y, '']}\n"),
            "eb.yaml:7:52: each entry of 'success' must not be empty");
  EXPECT_EQ(error_of(head + "      - {name: a, request: {type: x}, success: [y], failure: z}\n"),
            "eb.yaml:7:62: 'failure' must be a list of values");
  EXPECT_EQ(error_of(head + "      - {name: a, request: {type: x}, success: [y], timeout: 5}\n"),
            "eb.yaml:7:53: unknown key 'timeout' in a step (known: name, request, success, "
            "failure, timeout_seconds, retry, compensation)");
}

TEST(Plugins, SagaValueErrors) {
  const std::string head =
      "plugins:\n  - name: s\n    kind: saga\n    queue: q\n    topic: t\n"
      "    steps: [{name: a, request: {type: x}, success: [y]}]\n";  // lines 1-6
  // The saga's timeout and retry (line 7)...
  for (std::string_view bad : {"0", "-1", "0.0009", "86400.5", "inf", "nan", "abc", "1e999"}) {
    EXPECT_EQ(error_of(head + "    timeout_seconds: " + std::string(bad) + "\n"),
              "eb.yaml:7:22: 'timeout_seconds' must be a number from 0.001 to 86400, not '" +
                  std::string(bad) + "'")
        << bad;
  }
  EXPECT_EQ(error_of(head + "    timeout_seconds: [1]\n"),
            "eb.yaml:7:22: 'timeout_seconds' must be a single value");
  EXPECT_EQ(error_of(head + "    retry: {attempts: 2}\n"),
            "eb.yaml:7:13: unknown key 'attempts' in 'retry' (known: max_attempts, "
            "backoff_seconds, multiplier)");
  EXPECT_EQ(error_of(head + "    retry: 3\n"),
            "eb.yaml:7:12: 'retry' must be a mapping of keys to values");
  for (std::string_view bad : {"0", "101", "1.5", "-1", "x"}) {
    EXPECT_EQ(error_of(head + "    retry: {max_attempts: " + std::string(bad) + "}\n"),
              "eb.yaml:7:27: 'max_attempts' must be a whole number from 1 to 100, not '" +
                  std::string(bad) + "'")
        << bad;
  }
  for (std::string_view bad : {"-0.5", "3600.1", "x"}) {
    EXPECT_EQ(error_of(head + "    retry: {backoff_seconds: " + std::string(bad) + "}\n"),
              "eb.yaml:7:30: 'backoff_seconds' must be a number from 0 to 3600, not '" +
                  std::string(bad) + "'")
        << bad;
  }
  for (std::string_view bad : {"0.5", "101", "x"}) {
    EXPECT_EQ(
        error_of(head + "    retry: {multiplier: " + std::string(bad) + "}\n"),
        "eb.yaml:7:25: 'multiplier' must be a number from 1 to 100, not '" + std::string(bad) + "'")
        << bad;
  }

  // ...and a step's (line 10).
  const std::string step_head =
      "plugins:\n  - name: s\n    kind: saga\n    queue: q\n    topic: t\n    steps:\n"
      "      - name: a\n        request: {type: x}\n        success: [y]\n";  // lines 1-9
  EXPECT_EQ(error_of(step_head + "        timeout_seconds: 0\n"),
            "eb.yaml:10:26: 'timeout_seconds' must be a number from 0.001 to 86400, not '0'");
  EXPECT_EQ(error_of(step_head + "        retry: {max_attempts: 0}\n"),
            "eb.yaml:10:31: 'max_attempts' must be a whole number from 1 to 100, not '0'");
  EXPECT_EQ(error_of(step_head + "        retry: {max_attempts: 101}\n"),
            "eb.yaml:10:31: 'max_attempts' must be a whole number from 1 to 100, not '101'");
  EXPECT_EQ(error_of(step_head + "        retry: {max_attempts: 2, backof_seconds: 1}\n"),
            "eb.yaml:10:34: unknown key 'backof_seconds' in 'retry' (known: max_attempts, "
            "backoff_seconds, multiplier)");
}

TEST(Plugins, SagaCompensationErrors) {
  const std::string head =
      "plugins:\n  - name: s\n    kind: saga\n    queue: q\n    topic: t\n    steps:\n"
      "      - name: a\n        request: {type: x}\n        success: [y]\n";  // lines 1-9
  EXPECT_EQ(error_of(head + "        compensation: {type: x.undo}\n"),
            "eb.yaml:10:23: 'compensation' needs 'success'");
  EXPECT_EQ(error_of(head + "        compensation: {type: x.undo, success: []}\n"),
            "eb.yaml:10:47: 'success' must not be empty");
  EXPECT_EQ(error_of(head + "        compensation: {success: [x.undone]}\n"),
            "eb.yaml:10:23: 'compensation' needs 'type'");
  EXPECT_EQ(error_of(head + "        compensation: x.undo\n"),
            "eb.yaml:10:23: 'compensation' must be a mapping of keys to values");
  EXPECT_EQ(error_of(head + "        compensation: {type: x.undo, success: [z], failure: [w]}\n"),
            "eb.yaml:10:52: unknown key 'failure' in 'compensation' (known: type, data, success)");
  EXPECT_EQ(
      error_of(head + "        compensation:\n          type: x.undo\n          data: {a: [1, 2]}\n"
                      "          success: [z]\n"
                      "        compensation: {type: x.undo, success: [z]}\n"),
      "eb.yaml:14:9: duplicate key 'compensation'");
}

TEST(Plugins, ParsesADlqMonitor) {
  auto plugins = parse_plugins(R"(plugins:
  - name: dlq-monitor
    kind: dlq-monitor
    sinks:
      - webhook: http://127.0.0.1:9000/hook
      - {webhook: 'https://hooks.slack.com/services/T/B/X', format: slack}
      - {webhook: http://am:9093/api/v2/alerts, format: alertmanager}
      - {format: generic, webhook: http://x/}
      - sns_topic: ops-alerts
    group_seconds: 30
    severity: critical
    delete_after_alert: yes
    queues: [order-dlq, payment-dlq]
)",
                               "eb.yaml");
  ASSERT_TRUE(plugins) << plugins.error().message;
  ASSERT_EQ(plugins->size(), 1u);
  const PluginSpec& p = plugins->front();
  EXPECT_EQ(p.kind, "dlq-monitor");
  EXPECT_EQ(p.queue, "");
  EXPECT_EQ(p.topic, "");
  EXPECT_EQ(p.source, "dlq-monitor-service");
  const auto& d = std::get<DlqMonitorPluginSpec>(p.settings);
  using F = DlqSinkSpec::Format;
  EXPECT_EQ(d.sinks, (std::vector<DlqSinkSpec>{
                         {.webhook = "http://127.0.0.1:9000/hook"},
                         {.webhook = "https://hooks.slack.com/services/T/B/X", .format = F::kSlack},
                         {.webhook = "http://am:9093/api/v2/alerts", .format = F::kAlertmanager},
                         {.webhook = "http://x/"},
                         {.sns_topic = "ops-alerts"}}));
  EXPECT_EQ(d.group_seconds, 30);
  EXPECT_EQ(d.severity, "critical");
  EXPECT_TRUE(d.delete_after_alert);
  EXPECT_EQ(d.queues, (std::vector<std::string>{"order-dlq", "payment-dlq"}));
}

TEST(Plugins, DlqMonitorDefaultsAndOptionalQueueAndTopic) {
  auto plugins = parse_plugins(
      "plugins:\n  - {name: m, kind: dlq-monitor, queue: q, topic: t}\n  - {name: n, kind: "
      "dlq-monitor}\n",
      "eb.yaml");
  ASSERT_TRUE(plugins) << plugins.error().message;
  EXPECT_EQ((*plugins)[0].queue, "q");
  EXPECT_EQ((*plugins)[0].topic, "t");
  const auto& d = std::get<DlqMonitorPluginSpec>((*plugins)[1].settings);
  EXPECT_TRUE(d.sinks.empty());
  EXPECT_EQ(d.group_seconds, 60);
  EXPECT_EQ(d.severity, "high");
  EXPECT_FALSE(d.delete_after_alert);
  EXPECT_TRUE(d.queues.empty());
  // The other kinds still need both.
  EXPECT_EQ(error_of("plugins:\n  - {name: a, kind: saga, topic: t, steps: []}\n"),
            "eb.yaml:2:5: a plugin needs 'queue'");
}

TEST(Plugins, DlqMonitorErrors) {
  const std::string head = "plugins:\n  - name: m\n    kind: dlq-monitor\n";
  EXPECT_EQ(error_of(head + "    stock: {}\n"),
            "eb.yaml:4:5: unknown key 'stock' in a plugin of kind 'dlq-monitor' (known: name, "
            "kind, enabled, queue, topic, source, sinks, group_seconds, severity, "
            "delete_after_alert, queues)");
  EXPECT_EQ(error_of(head + "    sinks: {webhook: http://x}\n"),
            "eb.yaml:4:12: 'sinks' must be a list of sinks");
  EXPECT_EQ(error_of(head + "    sinks: [http://x]\n"),
            "eb.yaml:4:13: each entry of 'sinks' must be a mapping (a sink)");
  EXPECT_EQ(error_of(head + "    sinks: [{webhook: ftp://x}]\n"),
            "eb.yaml:4:23: 'webhook' must be an http:// or https:// URL, not 'ftp://x'");
  EXPECT_EQ(error_of(head + "    sinks: [{webhook: http://x, format: teams}]\n"),
            "eb.yaml:4:41: 'format' must be generic, slack or alertmanager, not 'teams'");
  EXPECT_EQ(error_of(head + "    sinks: [{webhook: http://x, sns_topic: t}]\n"),
            "eb.yaml:4:13: a sink needs exactly one of 'webhook' and 'sns_topic'");
  EXPECT_EQ(error_of(head + "    sinks: [{format: slack}]\n"),
            "eb.yaml:4:13: a sink needs exactly one of 'webhook' and 'sns_topic'");
  EXPECT_EQ(error_of(head + "    sinks: [{sns_topic: t, format: slack}]\n"),
            "eb.yaml:4:36: 'format' applies to a webhook sink only");
  EXPECT_EQ(error_of(head + "    sinks: [{url: http://x}]\n"),
            "eb.yaml:4:14: unknown key 'url' in a sink (known: webhook, format, sns_topic)");
  EXPECT_EQ(error_of(head + "    sinks: [{sns_topic: ''}]\n"),
            "eb.yaml:4:25: 'sns_topic' must not be empty");
  EXPECT_EQ(error_of(head + "    group_seconds: 0\n"),
            "eb.yaml:4:20: 'group_seconds' must be a number from 1 to 86400, not '0'");
  EXPECT_EQ(error_of(head + "    group_seconds: 86401\n"),
            "eb.yaml:4:20: 'group_seconds' must be a number from 1 to 86400, not '86401'");
  EXPECT_EQ(error_of(head + "    severity: urgent\n"),
            "eb.yaml:4:15: 'severity' must be critical, high, medium, low or info, not 'urgent'");
  EXPECT_EQ(error_of(head + "    delete_after_alert: maybe\n"),
            "eb.yaml:4:25: 'delete_after_alert' must be true or false, not 'maybe'");
  EXPECT_EQ(error_of(head + "    queues: dlq\n"),
            "eb.yaml:4:13: 'queues' must be a list of values");
  EXPECT_EQ(error_of(head + "    queues: ['']\n"),
            "eb.yaml:4:14: each entry of 'queues' must not be empty");
}

TEST(Plugins, MissingFileIsAnErrorWithoutPosition) {
  auto plugins = load_plugins_file("/nonexistent/eb.yaml");
  ASSERT_FALSE(plugins);
  EXPECT_EQ(plugins.error().message, "/nonexistent/eb.yaml: cannot open the configuration file");
  EXPECT_EQ(plugins.error().line, 0);
}

TEST(Plugins, ParsesTheShippedConfiguration) {
  auto plugins = load_plugins_file(EB_SOURCE_DIR "/config/eventbrokerd.yaml");
  ASSERT_TRUE(plugins) << plugins.error().message;
  ASSERT_EQ(plugins->size(), 5u);
  const PluginSpec& monitor = plugins->back();
  EXPECT_EQ(monitor.name, "dlq-monitor");
  EXPECT_EQ(std::get<DlqMonitorPluginSpec>(monitor.settings).sinks,
            std::vector<DlqSinkSpec>{{.sns_topic = "ops-alerts"}});
}

}  // namespace
}  // namespace eb::config
