#include "config/topology.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <set>
#include <tuple>

#include "config/yaml_support.hpp"
#include "core/errors.hpp"

namespace eb::config {
namespace {

using detail::fail_at;
using detail::for_each_entry;
using detail::for_each_item;
using detail::is_json_literal;
using detail::nonempty_scalar;
using detail::parse_bool;
using detail::require_key;
using detail::scalar;
using detail::to_json;
using detail::where;

// --- JSON -> YAML ----------------------------------------------------------------------------

// Writes a node loaded from JSON text as block YAML, quoting strings that would otherwise
// read back as numbers, booleans or null.
void emit_json_node(YAML::Emitter& out, const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out << YAML::Null;
      return;
    case YAML::NodeType::Scalar: {
      const std::string& text = node.Scalar();
      const bool is_string = node.Tag() == "!" || !is_json_literal(text);
      if (is_string && (text.empty() || is_json_literal(text) || text == "yes" || text == "no" ||
                        text == "on" || text == "off")) {
        out << YAML::DoubleQuoted << text;
      } else {
        out << text;
      }
      return;
    }
    case YAML::NodeType::Sequence: {
      bool scalars_only = true;
      for (const auto& item : node)
        scalars_only = scalars_only && !item.IsMap() && !item.IsSequence();
      if (scalars_only) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& item : node) emit_json_node(out, item);
      out << YAML::EndSeq;
      return;
    }
    case YAML::NodeType::Map:
      out << YAML::BeginMap;
      for (const auto& entry : node) {
        out << YAML::Key << entry.first.Scalar() << YAML::Value;
        emit_json_node(out, entry.second);
      }
      out << YAML::EndMap;
      return;
  }
}

// --- parsing ---------------------------------------------------------------------------------

// Attribute or tag values: scalars as written; a mapping or list (a policy) as JSON text.
StringMap parse_string_map(const YAML::Node& node, std::string_view what, bool allow_json) {
  StringMap out;
  for_each_entry(
      node, what, {}, [&](const std::string& key, const YAML::Node&, const YAML::Node& value) {
        if (key.empty()) fail_at(node, std::string(what) + " names must not be empty");
        if (value.IsScalar()) {
          out[key] = value.Scalar();
        } else if (allow_json && (value.IsMap() || value.IsSequence())) {
          out[key] = to_json(value);
        } else {
          fail_at(value, std::string(what) + " '" + key + "' must be " +
                             (allow_json ? "a value or a JSON-like mapping" : "a single value"));
        }
      });
  return out;
}

TopicSpec parse_topic(const YAML::Node& item) {
  TopicSpec t;
  for_each_entry(item, "a topic", {"name", "attributes", "tags"},
                 [&](const std::string& key, const YAML::Node&, const YAML::Node& value) {
                   if (key == "name") {
                     t.name = nonempty_scalar(value, "'name'");
                   } else if (key == "attributes") {
                     t.attributes = parse_string_map(value, "topic attribute", true);
                   } else {
                     t.tags = parse_string_map(value, "tag", false);
                   }
                 });
  require_key(item, t.name, "a topic", "name");
  return t;
}

RedriveSpec parse_redrive(const YAML::Node& node) {
  RedriveSpec r;
  bool have_count = false;
  for_each_entry(
      node, "'redrive'", {"dead_letter_queue", "max_receive_count"},
      [&](const std::string& key, const YAML::Node&, const YAML::Node& value) {
        if (key == "dead_letter_queue") {
          r.dead_letter_queue = nonempty_scalar(value, "'dead_letter_queue'");
          return;
        }
        const std::string text = scalar(value, "'max_receive_count'");
        int n = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > 1000) {
          fail_at(value, "'max_receive_count' must be a number from 1 to 1000, not '" + text + "'");
        }
        r.max_receive_count = n;
        have_count = true;
      });
  if (!node.IsMap()) fail_at(node, "'redrive' must be a mapping");
  require_key(node, r.dead_letter_queue, "'redrive'", "dead_letter_queue");
  if (!have_count) fail_at(node, "'redrive' needs 'max_receive_count'");
  return r;
}

