// The admin API's read-only view of buses (EventBuses::bus_summaries and bus_view): what
// ListEventBuses, ListRules and ListTargetsByRule give, read from one registry snapshot.
#include <algorithm>

#include "events/archives.hpp"
#include "events/event_buses.hpp"

namespace eb::events {
namespace {

BusSummary summarize(const Bus& bus) {
  BusSummary s{.bus = bus.description, .rules = bus.rules.size()};
  s.archives = static_cast<std::size_t>(std::count_if(
      bus.rules.begin(), bus.rules.end(),
      [](const auto& entry) { return entry.second->managed_by == kArchiveManagedBy; }));
  return s;
}

}  // namespace

std::vector<BusSummary> EventBuses::bus_summaries() const {
  const auto registry = snapshot();
  std::vector<BusSummary> out;
  out.reserve(registry->buses.size());
  for (const auto& [name, bus] : registry->buses) out.push_back(summarize(*bus));
  return out;
}

Result<BusView> EventBuses::bus_view(const std::string& name_or_arn) const {
  EB_ASSIGN_OR_RETURN(auto bus, find_bus(snapshot(), name_or_arn));
  BusView view{.summary = summarize(*bus)};
  view.rules.reserve(bus->rules.size());
  for (const auto& [name, rule] : bus->rules) {
    RuleView& r = view.rules.emplace_back(RuleView{.rule = rule->describe()});
    r.targets.reserve(rule->targets.size());
    for (const Target& t : rule->targets) r.targets.push_back(t.spec);
  }
  return view;
}

}  // namespace eb::events
