#include "app/bus_topology.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "events/targets.hpp"

namespace eb::app {
namespace {

using events::kDefaultBus;

std::string bus_of(const config::RuleSpec& r) {
  return r.bus.empty() ? std::string(kDefaultBus) : r.bus;
}

std::string rule_item(const std::string& bus, const std::string& name) {
  return bus == kDefaultBus ? "rule " + name : fmt::format("rule {}/{}", bus, name);
}

Error failed(const std::string& item, const Error& error) {
  return Error{error.code, fmt::format("{}: {}", item, error.message)};
}

// JSON texts compare as documents, so that layout differences are not changes.
std::string canonical(const std::string& json) {
  if (json.empty()) return json;
  return config::canonical_json(json).value_or(json);
}

// Every page of a list call.
template <class T, class List>
Result<std::vector<T>> all_pages(List list) {
  std::vector<T> out;
  events::ListInput in;
  while (true) {
    EB_ASSIGN_OR_RETURN(auto page, list(in));
    for (auto& item : page.items) out.push_back(std::move(item));
    if (page.next_token.empty()) return out;
    in.next_token = page.next_token;
  }
}

Result<std::vector<events::RuleDescription>> rules_of(const events::EventBuses& buses,
                                                      const std::string& bus) {
  return all_pages<events::RuleDescription>(
      [&](const events::ListInput& in) { return buses.list_rules(bus, in); });
}

Result<std::vector<events::TargetSpec>> targets_of(const events::EventBuses& buses,
                                                   const std::string& bus,
                                                   const std::string& rule) {
  return all_pages<events::TargetSpec>(
      [&](const events::ListInput& in) { return buses.list_targets_by_rule(bus, rule, in); });
}

Result<void> apply_targets(events::EventBuses& buses, const config::RuleSpec& spec,
                           ApplyReport& report) {
  const std::string bus = bus_of(spec);
  const std::string item = rule_item(bus, spec.name);
  EB_ASSIGN_OR_RETURN(auto live, targets_of(buses, bus, spec.name));
  std::vector<events::TargetSpec> wanted;
  std::set<std::string> ids;
  int position = 0;
  for (const std::string& json : spec.targets) {
    auto target = events::parse_target(json, ++position);
    if (!target) return std::unexpected(failed(item, target.error()));
    ids.insert(target->id);
    auto same = std::find_if(live.begin(), live.end(), [&](const events::TargetSpec& t) {
      return t.id == target->id && canonical(t.json) == canonical(target->json);
    });
    if (same == live.end()) wanted.push_back(std::move(*target));
  }
  std::vector<std::string> gone;
  for (const auto& t : live) {
    if (!ids.contains(t.id)) gone.push_back(t.id);
  }
  if (gone.empty() && wanted.empty()) return {};
  if (!gone.empty()) {
    if (auto removed = buses.remove_targets(bus, spec.name, gone, true); !removed) {
      return std::unexpected(failed(item, removed.error()));
    }
  }
  if (!wanted.empty()) {
    if (auto put = buses.put_targets(bus, spec.name, std::move(wanted)); !put) {
      return std::unexpected(failed(item, put.error()));
    }
  }
  report.updated.push_back(item + " targets");
  return {};
}

Result<void> apply_rule(events::EventBuses& buses, const config::RuleSpec& spec,
                        ApplyReport& report) {
  const std::string bus = bus_of(spec);
  const std::string item = rule_item(bus, spec.name);
  auto live = buses.describe_rule(bus, spec.name);
  const std::string state = spec.state.empty() ? "ENABLED" : spec.state;
  const bool same = live && canonical(live->event_pattern) == spec.event_pattern &&
                    live->schedule_expression == spec.schedule && live->state == state &&
                    live->description == spec.description;
  if (!same) {
    events::PutRuleInput in;
    in.name = spec.name;
    in.bus = bus;
    if (!spec.event_pattern.empty()) in.event_pattern = spec.event_pattern;
    if (!spec.schedule.empty()) in.schedule_expression = spec.schedule;
    in.state = state;
    if (!spec.description.empty()) in.description = spec.description;
    if (auto put = buses.put_rule(in); !put) return std::unexpected(failed(item, put.error()));
    (live ? report.updated : report.created).push_back(item);
  }
  return apply_targets(buses, spec, report);
}

Result<void> prune(events::EventBuses& buses, const config::Topology& topology,
                   ApplyReport& report) {
  std::set<std::pair<std::string, std::string>> declared_rules;
  for (const auto& r : topology.rules) declared_rules.emplace(bus_of(r), r.name);
  std::set<std::string> declared_buses{std::string(kDefaultBus)};
  for (const auto& b : topology.event_buses) declared_buses.insert(b.name);
  EB_ASSIGN_OR_RETURN(auto live_buses,
                      all_pages<events::BusDescription>(
                          [&](const events::ListInput& in) { return buses.list_event_buses(in); }));
  for (const auto& bus : live_buses) {
    EB_ASSIGN_OR_RETURN(auto rules, rules_of(buses, bus.name));
    for (const auto& rule : rules) {
      // A managed rule (an archive's) belongs to what manages it, not to the topology.
      if (!rule.managed_by.empty() || declared_rules.contains({bus.name, rule.name})) continue;
      const std::string item = rule_item(bus.name, rule.name);
      EB_ASSIGN_OR_RETURN(auto targets, targets_of(buses, bus.name, rule.name));
      std::vector<std::string> ids;
      for (const auto& t : targets) ids.push_back(t.id);
      if (!ids.empty()) {
        if (auto removed = buses.remove_targets(bus.name, rule.name, ids, true); !removed) {
          return std::unexpected(failed(item, removed.error()));
        }
      }
      if (auto deleted = buses.delete_rule(bus.name, rule.name, true); !deleted) {
        return std::unexpected(failed(item, deleted.error()));
      }
      report.deleted.push_back(item);
    }
    if (!declared_buses.contains(bus.name)) {
      if (auto deleted = buses.delete_event_bus(bus.name); !deleted) {
        return std::unexpected(failed("event bus " + bus.name, deleted.error()));
      }
      report.deleted.push_back("event bus " + bus.name);
    }
  }
  return {};
}

}  // namespace

Result<void> apply_bus_topology(events::EventBuses& buses, const config::Topology& topology,
                                ApplyReport& report) {
  for (const auto& spec : topology.event_buses) {
    const std::string item = "event bus " + spec.name;
    auto live = buses.describe_event_bus(spec.name);
    if (!live) {
      events::CreateBusInput in;
      in.name = spec.name;
      if (!spec.description.empty()) in.description = spec.description;
      in.tags = spec.tags;
      if (auto created = buses.create_event_bus(in); !created) {
        return std::unexpected(failed(item, created.error()));
      }
      report.created.push_back(item);
      continue;
    }
    bool changed = false;
    if (live->description != spec.description) {
      events::UpdateBusInput in;
      in.name = spec.name;
      in.description = spec.description;
      if (auto updated = buses.update_event_bus(in); !updated) {
        return std::unexpected(failed(item, updated.error()));
      }
      changed = true;
    }
    EB_ASSIGN_OR_RETURN(auto tags, buses.list_tags(live->arn));
    events::Tags missing;
    for (const auto& [k, v] : spec.tags) {
      auto it = tags.find(k);
      if (it == tags.end() || it->second != v) missing[k] = v;
    }
    if (!missing.empty()) {
      if (auto tagged = buses.tag_resource(live->arn, missing); !tagged) {
        return std::unexpected(failed(item, tagged.error()));
      }
      changed = true;
    }
    if (changed) report.updated.push_back(item);
  }
  for (const auto& spec : topology.rules) EB_TRY(apply_rule(buses, spec, report));
  if (topology.prune) EB_TRY(prune(buses, topology, report));
  return {};
}

Result<void> export_bus_topology(const events::EventBuses& buses, config::Topology& topology) {
  EB_ASSIGN_OR_RETURN(auto live_buses,
                      all_pages<events::BusDescription>(
                          [&](const events::ListInput& in) { return buses.list_event_buses(in); }));
  for (const auto& bus : live_buses) {
    if (bus.name != kDefaultBus) {
      config::EventBusSpec spec{bus.name, bus.description, {}};
      EB_ASSIGN_OR_RETURN(auto tags, buses.list_tags(bus.arn));
      spec.tags.insert(tags.begin(), tags.end());
      topology.event_buses.push_back(std::move(spec));
    }
    EB_ASSIGN_OR_RETURN(auto rules, rules_of(buses, bus.name));
    for (const auto& rule : rules) {
      if (!rule.managed_by.empty()) continue;  // an archive's: made again by its archive
      config::RuleSpec spec;
      spec.name = rule.name;
      if (bus.name != kDefaultBus) spec.bus = bus.name;
      spec.event_pattern = canonical(rule.event_pattern);
      spec.schedule = rule.schedule_expression;
      if (rule.state != "ENABLED") spec.state = rule.state;
      spec.description = rule.description;
      EB_ASSIGN_OR_RETURN(auto targets, targets_of(buses, bus.name, rule.name));
      for (const auto& t : targets) spec.targets.push_back(canonical(t.json));
      topology.rules.push_back(std::move(spec));
    }
  }
  return {};
}

}  // namespace eb::app
