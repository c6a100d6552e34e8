#pragma once
// Typed members of a /v1 route's JSON request body (simdjson DOM), with the messages every route
// gives for a wrong type: "\"name\" must be a string", "\"name\" must be an integer"
// (Errc::kInvalidParameterValue; each route decides the wire code).
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/errors.hpp"

namespace eb::api::admin {

Result<std::string> string_member(std::string_view name, simdjson::dom::element value);
Result<std::int64_t> integer_member(std::string_view name, simdjson::dom::element value);

}  // namespace eb::api::admin
