#pragma once
// A target's RetryPolicy applied: exponential backoff with jitter, and which of its limits ends
// the retries. Shared by the deliveries retried on Timers: API destination targets
// (ApiDestinationDeliveries) and EventBridge Scheduler invocations (Scheduler). Pure functions.
#include <string_view>

#include "core/clock.hpp"

namespace eb::events {

// RetryPolicy when a target has none (or leaves a member out): the defaults of EventBridge and
// of EventBridge Scheduler alike.
inline constexpr int kDefaultMaximumRetryAttempts = 185;
inline constexpr int kDefaultMaximumEventAgeSeconds = 86'400;

// EXHAUSTED_RETRY_CONDITION: which RetryPolicy limit ended the retries.
inline constexpr std::string_view kExhaustedRetryAttempts = "MaximumRetryAttempts";
inline constexpr std::string_view kExhaustedEventAge = "MaximumEventAgeInSeconds";

// The delay before retry number `retry` (1 for the first): 1 s doubling up to 5 minutes, of
// which a random part is taken away: the result lies in [ceiling / 2, ceiling]. `jitter` in
// [0, 1] picks where.
Millis retry_delay(int retry, double jitter);

struct RetryLimits {
  int maximum_retry_attempts = kDefaultMaximumRetryAttempts;
  int maximum_event_age_seconds = kDefaultMaximumEventAgeSeconds;
};

// What follows a failed attempt: a retry at `at`, or none because the limit `exhausted` names
// (kExhaustedRetryAttempts or kExhaustedEventAge) is reached.
struct NextRetry {
  Millis at = 0;
  std::string_view exhausted;  // empty: retry at `at`
};

// After `retries` retries (0 after the first attempt) of a delivery whose age counts from
// `since`, failed again at `now`. A retry that would start after the maximum age is not made.
NextRetry next_retry(const RetryLimits& limits, int retries, Millis since, Millis now,
                     double jitter);

}  // namespace eb::events
