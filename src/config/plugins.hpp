#pragma once
// The built-in plugin instances declared in the configuration file's `plugins:` list. Each entry
// names an instance and its kind; the common keys (name, kind, enabled, queue, topic, source)
// are the same for every kind, the rest are the kind's own. Plain values and free functions;
// plugins/ builds running instances from them and checks them against the live topology.
//
//   plugins:
//     - name: inventory                 # 1-64 of A-Z a-z 0-9 _ -, unique
//       kind: inventory                 # inventory, payment, order, saga or dlq-monitor
//       enabled: true                   # false: declared but not run (its queue is left alone)
//       queue: inventory-events-queue   # consumed in-process
//       topic: portfolio-events         # where its events are published
//       source: inventory-service       # the envelope's source (default: NAME-service)
//       stock: {SKU-1: 100}             # kind keys
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/settings.hpp"

namespace eb::config {

// kind: inventory. Answers inventory.reserve-requested and inventory.release-requested, and
// the design's order.created unless handle_order_created is false.
struct InventoryPluginSpec {
  std::map<std::string, std::int64_t> stock;  // productId -> units available at first start
  bool handle_order_created = true;
  bool operator==(const InventoryPluginSpec&) const = default;
};

// kind: payment. Answers payment.process-requested and payment.refund-requested. A request is
// declined (payment.failed) when its paymentMethod is in decline_payment_methods or its amount
// is over decline_amount_over; it is never answered when its paymentMethod is in
// no_reply_payment_methods; otherwise it is charged (payment.processed).
struct PaymentPluginSpec {
  std::vector<std::string> decline_payment_methods;
  std::optional<double> decline_amount_over;
  std::vector<std::string> no_reply_payment_methods;
  bool operator==(const PaymentPluginSpec&) const = default;
};

// kind: order. Answers order.create-requested and order.cancel-requested, and records
// order.created, order.paid and order.shipped in the order's stream.
struct OrderPluginSpec {
  bool operator==(const OrderPluginSpec&) const = default;
};

// kind: saga. A declarative saga (an orchestration): its steps run in order, each by publishing
// a request and waiting for one of its success or failure replies (matched by correlationId =
// the saga id); on a failure or a timeout the completed steps are compensated in reverse.
//
//   timeout_seconds: 30                  # default for every step (and compensation)
//   retry: {max_attempts: 3, backoff_seconds: 1, multiplier: 2}   # default for every step
//   start_on: order.checkout-requested   # optional: an event of this type starts a saga,
//   saga_id: orderId                     #   whose id is this member of its data (default: its id)
//   steps:
//     - name: reserve-inventory
//       request: {type: inventory.reserve-requested, data: {orderId: $.input.orderId}}
//       success: [inventory.reserved]
//       failure: [inventory.reservation-failed]
//       timeout_seconds: 10              # optional, overrides the default
//       retry: {max_attempts: 1}         # optional, overrides the default (members merge)
//       compensation: {type: inventory.release-requested, data: {orderId: $.input.orderId},
//                      success: [inventory.released]}
//
// `data` is a JSON template (written as YAML): a string "$.input", "$.input.a.b", "$.sagaId",
// "$.steps.NAME.result" or "$.steps.NAME.result.a.b" is replaced by that value of the saga
// (absent: null); anything else is copied. Omitted data is "$.input".
struct SagaRetrySpec {
  int max_attempts = 3;        // 1-100: requests per step before it fails with a timeout
  double backoff_seconds = 1;  // 0-3600: wait before the second attempt
  double multiplier = 2;       // 1-100: each further wait is this much longer
  bool operator==(const SagaRetrySpec&) const = default;
};

struct SagaRequestSpec {
  std::string type;
  std::string data = R"("$.input")";  // the template as JSON text
  bool operator==(const SagaRequestSpec&) const = default;
};

struct SagaStepSpec {
  std::string name;  // unique within the saga
  SagaRequestSpec request;
  std::vector<std::string> success;  // at least one
  std::vector<std::string> failure;
  double timeout_seconds = 0;  // resolved: the step's own or the saga's default
  SagaRetrySpec retry;         // resolved: the saga's default with the step's members over it
  std::optional<SagaRequestSpec> compensation;
  std::vector<std::string> compensation_success;  // at least one when compensation is set
  bool operator==(const SagaStepSpec&) const = default;
};

struct SagaPluginSpec {
  double timeout_seconds = 30;  // 0.001-86400
  SagaRetrySpec retry;
  std::string start_on;             // empty: started through the API only
  std::string saga_id;              // a member of the trigger's data; empty: the trigger's event id
  std::vector<SagaStepSpec> steps;  // at least one
  bool operator==(const SagaPluginSpec&) const = default;
};

// kind: dlq-monitor. Watches every queue that is some queue's dead-letter target (queues
// created later included) and alerts when messages arrive: at once for the first arrival in a
// quiet dead-letter queue, then one follow-up per group_seconds with what else arrived, and a
// resolution once the queue is empty. `queue` and `topic` are optional for this kind.
//
//   sinks:
//     - {webhook: http://localhost:9000/hook, format: slack}   # generic (default), slack,
//     - {sns_topic: ops-alerts}                                 #   alertmanager
//   group_seconds: 60            # 1-86400: the follow-up window
//   severity: high               # critical, high, medium, low or info
//   delete_after_alert: false    # true: delete the queue's messages once alerted (the design's)
//   queues: [order-dlq]          # only these dead-letter queues (default: all)
struct DlqSinkSpec {
  enum class Format : std::uint8_t { kGeneric, kSlack, kAlertmanager };
  std::string webhook;  // an http:// or https:// URL; empty for an SNS sink
  Format format = Format::kGeneric;
  std::string sns_topic;  // a topic name; empty for a webhook
  bool operator==(const DlqSinkSpec&) const = default;
};

struct DlqMonitorPluginSpec {
  std::vector<DlqSinkSpec> sinks;
  double group_seconds = 60;
  std::string severity = "high";
  bool delete_after_alert = false;
  std::vector<std::string> queues;  // empty: every dead-letter queue
  bool operator==(const DlqMonitorPluginSpec&) const = default;
};

using PluginSettings = std::variant<InventoryPluginSpec, PaymentPluginSpec, OrderPluginSpec,
                                    SagaPluginSpec, DlqMonitorPluginSpec>;

struct PluginSpec {
  std::string name;
  std::string kind;  // the variant's kind, as written
  bool enabled = true;
  std::string queue;   // a queue name (optional for dlq-monitor)
  std::string topic;   // a topic name (optional for dlq-monitor)
  std::string source;  // defaults to name + "-service"
  PluginSettings settings;
  bool operator==(const PluginSpec&) const = default;
};

// The kinds the daemon has, in the order they are listed in messages.
const std::vector<std::string_view>& plugin_kinds();

// Parses the `plugins` key of a configuration file (other keys are left to the settings and
// topology parsers). Errors read "FILE:LINE:COLUMN: what was expected": an unknown kind or key,
// a missing name/kind/queue/topic (dlq-monitor needs neither), a duplicate name, a bad value. No
// `plugins` key: none.
[[nodiscard]] ConfigResult<std::vector<PluginSpec>> parse_plugins(
    std::string_view yaml, std::string_view source = "<config>");
[[nodiscard]] ConfigResult<std::vector<PluginSpec>> load_plugins_file(const std::string& path);

}  // namespace eb::config
