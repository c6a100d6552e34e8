#include "sns/delivery_policy.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace eb::sns {
namespace {

struct InvalidCase {
  const char* policy;
  const char* reason;  // what follows "Invalid parameter: DeliveryPolicy: "
};

constexpr const char* kPrefix = "Invalid parameter: DeliveryPolicy: ";

TEST(DeliveryPolicyParse, AcceptsValidSubscriptionPolicies) {
  const std::vector<const char*> valid = {
      "{}",
      R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":60,"numRetries":50,
          "numNoDelayRetries":3,"numMinDelayRetries":2,"numMaxDelayRetries":35,
          "backoffFunction":"exponential"},"throttlePolicy":{"maxReceivesPerSecond":10}})",
      R"({"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":0}})",
      R"({"healthyRetryPolicy":{"minDelayTarget":3600,"maxDelayTarget":3600,"numRetries":100}})",
      R"({"healthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":9,"numRetries":3,
          "backoffFunction":"GEOMETRIC"}})",
      R"({"requestPolicy":{"headerContentType":"application/json"}})",
      R"({"requestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}})",
      R"({"requestPolicy":{"headerContentType":"application/xml"}})",
      R"({"throttlePolicy":null,"sicklyRetryPolicy":null,"guaranteed":false})",
  };
  for (const char* policy : valid) {
    EXPECT_TRUE(parse_subscription_delivery_policy(policy)) << policy;
  }
}

TEST(DeliveryPolicyParse, ReadsEveryMember) {
  auto p = parse_subscription_delivery_policy(
      R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":60,"numRetries":50,
          "numNoDelayRetries":3,"numMinDelayRetries":2,"numMaxDelayRetries":35,
          "backoffFunction":"exponential"},"throttlePolicy":{"maxReceivesPerSecond":10},
          "requestPolicy":{"headerContentType":"application/json"}})");
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_TRUE(p->healthy_retry);
  EXPECT_EQ(*p->healthy_retry,
            (HealthyRetryPolicy{1, 60, 50, 3, 2, 35, BackoffFunction::kExponential}));
  EXPECT_EQ(p->max_receives_per_second, 10);
  EXPECT_EQ(p->header_content_type, "application/json");
}

TEST(DeliveryPolicyParse, RejectsInvalidSubscriptionPolicies) {
  const std::vector<InvalidCase> cases = {
      {"not json", "the policy is not valid JSON"},
      {"[]", "the policy must be a JSON object"},
      {R"({"healthyRetryPolicy":3})", "healthyRetryPolicy must be a JSON object"},
      {R"({"healthyRetryPolicy":{"maxDelayTarget":20,"numRetries":3}})",
       "healthyRetryPolicy.minDelayTarget must be specified"},
      {R"({"healthyRetryPolicy":{"minDelayTarget":20,"numRetries":3}})",
       "healthyRetryPolicy.maxDelayTarget must be specified"},
      {R"({"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20}})",
       "healthyRetryPolicy.numRetries must be specified"},
      {R"({"healthyRetryPolicy":{"minDelayTarget":"20","maxDelayTarget":20,"numRetries":3}})",
       "healthyRetryPolicy.minDelayTarget must be an integer"},
      {R"({"healthyRetryPolicy":{"minDelayTarget":1.5,"maxDelayTarget":20,"numRetries":3}})",
       "healthyRetryPolicy.minDelayTarget must be an integer"},
      {R"({"healthyRetryPolicy":{"minDelayTarget":0,"maxDelayTarget":20,"numRetries":3}})",
       "healthyRetryPolicy.minDelayTarget must be between 1 and maxDelayTarget (20)"},
      {R"({"healthyRetryPolicy":{"minDelayTarget":30,"maxDelayTarget":20,"numRetries":3}})",
       "healthyRetryPolicy.minDelayTarget must be between 1 and maxDelayTarget (20)"},
      {R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":3601,"numRetries":3}})",
       "healthyRetryPolicy.maxDelayTarget must be at most 3600"},
      {R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":20,"numRetries":101}})",
       "healthyRetryPolicy.numRetries must be between 0 and 100"},
      {R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":20,"numRetries":-1}})",
       "healthyRetryPolicy.numRetries must be between 0 and 100"},
      {R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":20,"numRetries":3,
           "numNoDelayRetries":-1}})",
       "healthyRetryPolicy.numNoDelayRetries must be 0 or greater"},
      {R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":20,"numRetries":3,
           "numNoDelayRetries":2,"numMinDelayRetries":1,"numMaxDelayRetries":1}})",
       "healthyRetryPolicy.numNoDelayRetries + healthyRetryPolicy.numMinDelayRetries + "
       "healthyRetryPolicy.numMaxDelayRetries (4) must not exceed healthyRetryPolicy.numRetries "
       "(3)"},
      {R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":20,"numRetries":3,
           "backoffFunction":"cubic"}})",
       "healthyRetryPolicy.backoffFunction must be one of arithmetic, exponential, geometric or "
       "linear, not 'cubic'"},
      {R"({"throttlePolicy":{"maxReceivesPerSecond":0}})",
       "throttlePolicy.maxReceivesPerSecond must be 1 or greater"},
      {R"({"requestPolicy":{"headerContentType":"image/png"}})",
       "requestPolicy.headerContentType must be one of text/plain, application/json, "
       "application/xml, text/xml or text/html, not 'image/png'"},
  };
  for (const auto& c : cases) {
    auto p = parse_subscription_delivery_policy(c.policy);
    ASSERT_FALSE(p) << c.policy;
    EXPECT_EQ(p.error().code, Errc::kInvalidParameterValue);
    // The JSON parser's own detail follows the first case's reason; compare the start only.
    EXPECT_EQ(p.error().message.substr(0, std::string(kPrefix).size() + strlen(c.reason)),
              std::string(kPrefix) + c.reason)
        << c.policy;
  }
}

