#include "eventlog/envelope.hpp"

#include <fmt/format.h>
#include <simdjson.h>

namespace eb::eventlog {
namespace {

// One parser per thread, reused: parsing allocates only when a body is larger than any
// this thread has seen.
simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

// A string member as is, a number as its JSON text; anything else (or absent) is empty.
std::string scalar_text(simdjson::dom::object object, std::string_view key) {
  simdjson::dom::element e;
  if (object.at_key(key).get(e)) return {};
  std::string_view text;
  if (!e.get_string().get(text)) return std::string(text);
  if (e.is_number()) return simdjson::to_string(e);
  return {};
}

bool looks_like_object(std::string_view body) {
  auto first = body.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && body[first] == '{';
}

// An EventBridge event ({version, id, detail-type, source, ..., detail}): its detail-type is the
// type, its time the timestamp, and the design's fields are looked for in its detail, where a
// producer that follows the design puts them.
bool read_eventbridge_event(simdjson::dom::object object, std::string_view id, Envelope& out) {
  std::string_view type;
  simdjson::dom::object detail;
  if (object["detail-type"].get_string().get(type) || type.empty() ||
      object["detail"].get_object().get(detail)) {
    return false;
  }
  out.id = std::string(id);
  out.type = std::string(type);
  out.timestamp = scalar_text(object, "time");
  out.version = scalar_text(object, "version");
  out.source = scalar_text(object, "source");
  out.correlation_id = scalar_text(detail, "correlationId");
  out.causation_id = scalar_text(detail, "causationId");
  out.aggregate_id = scalar_text(detail, "aggregateId");
  out.has_data = true;
  return true;
}

// Fills `out` from `object`; false when it lacks a non-empty string id or type (or, for an
// EventBridge event, detail-type).
bool read_envelope(simdjson::dom::object object, Envelope& out) {
  std::string_view id;
  std::string_view type;
  if (object["id"].get_string().get(id) || id.empty()) return false;
  if (object["type"].get_string().get(type) || type.empty()) {
    return read_eventbridge_event(object, id, out);
  }
  out.id = std::string(id);
  out.type = std::string(type);
  out.timestamp = scalar_text(object, "timestamp");
  out.version = scalar_text(object, "version");
  out.source = scalar_text(object, "source");
  out.correlation_id = scalar_text(object, "correlationId");
  out.causation_id = scalar_text(object, "causationId");
  out.aggregate_id = scalar_text(object, "aggregateId");
  simdjson::dom::element data;
  out.has_data = !object.at_key("data").get(data);
  if (out.aggregate_id.empty() && out.has_data && data.is_object()) {
    out.aggregate_id = scalar_text(data.get_object().value_unsafe(), "aggregateId");
  }
  return true;
}

}  // namespace

std::optional<Envelope> parse_envelope(std::string_view body) {
  if (!looks_like_object(body)) return std::nullopt;
  simdjson::dom::element doc;
  if (thread_parser().parse(body.data(), body.size()).get(doc)) return std::nullopt;
  simdjson::dom::object object;
  if (doc.get_object().get(object)) return std::nullopt;
  Envelope envelope;
  if (!read_envelope(object, envelope)) return std::nullopt;
  return envelope;
}

Result<Envelope> validate_new_event(std::string_view json, std::string_view where) {
  simdjson::dom::element doc;
  if (thread_parser().parse(json.data(), json.size()).get(doc)) {
    return fail(Errc::kMalformedRequest, fmt::format("{} is not valid JSON", where));
  }
  simdjson::dom::object object;
  if (doc.get_object().get(object)) {
    return fail(Errc::kInvalidParameterValue, fmt::format("{} must be a JSON object", where));
  }
  for (std::string_view field : {"id", "type"}) {
    std::string_view text;
    if (object[field].get_string().get(text) || text.empty()) {
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("{}.{} is required (a non-empty string)", where, field));
    }
  }
  Envelope envelope;
  read_envelope(object, envelope);
  if (!envelope.has_data) {
    return fail(Errc::kInvalidParameterValue, fmt::format("{}.data is required", where));
  }
  return envelope;
}

std::string minify_json(std::string_view json) {
  std::string out(json.size() + simdjson::SIMDJSON_PADDING, '\0');
  std::size_t size = 0;
  if (simdjson::minify(json.data(), json.size(), out.data(), size)) return std::string(json);
  out.resize(size);
  return out;
}

}  // namespace eb::eventlog
