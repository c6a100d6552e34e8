#include "config/plugins.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <span>

#include "config/yaml_support.hpp"
#include "core/errors.hpp"

namespace eb::config {
namespace {

using detail::fail_at;
using detail::for_each_entry;
using detail::for_each_item;
using detail::nonempty_scalar;
using detail::parse_bool;
using detail::require_key;
using detail::scalar;
using detail::to_json;
using detail::where;

constexpr std::size_t kMaxNameLength = 64;
constexpr std::int64_t kMaxStock = 1'000'000'000'000;

constexpr std::string_view kInventoryKeys[] = {
    "name", "kind", "enabled", "queue", "topic", "source", "stock", "handle_order_created"};
constexpr std::string_view kPaymentKeys[] = {"name",  "kind",   "enabled", "queue",
                                             "topic", "source", "decline", "no_reply"};
constexpr std::string_view kOrderKeys[] = {"name", "kind", "enabled", "queue", "topic", "source"};
constexpr std::string_view kSagaKeys[] = {
    "name",  "kind",     "enabled", "queue", "topic", "source", "timeout_seconds",
    "retry", "start_on", "saga_id", "steps"};

constexpr std::string_view kDlqMonitorKeys[] = {
    "name",   "kind",  "enabled",       "queue",    "topic",
    "source", "sinks", "group_seconds", "severity", "delete_after_alert",
    "queues"};
constexpr std::string_view kSeverities[] = {"critical", "high", "medium", "low", "info"};

bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

std::string parse_name(const YAML::Node& node) {
  std::string name = nonempty_scalar(node, "'name'");
  bool ok = name.size() <= kMaxNameLength;
  for (char c : name) ok = ok && is_name_char(c);
  if (!ok) {
    fail_at(node, "'name' must be 1 to 64 of A-Z a-z 0-9 _ -, not '" + name + "'");
  }
  return name;
}

// A list of non-empty values; null counts as empty.
std::vector<std::string> parse_string_list(const YAML::Node& node, std::string_view key) {
  std::vector<std::string> out;
  if (!node || node.IsNull()) return out;
  if (!node.IsSequence()) fail_at(node, "'" + std::string(key) + "' must be a list of values");
  for (const auto& item : node) {
    out.push_back(nonempty_scalar(item, "each entry of '" + std::string(key) + "'"));
  }
  return out;
}

std::map<std::string, std::int64_t> parse_stock(const YAML::Node& node) {
  std::map<std::string, std::int64_t> stock;
  for_each_entry(
      node, "'stock'", {},
      [&](const std::string& product, const YAML::Node& key_node, const YAML::Node& value) {
        if (product.empty()) fail_at(key_node, "a productId in 'stock' must not be empty");
        const std::string text = scalar(value, "the stock of '" + product + "'");
        std::int64_t units = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), units);
        if (ec != std::errc() || end != text.data() + text.size() || units < 0 ||
            units > kMaxStock) {
          fail_at(value, "the stock of '" + product + "' must be a whole number from 0 to " +
                             std::to_string(kMaxStock) + ", not '" + text + "'");
        }
        stock[product] = units;
      });
  return stock;
}

double parse_amount(const YAML::Node& node) {
  const std::string text = scalar(node, "'amount_over'");
  double amount = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(amount) ||
      amount < 0) {
    fail_at(node, "'amount_over' must be a number from 0 up, not '" + text + "'");
  }
  return amount;
}

// --- kind: saga -------------------------------------------------------------------------------

// A number from `min` to `max`: "WHAT must be a number from MIN to MAX, not 'X'".
double parse_number(const YAML::Node& node, std::string_view what, double min, double max,
                    std::string_view range) {
  const std::string text = scalar(node, what);
  double n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(n) || n < min ||
      n > max) {
    fail_at(node, std::string(what) + " must be a number from " + std::string(range) + ", not '" +
                      text + "'");
  }
  return n;
}

double parse_timeout(const YAML::Node& node) {
  return parse_number(node, "'timeout_seconds'", 0.001, 86400, "0.001 to 86400");
}

// The members a `retry` mapping sets; the others are inherited.
struct RetryOverride {
  std::optional<int> max_attempts;
  std::optional<double> backoff_seconds;
  std::optional<double> multiplier;
};

SagaRetrySpec merged(SagaRetrySpec base, const RetryOverride& over) {
  if (over.max_attempts) base.max_attempts = *over.max_attempts;
  if (over.backoff_seconds) base.backoff_seconds = *over.backoff_seconds;
  if (over.multiplier) base.multiplier = *over.multiplier;
  return base;
}