QueueSpec parse_queue(const YAML::Node& item) {
  QueueSpec q;
  for_each_entry(item, "a queue", {"name", "attributes", "redrive", "tags"},
                 [&](const std::string& key, const YAML::Node&, const YAML::Node& value) {
                   if (key == "name") {
                     q.name = nonempty_scalar(value, "'name'");
                   } else if (key == "attributes") {
                     q.attributes = parse_string_map(value, "queue attribute", true);
                     if (q.attributes.contains("RedrivePolicy")) {
                       fail_at(value,
                               "RedrivePolicy is declared with 'redrive: {dead_letter_queue: "
                               "NAME, max_receive_count: N}', not as an attribute");
                     }
                   } else if (key == "redrive") {
                     if (!value.IsNull()) q.redrive = parse_redrive(value);
                   } else {
                     q.tags = parse_string_map(value, "tag", false);
                   }
                 });
  require_key(item, q.name, "a queue", "name");
  return q;
}

SubscriptionSpec parse_subscription(const YAML::Node& item) {
  SubscriptionSpec s;
  for_each_entry(
      item, "a subscription",
      {"topic", "protocol", "endpoint", "filter_policy", "filter_policy_scope",
       "raw_message_delivery", "attributes"},
      [&](const std::string& key, const YAML::Node&, const YAML::Node& value) {
        if (key == "topic") {
          s.topic = nonempty_scalar(value, "'topic'");
        } else if (key == "protocol") {
          s.protocol = nonempty_scalar(value, "'protocol'");
        } else if (key == "endpoint") {
          s.endpoint = nonempty_scalar(value, "'endpoint'");
        } else if (key == "filter_policy") {
          if (value.IsNull()) return;
          if (value.IsMap()) {
            s.filter_policy = to_json(value);
          } else if (value.IsScalar()) {
            // JSON text written as a string: checked and stored in canonical form.
            auto canonical = canonical_json(value.Scalar());
            if (!canonical || !canonical->starts_with('{')) {
              fail_at(value, "'filter_policy' must be a mapping (or the JSON text of an object)");
            }
            s.filter_policy = *canonical;
          } else {
            fail_at(value, "'filter_policy' must be a mapping (or the JSON text of an object)");
          }
        } else if (key == "filter_policy_scope") {
          s.filter_policy_scope = scalar(value, "'filter_policy_scope'");
          if (s.filter_policy_scope != "MessageAttributes" &&
              s.filter_policy_scope != "MessageBody") {
            fail_at(value, "'filter_policy_scope' must be MessageAttributes or MessageBody, not '" +
                               s.filter_policy_scope + "'");
          }
        } else if (key == "raw_message_delivery") {
          s.raw_message_delivery = parse_bool(value, "'raw_message_delivery'");
        } else {
          s.attributes = parse_string_map(value, "subscription attribute", true);
          for (const char* own : {"FilterPolicy", "FilterPolicyScope", "RawMessageDelivery"}) {
            if (s.attributes.contains(own)) {
              fail_at(value, std::string(own) +
                                 " is declared with its own key (filter_policy, "
                                 "filter_policy_scope, raw_message_delivery), not as an attribute");
            }
          }
        }
      });
  require_key(item, s.topic, "a subscription", "topic");
  require_key(item, s.protocol, "a subscription", "protocol");
  require_key(item, s.endpoint, "a subscription", "endpoint");
  return s;
}

