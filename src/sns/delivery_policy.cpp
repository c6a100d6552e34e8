#include "sns/delivery_policy.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>

#include "core/json_escape.hpp"

namespace eb::sns {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// Media types AWS accepts for requestPolicy.headerContentType; a parameter such as
// "; charset=UTF-8" may follow.
constexpr std::array<std::string_view, 5> kContentTypes = {
    "text/plain", "application/json", "application/xml", "text/xml", "text/html"};

std::unexpected<Error> invalid(std::string_view reason) {
  return fail(Errc::kInvalidParameterValue,
              fmt::format("Invalid parameter: DeliveryPolicy: {}", reason));
}

simdjson::dom::parser& policy_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// A member that is present and not null: null means "not set", which is how AWS writes the
// parts of an effective policy that nobody configured.
std::optional<element> member(object o, std::string_view key) {
  element e;
  if (o.at_key(key).get(e) || e.is_null()) return std::nullopt;
  return e;
}

Result<std::optional<object>> object_member(object o, std::string_view key, std::string_view path) {
  auto e = member(o, key);
  if (!e) return std::optional<object>{};
  object value;
  if (e->get_object().get(value)) return invalid(fmt::format("{} must be a JSON object", path));
  return std::optional<object>{value};
}

Result<std::optional<int>> int_member(object o, std::string_view key, std::string_view path) {
  auto e = member(o, key);
  if (!e) return std::optional<int>{};
  std::int64_t v = 0;
  if (e->get_int64().get(v)) return invalid(fmt::format("{} must be an integer", path));
  // Anything beyond an int fails the range checks anyway; clamping keeps the message sane.
  v = std::clamp<std::int64_t>(v, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
  return std::optional<int>{static_cast<int>(v)};
}

Result<int> required_int(object o, std::string_view key, const std::string& prefix) {
  const std::string path = prefix + std::string(key);
  EB_ASSIGN_OR_RETURN(const std::optional<int> v, int_member(o, key, path));
  if (!v) return invalid(fmt::format("{} must be specified", path));
  return *v;
}

Result<int> optional_count(object o, std::string_view key, const std::string& prefix) {
  const std::string path = prefix + std::string(key);
  EB_ASSIGN_OR_RETURN(const std::optional<int> v, int_member(o, key, path));
  const int count = v.value_or(0);
  if (count < 0) return invalid(fmt::format("{} must be 0 or greater", path));
  return count;
}

Result<BackoffFunction> backoff_function(object o, const std::string& prefix) {
  auto e = member(o, "backoffFunction");
  if (!e) return BackoffFunction::kLinear;
  std::string_view text;
  const std::string path = prefix + "backoffFunction";
  if (e->get_string().get(text)) return invalid(fmt::format("{} must be a string", path));
  const std::string name = lower(text);
  for (auto f : {BackoffFunction::kLinear, BackoffFunction::kArithmetic,
                 BackoffFunction::kGeometric, BackoffFunction::kExponential}) {
    if (name == to_string(f)) return f;
  }
  return invalid(fmt::format(
      "{} must be one of arithmetic, exponential, geometric or linear, not '{}'", path, text));
}

// `prefix` names where the policy sits ("healthyRetryPolicy." or
// "http.defaultHealthyRetryPolicy."), so a message points at the member to fix.
Result<HealthyRetryPolicy> parse_retry(object o, const std::string& prefix) {
  HealthyRetryPolicy p;
  EB_ASSIGN_OR_RETURN(p.min_delay_target, required_int(o, "minDelayTarget", prefix));
  EB_ASSIGN_OR_RETURN(p.max_delay_target, required_int(o, "maxDelayTarget", prefix));
  EB_ASSIGN_OR_RETURN(p.num_retries, required_int(o, "numRetries", prefix));
  if (p.max_delay_target > kMaxDelayTargetSeconds) {
    return invalid(
        fmt::format("{}maxDelayTarget must be at most {}", prefix, kMaxDelayTargetSeconds));
  }
  if (p.min_delay_target < 1 || p.min_delay_target > p.max_delay_target) {
    return invalid(fmt::format("{}minDelayTarget must be between 1 and maxDelayTarget ({})", prefix,
                               p.max_delay_target));
  }
  if (p.num_retries < 0 || p.num_retries > kMaxRetries) {
    return invalid(fmt::format("{}numRetries must be between 0 and {}", prefix, kMaxRetries));
  }
  EB_ASSIGN_OR_RETURN(p.num_no_delay_retries, optional_count(o, "numNoDelayRetries", prefix));
  EB_ASSIGN_OR_RETURN(p.num_min_delay_retries, optional_count(o, "numMinDelayRetries", prefix));
  EB_ASSIGN_OR_RETURN(p.num_max_delay_retries, optional_count(o, "numMaxDelayRetries", prefix));
  // Each count is at most an int; their sum fits an int64 without overflow.
  const std::int64_t phased =
      std::int64_t{p.num_no_delay_retries} + p.num_min_delay_retries + p.num_max_delay_retries;
  if (phased > p.num_retries) {
    return invalid(fmt::format(
        "{0}numNoDelayRetries + {0}numMinDelayRetries + {0}numMaxDelayRetries ({1}) must not "
        "exceed {0}numRetries ({2})",
        prefix, phased, p.num_retries));
  }
  EB_ASSIGN_OR_RETURN(p.backoff_function, backoff_function(o, prefix));
  return p;
}

Result<std::optional<int>> parse_throttle(object o, const std::string& path) {
  EB_ASSIGN_OR_RETURN(const std::optional<int> v,
                      int_member(o, "maxReceivesPerSecond", path + ".maxReceivesPerSecond"));
  if (v && *v < 1) {
    return invalid(fmt::format("{}.maxReceivesPerSecond must be 1 or greater", path));
  }
  return v;
}

Result<std::optional<std::string>> parse_request(object o, const std::string& path) {
  auto e = member(o, "headerContentType");
  if (!e) return std::optional<std::string>{};
  std::string_view text;
  if (e->get_string().get(text)) {
    return invalid(fmt::format("{}.headerContentType must be a string", path));
  }
  const std::string media = lower(trim(text.substr(0, text.find(';'))));
  if (std::find(kContentTypes.begin(), kContentTypes.end(), media) == kContentTypes.end()) {
    return invalid(fmt::format(
        "{}.headerContentType must be one of text/plain, application/json, application/xml, "
        "text/xml or text/html, not '{}'",
        path, text));
  }
  return std::optional<std::string>{std::string(trim(text))};
}

Result<object> parse_document(std::string_view json) {
  element doc;
  if (auto err = policy_parser().parse(json.data(), json.size()).get(doc)) {
    return invalid(fmt::format("the policy is not valid JSON ({})", simdjson::error_message(err)));
  }
  object root;
  if (doc.get_object().get(root)) return invalid("the policy must be a JSON object");
  return root;
}

void append_retry_json(std::string& out, const HealthyRetryPolicy& p) {
  out += fmt::format(
      R"({{"minDelayTarget":{},"maxDelayTarget":{},"numRetries":{},"numMaxDelayRetries":{},)"
      R"("numNoDelayRetries":{},"numMinDelayRetries":{},"backoffFunction":"{}"}})",
      p.min_delay_target, p.max_delay_target, p.num_retries, p.num_max_delay_retries,
      p.num_no_delay_retries, p.num_min_delay_retries, to_string(p.backoff_function));
}

void append_content_type_json(std::string& out, std::string_view content_type) {
  out += R"({"headerContentType":")";
  append_json_escaped(out, content_type);
  out += "\"}";
}

}  // namespace

