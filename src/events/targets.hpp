#pragma once
// A PutTargets target structure (JSON) read into a TargetSpec with the model's constraints:
// what the API and the topology file both hand to EventBuses::put_targets, and what recovery
// reads back from a stored rule. Pure; any thread.
#include <string_view>

#include "core/errors.hpp"
#include "events/types.hpp"

namespace eb::events {

inline constexpr std::size_t kMaxTargetsPerRule = 5;

// `json` is one Target object. Wrong JSON types are kMalformedRequest (the API's
// SerializationException); violated constraints kValidationError with AWS's wording. The
// spec's `json` is the object minified. `position` is the target's 1-based place in its
// PutTargets request, for AWS's error texts.
Result<TargetSpec> parse_target(std::string_view json, int position = 1);

// The service an ARN names ("sqs", "sns", "events", "lambda", ...); empty if not an ARN.
std::string_view arn_service(std::string_view arn);

}  // namespace eb::events
