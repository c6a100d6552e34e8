#include "api/admin/topics_api.hpp"

#include <simdjson.h>

#include <optional>
#include <string>

#include "api/admin/json_members.hpp"
#include "api/admin/query.hpp"
#include "api/admin/responses.hpp"
#include "api/aws/error_table.hpp"
#include "api/sns/request.hpp"
#include "core/clock.hpp"
#include "core/json_writer.hpp"
#include "sns/topics.hpp"

namespace eb::api::admin {
namespace http = boost::beast::http;

namespace {

// A topic's errors with SNS's own codes and statuses (NotFound 404, InvalidParameter 400,
// ValidationError 400...), as Publish and Subscribe answer them.
net::HttpResponse topic_error(const Error& error) {
  const aws::WireError wire = aws::sns_wire_error(error.code);
  return error_response(static_cast<http::status>(wire.http_status), wire.code, error.message);
}

net::HttpResponse bad_body(std::string_view message) {
  return error_response(http::status::bad_request, "MalformedRequest", message);
}

// The name in an ARN (arn:aws:sqs:REGION:ACCOUNT:NAME).
std::string_view arn_name(std::string_view arn) { return arn.substr(arn.rfind(':') + 1); }

void optional_member(JsonWriter& j, std::string_view key, std::string_view value) {
  if (value.empty()) {
    j.key(key).null();
  } else {
    j.member(key, value);
  }
}

// The members of one topic in the listing and in GET /v1/topics/{name}.
void write_summary(JsonWriter& j, const eb::sns::TopicSummary& s) {
  j.member("name", s.name).member("arn", s.arn).member("type", s.fifo ? "fifo" : "standard");
  j.key("subscriptionsConfirmed").unsigned_number(s.confirmed);
  j.key("subscriptionsPending").unsigned_number(s.pending);
  j.key("published").unsigned_number(s.published);
  j.key("delivered").unsigned_number(s.delivered);
  j.key("failed").unsigned_number(s.failed);
  j.key("filteredOut").unsigned_number(s.filtered_out);
  j.member("createdAt", utc_timestamp(s.created));
}

void write_subscription(JsonWriter& j, const eb::sns::SubscriptionView& s) {
  j.begin_object();
  j.member("arn", s.arn).member("protocol", s.protocol).member("endpoint", s.endpoint);
  j.key("confirmed").boolean(s.confirmed);
  j.key("rawMessageDelivery").boolean(s.raw);
  optional_member(j, "filterPolicy", s.filter_policy);
  optional_member(j, "filterPolicyScope", s.filter_policy_scope);
  optional_member(j, "redrivePolicy", s.redrive_policy);
  optional_member(j, "deadLetterTarget", arn_name(s.dead_letter_arn));
  if (!s.dead_letter_arn.empty()) j.member("deadLetterTargetArn", s.dead_letter_arn);
  j.member("createdAt", utc_timestamp(s.created));
  j.end_object();
}

}  // namespace

net::HttpResponse TopicsApi::handle(const net::HttpRequest& request) const {
  if (request.target().starts_with(kFilterPoliciesPrefix)) return filter_policies(request);
  auto target = parse_resource_target(request.target(), kPrefix, "topic");
  if (!target) return domain_error(target.error());
  const bool get_method = request.method() == http::verb::get;
  if (!target->name) {
    return get_method ? list(target->query) : method_not_allowed(kPrefix, "GET");
  }
  if (target->rest.empty() || target->rest == "/") {
    return get_method ? get(*target->name) : method_not_allowed("/v1/topics/{name}", "GET");
  }
  if (target->rest == "/publish") {
    return request.method() == http::verb::post
               ? publish(*target->name, request.body())
               : method_not_allowed("/v1/topics/{name}/publish", "POST");
  }
  return no_route(request, target->path);
}

net::HttpResponse TopicsApi::list(std::string_view query_text) const {
  auto query = Query::parse(query_text);
  if (!query) return domain_error(query.error());
  std::string out;
  JsonWriter j(out);
  j.begin_object().key("topics").begin_array();
  for (const eb::sns::TopicSummary& s : topics_.topic_summaries(query->get("prefix"))) {
    j.begin_object();
    write_summary(j, s);
    j.end_object();
  }
  j.end_array().end_object();
  return json_response(http::status::ok, std::move(out));
}

net::HttpResponse TopicsApi::get(const std::string& name) const {
  auto summary = topics_.topic_summary(name);
  if (!summary) return topic_error(summary.error());
  auto attributes = topics_.get_topic_attributes(summary->arn);
  if (!attributes) return topic_error(attributes.error());
  auto tags = topics_.list_tags_for_resource(summary->arn);
  if (!tags) return topic_error(tags.error());
  auto subscriptions = topics_.topic_subscriptions(name);
  if (!subscriptions) return topic_error(subscriptions.error());
  std::string out;
  JsonWriter j(out);
  j.begin_object();
  write_summary(j, *summary);
  write_attributes_and_tags(j, *attributes, *tags);
  j.key("subscriptions").begin_array();
  for (const eb::sns::SubscriptionView& s : *subscriptions) write_subscription(j, s);
  j.end_array();
  j.end_object();
  return json_response(http::status::ok, std::move(out));
}

net::HttpResponse TopicsApi::publish(const std::string& name, std::string_view body) const {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (!parse_json_object(parser, body, object)) {
    return bad_body(R"(the request body must be a JSON object {"message": "..."})");
  }
  eb::sns::PublishInput input;
  std::optional<std::string> message;
  std::optional<std::string> structure;
  std::string problem;
  if (!optional_string(object, "message", message, problem) ||
      !optional_string(object, "subject", input.subject, problem) ||
      !optional_string(object, "messageStructure", structure, problem) ||
      !optional_string(object, "messageGroupId", input.group_id, problem) ||
      !optional_string(object, "messageDeduplicationId", input.deduplication_id, problem) ||
      !message_attributes(object, input.attributes, problem)) {
    return bad_body(problem);
  }
  // What Publish answers without a Message.
  if (!message) return topic_error(api::sns::missing_member("message"));
  input.topic_arn = topics_.topic_arn(name);
  input.message = std::move(*message);
  input.message_structure = structure.value_or("");
  auto published = topics_.publish(std::move(input));
  if (!published) return topic_error(published.error());
  std::string out;
  JsonWriter j(out);
  j.begin_object().member("messageId", published->message_id);
  if (!published->sequence_number.empty()) {
    j.member("sequenceNumber", published->sequence_number);
  }
  j.end_object();
  return json_response(http::status::created, std::move(out));
}

net::HttpResponse TopicsApi::filter_policies(const net::HttpRequest& request) const {
  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));
  if (path != "/v1/filter-policies/test") return no_route(request, path);
  return request.method() == http::verb::post
             ? test_filter_policy(request.body())
             : method_not_allowed("/v1/filter-policies/test", "POST");
}

