#include "api/admin/buses_api.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include "api/admin/json_members.hpp"
#include "api/admin/responses.hpp"
#include "api/aws/error_table.hpp"
#include "api/aws/form.hpp"
#include "core/clock.hpp"
#include "core/json_writer.hpp"
#include "events/event_buses.hpp"

namespace eb::api::admin {
namespace http = boost::beast::http;

namespace {

// EventBridge's own codes (ValidationException, InvalidEventPatternException...) with its
// statuses; a missing bus is the model's ResourceNotFoundException with the 404 every /v1 route
// gives for something missing.
net::HttpResponse bus_error(const Error& error) {
  if (error.code == Errc::kResourceNotFound) {
    return error_response(http::status::not_found, "ResourceNotFoundException", error.message);
  }
  const aws::WireError wire = aws::events_wire_error(error.code);
  return error_response(static_cast<http::status>(wire.http_status), wire.code, error.message);
}

net::HttpResponse malformed(std::string_view message) {
  return error_response(http::status::bad_request, "MalformedRequest", message);
}

void optional_member(JsonWriter& j, std::string_view name, const std::string& value) {
  j.key(name);
  if (value.empty()) {
    j.null();
  } else {
    j.string(value);
  }
}

void optional_member(JsonWriter& j, std::string_view name,
                     const std::optional<std::string>& value) {
  optional_member(j, name, value.value_or(std::string()));
}

void optional_member(JsonWriter& j, std::string_view name, const std::optional<int>& value) {
  j.key(name);
  if (value) {
    j.number(*value);
  } else {
    j.null();
  }
}

// The members of one bus in the listing and in GET /v1/buses/{name}.
void write_summary(JsonWriter& j, const eb::events::BusSummary& s) {
  j.member("name", s.bus.name).member("arn", s.bus.arn);
  optional_member(j, "description", s.bus.description);
  j.key("ruleCount").unsigned_number(s.rules);
  j.key("archiveCount").unsigned_number(s.archives);
  optional_member(j, "deadLetterArn", s.bus.dead_letter_arn);
  j.member("createdAt", utc_timestamp(s.bus.created));
}

// A pattern as the JSON it is (PutRule kept only patterns that compile); text that does not
// parse, which no rule holds, as a string.
void write_pattern(JsonWriter& j, const std::string& pattern) {
  j.key("eventPattern");
  simdjson::dom::parser parser;
  simdjson::dom::element value;
  if (pattern.empty()) {
    j.null();
  } else if (parser.parse(pattern).get(value)) {
    j.string(pattern);
  } else {
    j.raw(simdjson::minify(value));
  }
}

void write_target(JsonWriter& j, const eb::events::TargetSpec& t) {
  j.begin_object().member("id", t.id).member("arn", t.arn);
  optional_member(j, "input", t.input_spec.input);
  optional_member(j, "inputPath", t.input_spec.input_path);
  j.key("inputTransformer");
  if (const auto& transformer = t.input_spec.input_transformer) {
    j.begin_object().key("inputPathsMap").begin_object();
    for (const auto& [name, path] : transformer->input_paths_map) j.member(name, path);
    j.end_object().member("inputTemplate", transformer->input_template).end_object();
  } else {
    j.null();
  }
  optional_member(j, "deadLetterArn", t.dead_letter_arn);
  j.key("retryPolicy");
  if (t.maximum_retry_attempts || t.maximum_event_age_seconds) {
    j.begin_object();
    optional_member(j, "maximumRetryAttempts", t.maximum_retry_attempts);
    optional_member(j, "maximumEventAgeInSeconds", t.maximum_event_age_seconds);
    j.end_object();
  } else {
    j.null();
  }
  if (t.sqs_message_group_id) j.member("sqsMessageGroupId", *t.sqs_message_group_id);
  if (t.role_arn) j.member("roleArn", *t.role_arn);
  j.end_object();
}

void write_rule(JsonWriter& j, const eb::events::RuleView& view) {
  const eb::events::RuleDescription& r = view.rule;
  j.begin_object().member("name", r.name).member("arn", r.arn).member("state", r.state);
  optional_member(j, "description", r.description);
  write_pattern(j, r.event_pattern);
  optional_member(j, "scheduleExpression", r.schedule_expression);
  optional_member(j, "managedBy", r.managed_by);
  j.key("targets").begin_array();
  for (const eb::events::TargetSpec& t : view.targets) write_target(j, t);
  j.end_array().end_object();
}

// A member that is JSON text either way (an event's detail, a pattern, an event): a string as
// it is, any other value as its JSON; absent or null: nullopt.
std::optional<std::string> json_text(simdjson::dom::element value) {
  if (value.is_null()) return std::nullopt;
  std::string_view text;
  if (value.get(text) == simdjson::SUCCESS) return std::string(text);
  return simdjson::minify(value);
}

// The members of POST /v1/buses/{name}/events; which of them PutEvents requires, and what a
// valid detail is, is the domain's to say.
Result<eb::events::PutEventsEntry> decode_entry(simdjson::dom::object object) {
  eb::events::PutEventsEntry entry;
  for (auto [key, value] : object) {
    if (value.is_null()) continue;
    if (key == "source") {
      EB_ASSIGN_OR_RETURN(entry.source, string_member(key, value));
    } else if (key == "detailType") {
      EB_ASSIGN_OR_RETURN(entry.detail_type, string_member(key, value));
    } else if (key == "detail") {
      entry.detail = json_text(value);
    } else if (key == "resources") {
      simdjson::dom::array resources;
      if (value.get(resources) != simdjson::SUCCESS) {
        return fail(Errc::kInvalidParameterValue, R"("resources" must be an array of strings)");
      }
      for (simdjson::dom::element resource : resources) {
        EB_ASSIGN_OR_RETURN(auto arn, string_member("resources[]", resource));
        entry.resources.push_back(std::move(arn));
      }
    } else if (key == "time") {
      EB_ASSIGN_OR_RETURN(auto text, string_member(key, value));
      entry.time = parse_utc_timestamp(text);
      if (!entry.time) {
        return fail(Errc::kInvalidParameterValue,
                    R"("time" must be a UTC timestamp like "2024-05-01T12:00:00Z")");
      }
    }
  }
  return entry;
}

}  // namespace

net::HttpResponse BusesApi::handle(const net::HttpRequest& request) const {
  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));
  const auto method = request.method();
  if (path.starts_with(kPatternsPrefix)) {
    if (path != fmt::format("{}/test", kPatternsPrefix)) {
      return error_response(http::status::not_found, "NotFound",
                            fmt::format("No route for {}", path));
    }
    return method == http::verb::post ? test_pattern(request.body())
                                      : method_not_allowed(path, "POST");
  }
  std::string_view rest = path.substr(std::min(path.size(), kPrefix.size()));
  if (rest.empty() || rest == "/") {
    return method == http::verb::get ? list() : method_not_allowed(kPrefix, "GET");
  }
  rest.remove_prefix(1);
  const std::size_t slash = rest.find('/');
  // A partner bus's name holds slashes: a client sends them percent-encoded.
  auto name = aws::url_decode(rest.substr(0, slash), false);
  if (!name || name->empty()) {
    return error_response(http::status::bad_request, "ValidationError",
                          "the bus name is not validly percent-encoded");
  }
  const std::string_view action =
      slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (action.empty() || action == "/") {
    return method == http::verb::get ? get(*name) : method_not_allowed("/v1/buses/{name}", "GET");
  }
  if (action == "/events") {
    return method == http::verb::post ? put_event(*name, request.body())
                                      : method_not_allowed("/v1/buses/{name}/events", "POST");
  }
  return error_response(
      http::status::not_found, "NotFound",
      fmt::format("No route for {} {}", std::string_view(request.method_string()), path));
}