TEST(DeliveryPolicyParse, TopicPolicies) {
  auto t = parse_topic_delivery_policy(
      R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":2,"maxDelayTarget":8,
          "numRetries":4,"backoffFunction":"arithmetic"},"disableSubscriptionOverrides":true,
          "defaultThrottlePolicy":{"maxReceivesPerSecond":5},
          "defaultRequestPolicy":{"headerContentType":"text/xml"}}})");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->default_healthy_retry,
            (HealthyRetryPolicy{2, 8, 4, 0, 0, 0, BackoffFunction::kArithmetic}));
  EXPECT_TRUE(t->disable_subscription_overrides);
  EXPECT_EQ(t->default_max_receives_per_second, 5);
  EXPECT_EQ(t->default_header_content_type, "text/xml");

  EXPECT_TRUE(parse_topic_delivery_policy("{}"));
  EXPECT_TRUE(parse_topic_delivery_policy(R"({"sqs":{"anything":1}})"));

  const std::vector<InvalidCase> invalid = {
      {R"({"http":[]})", "http must be a JSON object"},
      {R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":4,
           "numRetries":1}}})",
       "http.defaultHealthyRetryPolicy.minDelayTarget must be between 1 and maxDelayTarget (4)"},
      {R"({"http":{"disableSubscriptionOverrides":"yes"}})",
       "http.disableSubscriptionOverrides must be true or false"},
      {R"({"http":{"defaultThrottlePolicy":{"maxReceivesPerSecond":-2}}})",
       "http.defaultThrottlePolicy.maxReceivesPerSecond must be 1 or greater"},
  };
  for (const auto& c : invalid) {
    auto p = parse_topic_delivery_policy(c.policy);
    ASSERT_FALSE(p) << c.policy;
    EXPECT_EQ(p.error().message, std::string(kPrefix) + c.reason);
  }
}

TEST(DeliveryPolicyEffective, SubscriptionThenTopicThenAwsDefaults) {
  const EffectiveDeliveryPolicy aws_default = effective_delivery_policy(nullptr, nullptr);
  EXPECT_EQ(aws_default.healthy_retry,
            (HealthyRetryPolicy{20, 20, 3, 0, 0, 0, BackoffFunction::kLinear}));
  EXPECT_FALSE(aws_default.max_receives_per_second);
  EXPECT_FALSE(aws_default.header_content_type);

  auto topic = parse_topic_delivery_policy(
      R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":2,"maxDelayTarget":8,
          "numRetries":4},"defaultRequestPolicy":{"headerContentType":"application/json"}}})");
  auto own = parse_subscription_delivery_policy(R"({"throttlePolicy":{"maxReceivesPerSecond":3}})");
  ASSERT_TRUE(topic && own);
  auto merged = effective_delivery_policy(&*own, &*topic);
  EXPECT_EQ(merged.healthy_retry.num_retries, 4);  // from the topic
  EXPECT_EQ(merged.max_receives_per_second, 3);    // the subscription's own
  EXPECT_EQ(merged.header_content_type, "application/json");

  auto own_retry = parse_subscription_delivery_policy(
      R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":7}})");
  ASSERT_TRUE(own_retry);
  EXPECT_EQ(effective_delivery_policy(&*own_retry, &*topic).healthy_retry.num_retries, 7);

  topic->disable_subscription_overrides = true;
  EXPECT_EQ(effective_delivery_policy(&*own_retry, &*topic).healthy_retry.num_retries, 4);
}

