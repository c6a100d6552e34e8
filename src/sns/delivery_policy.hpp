#pragma once
// SNS DeliveryPolicy for HTTP/S subscriptions: parsing and validation of the topic-level and
// subscription-level JSON documents, the effective policy of a subscription, and the retry
// schedule it implies. Plain functions over plain values: thread-safe, no state.
//
// The retry schedule has four phases, in order: immediate retries (no delay), pre-backoff
// retries (minDelayTarget apart), backoff retries (from minDelayTarget up to maxDelayTarget
// following backoffFunction) and post-backoff retries (maxDelayTarget apart). AWS publishes
// the shape of each backoff function, not its formula; ours are documented on retry_delay().
// AWS also adds jitter; we do not, so that tests (and developers) can predict every retry.
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/errors.hpp"

namespace eb::sns {

enum class BackoffFunction { kLinear, kArithmetic, kGeometric, kExponential };

std::string_view to_string(BackoffFunction f);

// Limits AWS enforces on a healthy retry policy.
inline constexpr int kMaxDelayTargetSeconds = 3600;
inline constexpr int kMaxRetries = 100;
// AWS stops retrying an HTTP/S delivery once its retries have waited this long in total.
inline constexpr Millis kMaxTotalRetryMs = Millis{3600} * 1000;

struct HealthyRetryPolicy {
  int min_delay_target = 20;  // seconds
  int max_delay_target = 20;  // seconds
  int num_retries = 3;
  int num_no_delay_retries = 0;
  int num_min_delay_retries = 0;
  int num_max_delay_retries = 0;
  BackoffFunction backoff_function = BackoffFunction::kLinear;

  bool operator==(const HealthyRetryPolicy&) const = default;
};

// A subscription's DeliveryPolicy attribute:
// {"healthyRetryPolicy":{..},"throttlePolicy":{..},"requestPolicy":{..}}. Absent parts inherit.
struct SubscriptionDeliveryPolicy {
  std::optional<HealthyRetryPolicy> healthy_retry;
  std::optional<int> max_receives_per_second;
  std::optional<std::string> header_content_type;
};

// A topic's DeliveryPolicy attribute: {"http":{"defaultHealthyRetryPolicy":{..},
// "disableSubscriptionOverrides":bool,"defaultThrottlePolicy":{..},"defaultRequestPolicy":{..}}}.
struct TopicDeliveryPolicy {
  std::optional<HealthyRetryPolicy> default_healthy_retry;
  bool disable_subscription_overrides = false;
  std::optional<int> default_max_receives_per_second;
  std::optional<std::string> default_header_content_type;
};

// What an HTTP/S delivery follows.
struct EffectiveDeliveryPolicy {
  HealthyRetryPolicy healthy_retry;                // AWS's default when nobody set one
  std::optional<int> max_receives_per_second;      // none: no throttling
  std::optional<std::string> header_content_type;  // none: text/plain; charset=UTF-8

  bool operator==(const EffectiveDeliveryPolicy&) const = default;
};

inline constexpr std::string_view kDefaultHttpContentType = "text/plain; charset=UTF-8";

// Both fail with kInvalidParameterValue, "Invalid parameter: DeliveryPolicy: <reason>".
// An empty string is not a policy; callers treat "" as "unset" before calling these.
Result<SubscriptionDeliveryPolicy> parse_subscription_delivery_policy(std::string_view json);
Result<TopicDeliveryPolicy> parse_topic_delivery_policy(std::string_view json);

// The subscription's own parts, each falling back to the topic's http defaults and then to
// AWS's defaults (3 retries, 20 s apart, linear). With disableSubscriptionOverrides the topic
// wins. Either argument may be null (not set).
EffectiveDeliveryPolicy effective_delivery_policy(const SubscriptionDeliveryPolicy* subscription,
                                                  const TopicDeliveryPolicy* topic);

// The EffectiveDeliveryPolicy attributes, in the shapes AWS answers them. The subscription
// form is also what parse_subscription_delivery_policy() reads back (its extra members are
// ignored), which is how the effective policy travels in EndpointMessage::delivery_policy.
std::string effective_delivery_policy_json(const EffectiveDeliveryPolicy& policy);
std::string topic_effective_delivery_policy_json(const TopicDeliveryPolicy* topic);

// Reads whatever an EndpointMessage carries: the subscription form, the topic form (its http
// defaults) or "" (AWS's defaults). Invalid JSON also yields the defaults: it was validated
// when set, so this only guards against a caller's mistake.
EffectiveDeliveryPolicy read_effective_delivery_policy(std::string_view json);

// The delay before retry `retry_number` (1 = the first retry after the initial attempt).
// Immediate phase: 0. Pre-backoff: min. Post-backoff: max. Backoff phase, with n retries and
// t = i/(n-1) running from 0 (first, min) to 1 (last, max):
//   linear      min + (max-min)*t            evenly spaced
//   arithmetic  min + (max-min)*t^2          each step longer than the last by a constant
//   geometric   min * (max/min)^t            each delay a constant multiple of the previous
//   exponential min + (max-min)*(2^i-1)/(2^(n-1)-1)   the step doubles each time: stays near
//                                                     min longest, then climbs steeply
// A single backoff retry waits min. Numbers past num_retries get max.
Millis retry_delay(const HealthyRetryPolicy& policy, int retry_number);

}  // namespace eb::sns
