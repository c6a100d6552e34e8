#include "api/admin/queues_api.hpp"

#include <fmt/format.h>

#include "api/admin/query.hpp"
#include "api/admin/responses.hpp"
#include "api/aws/form.hpp"
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

net::HttpResponse queue_error(const Error& error) {
  if (error.code == Errc::kQueueDoesNotExist) {
    return error_response(http::status::not_found, "QueueNotFound", error.message);
  }
  return domain_error(error);
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
void write_summary(JsonWriter& j, const eb::sqs::QueueSummary& s, std::string_view url) {
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

}  // namespace

net::HttpResponse QueuesApi::handle(const net::HttpRequest& request) const {
  const std::string_view target = request.target();
  const std::size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
  const std::string_view host = request[http::field::host];
  const bool get_method = request.method() == http::verb::get;
  path.remove_prefix(std::min(path.size(), kPrefix.size()));
  if (path.empty() || path == "/") {
    return get_method ? list(host, query) : method_not_allowed(kPrefix, "GET");
  }
  path.remove_prefix(1);
  const std::size_t slash = path.find('/');
  auto name = aws::url_decode(path.substr(0, slash), false);
  if (!name || name->empty()) {
    return error_response(http::status::bad_request, "ValidationError",
                          "the queue name is not validly percent-encoded");
  }
  const std::string_view rest =
      slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  if (rest.empty() || rest == "/") {
    return get_method ? get(host, *name) : method_not_allowed("/v1/queues/{name}", "GET");
  }
  if (rest == "/messages") {
    return get_method ? messages(*name, query)
                      : method_not_allowed("/v1/queues/{name}/messages", "GET");
  }
  return error_response(http::status::not_found, "NotFound",
                        fmt::format("No route for {} {}", std::string_view(request.method_string()),
                                    target.substr(0, q)));
}

net::HttpResponse QueuesApi::list(std::string_view host, std::string_view query_text) const {
  auto query = Query::parse(query_text);
  if (!query) return domain_error(query.error());
  const std::string& account = queues_.options().account_id;
  std::string out;
  JsonWriter j(out);
  j.begin_object().key("queues").begin_array();
  for (const eb::sqs::QueueSummary& s : queues_.queue_summaries(query->get("prefix"))) {
    j.begin_object();
    write_summary(j, s, api::sqs::make_queue_url(host, account, s.name));
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
  j.key("attributes").begin_object();
  for (const auto& [key, value] : *attributes) j.member(key, value);
  j.end_object();
  j.key("tags").begin_object();
  for (const auto& [key, value] : *tags) j.member(key, value);
  j.end_object();
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

}  // namespace eb::api::admin