TEST(DeliveryPolicyEffective, JsonRoundTrips) {
  EffectiveDeliveryPolicy p;
  EXPECT_EQ(effective_delivery_policy_json(p),
            R"({"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,)"
            R"("numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,)"
            R"("backoffFunction":"linear"},"sicklyRetryPolicy":null,"throttlePolicy":null,)"
            R"("guaranteed":false})");
  p.healthy_retry = HealthyRetryPolicy{1, 60, 50, 3, 2, 35, BackoffFunction::kGeometric};
  p.max_receives_per_second = 10;
  p.header_content_type = "application/json";
  EXPECT_EQ(read_effective_delivery_policy(effective_delivery_policy_json(p)), p);

  EXPECT_EQ(topic_effective_delivery_policy_json(nullptr),
            R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,)"
            R"("numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,)"
            R"("numMinDelayRetries":0,"backoffFunction":"linear"},)"
            R"("disableSubscriptionOverrides":false,)"
            R"("defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}})");
  // A topic-form document read as a message's policy yields the topic's http defaults.
  auto from_topic = read_effective_delivery_policy(
      R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":2,"maxDelayTarget":8,
          "numRetries":4}}})");
  EXPECT_EQ(from_topic.healthy_retry.num_retries, 4);
  EXPECT_EQ(read_effective_delivery_policy(""), EffectiveDeliveryPolicy{});
  EXPECT_EQ(read_effective_delivery_policy("garbage"), EffectiveDeliveryPolicy{});
}

struct ScheduleCase {
  const char* name;
  HealthyRetryPolicy policy;
  std::vector<Millis> delays_s;  // retry 1..n, in milliseconds
};

TEST(DeliveryPolicySchedule, FollowsTheFourPhases) {
  using BF = BackoffFunction;
  const std::vector<ScheduleCase> cases = {
      {"aws default", {20, 20, 3, 0, 0, 0, BF::kLinear}, {20000, 20000, 20000}},
      {"no retries", {20, 20, 0, 0, 0, 0, BF::kLinear}, {}},
      // 2 immediate, 1 at min, 4 backoff (5 -> 260), 2 at max.
      {"linear phases",
       {5, 260, 9, 2, 1, 2, BF::kLinear},
       {0, 0, 5000, 5000, 90000, 175000, 260000, 260000, 260000}},
      {"arithmetic", {5, 260, 4, 0, 0, 0, BF::kArithmetic}, {5000, 33333, 118333, 260000}},
      {"geometric", {5, 320, 4, 0, 0, 0, BF::kGeometric}, {5000, 20000, 80000, 320000}},
      {"exponential", {5, 75, 4, 0, 0, 0, BF::kExponential}, {5000, 15000, 35000, 75000}},
      {"one backoff retry waits min", {5, 75, 2, 1, 0, 0, BF::kExponential}, {0, 5000}},
      {"all immediate", {1, 1, 3, 3, 0, 0, BF::kLinear}, {0, 0, 0}},
  };
  for (const auto& c : cases) {
    std::vector<Millis> got;
    for (int i = 1; i <= c.policy.num_retries; ++i) got.push_back(retry_delay(c.policy, i));
    EXPECT_EQ(got, c.delays_s) << c.name;
  }
}

TEST(DeliveryPolicySchedule, BackoffFunctionsRiseFromMinToMax) {
  for (auto f : {BackoffFunction::kLinear, BackoffFunction::kArithmetic,
                 BackoffFunction::kGeometric, BackoffFunction::kExponential}) {
    const HealthyRetryPolicy p{5, 260, 10, 0, 0, 0, f};
    EXPECT_EQ(retry_delay(p, 1), 5000) << to_string(f);
    EXPECT_EQ(retry_delay(p, 10), 260000) << to_string(f);
    for (int i = 2; i <= 10; ++i) {
      EXPECT_GT(retry_delay(p, i), retry_delay(p, i - 1)) << to_string(f) << " retry " << i;
    }
    EXPECT_EQ(retry_delay(p, 11), 260000) << "past the schedule";
  }
}

}  // namespace
}  // namespace eb::sns
