#pragma once
// The declared topology: topics, queues, subscriptions, event buses and rules the daemon should
// have, read from the same YAML file as the settings (top-level keys topics, queues,
// subscriptions, event_buses, rules, prune and plugins). Plain values and free functions: no state,
// no broker dependency; app/topology.hpp applies a Topology to the broker and exports the live one.
#include <compare>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.hpp"

namespace eb::config {

// Attribute and tag values as the AWS APIs carry them: name -> text.
using StringMap = std::map<std::string, std::string>;

struct TopicSpec {
  std::string name;
  StringMap attributes;  // SNS topic attribute names (DisplayName, DeliveryPolicy, ...)
  StringMap tags;
  bool operator==(const TopicSpec&) const = default;
};

// A queue's RedrivePolicy in friendlier form.
struct RedriveSpec {
  std::string dead_letter_queue;  // a queue name or ARN
  int max_receive_count = 0;
  bool operator==(const RedriveSpec&) const = default;
};

struct QueueSpec {
  std::string name;
  StringMap attributes;  // SQS attribute names (VisibilityTimeout, ...), never RedrivePolicy
  std::optional<RedriveSpec> redrive;
  StringMap tags;
  bool operator==(const QueueSpec&) const = default;
};

struct SubscriptionSpec {
  std::string topic;          // a topic name or ARN
  std::string protocol;       // sqs, http, https, email, ...
  std::string endpoint;       // sqs: a queue name, URL or ARN; other protocols: as SNS takes them
  std::string filter_policy;  // JSON text; empty: none
  std::string filter_policy_scope;  // MessageAttributes or MessageBody; empty: not declared
  std::optional<bool> raw_message_delivery;
  StringMap attributes;  // any other subscription attribute (RedrivePolicy, DeliveryPolicy...)
  bool operator==(const SubscriptionSpec&) const = default;
};

// An EventBridge bus (the default bus exists without being declared).
struct EventBusSpec {
  std::string name;
  std::string description;
  StringMap tags;
  bool operator==(const EventBusSpec&) const = default;
};

// An EventBridge rule with its targets.
struct RuleSpec {
  std::string name;
  std::string bus;            // empty: the default bus
  std::string event_pattern;  // canonical JSON; empty: none (then `schedule` is set)
  std::string schedule;       // rate(...) or cron(...); empty: none
  std::string state;          // ENABLED or DISABLED; empty: ENABLED
  std::string description;
  // Each the canonical JSON of a PutTargets Target structure (Id, Arn, InputPath, ...).
  std::vector<std::string> targets;
  bool operator==(const RuleSpec&) const = default;
};

struct Topology {
  bool prune = false;  // delete what the file does not declare (the default bus stays)
  std::vector<TopicSpec> topics;
  std::vector<QueueSpec> queues;
  std::vector<SubscriptionSpec> subscriptions;
  std::vector<EventBusSpec> event_buses;
  std::vector<RuleSpec> rules;
  bool operator==(const Topology&) const = default;
};

// Parses the topology keys of a configuration file; the settings keys are skipped (checked
// by parse_settings), anything else is an error. `source` names the text in errors, which
// read "FILE:LINE:COLUMN: what was expected". An empty document is an empty topology.
// Subscriptions may name topics and queues that are not declared (they may exist already).
[[nodiscard]] ConfigResult<Topology> parse_topology(std::string_view yaml,
                                                    std::string_view source = "<config>");
[[nodiscard]] ConfigResult<Topology> load_topology_file(const std::string& path);

// The topology in the shape parse_topology reads (topics, queues, subscriptions in the
// order given; keys sorted; filter policies as YAML mappings): parse(emit(t)) == t.
std::string emit_topology(const Topology& topology);

// The canonical JSON text of a JSON (or flow YAML) document: no whitespace, object members
// in their order, strings escaped one way. Two texts of the same policy compare equal after
// it. nullopt when the text is not valid.
std::optional<std::string> canonical_json(std::string_view text);

}  // namespace eb::config
