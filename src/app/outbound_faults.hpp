#pragma once
// Fault injection for the daemon's outbound HTTP deliveries (SNS HTTP/S endpoints, the DLQ
// monitor's webhooks through NetHttpPoster; EventBridge API destinations through
// NetHttpSender): the one place both adapters ask the rules of service "http", with the
// request's method as the action and its URL as the resource. Stateless; any thread.
#include <functional>
#include <string>
#include <string_view>

#include "faults/fault_rules.hpp"

namespace eb::app {

// Checks `url` against `rules` (null: no rules). No fault: false, nothing called. A fault:
// true, and later, on the rules' timers (after its latency, never inside this call): `deliver`
// when the rule only delays, else `fail(status, error)`: status 0 with error "fault injected:
// connection dropped" for "drop" (as an unreachable endpoint), or the rule's status with an
// empty error (as if the endpoint answered it). The adapters' retry policies then apply.
bool inject_outbound_fault(faults::FaultRules* rules, std::string_view method,
                           const std::string& url, std::function<void()> deliver,
                           std::function<void(int status, std::string error)> fail);

}  // namespace eb::app
