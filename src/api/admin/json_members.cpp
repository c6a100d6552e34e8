#include "api/admin/json_members.hpp"

#include <fmt/format.h>

#include <cstdint>

#include "core/encoding.hpp"

namespace eb::api::admin {

bool parse_json_object(simdjson::dom::parser& parser, std::string_view body,
                       simdjson::dom::object& object) {
  return parser.parse(body.data(), body.size()).get_object().get(object) == simdjson::SUCCESS;
}

Result<std::string> string_member(std::string_view name, simdjson::dom::element value) {
  std::string_view text;
  if (value.get(text) != simdjson::SUCCESS) {
    return fail(Errc::kInvalidParameterValue, fmt::format(R"("{}" must be a string)", name));
  }
  return std::string(text);
}

Result<std::int64_t> integer_member(std::string_view name, simdjson::dom::element value) {
  std::int64_t number = 0;
  if (value.get(number) != simdjson::SUCCESS) {
    return fail(Errc::kInvalidParameterValue, fmt::format(R"("{}" must be an integer)", name));
  }
  return number;
}

bool optional_string(simdjson::dom::object object, std::string_view key,
                     std::optional<std::string>& out, std::string& message) {
  simdjson::dom::element value;
  if (object.at_key(key).get(value) || value.is_null()) return true;
  auto text = string_member(key, value);
  if (!text) {
    message = text.error().message;
    return false;
  }
  out = std::move(*text);
  return true;
}

bool optional_int(simdjson::dom::object object, std::string_view key, std::optional<int>& out,
                  std::string& message) {
  simdjson::dom::element value;
  if (object.at_key(key).get(value) || value.is_null()) return true;
  auto number = integer_member(key, value);
  if (!number || *number < INT32_MIN || *number > INT32_MAX) {
    message = fmt::format(R"("{}" must be an integer)", key);
    return false;
  }
  out = static_cast<int>(*number);
  return true;
}

bool message_attributes(simdjson::dom::object object, MessageAttributes& out,
                        std::string& message) {
  simdjson::dom::element value;
  if (object.at_key("messageAttributes").get(value) || value.is_null()) return true;
  simdjson::dom::object attributes;
  if (value.get_object().get(attributes)) {
    message = "\"messageAttributes\" must be an object";
    return false;
  }
  for (auto [name, attribute] : attributes) {
    simdjson::dom::object fields;
    std::string_view data_type;
    if (attribute.get_object().get(fields) || fields["dataType"].get_string().get(data_type)) {
      message = fmt::format("message attribute '{}' must be an object with a \"dataType\"", name);
      return false;
    }
    MessageAttributeValue v{.data_type = std::string(data_type)};
    std::string_view text;
    if (v.is_binary()) {
      std::optional<std::string> decoded;
      if (!fields["binaryValue"].get_string().get(text)) decoded = base64_decode(text);
      if (!decoded) {
        message = fmt::format("message attribute '{}' needs a base64 \"binaryValue\"", name);
        return false;
      }
      v.binary_value = std::move(*decoded);
    } else {
      if (fields["stringValue"].get_string().get(text)) {
        message = fmt::format("message attribute '{}' needs a \"stringValue\"", name);
        return false;
      }
      v.string_value = std::string(text);
    }
    out.insert_or_assign(std::string(name), std::move(v));
  }
  return true;
}

void write_attributes_and_tags(JsonWriter& j, const AttributeMap& attributes, const TagMap& tags) {
  j.key("attributes").begin_object();
  for (const auto& [key, value] : attributes) j.member(key, value);
  j.end_object();
  j.key("tags").begin_object();
  for (const auto& [key, value] : tags) j.member(key, value);
  j.end_object();
}

}  // namespace eb::api::admin
