#pragma once
// Typed members of a /v1 route's JSON request body (simdjson DOM), with the messages every route
// gives for a wrong type: "\"name\" must be a string", "\"name\" must be an integer"
// (Errc::kInvalidParameterValue; each route decides the wire code); message attributes as the
// queue and topic routes take them; the attribute and tag maps their answers share.
#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/attributes.hpp"
#include "core/errors.hpp"
#include "core/json_writer.hpp"

namespace eb::api::admin {

// The body as a JSON object; false when it is not one. `object` points into `parser`.
bool parse_json_object(simdjson::dom::parser& parser, std::string_view body,
                       simdjson::dom::object& object);

Result<std::string> string_member(std::string_view name, simdjson::dom::element value);
Result<std::int64_t> integer_member(std::string_view name, simdjson::dom::element value);

// Optional members of `object` (absent or null: `out` left unset). False, with `message` set,
// when the member has another type (optional_int: or does not fit an int).
bool optional_string(simdjson::dom::object object, std::string_view key,
                     std::optional<std::string>& out, std::string& message);
bool optional_int(simdjson::dom::object object, std::string_view key, std::optional<int>& out,
                  std::string& message);

// "messageAttributes": {"name": {"dataType": "String", "stringValue": "..."} or
// {"dataType": "Binary", "binaryValue": "<base64>"}} into `out`, as the SQS send and the SNS
// publish and filter-policy routes take them (Number and String.Array carry a stringValue). The
// domain checks names, types and values; false with `message` when the shape is wrong.
bool message_attributes(simdjson::dom::object object, MessageAttributes& out, std::string& message);

// The members "attributes" and "tags" of GET /v1/queues/{name} and /v1/topics/{name}: objects
// of strings, by name.
void write_attributes_and_tags(JsonWriter& j, const AttributeMap& attributes, const TagMap& tags);

}  // namespace eb::api::admin
