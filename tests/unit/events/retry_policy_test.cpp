#include "events/retry_policy.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace eb::events {
namespace {

TEST(RetryPolicyTest, DelaysGrowExponentiallyWithinTheirJitterBounds) {
  for (int retry = 1; retry <= 20; ++retry) {
    const Millis ceiling = std::min<Millis>(1000LL << std::min(retry - 1, 20), 300'000);
    EXPECT_EQ(retry_delay(retry, 0.0), ceiling / 2) << retry;
    EXPECT_EQ(retry_delay(retry, 1.0), ceiling) << retry;
    const Millis middle = retry_delay(retry, 0.5);
    EXPECT_GE(middle, ceiling / 2);
    EXPECT_LE(middle, ceiling);
  }
}

TEST(RetryPolicyTest, TheFirstLimitReachedEndsTheRetries) {
  const RetryLimits limits{.maximum_retry_attempts = 2, .maximum_event_age_seconds = 60};
  const Millis since = 1'000'000;
  auto next = next_retry(limits, 0, since, since, 1.0);
  EXPECT_TRUE(next.exhausted.empty());
  EXPECT_EQ(next.at, since + 1000);
  next = next_retry(limits, 1, since, since + 1000, 1.0);
  EXPECT_TRUE(next.exhausted.empty());
  EXPECT_EQ(next.at, since + 3000);
  EXPECT_EQ(next_retry(limits, 2, since, since + 3000, 1.0).exhausted, kExhaustedRetryAttempts);
  // A retry that would start past the maximum age is not made.
  EXPECT_EQ(next_retry(limits, 0, since, since + 59'500, 1.0).exhausted, kExhaustedEventAge);
  EXPECT_TRUE(next_retry(limits, 0, since, since + 59'000, 1.0).exhausted.empty());
  EXPECT_EQ(next_retry({.maximum_retry_attempts = 0}, 0, since, since, 0.0).exhausted,
            kExhaustedRetryAttempts);
}

}  // namespace
}  // namespace eb::events
