// SNS's attribute and policy rules, straight (Topics' tests reach them through the API). The
// four policy attributes share one JSON prologue, but each keeps its own AWS wording.
#include "sns/rules.hpp"

#include <gtest/gtest.h>

namespace eb::sns::testing {
namespace {

template <class T>
std::string error_of(const Result<T>& result) {
  return result ? std::string("(ok)") : result.error().message;
}

TEST(SnsRulesTest, EachPolicyKeepsItsWordingForJsonThatIsNoObject) {
  for (const char* text : {"", "not json", "[1]", "\"text\""}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(error_of(parse_archive_policy(text)),
              "Invalid parameter: ArchivePolicy Reason: failed to parse JSON");
    EXPECT_EQ(error_of(parse_replay_policy(text)),
              "Invalid parameter: ReplayPolicy Reason: failed to parse JSON");
    EXPECT_EQ(error_of(parse_redrive_policy(text)),
              "Invalid parameter: RedrivePolicy: failed to parse JSON.");
    EXPECT_EQ(error_of(validate_topic_attribute("Policy", text, false, false)),
              "Invalid parameter: Policy Error: null");
  }
}

TEST(SnsRulesTest, ArchivePolicy) {
  EXPECT_FALSE(parse_archive_policy("{}").value().has_value());
  EXPECT_EQ(parse_archive_policy(R"({"MessageRetentionPeriod":"30"})").value(), 30);
  EXPECT_EQ(parse_archive_policy(R"({"MessageRetentionPeriod":365})").value(), 365);
  EXPECT_EQ(error_of(parse_archive_policy(R"({"MessageRetentionPeriod":0})")),
            "Invalid parameter: ArchivePolicy Reason: MessageRetentionPeriod must be between 1 "
            "and 365 days");
  EXPECT_EQ(error_of(parse_archive_policy(R"({"MessageRetentionPeriod":1,"x":1})")),
            "Invalid parameter: ArchivePolicy Reason: MessageRetentionPeriod is the only key, "
            "and it is required");
}

TEST(SnsRulesTest, ReplayPolicy) {
  auto window = parse_replay_policy(
      R"({"PointType":"Timestamp","StartingPoint":"2026-01-01T00:00:00.000Z"})");
  ASSERT_TRUE(window) << window.error().message;
  EXPECT_EQ(window->from, *parse_utc_timestamp("2026-01-01T00:00:00.000Z"));
  EXPECT_FALSE(window->to);
  EXPECT_EQ(error_of(parse_replay_policy(
                R"({"PointType":"Timestamp","StartingPoint":"2026-01-02T00:00:00.000Z",)"
                R"("EndingPoint":"2026-01-01T00:00:00.000Z"})")),
            "Invalid parameter: ReplayPolicy Reason: EndingPoint must not be before "
            "StartingPoint");
  EXPECT_EQ(error_of(parse_replay_policy(R"({"PointType":"Sequence"})")),
            "Invalid parameter: ReplayPolicy Reason: PointType must be Timestamp");
}

TEST(SnsRulesTest, RedrivePolicyAndPolicy) {
  EXPECT_EQ(
      parse_redrive_policy(R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:dlq"})").value(),
      "arn:aws:sqs:us-east-1:1:dlq");
  EXPECT_EQ(error_of(parse_redrive_policy("{}")),
            "Invalid parameter: RedrivePolicy: deadLetterTargetArn is missing");
  EXPECT_TRUE(validate_topic_attribute("Policy", R"({"Version":"2008-10-17"})", false, false));
}

TEST(SnsRulesTest, Tags) {
  EXPECT_TRUE(validate_tags({{"team", "orders"}}));
  EXPECT_EQ(error_of(validate_tags({{"aws:owner", "x"}})),
            "Invalid parameter: Tag keys starting with 'aws:' are reserved");
  EXPECT_EQ(error_of(validate_tags({{"", "x"}})), "Invalid parameter: Tags");
}

}  // namespace
}  // namespace eb::sns::testing