EventBusSpec parse_event_bus(const YAML::Node& item) {
  EventBusSpec b;
  for_each_entry(item, "an event bus", {"name", "description", "tags"},
                 [&](const std::string& key, const YAML::Node&, const YAML::Node& value) {
                   if (key == "name") {
                     b.name = nonempty_scalar(value, "'name'");
                   } else if (key == "description") {
                     b.description = scalar(value, "'description'");
                   } else {
                     b.tags = parse_string_map(value, "tag", false);
                   }
                 });
  require_key(item, b.name, "an event bus", "name");
  if (b.name == "default") fail_at(item, "the default event bus exists already; declare its rules");
  return b;
}

// A JSON object written as a YAML mapping or as JSON text, in canonical form.
std::string json_object(const YAML::Node& value, std::string_view what) {
  if (value.IsMap()) return to_json(value);
  if (value.IsScalar()) {
    auto canonical = canonical_json(value.Scalar());
    if (canonical && canonical->starts_with('{')) return *canonical;
  }
  fail_at(value, std::string(what) + " must be a mapping (or the JSON text of an object)");
}

RuleSpec parse_rule(const YAML::Node& item) {
  RuleSpec r;
  for_each_entry(item, "a rule",
                 {"name", "bus", "event_pattern", "schedule", "state", "description", "targets"},
                 [&](const std::string& key, const YAML::Node&, const YAML::Node& value) {
                   if (key == "name") {
                     r.name = nonempty_scalar(value, "'name'");
                   } else if (key == "bus") {
                     r.bus = nonempty_scalar(value, "'bus'");
                   } else if (key == "event_pattern") {
                     r.event_pattern = json_object(value, "'event_pattern'");
                   } else if (key == "schedule") {
                     r.schedule = nonempty_scalar(value, "'schedule'");
                   } else if (key == "state") {
                     r.state = scalar(value, "'state'");
                     if (r.state != "ENABLED" && r.state != "DISABLED") {
                       fail_at(value, "'state' must be ENABLED or DISABLED, not '" + r.state + "'");
                     }
                   } else if (key == "description") {
                     r.description = scalar(value, "'description'");
                   } else {
                     for_each_item(value, key, "targets", [&](const YAML::Node& target) {
                       if (!target.IsMap()) {
                         fail_at(target,
                                 "a target must be a mapping of PutTargets' Target members (Id, "
                                 "Arn, ...)");
                       }
                       if (!target["Id"] || !target["Arn"])
                         fail_at(target, "a target needs 'Id' and 'Arn'");
                       r.targets.push_back(to_json(target));
                     });
                   }
                 });
  require_key(item, r.name, "a rule", "name");
  if (r.event_pattern.empty() && r.schedule.empty()) {
    fail_at(item, "a rule needs 'event_pattern' or 'schedule'");
  }
  return r;
}

