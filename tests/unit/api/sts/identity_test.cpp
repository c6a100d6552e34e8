// STS without the wire: root identity, AssumeRole's validation and ARNs, session durations.
#include "api/sts/identity.hpp"

#include <gtest/gtest.h>

#include "core/manual_clock.hpp"

namespace eb::api::sts {
namespace {

class IdentityTest : public ::testing::Test {
 protected:
  ManualClock clock_{1'772'366'400'000};
  Identity identity_{clock_, "123456789012"};

  static AssumeRoleInput role(std::string session) {
    AssumeRoleInput in;
    in.role_arn = "arn:aws:iam::123456789012:role/path/deployer";
    in.role_session_name = std::move(session);
    return in;
  }

  std::string error_of(const AssumeRoleInput& in) {
    auto out = identity_.assume_role(in);
    EXPECT_FALSE(out);
    if (out) return "";
    EXPECT_EQ(out.error().code, Errc::kValidationError);
    return out.error().message;
  }
};

TEST_F(IdentityTest, AnyKeyIsTheAccountsRoot) {
  const auto who = identity_.caller("AKIDEXAMPLE");
  EXPECT_EQ(who.account, "123456789012");
  EXPECT_EQ(who.arn, "arn:aws:iam::123456789012:root");
  EXPECT_EQ(who.user_id, "123456789012");
}

TEST_F(IdentityTest, AssumeRoleIssuesTemporaryCredentialsForTheSession) {
  auto out = identity_.assume_role(role("build-7"));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->arn, "arn:aws:sts::123456789012:assumed-role/deployer/build-7");
  EXPECT_TRUE(out->assumed_role_id.starts_with("AROA"));
  EXPECT_TRUE(out->assumed_role_id.ends_with(":build-7"));
  EXPECT_EQ(out->credentials.access_key_id.size(), 20u);
  EXPECT_TRUE(out->credentials.access_key_id.starts_with("ASIA"));
  EXPECT_EQ(out->credentials.expiration, clock_.now_ms() + 3'600'000);
  const auto who = identity_.caller(out->credentials.access_key_id);
  EXPECT_EQ(who.arn, out->arn);
  EXPECT_EQ(who.user_id, out->assumed_role_id);
  // The role's id does not depend on the session.
  auto other = identity_.assume_role(role("other"));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->assumed_role_id.substr(0, 21), out->assumed_role_id.substr(0, 21));
}

TEST_F(IdentityTest, AssumeRoleValidatesAsAwsDocuments) {
  EXPECT_EQ(error_of(role("a")),
            "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy "
            "constraint: Member must have length greater than or equal to 2");
  EXPECT_EQ(error_of(role("no spaces")),
            "1 validation error detected: Value 'no spaces' at 'roleSessionName' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
  auto in = role("ok");
  in.duration_seconds = "899";
  EXPECT_EQ(error_of(in),
            "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy "
            "constraint: Member must have value greater than or equal to 900");
  in.duration_seconds = "43200";
  ASSERT_TRUE(identity_.assume_role(in));
  in.duration_seconds = "43201";
  in.role_session_name = std::string(65, 'x');
  EXPECT_TRUE(error_of(in).starts_with("2 validation errors detected: "));
  AssumeRoleInput missing;
  EXPECT_EQ(error_of(missing),
            "2 validation errors detected: Value null at 'roleArn' failed to satisfy "
            "constraint: Member must not be null; Value null at 'roleSessionName' failed to "
            "satisfy constraint: Member must not be null");
  auto not_a_role = role("ok");
  not_a_role.role_arn = "arn:aws:iam::123456789012:user/alice";
  EXPECT_EQ(error_of(not_a_role), "arn:aws:iam::123456789012:user/alice is invalid");
}

TEST_F(IdentityTest, SessionTokensLastUpTo36Hours) {
  auto out = identity_.session_token(std::nullopt);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->expiration, clock_.now_ms() + 43'200'000);
  EXPECT_TRUE(identity_.session_token("129600"));
  EXPECT_FALSE(identity_.session_token("129601"));
  EXPECT_FALSE(identity_.session_token("12h"));
}

TEST_F(IdentityTest, AVerifiedCredentialIsItsAccountsRoot) {
  const CallerIdentity who = identity_.caller("AKIDOTHER", "111122223333");
  EXPECT_EQ(who.account, "111122223333");
  EXPECT_EQ(who.arn, "arn:aws:iam::111122223333:root");
  EXPECT_EQ(identity_.caller("AKIDOTHER").account, "123456789012");
}

TEST_F(IdentityTest, IssuedCredentialsAreKnownUntilTheyExpire) {
  EXPECT_FALSE(identity_.issued("AKIAIOSFODNN7EXAMPLE"));
  auto role_out = identity_.assume_role(role("build-8"));
  auto session = identity_.session_token("900");
  ASSERT_TRUE(role_out);
  ASSERT_TRUE(session);
  auto known = identity_.issued(role_out->credentials.access_key_id);
  ASSERT_TRUE(known);
  EXPECT_EQ(known->secret_access_key, role_out->credentials.secret_access_key);
  EXPECT_EQ(known->session_token, role_out->credentials.session_token);
  EXPECT_EQ(known->account_id, "123456789012");
  EXPECT_FALSE(known->expired);
  auto known_session = identity_.issued(session->access_key_id);
  ASSERT_TRUE(known_session);
  EXPECT_EQ(known_session->secret_access_key, session->secret_access_key);
  // GetSessionToken's credentials act as the account's root.
  EXPECT_EQ(identity_.caller(session->access_key_id).arn, "arn:aws:iam::123456789012:root");
  clock_.advance(900'000);
  EXPECT_TRUE(identity_.issued(session->access_key_id)->expired);
  EXPECT_FALSE(identity_.issued(role_out->credentials.access_key_id)->expired);
}

TEST_F(IdentityTest, AccessKeyInfoAnswersTheAccount) {
  EXPECT_EQ(identity_.access_key_account("AKIAIOSFODNN7EXAMPLE").value_or(""), "123456789012");
  EXPECT_FALSE(identity_.access_key_account("short"));
  EXPECT_FALSE(identity_.access_key_account(std::nullopt));
}

}  // namespace
}  // namespace eb::api::sts
