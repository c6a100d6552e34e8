#include "events/retry_policy.hpp"

#include <algorithm>

namespace eb::events {
namespace {

constexpr Millis kFirstRetryDelay = 1000;
constexpr Millis kMaxRetryDelay = 300'000;

}  // namespace

Millis retry_delay(int retry, double jitter) {
  Millis ceiling = kFirstRetryDelay;
  for (int i = 1; i < retry && ceiling < kMaxRetryDelay; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, kMaxRetryDelay);
  const double j = std::clamp(jitter, 0.0, 1.0);
  return ceiling / 2 + static_cast<Millis>(static_cast<double>(ceiling - ceiling / 2) * j);
}

NextRetry next_retry(const RetryLimits& limits, int retries, Millis since, Millis now,
                     double jitter) {
  if (retries >= limits.maximum_retry_attempts) return {.exhausted = kExhaustedRetryAttempts};
  const Millis at = now + retry_delay(retries + 1, jitter);
  if (at - since > static_cast<Millis>(limits.maximum_event_age_seconds) * 1000) {
    return {.exhausted = kExhaustedEventAge};
  }
  return {.at = at};
}

}  // namespace eb::events