net::HttpResponse TopicsApi::test_filter_policy(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (!parse_json_object(parser, body, object)) {
    return bad_body(R"(the request body must be a JSON object {"filterPolicy": ...})");
  }
  simdjson::dom::element policy;
  if (object["filterPolicy"].get(policy) || policy.is_null()) {
    return error_response(http::status::bad_request, "MissingParameter",
                          R"(the request body must contain "filterPolicy", a string or an object)");
  }
  eb::sns::FilterPolicyTest test;
  std::string_view text;
  if (!policy.get_string().get(text)) {
    test.policy = std::string(text);
  } else if (policy.is_object()) {
    test.policy = simdjson::minify(policy);
  } else {
    return bad_body(R"("filterPolicy" must be a string or an object)");
  }
  std::optional<std::string> scope;
  std::optional<std::string> message;
  std::string problem;
  if (!optional_string(object, "scope", scope, problem) ||
      !optional_string(object, "message", message, problem) ||
      !message_attributes(object, test.attributes, problem)) {
    return bad_body(problem);
  }
  test.scope = scope.value_or("");
  test.message = message.value_or("");
  auto matches = eb::sns::Topics::test_filter_policy(test);
  if (!matches) return topic_error(matches.error());
  std::string out;
  JsonWriter(out).begin_object().key("matches").boolean(*matches).end_object();
  return json_response(http::status::ok, std::move(out));
}

}  // namespace eb::api::admin