std::string_view to_string(BackoffFunction f) {
  switch (f) {
    case BackoffFunction::kLinear:
      return "linear";
    case BackoffFunction::kArithmetic:
      return "arithmetic";
    case BackoffFunction::kGeometric:
      return "geometric";
    case BackoffFunction::kExponential:
      return "exponential";
  }
  return "linear";
}

Result<SubscriptionDeliveryPolicy> parse_subscription_delivery_policy(std::string_view json) {
  EB_ASSIGN_OR_RETURN(const object root, parse_document(json));
  SubscriptionDeliveryPolicy policy;
  EB_ASSIGN_OR_RETURN(const auto retry,
                      object_member(root, "healthyRetryPolicy", "healthyRetryPolicy"));
  if (retry) {
    EB_ASSIGN_OR_RETURN(policy.healthy_retry, parse_retry(*retry, "healthyRetryPolicy."));
  }
  EB_ASSIGN_OR_RETURN(const auto throttle, object_member(root, "throttlePolicy", "throttlePolicy"));
  if (throttle) {
    EB_ASSIGN_OR_RETURN(policy.max_receives_per_second,
                        parse_throttle(*throttle, "throttlePolicy"));
  }
  EB_ASSIGN_OR_RETURN(const auto request, object_member(root, "requestPolicy", "requestPolicy"));
  if (request) {
    EB_ASSIGN_OR_RETURN(policy.header_content_type, parse_request(*request, "requestPolicy"));
  }
  return policy;
}