RetryOverride parse_retry(const YAML::Node& node) {
  RetryOverride r;
  for_each_entry(
      node, "'retry'", {"max_attempts", "backoff_seconds", "multiplier"},
      [&](const std::string& key, const YAML::Node&, const YAML::Node& value) {
        if (key == "max_attempts") {
          const std::string text = scalar(value, "'max_attempts'");
          int n = 0;
          auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
          if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > 100) {
            fail_at(value,
                    "'max_attempts' must be a whole number from 1 to 100, not '" + text + "'");
          }
          r.max_attempts = n;
        } else if (key == "backoff_seconds") {
          r.backoff_seconds = parse_number(value, "'backoff_seconds'", 0, 3600, "0 to 3600");
        } else {
          r.multiplier = parse_number(value, "'multiplier'", 1, 100, "1 to 100");
        }
      });
  return r;
}

// A required non-empty list of event types: "'KEY' must not be empty".
std::vector<std::string> parse_event_types(const YAML::Node& node, std::string_view key) {
  std::vector<std::string> out = parse_string_list(node, key);
  if (out.empty()) fail_at(node, "'" + std::string(key) + "' must not be empty");
  return out;
}

// A request or compensation mapping: {type, data?} (and the compensation's success).
SagaRequestSpec parse_request(const YAML::Node& node, std::string_view key,
                              std::vector<std::string>* success) {
  SagaRequestSpec r;
  bool have_success = false;
  const std::string what = "'" + std::string(key) + "'";
  const auto read = [&](const std::string& k, const YAML::Node&, const YAML::Node& value) {
    if (k == "type") {
      r.type = nonempty_scalar(value, "'type'");
    } else if (k == "data") {
      r.data = to_json(value);
    } else {
      *success = parse_event_types(value, "success");
      have_success = true;
    }
  };
  if (success != nullptr) {
    for_each_entry(node, what, {"type", "data", "success"}, read);
  } else {
    for_each_entry(node, what, {"type", "data"}, read);
  }
  if (!node.IsMap()) fail_at(node, what + " must be a mapping of keys to values");
  require_key(node, r.type, what, "type");
  if (success != nullptr && !have_success) fail_at(node, what + " needs 'success'");
  return r;
}

// A step as written: its own timeout and retry members are resolved against the saga's later
// (the saga's keys may follow its steps).
struct StepParse {
  SagaStepSpec step;
  std::optional<double> timeout_seconds;
  RetryOverride retry;
};

StepParse parse_step(const YAML::Node& item) {
  StepParse p;
  SagaStepSpec& s = p.step;
  bool have_request = false;
  bool have_success = false;
  for_each_entry(
      item, "a step",
      {"name", "request", "success", "failure", "timeout_seconds", "retry", "compensation"},
      [&](const std::string& key, const YAML::Node&, const YAML::Node& value) {
        if (key == "name") {
          s.name = parse_name(value);
        } else if (key == "request") {
          s.request = parse_request(value, key, nullptr);
          have_request = true;
        } else if (key == "success") {
          s.success = parse_event_types(value, key);
          have_success = true;
        } else if (key == "failure") {
          s.failure = parse_string_list(value, key);
        } else if (key == "timeout_seconds") {
          p.timeout_seconds = parse_timeout(value);
        } else if (key == "retry") {
          p.retry = parse_retry(value);
        } else if (!value.IsNull()) {
          s.compensation = parse_request(value, key, &s.compensation_success);
        }
      });
  require_key(item, s.name, "a step", "name");
  if (!have_request) fail_at(item, "a step needs 'request'");
  if (!have_success) fail_at(item, "a step needs 'success'");
  return p;
}

// The saga's keys as they are read; finish_saga checks and resolves them.
struct SagaParse {
  SagaPluginSpec spec;
  RetryOverride retry;
  std::vector<StepParse> steps;
  std::optional<YAML::Node> steps_node;
  std::optional<YAML::Node> saga_id_key;
};

void read_saga_key(SagaParse& saga, const std::string& key, const YAML::Node& key_node,
                   const YAML::Node& value) {
  if (key == "timeout_seconds") {
    saga.spec.timeout_seconds = parse_timeout(value);
  } else if (key == "retry") {
    saga.retry = parse_retry(value);
  } else if (key == "start_on") {
    saga.spec.start_on = nonempty_scalar(value, "'start_on'");
  } else if (key == "saga_id") {
    saga.spec.saga_id = nonempty_scalar(value, "'saga_id'");
    saga.saga_id_key = key_node;
  } else if (key == "steps") {
    saga.steps_node = value;
    std::map<std::string, YAML::Node> names;
    for_each_item(value, key, "steps", [&](const YAML::Node& item) {
      StepParse step = parse_step(item);
      auto [it, fresh] = names.emplace(step.step.name, item);
      if (!fresh) {
        fail_at(item, "duplicate step '" + step.step.name + "' (first declared at " +
                          where(it->second) + ")");
      }
      saga.steps.push_back(std::move(step));
    });
  }
}

