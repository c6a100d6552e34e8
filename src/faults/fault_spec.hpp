#pragma once
// What a fault rule says (the body of POST /v1/faults and an entry of the config file's
// `faults:` list), its validation, and the `*`/`?` glob its resource pattern uses. Plain values
// and free functions: no state, safe from any thread.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/errors.hpp"

namespace eb::faults {

// The service a rule applies to: an AWS service by its signing name, or "http" for the
// daemon's outbound deliveries (SNS HTTP/S endpoints, EventBridge API destinations, webhooks).
inline constexpr std::string_view kServices[] = {"sqs",       "sns", "events",
                                                 "scheduler", "sts", "http"};
inline constexpr std::string_view kHttpService = "http";
// An http rule's `error` that makes the delivery fail as an unreachable endpoint would.
inline constexpr std::string_view kDrop = "drop";

struct FaultSpec {
  std::string service;   // one of kServices
  std::string action;    // "SendMessage"; for http the method ("POST"); empty: every one
  std::string resource;  // glob over the request's resource names/ARNs/URLs; empty: every one
  // AWS services: the error code to answer ("ThrottlingException", "KMS.ThrottlingException").
  // http: "drop" or an HTTP status ("503"). Empty: no error (latency only).
  std::string error;
  double probability = 1.0;           // chance that a matching call gets the fault
  std::optional<std::int64_t> count;  // faults left to inject; nullopt: no limit
  std::int64_t latency_ms = 0;        // delay before answering (or delivering)

  bool operator==(const FaultSpec&) const = default;
};

inline constexpr std::int64_t kMaxLatencyMs = 15 * 60 * 1000;

// kInvalidParameterValue naming the bad member: unknown service, probability outside [0, 1],
// count below 1, latency outside [0, kMaxLatencyMs], an http error that is neither "drop" nor a
// status 100-599, an error code with characters AWS codes never have, a rule that does
// nothing (no error and no latency).
Result<void> validate(const FaultSpec& spec);

// An http rule's error as a status: 0 for "drop" (or no error).
int http_fault_status(std::string_view error);

// `pattern` over `text`: `*` any run of characters (also none), `?` one character, anything
// else itself. Case-sensitive, as AWS names are.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace eb::faults
