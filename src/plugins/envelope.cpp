#include "plugins/envelope.hpp"

#include <simdjson.h>

#include "core/json_writer.hpp"

namespace eb::plugins {
namespace {

std::string_view string_member(simdjson::dom::object object, std::string_view key) {
  std::string_view v;
  if (object.at_key(key).get_string().get(v)) return {};
  return v;
}

std::string json_member(simdjson::dom::object object, std::string_view key) {
  simdjson::dom::element e;
  if (object.at_key(key).get(e) || e.is_null()) return "{}";
  return simdjson::minify(e);
}

Result<simdjson::dom::object> parse_object(simdjson::dom::parser& parser, std::string_view text) {
  simdjson::dom::object object;
  if (parser.parse(text.data(), text.size()).get_object().get(object)) {
    return fail(Errc::kInvalidParameterValue, "the message body is not a JSON object");
  }
  return object;
}

}  // namespace

std::string encode(const Envelope& e) {
  std::string out;
  JsonWriter j(out);
  j.begin_object();
  j.member("id", e.id);
  j.member("type", e.type);
  j.member("timestamp", e.timestamp);
  j.member("version", e.version);
  j.member("source", e.source);
  j.member("correlationId", e.correlation_id);
  if (!e.causation_id.empty()) j.member("causationId", e.causation_id);
  j.key("metadata").raw(e.metadata);
  j.key("data").raw(e.data);
  j.end_object();
  return out;
}

Result<Envelope> decode(std::string_view body) {
  // One parser per thread, kept: its buffers are sized by the first bodies and then reused
  // (a replay decodes every event a plugin ever published).
  thread_local simdjson::dom::parser parser;
  EB_ASSIGN_OR_RETURN(simdjson::dom::object object, parse_object(parser, body));
  std::string unwrapped;
  if (string_member(object, "Type") == "Notification") {
    // An SNS envelope: the event is its Message. Copied out before the parser is reused.
    unwrapped = std::string(string_member(object, "Message"));
    EB_ASSIGN_OR_RETURN(object, parse_object(parser, unwrapped));
  }
  Envelope e;
  e.id = std::string(string_member(object, "id"));
  e.type = std::string(string_member(object, "type"));
  if (e.id.empty() || e.type.empty()) {
    return fail(Errc::kInvalidParameterValue, "the event has no id or no type");
  }
  e.timestamp = std::string(string_member(object, "timestamp"));
  e.version = std::string(string_member(object, "version"));
  e.source = std::string(string_member(object, "source"));
  e.correlation_id = std::string(string_member(object, "correlationId"));
  e.causation_id = std::string(string_member(object, "causationId"));
  e.metadata = json_member(object, "metadata");
  e.data = json_member(object, "data");
  return e;
}

MessageAttributes event_attributes(const Envelope& e) {
  MessageAttributes out;
  out.emplace("eventType", MessageAttributeValue{"String", e.type, {}});
  if (!e.correlation_id.empty()) {
    out.emplace("correlationId", MessageAttributeValue{"String", e.correlation_id, {}});
  }
  return out;
}

}  // namespace eb::plugins
