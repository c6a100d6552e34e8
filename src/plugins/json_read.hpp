#pragma once
// Internal to plugins/: reading the members of an event's data and metadata. Each document
// needs its own parser, which must outlive the object read from it.
#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eb::plugins::json {

// The JSON object in `text`, or nullopt when it is not one.
inline std::optional<simdjson::dom::object> object(simdjson::dom::parser& parser,
                                                   std::string_view text) {
  simdjson::dom::object out;
  if (parser.parse(text.data(), text.size()).get_object().get(out)) return std::nullopt;
  return out;
}

// A string member, or "" when it is absent or not a string.
inline std::string string(simdjson::dom::object o, std::string_view key) {
  std::string_view v;
  if (o.at_key(key).get_string().get(v)) return {};
  return std::string(v);
}

inline std::optional<double> number(simdjson::dom::object o, std::string_view key) {
  double v = 0;
  if (o.at_key(key).get_double().get(v)) return std::nullopt;
  return v;
}

// A whole number (a JSON integer, or a double with no fraction), or nullopt.
inline std::optional<std::int64_t> integer(simdjson::dom::element e) {
  std::int64_t v = 0;
  if (!e.get_int64().get(v)) return v;
  double d = 0;
  if (!e.get_double().get(d) && d == static_cast<double>(static_cast<std::int64_t>(d)) &&
      d >= -9e15 && d <= 9e15) {
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

// A member's JSON text, minified, or "" when absent.
inline std::string raw(simdjson::dom::object o, std::string_view key) {
  simdjson::dom::element e;
  if (o.at_key(key).get(e)) return {};
  return simdjson::minify(e);
}

}  // namespace eb::plugins::json
