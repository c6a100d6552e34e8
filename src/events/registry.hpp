#pragma once
// What EventBridge holds: buses, their rules and the rules' targets, as immutable objects in
// one snapshot (`Registry`). PutEvents reads the snapshot without a lock; control operations
// build a changed copy (sharing every unchanged bus and rule) and swap it in. Record mapping
// for recovery lives here too.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "events/bus_stats.hpp"
#include "events/schedule.hpp"
#include "events/types.hpp"
#include "matching/event_pattern.hpp"
#include "matching/event_pattern_set.hpp"

namespace eb::events {

struct Target {
  TargetSpec spec;
};

struct Rule {
  std::string name;
  std::string arn;
  std::string bus_name;
  std::string event_pattern;  // as given; empty for a schedule-only rule
  std::optional<matching::EventPattern> pattern;
  std::string schedule_expression;
  std::optional<ScheduleExpression> schedule;  // compiled from schedule_expression
  std::string state = "ENABLED";
  std::string description;
  std::string role_arn;
  std::string managed_by;
  std::string created_by;
  Tags tags;
  Millis created = 0;
  std::vector<Target> targets;

  bool enabled() const { return state != "DISABLED"; }
  RuleDescription describe() const;
};

struct Bus {
  BusDescription description;
  Tags tags;
  std::map<std::string, std::shared_ptr<const Rule>> rules;  // by name
  // The enabled rules with a pattern, indexed for PutEvents: an id of `patterns` is a position
  // in `matchable`. Rebuilt by reindex() whenever `rules` changes.
  std::shared_ptr<const matching::EventPatternSet> patterns;
  std::vector<std::shared_ptr<const Rule>> matchable;
  // Shared by every version of the bus (and by its deliveries under way); a new bus of the same
  // name starts at 0.
  std::shared_ptr<BusCounters> counters = std::make_shared<BusCounters>();

  void reindex();
};

struct Registry {
  std::map<std::string, std::shared_ptr<const Bus>> buses;  // by name

  std::shared_ptr<const Bus> find(const std::string& name) const {
    auto it = buses.find(name);
    return it == buses.end() ? nullptr : it->second;
  }
};

// Storage keys (family kEventBuses) and records. Each kind of resource has its own key prefix:
// "b/" buses, "r/" rules; "a/" archives, "c/" connections, "d/" API destinations, "e/"
// endpoints, "p/" replays, "s/" partner event sources; "g/" schedule groups and "h/" schedules
// (EventBridge Scheduler, scheduler.hpp); "w/" pending deliveries (pending_deliveries.hpp).
std::string bus_key(std::string_view bus);
std::string rule_key(std::string_view bus, std::string_view rule);
// [begin, end) of every rule key of one bus.
std::string rule_prefix(std::string_view bus);
bool is_bus_key(std::string_view key);

std::string encode_bus(const Bus& bus);
std::optional<Bus> decode_bus(std::string_view bytes);
std::string encode_rule(const Rule& rule);
// The rule as stored, its pattern and targets not compiled yet (see EventBuses::recover).
std::optional<Rule> decode_rule(std::string_view bytes);

}  // namespace eb::events
