#include "app/bus_archive.hpp"

namespace eb::app {

events::BusEventReader bus_event_reader(const eventlog::EventLog& log) {
  return [&log](const std::string& bus_arn, Millis from, Millis to,
                const events::EventVisitor& visit) -> Result<void> {
    eventlog::EventFilter filter;
    filter.source = bus_arn;
    std::uint64_t after = 0;
    while (true) {
      EB_ASSIGN_OR_RETURN(eventlog::EventPage page, log.read(after, 1000, filter));
      for (const auto& e : page.events) {
        if (e.source_arn != bus_arn || e.timestamp < from || e.timestamp > to) continue;
        if (!visit(e.body, e.timestamp)) return {};
      }
      if (!page.next) return {};
      after = *page.next;
    }
  };
}

}  // namespace eb::app