Topology parse_root(const YAML::Node& root) {
  Topology topology;
  if (!root || root.IsNull()) return topology;
  if (!root.IsMap()) fail_at(root, "the configuration must be a mapping of keys to values");
  std::set<std::string> seen;
  for (const auto& entry : root) {
    const YAML::Node& key_node = entry.first;
    const YAML::Node& value = entry.second;
    const std::string key = scalar(key_node, "a key");
    if (!seen.insert(key).second) fail_at(key_node, "duplicate key '" + key + "'");
    if (key == "prune") {
      topology.prune = parse_bool(value, "'prune'");
    } else if (key == "faults") {
      // Fault rules: parse_faults reads them (config/faults.hpp).
      if (!value.IsNull() && !value.IsSequence()) fail_at(value, "'faults' must be a list");
    } else if (key == "plugins") {
      // Reserved for plugin declarations; accepted as a list and not read yet.
      if (!value.IsNull() && !value.IsSequence()) fail_at(value, "'plugins' must be a list");
    } else if (key == "topics") {
      std::map<std::string, YAML::Node> names;
      for_each_item(value, key, "topics", [&](const YAML::Node& item) {
        TopicSpec t = parse_topic(item);
        auto [it, fresh] = names.emplace(t.name, item);
        if (!fresh) {
          fail_at(item,
                  "duplicate topic '" + t.name + "' (first declared at " + where(it->second) + ")");
        }
        topology.topics.push_back(std::move(t));
      });
    } else if (key == "queues") {
      std::map<std::string, YAML::Node> names;
      for_each_item(value, key, "queues", [&](const YAML::Node& item) {
        QueueSpec q = parse_queue(item);
        auto [it, fresh] = names.emplace(q.name, item);
        if (!fresh) {
          fail_at(item,
                  "duplicate queue '" + q.name + "' (first declared at " + where(it->second) + ")");
        }
        topology.queues.push_back(std::move(q));
      });
    } else if (key == "subscriptions") {
      std::map<std::tuple<std::string, std::string, std::string>, YAML::Node> keys;
      for_each_item(value, key, "subscriptions", [&](const YAML::Node& item) {
        SubscriptionSpec s = parse_subscription(item);
        auto [it, fresh] = keys.emplace(std::tuple(s.topic, s.protocol, s.endpoint), item);
        if (!fresh) {
          fail_at(item, "duplicate subscription of " + s.protocol + " endpoint '" + s.endpoint +
                            "' to topic '" + s.topic + "' (first declared at " + where(it->second) +
                            ")");
        }
        topology.subscriptions.push_back(std::move(s));
      });
    } else if (key == "event_buses") {
      std::map<std::string, YAML::Node> names;
      for_each_item(value, key, "event_buses", [&](const YAML::Node& item) {
        EventBusSpec b = parse_event_bus(item);
        auto [it, fresh] = names.emplace(b.name, item);
        if (!fresh) {
          fail_at(item, "duplicate event bus '" + b.name + "' (first declared at " +
                            where(it->second) + ")");
        }
        topology.event_buses.push_back(std::move(b));
      });
    } else if (key == "rules") {
      std::map<std::pair<std::string, std::string>, YAML::Node> names;
      for_each_item(value, key, "rules", [&](const YAML::Node& item) {
        RuleSpec r = parse_rule(item);
        auto [it, fresh] = names.emplace(std::pair(r.bus, r.name), item);
        if (!fresh) {
          fail_at(item,
                  "duplicate rule '" + r.name + "' (first declared at " + where(it->second) + ")");
        }
        topology.rules.push_back(std::move(r));
      });
    } else if (!is_settings_key(key)) {
      fail_at(key_node, "unknown key '" + key + "' (known: " + known_keys() + ")");
    }
  }
  return topology;
}

// --- emitting --------------------------------------------------------------------------------

// Attribute values are text: written plain where YAML allows, quoted otherwise; either way
// they read back as the same text.
void emit_string_map(YAML::Emitter& out, const char* key, const StringMap& map) {
  if (map.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::BeginMap;
  for (const auto& [name, value] : map) {
    out << YAML::Key << name << YAML::Value;
    if (value.empty()) {
      out << YAML::DoubleQuoted << value;
    } else {
      out << value;
    }
  }
  out << YAML::EndMap;
}

}  // namespace

ConfigResult<Topology> parse_topology(std::string_view yaml, std::string_view source) {
  return detail::parse_yaml(yaml, source, [](const YAML::Node& root) { return parse_root(root); });
}

ConfigResult<Topology> load_topology_file(const std::string& path) {
  EB_ASSIGN_OR_RETURN(const std::string text, detail::read_config_file(path));
  return parse_topology(text, path);
}

