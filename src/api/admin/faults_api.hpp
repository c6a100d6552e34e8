#pragma once
// Fault injection over HTTP (issue 14): POST /v1/faults installs a rule (201 {"faultId"}),
// GET /v1/faults lists the rules with their counters, DELETE /v1/faults removes every rule and
// DELETE /v1/faults/{id} one. Registered with AdminApi by app/. Thread-safe (FaultRules is).
// POST /v1/reset leaves the rules alone: a suite resets between tests without losing the
// faults it declared.
#include <string_view>

#include "core/errors.hpp"
#include "faults/fault_spec.hpp"
#include "net/handler.hpp"

namespace eb::faults {
class FaultRules;
}

namespace eb::api::admin {

// The POST body: {"service", "action"?, "resource"?, "error"? (a string, or a number for an
// http status), "probability"? (0-1), "count"? (integer >= 1), "latencyMs"? (integer >= 0)}.
// kMalformedRequest: not a JSON object; kInvalidParameterValue: an unknown member or one of
// the wrong type; kMissingParameter: no service. Range checks are faults::validate's.
Result<faults::FaultSpec> parse_fault_spec(std::string_view body);

class FaultsApi {
 public:
  static constexpr std::string_view kPrefix = "/v1/faults";

  explicit FaultsApi(faults::FaultRules& rules) : rules_(rules) {}

  net::HttpResponse handle(const net::HttpRequest& request) const;

 private:
  faults::FaultRules& rules_;
};

}  // namespace eb::api::admin
