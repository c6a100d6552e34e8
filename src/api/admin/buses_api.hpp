#pragma once
// The default account's EventBridge buses over HTTP, for the web console and test harnesses
// (docs/admin-api.md):
//   GET /v1/buses                      every bus with its rule and archive counts, by name
//   GET /v1/buses/{name}               one bus with its rules, their patterns or schedules and
//                                      their targets
//   POST /v1/buses/{name}/events       one PutEvents entry (JSON: source, detailType, detail,
//                                      resources, time) -> 201 {eventId}
//   POST /v1/event-patterns/test       TestEventPattern (JSON: eventPattern, event)
//                                      -> {matches}
// Every route decodes, makes one events::EventBuses call and encodes. Registered with AdminApi
// by app/ under both prefixes; AdminApi's BrowserGuard holds the POSTs to the daemon's own
// origin. Thread-safe (EventBuses is).
#include <string>
#include <string_view>

#include "net/handler.hpp"

namespace eb::events {
class EventBuses;
}

namespace eb::api::admin {

class BusesApi {
 public:
  static constexpr std::string_view kPrefix = "/v1/buses";
  static constexpr std::string_view kPatternsPrefix = "/v1/event-patterns";

  explicit BusesApi(eb::events::EventBuses& buses) : buses_(buses) {}

  net::HttpResponse handle(const net::HttpRequest& request) const;

 private:
  net::HttpResponse list() const;
  net::HttpResponse get(const std::string& name) const;
  net::HttpResponse put_event(const std::string& name, std::string_view body) const;
  net::HttpResponse test_pattern(std::string_view body) const;

  eb::events::EventBuses& buses_;
};

}  // namespace eb::api::admin