net::HttpResponse BusesApi::list() const {
  std::string out;
  JsonWriter j(out);
  j.begin_object().key("buses").begin_array();
  for (const eb::events::BusSummary& s : buses_.bus_summaries()) {
    j.begin_object();
    write_summary(j, s);
    j.end_object();
  }
  j.end_array().end_object();
  return json_response(http::status::ok, std::move(out));
}

net::HttpResponse BusesApi::get(const std::string& name) const {
  auto view = buses_.bus_view(name);
  if (!view) return bus_error(view.error());
  std::string out;
  JsonWriter j(out);
  j.begin_object();
  write_summary(j, view->summary);
  j.key("rules").begin_array();
  for (const eb::events::RuleView& rule : view->rules) write_rule(j, rule);
  j.end_array().end_object();
  return json_response(http::status::ok, std::move(out));
}

net::HttpResponse BusesApi::put_event(const std::string& name, std::string_view body) const {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(body.data(), body.size()).get_object().get(object)) {
    return malformed(
        R"(the request body must be a JSON object {"source", "detailType", "detail"})");
  }
  auto entry = decode_entry(object);
  if (!entry) return malformed(entry.error().message);
  // PutEvents accepts (and drops) an event for a bus that does not exist; this route names one.
  if (auto bus = buses_.describe_event_bus(name); !bus) return bus_error(bus.error());
  entry->bus = name;
  auto put = buses_.put_events({std::move(*entry)});
  if (!put) return bus_error(put.error());
  const eb::events::PutEventsResultEntry& result = put->entries.front();
  if (result.event_id.empty()) {
    return error_response(http::status::bad_request, result.error_code, result.error_message);
  }
  std::string out;
  JsonWriter(out).begin_object().member("eventId", result.event_id).end_object();
  return json_response(http::status::created, std::move(out));
}

net::HttpResponse BusesApi::test_pattern(std::string_view body) const {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(body.data(), body.size()).get_object().get(object)) {
    return malformed(R"(the request body must be a JSON object {"eventPattern", "event"})");
  }
  const auto member = [&](std::string_view key) -> std::optional<std::string> {
    simdjson::dom::element value;
    if (object.at_key(key).get(value)) return std::nullopt;
    return json_text(value);
  };
  const std::optional<std::string> pattern = member("eventPattern");
  const std::optional<std::string> event = member("event");
  if (!pattern || !event) {
    return error_response(
        http::status::bad_request, "MissingParameter",
        fmt::format(R"(the request body must contain "{}")", pattern ? "event" : "eventPattern"));
  }
  auto matches = buses_.test_event_pattern(*pattern, *event);
  if (!matches) return bus_error(matches.error());
  std::string out;
  JsonWriter(out).begin_object().key("matches").boolean(*matches).end_object();
  return json_response(http::status::ok, std::move(out));
}

}  // namespace eb::api::admin
