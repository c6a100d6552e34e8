#include "api/admin/queues_api.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include "api/admin/json_members.hpp"
#include "api/admin/query.hpp"
#include "api/admin/responses.hpp"
#include "api/aws/error_table.hpp"
#include "api/sqs/queue_url.hpp"
#include "core/clock.hpp"
#include "core/encoding.hpp"
#include "core/json_writer.hpp"
#include "sqs/queues.hpp"

namespace eb::api::admin {
namespace http = boost::beast::http;

namespace {

constexpr std::size_t kDefaultLimit = 100;
constexpr std::size_t kMaxLimit = 1000;

// A queue's errors with SQS's own codes and statuses (PurgeQueueInProgress 403,
// UnsupportedOperation 400...), as the console's user knows them from the SQS API; a missing
// queue is 404 QueueNotFound as on every /v1 route.
net::HttpResponse queue_error(const Error& error) {
  if (error.code == Errc::kQueueDoesNotExist) {
    return error_response(http::status::not_found, "QueueNotFound", error.message);
  }
  const aws::WireError wire = aws::sqs_wire_error(error.code);
  return error_response(static_cast<http::status>(wire.http_status), wire.code, error.message);
}

std::string_view state_name(eb::sqs::PeekState state) {
  switch (state) {
    case eb::sqs::PeekState::kInflight:
      return "inflight";
    case eb::sqs::PeekState::kDelayed:
      return "delayed";
    case eb::sqs::PeekState::kVisible:
      break;
  }
  return "visible";
}

// `state=visible,inflight,delayed` (any of them; none or empty: all) into the input's flags.
Result<void> parse_states(std::string_view text, eb::sqs::PeekInput& input) {
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    if (item == "visible") {
      input.visible = true;
    } else if (item == "inflight") {
      input.inflight = true;
    } else if (item == "delayed") {
      input.delayed = true;
    } else {
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("state must be visible, inflight or delayed, not '{}'", item));
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return {};
}

// The queue name in an ARN (arn:aws:sqs:REGION:ACCOUNT:NAME).
std::string_view arn_name(std::string_view arn) { return arn.substr(arn.rfind(':') + 1); }

// The members of one queue in the listing and in GET /v1/queues/{name}.
void write_summary(JsonWriter& j, const eb::sqs::QueueStats& stats, std::string_view url) {
  const eb::sqs::QueueSummary& s = stats.queue;
  j.member("name", s.name).member("url", url).member("arn", s.arn).member("type", s.type);
  j.key("visible").unsigned_number(s.visible);
  j.key("inFlight").unsigned_number(s.inflight);
  j.key("delayed").unsigned_number(s.delayed);
  j.key("oldestMessageAgeSeconds");
  if (s.oldest_age) {
    j.number(*s.oldest_age / 1000);
  } else {
    j.null();
  }
  if (s.dead_letter_target_arn.empty()) {
    j.key("deadLetterTarget").null();
  } else {
    j.member("deadLetterTarget", arn_name(s.dead_letter_target_arn));
    j.member("deadLetterTargetArn", s.dead_letter_target_arn);
  }
  j.member("createdAt", utc_timestamp(s.created));
  // Totals since the queue was created or the daemon started (a client's rates are their
  // differences over time).
  using eb::sqs::QueueCount;
  j.key("sent").unsigned_number(stats.counts[QueueCount::kSent]);
  j.key("received").unsigned_number(stats.counts[QueueCount::kReceived]);
  j.key("deleted").unsigned_number(stats.counts[QueueCount::kDeleted]);
}

void write_message(JsonWriter& j, const eb::sqs::PeekedMessage& p) {
  const eb::sqs::ReceivedMessage& m = p.message;
  j.begin_object();
  j.key("seq").unsigned_number(p.seq);
  j.member("messageId", m.message_id).member("state", state_name(p.state));
  if (p.state != eb::sqs::PeekState::kVisible) j.member("visibleAt", utc_timestamp(p.visible_at));
  j.member("body", m.body).member("md5OfBody", m.md5_of_body);
  j.key("attributes").begin_object();
  for (const auto& [name, value] : m.attributes) j.member(name, value);
  j.end_object();
  j.key("messageAttributes").begin_object();
  for (const auto& [name, value] : m.message_attributes) {
    j.key(name).begin_object().member("dataType", value.data_type);
    if (value.is_binary()) {
      j.member("binaryValue", base64_encode(value.binary_value));
    } else {
      j.member("stringValue", value.string_value);
    }
    j.end_object();
  }
  j.end_object();
  if (!m.md5_of_attributes.empty()) j.member("md5OfMessageAttributes", m.md5_of_attributes);
  j.end_object();
}

void write_move_task(JsonWriter& j, const eb::sqs::MoveTaskInfo& task) {
  j.begin_object();
  j.member("taskHandle", task.task_handle).member("status", task.status);
  j.member("source", arn_name(task.source_arn)).member("sourceArn", task.source_arn);
  j.key("destinationArn");
  if (task.destination_arn.empty()) {
    j.null();
  } else {
    j.string(task.destination_arn);
  }
  j.key("maxPerSecond");
  if (task.max_per_second) {
    j.number(*task.max_per_second);
  } else {
    j.null();
  }
  j.key("moved").number(task.moved);
  j.key("toMove").number(task.to_move);
  if (!task.failure_reason.empty()) j.member("failureReason", task.failure_reason);
  j.member("startedAt", utc_timestamp(task.started));
  j.end_object();
}

net::HttpResponse bad_body(std::string_view message) {
  return error_response(http::status::bad_request, "MalformedRequest", message);
}

}  // namespace

net::HttpResponse QueuesApi::handle(const net::HttpRequest& request) const {
  auto target = parse_resource_target(request.target(), kPrefix, "queue");
  if (!target) return domain_error(target.error());
  const std::string_view query = target->query;
  const std::string_view host = request[http::field::host];
  const bool get_method = request.method() == http::verb::get;
  if (!target->name) return get_method ? list(host, query) : method_not_allowed(kPrefix, "GET");
  const std::optional<std::string>& name = target->name;
  const std::string_view rest = target->rest;
  if (rest.empty() || rest == "/") {
    return get_method ? get(host, *name) : method_not_allowed("/v1/queues/{name}", "GET");
  }
  if (rest == "/messages") {
    if (request.method() == http::verb::post) return send(*name, request.body());
    return get_method ? messages(*name, query)
                      : method_not_allowed("/v1/queues/{name}/messages", "GET, POST");
  }
  if (rest == "/purge") {
    return request.method() == http::verb::post
               ? purge(*name)
               : method_not_allowed("/v1/queues/{name}/purge", "POST");
  }
  if (rest == "/redrive") {
    switch (request.method()) {
      case http::verb::get:
        return list_redrives(*name);
      case http::verb::post:
        return start_redrive(*name, request.body());
      case http::verb::delete_:
        return cancel_redrive(*name);
      default:
        return method_not_allowed("/v1/queues/{name}/redrive", "GET, POST, DELETE");
    }
  }
  return no_route(request, target->path);
}

net::HttpResponse QueuesApi::list(std::string_view host, std::string_view query_text) const {
  auto query = Query::parse(query_text);
  if (!query) return domain_error(query.error());
  const std::string& account = queues_.options().account_id;
  std::string out;
  JsonWriter j(out);
  j.begin_object().key("queues").begin_array();
  for (const eb::sqs::QueueStats& s : queues_.queue_summaries(query->get("prefix"))) {
    j.begin_object();
    write_summary(j, s, api::sqs::make_queue_url(host, account, s.queue.name));
    j.end_object();
  }
  j.end_array().end_object();
  return json_response(http::status::ok, std::move(out));
}

net::HttpResponse QueuesApi::get(std::string_view host, const std::string& name) const {
  auto summary = queues_.queue_summary(name);
  if (!summary) return queue_error(summary.error());
  auto attributes = queues_.get_queue_attributes(name, {"All"});
  if (!attributes) return queue_error(attributes.error());
  auto tags = queues_.list_queue_tags(name);
  if (!tags) return queue_error(tags.error());
  std::string out;
  JsonWriter j(out);
  j.begin_object();
  write_summary(j, *summary, api::sqs::make_queue_url(host, queues_.options().account_id, name));
  write_attributes_and_tags(j, *attributes, *tags);
  j.end_object();
  return json_response(http::status::ok, std::move(out));
}

net::HttpResponse QueuesApi::messages(const std::string& name, std::string_view query_text) const {
  auto query = Query::parse(query_text);
  if (!query) return domain_error(query.error());
  eb::sqs::PeekInput input;
  auto limit = query->limit(kDefaultLimit, kMaxLimit);
  if (!limit) return domain_error(limit.error());
  input.limit = *limit;
  auto after = query->non_negative("after", 0);
  if (!after) return domain_error(after.error());
  input.after = *after;
  if (auto states = parse_states(query->get("state"), input); !states) {
    return domain_error(states.error());
  }
  auto page = queues_.peek_messages(name, input);
  if (!page) return queue_error(page.error());
  std::string out;
  JsonWriter j(out);
  j.begin_object().member("queue", name).key("messages").begin_array();
  for (const eb::sqs::PeekedMessage& p : page->messages) write_message(j, p);
  j.end_array().key("next");
  if (page->next) {
    j.unsigned_number(*page->next);
  } else {
    j.null();
  }
  j.end_object();
  return json_response(http::status::ok, std::move(out));
}

net::HttpResponse QueuesApi::send(const std::string& name, std::string_view body) const {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (!parse_json_object(parser, body, object)) {
    return bad_body(R"(the request body must be a JSON object {"body": "..."})");
  }
  eb::sqs::SendInput input;
  std::string_view text;
  if (object["body"].get_string().get(text)) {
    return error_response(http::status::bad_request, "MissingParameter",
                          R"(the request body must contain "body", a string)");
  }
  input.body = std::string(text);
  std::string message;
  if (!optional_int(object, "delaySeconds", input.delay_seconds, message) ||
      !optional_string(object, "messageGroupId", input.group_id, message) ||
      !optional_string(object, "messageDeduplicationId", input.deduplication_id, message) ||
      !message_attributes(object, input.attributes, message)) {
    return bad_body(message);
  }
  input.sender_id = queues_.options().account_id;
  auto sent = queues_.send_message(name, std::move(input));
  if (!sent) return queue_error(sent.error());
  std::string out;
  JsonWriter j(out);
  j.begin_object().member("messageId", sent->message_id).member("md5OfBody", sent->md5_of_body);
  if (!sent->md5_of_attributes.empty()) {
    j.member("md5OfMessageAttributes", sent->md5_of_attributes);
  }
  if (!sent->sequence_number.empty()) j.member("sequenceNumber", sent->sequence_number);
  j.end_object();
  return json_response(http::status::created, std::move(out));
}

net::HttpResponse QueuesApi::purge(const std::string& name) const {
  if (auto purged = queues_.purge_queue(name); !purged) return queue_error(purged.error());
  std::string out;
  JsonWriter(out).begin_object().member("queue", name).key("purged").boolean(true).end_object();
  return json_response(http::status::ok, std::move(out));
}

net::HttpResponse QueuesApi::start_redrive(const std::string& name, std::string_view body) const {
  eb::sqs::MoveTaskInput input;
  input.source_arn = queues_.queue_arn(name);
  if (!body.empty()) {
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    if (!parse_json_object(parser, body, object)) {
      return bad_body(R"(the request body must be a JSON object {"destination", "maxPerSecond"})");
    }
    std::optional<std::string> destination;
    std::string message;
    if (!optional_string(object, "destination", destination, message) ||
        !optional_int(object, "maxPerSecond", input.max_per_second, message)) {
      return bad_body(message);
    }
    if (destination && !destination->empty()) {
      input.destination_arn = queues_.queue_arn(*destination);
    }
  }
  if (auto summary = queues_.queue_summary(name); !summary) return queue_error(summary.error());
  auto handle = queues_.start_message_move_task(input);
  if (!handle) return queue_error(handle.error());
  std::string out;
  JsonWriter(out).begin_object().member("taskHandle", *handle).end_object();
  return json_response(http::status::accepted, std::move(out));
}

net::HttpResponse QueuesApi::list_redrives(const std::string& name) const {
  if (auto summary = queues_.queue_summary(name); !summary) return queue_error(summary.error());
  auto tasks = queues_.list_message_move_tasks(queues_.queue_arn(name), 10);
  if (!tasks) return queue_error(tasks.error());
  std::string out;
  JsonWriter j(out);
  j.begin_object().member("queue", name).key("tasks").begin_array();
  for (const eb::sqs::MoveTaskInfo& task : *tasks) write_move_task(j, task);
  j.end_array().end_object();
  return json_response(http::status::ok, std::move(out));
}

net::HttpResponse QueuesApi::cancel_redrive(const std::string& name) const {
  if (auto summary = queues_.queue_summary(name); !summary) return queue_error(summary.error());
  auto tasks = queues_.list_message_move_tasks(queues_.queue_arn(name), 10);
  if (!tasks) return queue_error(tasks.error());
  for (const eb::sqs::MoveTaskInfo& task : *tasks) {
    if (task.status != "RUNNING") continue;
    auto moved = queues_.cancel_message_move_task(task.task_handle);
    if (!moved) return queue_error(moved.error());
    std::string out;
    JsonWriter(out)
        .begin_object()
        .member("taskHandle", task.task_handle)
        .member("status", "CANCELLING")
        .key("moved")
        .number(*moved)
        .end_object();
    return json_response(http::status::ok, std::move(out));
  }
  return error_response(http::status::not_found, "MoveTaskNotFound",
                        fmt::format("queue {} has no running move task", name));
}

}  // namespace eb::api::admin