Result<TopicDeliveryPolicy> parse_topic_delivery_policy(std::string_view json) {
  EB_ASSIGN_OR_RETURN(const object root, parse_document(json));
  TopicDeliveryPolicy policy;
  // Other protocols' sections ("sqs", "lambda"...) hold policies SNS does not let anyone
  // change; they are accepted and ignored.
  EB_ASSIGN_OR_RETURN(const auto http, object_member(root, "http", "http"));
  if (!http) return policy;
  const object h = *http;
  EB_ASSIGN_OR_RETURN(const auto retry, object_member(h, "defaultHealthyRetryPolicy",
                                                      "http.defaultHealthyRetryPolicy"));
  if (retry) {
    EB_ASSIGN_OR_RETURN(policy.default_healthy_retry,
                        parse_retry(*retry, "http.defaultHealthyRetryPolicy."));
  }
  if (auto e = member(h, "disableSubscriptionOverrides")) {
    bool v = false;
    if (e->get_bool().get(v)) {
      return invalid("http.disableSubscriptionOverrides must be true or false");
    }
    policy.disable_subscription_overrides = v;
  }
  EB_ASSIGN_OR_RETURN(const auto throttle,
                      object_member(h, "defaultThrottlePolicy", "http.defaultThrottlePolicy"));
  if (throttle) {
    EB_ASSIGN_OR_RETURN(policy.default_max_receives_per_second,
                        parse_throttle(*throttle, "http.defaultThrottlePolicy"));
  }
  EB_ASSIGN_OR_RETURN(const auto request,
                      object_member(h, "defaultRequestPolicy", "http.defaultRequestPolicy"));
  if (request) {
    EB_ASSIGN_OR_RETURN(policy.default_header_content_type,
                        parse_request(*request, "http.defaultRequestPolicy"));
  }
  return policy;
}

EffectiveDeliveryPolicy effective_delivery_policy(const SubscriptionDeliveryPolicy* subscription,
                                                  const TopicDeliveryPolicy* topic) {
  EffectiveDeliveryPolicy out;
  if (topic != nullptr) {
    if (topic->default_healthy_retry) out.healthy_retry = *topic->default_healthy_retry;
    out.max_receives_per_second = topic->default_max_receives_per_second;
    out.header_content_type = topic->default_header_content_type;
    if (topic->disable_subscription_overrides) return out;
  }
  if (subscription != nullptr) {
    if (subscription->healthy_retry) out.healthy_retry = *subscription->healthy_retry;
    if (subscription->max_receives_per_second) {
      out.max_receives_per_second = subscription->max_receives_per_second;
    }
    if (subscription->header_content_type) {
      out.header_content_type = subscription->header_content_type;
    }
  }
  return out;
}

