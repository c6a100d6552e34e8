#pragma once
// EventBridge archives are the event log: every event put on a bus is logged with the bus's ARN
// as its source, so archives count and replays read them back from there (retention is the
// event log's, see --event-retention-*).
#include "eventlog/event_log.hpp"
#include "events/archives.hpp"

namespace eb::app {

// Reads a bus's events in a time window from `log`, which must outlive the reader.
events::BusEventReader bus_event_reader(const eventlog::EventLog& log);

}  // namespace eb::app
