#include "api/events/json_request.hpp"

#include <fmt/format.h>

#include <cmath>

namespace eb::api::events {

using simdjson::dom::element;

Error serialization_error(std::string_view member) {
  return Error{Errc::kMalformedRequest, fmt::format("Unexpected value type in member {}", member)};
}

Error missing_member(std::string_view member) {
  return Error{Errc::kValidationError,
               fmt::format("1 validation error detected: Value null at '{}' failed to satisfy "
                           "constraint: Member must not be null",
                           member)};
}

Result<JsonRequest> JsonRequest::parse(std::string_view body) {
  auto parser = std::make_shared<simdjson::dom::parser>();
  element doc;
  const std::string_view text = body.empty() ? std::string_view("{}") : body;
  if (parser->parse(text.data(), text.size()).get(doc)) {
    return fail(Errc::kMalformedRequest, "Unexpected character in the request body: not JSON.");
  }
  simdjson::dom::object object;
  if (doc.get_object().get(object)) {
    return fail(Errc::kMalformedRequest, "The request body must be a JSON object.");
  }
  return JsonRequest(std::move(parser), object);
}

std::optional<element> JsonRequest::member(std::string_view name) const {
  element e;
  if (object_.at_key(name).get(e) || e.is_null()) return std::nullopt;
  return e;
}

bool JsonRequest::has(std::string_view name) const { return member(name).has_value(); }

Result<std::optional<std::string>> JsonRequest::string(std::string_view name) const {
  auto e = member(name);
  if (!e) return std::optional<std::string>();
  std::string_view s;
  if (e->get_string().get(s)) return std::unexpected(serialization_error(name));
  return std::optional<std::string>(std::string(s));
}

Result<std::string> JsonRequest::required_string(std::string_view name,
                                                 std::string_view member_name) const {
  EB_ASSIGN_OR_RETURN(auto value, string(name));
  if (!value) return std::unexpected(missing_member(member_name));
  return std::move(*value);
}

Result<std::optional<int>> JsonRequest::integer(std::string_view name) const {
  auto e = member(name);
  if (!e) return std::optional<int>();
  std::int64_t v = 0;
  if (e->get_int64().get(v) || v < INT32_MIN || v > INT32_MAX) {
    return std::unexpected(serialization_error(name));
  }
  return std::optional<int>(static_cast<int>(v));
}

Result<std::optional<bool>> JsonRequest::boolean(std::string_view name) const {
  auto e = member(name);
  if (!e) return std::optional<bool>();
  bool v = false;
  if (e->get_bool().get(v)) return std::unexpected(serialization_error(name));
  return std::optional<bool>(v);
}

Result<std::optional<Millis>> JsonRequest::timestamp(std::string_view name) const {
  auto e = member(name);
  if (!e) return std::optional<Millis>();
  double seconds = 0;
  if (!e->get_double().get(seconds)) {
    if (!std::isfinite(seconds)) return std::unexpected(serialization_error(name));
    return std::optional<Millis>(static_cast<Millis>(std::llround(seconds * 1000)));
  }
  std::string_view text;
  if (!e->get_string().get(text)) {
    if (auto ms = parse_utc_timestamp(text)) return std::optional<Millis>(*ms);
  }
  return std::unexpected(serialization_error(name));
}

Result<std::vector<std::string>> JsonRequest::strings(std::string_view name) const {
  std::vector<std::string> out;
  auto e = member(name);
  if (!e) return out;
  simdjson::dom::array array;
  if (e->get_array().get(array)) return std::unexpected(serialization_error(name));
  for (element item : array) {
    std::string_view s;
    if (item.get_string().get(s)) return std::unexpected(serialization_error(name));
    out.emplace_back(s);
  }
  return out;
}

Result<std::map<std::string, std::string>> JsonRequest::tags(std::string_view name) const {
  std::map<std::string, std::string> out;
  EB_ASSIGN_OR_RETURN(auto items, objects(name));
  for (const JsonRequest& item : items) {
    EB_ASSIGN_OR_RETURN(auto key, item.required_string("Key", "tags.member.key"));
    EB_ASSIGN_OR_RETURN(auto value, item.required_string("Value", "tags.member.value"));
    out[std::move(key)] = std::move(value);
  }
  return out;
}

Result<std::vector<JsonRequest>> JsonRequest::objects(std::string_view name) const {
  std::vector<JsonRequest> out;
  auto e = member(name);
  if (!e) return out;
  simdjson::dom::array array;
  if (e->get_array().get(array)) return std::unexpected(serialization_error(name));
  for (element item : array) {
    simdjson::dom::object object;
    if (item.get_object().get(object)) return std::unexpected(serialization_error(name));
    out.push_back(JsonRequest(parser_, object));
  }
  return out;
}

Result<std::optional<JsonRequest>> JsonRequest::object(std::string_view name) const {
  auto e = member(name);
  if (!e) return std::optional<JsonRequest>();
  simdjson::dom::object object;
  if (e->get_object().get(object)) return std::unexpected(serialization_error(name));
  return std::optional<JsonRequest>(JsonRequest(parser_, object));
}

std::string JsonRequest::json() const { return simdjson::minify(object_); }

}  // namespace eb::api::events
