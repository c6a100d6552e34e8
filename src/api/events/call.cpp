#include "api/events/call.hpp"

#include <fmt/format.h>

#include <memory>

#include "api/aws/reply.hpp"
#include "events/event_buses.hpp"

namespace eb::api::events {

void Call::reply() {
  auto res = aws::aws_response(boost::beast::http::status::ok, "application/x-amz-json-1.1",
                               request.request_id, request.http.version(),
                               request.http.keep_alive(), std::move(out));
  buses.when_durable(
      [respond = std::move(respond), res = std::make_shared<net::HttpResponse>(std::move(res))] {
        respond(std::move(*res));
      });
}

void Call::reply_empty() {
  json.begin_object().end_object();
  reply();
}

// JSON 1.1 timestamps are epoch seconds.
void seconds(JsonWriter& json, std::string_view name, Millis ms) {
  json.key(name).raw(fmt::format("{}.{:03}", ms / 1000, ms % 1000));
}

void optional_member(JsonWriter& json, std::string_view name, const std::string& value) {
  if (!value.empty()) json.member(name, value);
}

void dead_letter_member(JsonWriter& json, const std::string& arn) {
  if (arn.empty()) return;
  json.key("DeadLetterConfig").begin_object().member("Arn", arn).end_object();
}

Result<eb::events::ListInput> list_input(const JsonRequest& r) {
  eb::events::ListInput in;
  EB_ASSIGN_OR_RETURN(in.name_prefix, r.string("NamePrefix"));
  EB_ASSIGN_OR_RETURN(in.next_token, r.string("NextToken"));
  EB_ASSIGN_OR_RETURN(in.limit, r.integer("Limit"));
  return in;
}

void next_token(JsonWriter& json, const std::string& token) {
  if (!token.empty()) json.member("NextToken", token);
}

Result<std::optional<std::string>> dead_letter_arn(const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto config, r.object("DeadLetterConfig"));
  if (!config) return std::optional<std::string>();
  return config->string("Arn");
}

void put_events_answer(JsonWriter& json, const eb::events::PutEventsOutput& result) {
  json.begin_object().member("FailedEntryCount",
                             static_cast<std::int64_t>(result.failed_entry_count));
  json.key("Entries").begin_array();
  for (const auto& e : result.entries) {
    json.begin_object();
    if (e.event_id.empty()) {
      json.member("ErrorCode", e.error_code).member("ErrorMessage", e.error_message);
    } else {
      json.member("EventId", e.event_id);
    }
    json.end_object();
  }
  json.end_array().end_object();
}

}  // namespace eb::api::events
