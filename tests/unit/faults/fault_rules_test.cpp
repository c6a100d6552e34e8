#include "faults/fault_rules.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/manual_clock.hpp"

namespace eb::faults {
namespace {

using Names = std::vector<std::string>;

FaultSpec rule(std::string service, std::string error) {
  FaultSpec spec;
  spec.service = std::move(service);
  spec.error = std::move(error);
  return spec;
}

TEST(GlobMatch, StarsAndQuestionMarks) {
  EXPECT_TRUE(glob_match("orders", "orders"));
  EXPECT_FALSE(glob_match("orders", "orders-dlq"));
  EXPECT_TRUE(glob_match("orders*", "orders-dlq"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*-dlq", "orders-dlq"));
  EXPECT_TRUE(glob_match("arn:aws:sqs:*:*:ord?rs", "arn:aws:sqs:us-east-1:000000000000:orders"));
  EXPECT_FALSE(glob_match("ord?rs", "ordrs"));
  EXPECT_TRUE(glob_match("a*b*c", "aXXbYYbZc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXXbYYbZ"));
  EXPECT_FALSE(glob_match("Orders", "orders"));  // case-sensitive
}

TEST(Validate, RejectsWhatNoRuleCanMean) {
  EXPECT_TRUE(validate(rule("sqs", "ThrottlingException")));
  EXPECT_TRUE(validate(rule("http", "drop")));
  EXPECT_TRUE(validate(rule("http", "503")));
  EXPECT_FALSE(validate(rule("s3", "ThrottlingException")));
  EXPECT_FALSE(validate(rule("http", "ThrottlingException")));
  EXPECT_FALSE(validate(rule("http", "700")));
  EXPECT_FALSE(validate(rule("sqs", "has space")));
  EXPECT_FALSE(validate(rule("sqs", "")));  // no error and no latency: does nothing

  FaultSpec spec = rule("sns", "Throttled");
  spec.probability = 1.5;
  EXPECT_EQ(validate(spec).error().code, Errc::kInvalidParameterValue);
  spec.probability = -0.1;
  EXPECT_FALSE(validate(spec));
  spec.probability = 0;
  EXPECT_TRUE(validate(spec));
  spec.count = -1;
  EXPECT_FALSE(validate(spec));
  spec.count = 0;
  EXPECT_FALSE(validate(spec));
  spec.count = 1;
  spec.latency_ms = -5;
  EXPECT_FALSE(validate(spec));
  spec.latency_ms = 250;
  spec.error.clear();
  EXPECT_TRUE(validate(spec));  // latency only
}

TEST(HttpFaultStatus, DropIsNoStatus) {
  EXPECT_EQ(http_fault_status("drop"), 0);
  EXPECT_EQ(http_fault_status(""), 0);
  EXPECT_EQ(http_fault_status("503"), 503);
}

class FaultRulesTest : public ::testing::Test {
 protected:
  ManualClock clock;
  FaultRules rules{kDefaultSeed, clock, clock};
};

TEST_F(FaultRulesTest, MatchesServiceActionAndResource) {
  FaultSpec spec = rule("sqs", "RequestThrottled");
  spec.action = "Send*";
  spec.resource = "orders";
  ASSERT_EQ(*rules.add(spec), "fault-1");
  EXPECT_FALSE(rules.check("sns", "SendMessage", Names{"orders"}));
  EXPECT_FALSE(rules.check("sqs", "ReceiveMessage", Names{"orders"}));
  EXPECT_FALSE(rules.check("sqs", "SendMessage", Names{"payments"}));
  EXPECT_FALSE(rules.check("sqs", "SendMessage", Names{}));  // a resource rule needs a resource
  auto hit = rules.check("sqs", "SendMessageBatch", Names{"http://h/0/orders-x", "orders"});
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->rule_id, "fault-1");
  EXPECT_EQ(hit->error, "RequestThrottled");
  EXPECT_EQ(rules.injected_total(), 1u);
}

TEST_F(FaultRulesTest, CountExpiresTheRuleAndTheNextOneApplies) {
  FaultSpec first = rule("sqs", "RequestThrottled");
  first.count = 2;
  ASSERT_TRUE(rules.add(first));
  ASSERT_TRUE(rules.add(rule("sqs", "ServiceUnavailable")));
  EXPECT_EQ(rules.check("sqs", "ListQueues", {})->error, "RequestThrottled");
  EXPECT_EQ(rules.check("sqs", "ListQueues", {})->error, "RequestThrottled");
  EXPECT_EQ(rules.check("sqs", "ListQueues", {})->error, "ServiceUnavailable");
  const std::string listed = rules.list_json();
  EXPECT_NE(listed.find(R"("faultId":"fault-1","service":"sqs","error":"RequestThrottled",)"
                        R"("probability":1,"count":0,"latencyMs":0,"injected":2})"),
            std::string::npos)
      << listed;
  EXPECT_NE(listed.find(R"("injected":3,"seed":14})"), std::string::npos) << listed;
}

TEST_F(FaultRulesTest, RemoveAndClear) {
  ASSERT_TRUE(rules.add(rule("sqs", "A")));
  ASSERT_TRUE(rules.add(rule("sns", "B")));
  EXPECT_FALSE(rules.remove("fault-9"));
  EXPECT_TRUE(rules.remove("fault-1"));
  EXPECT_FALSE(rules.check("sqs", "X", {}));
  EXPECT_TRUE(rules.check("sns", "X", {}));
  EXPECT_EQ(rules.clear(), 1u);
  EXPECT_TRUE(rules.empty());
  EXPECT_FALSE(rules.check("sns", "X", {}));
  EXPECT_EQ(*rules.add(rule("sns", "B")), "fault-3");  // ids are never reused
}

std::vector<bool> outcomes(std::uint64_t seed, bool with_other_rule) {
  ManualClock clock;
  FaultRules rules(seed, clock, clock);
  if (with_other_rule) {
    FaultSpec other = rule("sqs", "X");
    other.resource = "other";
    other.probability = 0.5;
    (void)rules.add(other);  // valid: checked by the tests that use it
  }
  FaultSpec spec = rule("sqs", "ThrottlingException");
  spec.probability = 0.5;
  (void)rules.add(spec);
  std::vector<bool> out;
  for (int i = 0; i < 64; ++i)
    out.push_back(rules.check("sqs", "SendMessage", Names{"q"}).has_value());
  return out;
}

TEST(FaultRulesProbability, SameSeedSameFaults) {
  const auto a = outcomes(7, false);
  EXPECT_EQ(a, outcomes(7, false));
  EXPECT_NE(a, outcomes(8, false));
  // A rule that does not match draws nothing, so it leaves this rule's sequence alone.
  EXPECT_EQ(a, outcomes(7, true));
  const auto hits = std::count(a.begin(), a.end(), true);
  EXPECT_GT(hits, 16);
  EXPECT_LT(hits, 48);
}

TEST(FaultRulesProbability, ZeroNeverOneAlways) {
  ManualClock clock;
  FaultRules rules(1, clock, clock);
  FaultSpec never = rule("sqs", "A");
  never.probability = 0;
  ASSERT_TRUE(rules.add(never));
  ASSERT_TRUE(rules.add(rule("sqs", "B")));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(rules.check("sqs", "X", {})->error, "B");
}

TEST_F(FaultRulesTest, AfterRunsOnTheTimers) {
  bool ran = false;
  rules.after(500, [&] { ran = true; });
  clock.advance(499);
  EXPECT_FALSE(ran);
  clock.advance(1);
  EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace eb::faults
