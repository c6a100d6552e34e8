#pragma once
// The daemon's manual clock over HTTP (--clock manual): GET /v1/clock tells the time,
// POST /v1/clock/advance {"seconds": N} moves it and answers once every timer that fell due
// has run. Registered with AdminApi only in that mode, so without it both routes are 404.
// Thread-safe (ManualClock serialises advances).
#include "core/manual_clock.hpp"
#include "net/handler.hpp"

namespace eb::api::admin {

class ClockApi {
 public:
  static constexpr std::string_view kPrefix = "/v1/clock";
  // One advance moves time by at most 366 days (longer than any AWS timer: retention is 14
  // days at most). Periodic timers fire once per period while it runs (the event log's
  // one-second retention pass with --in-memory makes a year about 3 s), so far longer
  // advances would hold the request for minutes; a test wanting more advances again.
  static constexpr Millis kMaxAdvanceMs = Millis{366} * 24 * 3600 * 1000;

  explicit ClockApi(ManualClock& clock) : clock_(clock) {}

  net::HttpResponse handle(const net::HttpRequest& request) const;

 private:
  net::HttpResponse now(const net::HttpRequest& request) const;
  net::HttpResponse advance(const net::HttpRequest& request) const;

  ManualClock& clock_;
};

}  // namespace eb::api::admin