std::optional<std::string> canonical_json(std::string_view text) {
  try {
    YAML::Node node = YAML::Load(std::string(text));
    if (!node.IsMap() && !node.IsSequence()) return std::nullopt;
    return to_json(node);
  } catch (const detail::PositionedError&) {
    return std::nullopt;
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
}

std::string emit_topology(const Topology& topology) {
  YAML::Emitter out;
  out.SetIndent(2);
  out << YAML::BeginMap;
  out << YAML::Key << "prune" << YAML::Value << (topology.prune ? "true" : "false");

  out << YAML::Key << "topics" << YAML::Value;
  if (topology.topics.empty()) out << YAML::Flow;
  out << YAML::BeginSeq;
  for (const TopicSpec& t : topology.topics) {
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << t.name;
    emit_string_map(out, "attributes", t.attributes);
    emit_string_map(out, "tags", t.tags);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;

  out << YAML::Key << "queues" << YAML::Value;
  if (topology.queues.empty()) out << YAML::Flow;
  out << YAML::BeginSeq;
  for (const QueueSpec& q : topology.queues) {
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << q.name;
    emit_string_map(out, "attributes", q.attributes);
    if (q.redrive) {
      out << YAML::Key << "redrive" << YAML::Value << YAML::BeginMap;
      out << YAML::Key << "dead_letter_queue" << YAML::Value << q.redrive->dead_letter_queue;
      out << YAML::Key << "max_receive_count" << YAML::Value << q.redrive->max_receive_count;
      out << YAML::EndMap;
    }
    emit_string_map(out, "tags", q.tags);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;

  out << YAML::Key << "subscriptions" << YAML::Value;
  if (topology.subscriptions.empty()) out << YAML::Flow;
  out << YAML::BeginSeq;
  for (const SubscriptionSpec& s : topology.subscriptions) {
    out << YAML::BeginMap;
    out << YAML::Key << "topic" << YAML::Value << s.topic;
    out << YAML::Key << "protocol" << YAML::Value << s.protocol;
    out << YAML::Key << "endpoint" << YAML::Value << s.endpoint;
    if (!s.filter_policy.empty()) {
      out << YAML::Key << "filter_policy" << YAML::Value;
      YAML::Node policy;
      try {
        policy = YAML::Load(s.filter_policy);
      } catch (const YAML::Exception&) {
      }
      if (policy.IsMap()) {
        emit_json_node(out, policy);
      } else {
        out << s.filter_policy;  // not a JSON object: kept as text for parse to report
      }
    }
    if (!s.filter_policy_scope.empty()) {
      out << YAML::Key << "filter_policy_scope" << YAML::Value << s.filter_policy_scope;
    }
    if (s.raw_message_delivery) {
      out << YAML::Key << "raw_message_delivery" << YAML::Value
          << (*s.raw_message_delivery ? "true" : "false");
    }
    emit_string_map(out, "attributes", s.attributes);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;

  // EventBridge keys only when there is something to declare, so a file without them exports
  // as it did.
  if (!topology.event_buses.empty()) {
    out << YAML::Key << "event_buses" << YAML::Value << YAML::BeginSeq;
    for (const EventBusSpec& b : topology.event_buses) {
      out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << b.name;
      if (!b.description.empty()) {
        out << YAML::Key << "description" << YAML::Value << b.description;
      }
      emit_string_map(out, "tags", b.tags);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  if (!topology.rules.empty()) {
    out << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
    for (const RuleSpec& r : topology.rules) {
      out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << r.name;
      if (!r.bus.empty()) out << YAML::Key << "bus" << YAML::Value << r.bus;
      if (!r.event_pattern.empty()) {
        out << YAML::Key << "event_pattern" << YAML::Value;
        emit_json_node(out, YAML::Load(r.event_pattern));
      }
      if (!r.schedule.empty()) out << YAML::Key << "schedule" << YAML::Value << r.schedule;
      if (!r.state.empty()) out << YAML::Key << "state" << YAML::Value << r.state;
      if (!r.description.empty()) {
        out << YAML::Key << "description" << YAML::Value << r.description;
      }
      if (!r.targets.empty()) {
        out << YAML::Key << "targets" << YAML::Value << YAML::BeginSeq;
        for (const std::string& t : r.targets) emit_json_node(out, YAML::Load(t));
        out << YAML::EndSeq;
      }
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace eb::config