std::string effective_delivery_policy_json(const EffectiveDeliveryPolicy& policy) {
  std::string out = R"({"healthyRetryPolicy":)";
  append_retry_json(out, policy.healthy_retry);
  out += R"(,"sicklyRetryPolicy":null,"throttlePolicy":)";
  out += policy.max_receives_per_second
             ? fmt::format(R"({{"maxReceivesPerSecond":{}}})", *policy.max_receives_per_second)
             : std::string("null");
  if (policy.header_content_type) {
    out += R"(,"requestPolicy":)";
    append_content_type_json(out, *policy.header_content_type);
  }
  out += R"(,"guaranteed":false})";
  return out;
}

std::string topic_effective_delivery_policy_json(const TopicDeliveryPolicy* topic) {
  const TopicDeliveryPolicy defaults;
  const TopicDeliveryPolicy& t = topic != nullptr ? *topic : defaults;
  std::string out = R"({"http":{"defaultHealthyRetryPolicy":)";
  append_retry_json(out, t.default_healthy_retry.value_or(HealthyRetryPolicy{}));
  out += fmt::format(R"(,"disableSubscriptionOverrides":{})",
                     t.disable_subscription_overrides ? "true" : "false");
  if (t.default_max_receives_per_second) {
    out += fmt::format(R"(,"defaultThrottlePolicy":{{"maxReceivesPerSecond":{}}})",
                       *t.default_max_receives_per_second);
  }
  out += R"(,"defaultRequestPolicy":)";
  append_content_type_json(
      out, t.default_header_content_type.value_or(std::string(kDefaultHttpContentType)));
  out += "}}";
  return out;
}

EffectiveDeliveryPolicy read_effective_delivery_policy(std::string_view json) {
  if (trim(json).empty()) return {};
  if (json.find("\"http\"") != std::string_view::npos) {
    if (auto topic = parse_topic_delivery_policy(json)) {
      return effective_delivery_policy(nullptr, &*topic);
    }
  }
  if (auto own = parse_subscription_delivery_policy(json)) {
    return effective_delivery_policy(&*own, nullptr);
  }
  return {};
}

Millis retry_delay(const HealthyRetryPolicy& p, int retry_number) {
  const Millis min_ms = Millis{p.min_delay_target} * 1000;
  const Millis max_ms = Millis{p.max_delay_target} * 1000;
  int i = retry_number - 1;  // 0-based position in the schedule
  if (i < 0) return 0;
  if (i < p.num_no_delay_retries) return 0;
  i -= p.num_no_delay_retries;
  if (i < p.num_min_delay_retries) return min_ms;
  i -= p.num_min_delay_retries;
  const int backoff_retries = std::max(0, p.num_retries - p.num_no_delay_retries -
                                              p.num_min_delay_retries - p.num_max_delay_retries);
  if (i >= backoff_retries) return max_ms;
  if (backoff_retries == 1) return min_ms;
  const double t = static_cast<double>(i) / (backoff_retries - 1);
  const double span = static_cast<double>(max_ms - min_ms);
  double delay = static_cast<double>(min_ms);
  switch (p.backoff_function) {
    case BackoffFunction::kLinear:
      delay += span * t;
      break;
    case BackoffFunction::kArithmetic:
      delay += span * t * t;
      break;
    case BackoffFunction::kGeometric:
      delay *= std::pow(static_cast<double>(max_ms) / static_cast<double>(min_ms), t);
      break;
    case BackoffFunction::kExponential:
      delay += span * (std::exp2(i) - 1) / (std::exp2(backoff_retries - 1) - 1);
      break;
  }
  return std::clamp(static_cast<Millis>(std::llround(delay)), min_ms, max_ms);
}

}  // namespace eb::sns
