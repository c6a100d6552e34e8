#pragma once
// The EventBridge part of the declared topology (event_buses and rules with their targets)
// applied to EventBuses, and the live buses and rules exported in the same form. Called next to
// apply_topology/export_topology (app/topology.hpp), from the thread that starts the daemon or
// handles SIGHUP.
#include "app/topology.hpp"
#include "config/topology.hpp"
#include "core/errors.hpp"
#include "events/event_buses.hpp"

namespace eb::app {

// Creates the declared buses and rules that are missing, replaces rules whose pattern,
// schedule, state or description differ, makes each declared rule's targets exactly the
// declared ones, and with `prune` deletes the rules and buses (never the default one) that are
// not declared. What changed goes into `report`; the first error stops the apply and names its
// item ("rule big-orders: InvalidEventPattern: ...").
Result<void> apply_bus_topology(events::EventBuses& buses, const config::Topology& topology,
                                ApplyReport& report);

// Adds the live buses (but the default one) and every rule with its targets to `topology`,
// sorted by bus and name.
Result<void> export_bus_topology(const events::EventBuses& buses, config::Topology& topology);

}  // namespace eb::app