SagaPluginSpec finish_saga(SagaParse& saga, const YAML::Node& item) {
  if (!saga.steps_node) fail_at(item, "a plugin of kind 'saga' needs 'steps'");
  if (saga.steps.empty()) fail_at(*saga.steps_node, "'steps' must not be empty");
  if (saga.saga_id_key && saga.spec.start_on.empty()) {
    fail_at(*saga.saga_id_key, "'saga_id' needs 'start_on'");
  }
  SagaPluginSpec spec = std::move(saga.spec);
  spec.retry = merged(spec.retry, saga.retry);
  for (StepParse& p : saga.steps) {
    p.step.timeout_seconds = p.timeout_seconds.value_or(spec.timeout_seconds);
    p.step.retry = merged(spec.retry, p.retry);
    spec.steps.push_back(std::move(p.step));
  }
  return spec;
}

// --- kind: dlq-monitor ------------------------------------------------------------------------

DlqSinkSpec parse_sink(const YAML::Node& item) {
  DlqSinkSpec sink;
  std::optional<YAML::Node> format;
  for_each_entry(
      item, "a sink", {"webhook", "format", "sns_topic"},
      [&](const std::string& key, const YAML::Node&, const YAML::Node& value) {
        if (key == "webhook") {
          sink.webhook = nonempty_scalar(value, "'webhook'");
          if (!sink.webhook.starts_with("http://") && !sink.webhook.starts_with("https://")) {
            fail_at(value,
                    "'webhook' must be an http:// or https:// URL, not '" + sink.webhook + "'");
          }
        } else if (key == "sns_topic") {
          sink.sns_topic = nonempty_scalar(value, "'sns_topic'");
        } else {
          format = value;
          const std::string text = scalar(value, "'format'");
          if (text == "generic") {
            sink.format = DlqSinkSpec::Format::kGeneric;
          } else if (text == "slack") {
            sink.format = DlqSinkSpec::Format::kSlack;
          } else if (text == "alertmanager") {
            sink.format = DlqSinkSpec::Format::kAlertmanager;
          } else {
            fail_at(value, "'format' must be generic, slack or alertmanager, not '" + text + "'");
          }
        }
      });
  if (sink.webhook.empty() == sink.sns_topic.empty()) {
    fail_at(item, "a sink needs exactly one of 'webhook' and 'sns_topic'");
  }
  if (format && sink.webhook.empty()) fail_at(*format, "'format' applies to a webhook sink only");
  return sink;
}

void read_dlq_monitor_key(DlqMonitorPluginSpec& spec, const std::string& key,
                          const YAML::Node& value) {
  if (key == "sinks") {
    for_each_item(value, key, "sinks",
                  [&](const YAML::Node& item) { spec.sinks.push_back(parse_sink(item)); });
  } else if (key == "group_seconds") {
    spec.group_seconds = parse_number(value, "'group_seconds'", 1, 86400, "1 to 86400");
  } else if (key == "severity") {
    spec.severity = scalar(value, "'severity'");
    bool ok = false;
    for (std::string_view known : kSeverities) ok = ok || known == spec.severity;
    if (!ok) {
      fail_at(value, "'severity' must be critical, high, medium, low or info, not '" +
                         spec.severity + "'");
    }
  } else if (key == "delete_after_alert") {
    spec.delete_after_alert = parse_bool(value, "'delete_after_alert'");
  } else if (key == "queues") {
    spec.queues = parse_string_list(value, key);
  }
}

// --- the list ---------------------------------------------------------------------------------

// The entry's kind, read before its other keys, whose set depends on it.
std::string find_kind(const YAML::Node& item) {
  for (const auto& entry : item) {
    if (!entry.first.IsScalar() || entry.first.Scalar() != "kind") continue;
    std::string kind = scalar(entry.second, "'kind'");
    for (std::string_view known : plugin_kinds()) {
      if (kind == known) return kind;
    }
    std::string list;
    for (std::string_view known : plugin_kinds()) {
      list += (list.empty() ? "" : ", ") + std::string(known);
    }
    fail_at(entry.second, "unknown plugin kind '" + kind + "' (known: " + list + ")");
  }
  fail_at(item, "a plugin needs 'kind'");
}

PluginSpec parse_plugin(const YAML::Node& item) {
  PluginSpec p;
  p.kind = find_kind(item);
  std::span<const std::string_view> known;
  if (p.kind == "inventory") {
    p.settings = InventoryPluginSpec{};
    known = kInventoryKeys;
  } else if (p.kind == "payment") {
    p.settings = PaymentPluginSpec{};
    known = kPaymentKeys;
  } else if (p.kind == "order") {
    p.settings = OrderPluginSpec{};
    known = kOrderKeys;
  } else if (p.kind == "dlq-monitor") {
    p.settings = DlqMonitorPluginSpec{};
    known = kDlqMonitorKeys;
  } else {
    known = kSagaKeys;
  }
  const bool is_saga = p.kind == "saga";
  const bool is_dlq_monitor = p.kind == "dlq-monitor";
  SagaParse saga;
  bool have_source = false;
  for_each_entry(
      item, "a plugin of kind '" + p.kind + "'", known,
      [&](const std::string& key, const YAML::Node& key_node, const YAML::Node& value) {
        if (key == "name") {
          p.name = parse_name(value);
        } else if (key == "kind") {
          // read by find_kind
        } else if (key == "enabled") {
          p.enabled = parse_bool(value, "'enabled'");
        } else if (key == "queue") {
          p.queue = nonempty_scalar(value, "'queue'");
        } else if (key == "topic") {
          p.topic = nonempty_scalar(value, "'topic'");
        } else if (key == "source") {
          p.source = nonempty_scalar(value, "'source'");
          have_source = true;
        } else if (is_saga) {
          read_saga_key(saga, key, key_node, value);
        } else if (is_dlq_monitor) {
          read_dlq_monitor_key(std::get<DlqMonitorPluginSpec>(p.settings), key, value);
        } else if (key == "stock") {
          std::get<InventoryPluginSpec>(p.settings).stock = parse_stock(value);
        } else if (key == "handle_order_created") {
          std::get<InventoryPluginSpec>(p.settings).handle_order_created =
              parse_bool(value, "'handle_order_created'");
        } else if (key == "decline") {
          auto& payment = std::get<PaymentPluginSpec>(p.settings);
          for_each_entry(value, "'decline'", {"payment_methods", "amount_over"},
                         [&](const std::string& k, const YAML::Node&, const YAML::Node& v) {
                           if (k == "payment_methods") {
                             payment.decline_payment_methods = parse_string_list(v, k);
                           } else {
                             payment.decline_amount_over = parse_amount(v);
                           }
                         });
        } else if (key == "no_reply") {
          auto& payment = std::get<PaymentPluginSpec>(p.settings);
          for_each_entry(value, "'no_reply'", {"payment_methods"},
                         [&](const std::string& k, const YAML::Node&, const YAML::Node& v) {
                           payment.no_reply_payment_methods = parse_string_list(v, k);
                         });
        }
      });
  require_key(item, p.name, "a plugin", "name");
  if (!is_dlq_monitor) {
    require_key(item, p.queue, "a plugin", "queue");
    require_key(item, p.topic, "a plugin", "topic");
  }
  if (is_saga) p.settings = finish_saga(saga, item);
  if (!have_source) p.source = p.name + "-service";
  return p;
}

std::vector<PluginSpec> parse_root(const YAML::Node& root) {
  std::vector<PluginSpec> plugins;
  if (!root || root.IsNull()) return plugins;
  if (!root.IsMap()) fail_at(root, "the configuration must be a mapping of keys to values");
  // Only `plugins`; the other keys are the settings' and the topology's to check.
  std::optional<YAML::Node> list;
  for (const auto& entry : root) {
    if (!entry.first.IsScalar() || entry.first.Scalar() != "plugins") continue;
    if (list) fail_at(entry.first, "duplicate key 'plugins'");
    list = entry.second;
  }
  if (!list) return plugins;
  std::map<std::string, YAML::Node> names;
  for_each_item(*list, "plugins", "plugins", [&](const YAML::Node& item) {
    PluginSpec p = parse_plugin(item);
    auto [it, fresh] = names.emplace(p.name, item);
    if (!fresh) {
      fail_at(item,
              "duplicate plugin '" + p.name + "' (first declared at " + where(it->second) + ")");
    }
    plugins.push_back(std::move(p));
  });
  return plugins;
}

}  // namespace

const std::vector<std::string_view>& plugin_kinds() {
  static const std::vector<std::string_view> kinds = {"inventory", "payment", "order", "saga",
                                                      "dlq-monitor"};
  return kinds;
}

ConfigResult<std::vector<PluginSpec>> parse_plugins(std::string_view yaml,
                                                    std::string_view source) {
  return detail::parse_yaml(yaml, source, [](const YAML::Node& root) { return parse_root(root); });
}

ConfigResult<std::vector<PluginSpec>> load_plugins_file(const std::string& path) {
  EB_ASSIGN_OR_RETURN(const std::string text, detail::read_config_file(path));
  return parse_plugins(text, path);
}

}  // namespace eb::config
