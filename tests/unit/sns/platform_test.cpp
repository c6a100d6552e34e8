// Platform applications and endpoints (sns::Platforms) on a ManualClock and a MemoryEngine:
// validation, idempotence, paging, publishing into a recording EndpointDelivery, and recovery.
#include "sns/platform.hpp"

#include <gtest/gtest.h>

#include "core/manual_clock.hpp"
#include "sns/recording_endpoints.hpp"
#include "storage/memory_engine.hpp"

namespace eb::sns::testing {
namespace {

constexpr const char* kPrefix = "arn:aws:sns:us-east-1:000000000000:";

class PlatformsTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  storage::MemoryEngine engine_{true};
  RecordingEndpoints out_;
  Platforms platforms_{clock_, engine_, out_, kPrefix};

  std::string app(const std::string& name, const std::string& platform = "GCM") {
    AttributeMap attributes = {{"PlatformCredential", "secret"}};
    if (platform != "GCM") attributes["PlatformPrincipal"] = "principal";
    auto arn = platforms_.create_application(name, platform, attributes);
    EXPECT_TRUE(arn) << arn.error().message;
    return arn.value_or("");
  }

  std::string endpoint(const std::string& app_arn, const std::string& token,
                       AttributeMap attributes = {}) {
    auto arn = platforms_.create_endpoint({.application_arn = app_arn,
                                           .token = token,
                                           .custom_user_data = std::nullopt,
                                           .attributes = std::move(attributes)});
    EXPECT_TRUE(arn) << arn.error().message;
    return arn.value_or("");
  }
};

TEST_F(PlatformsTest, ApplicationArnsAndIdempotence) {
  const std::string arn = app("orders", "APNS");
  EXPECT_EQ(arn, std::string(kPrefix) + "app/APNS/orders");
  EXPECT_EQ(app("orders", "APNS"), arn);
  auto different = platforms_.create_application(
      "orders", "APNS", {{"PlatformCredential", "other"}, {"PlatformPrincipal", "p"}});
  ASSERT_FALSE(different);
  EXPECT_EQ(different.error().code, Errc::kInvalidParameterValue);
  auto attributes = platforms_.application_attributes(arn);
  ASSERT_TRUE(attributes);
  EXPECT_FALSE(attributes->contains("PlatformCredential"));
  EXPECT_EQ(attributes->at("PlatformPrincipal"), "principal");
  EXPECT_EQ(attributes->at("Enabled"), "true");
}

TEST_F(PlatformsTest, ApplicationValidation) {
  const AttributeMap gcm = {{"PlatformCredential", "k"}};
  EXPECT_EQ(platforms_.create_application("a", "PIGEON", gcm).error().code,
            Errc::kInvalidParameterValue);
  EXPECT_EQ(platforms_.create_application("", "GCM", gcm).error().code,
            Errc::kInvalidParameterValue);
  EXPECT_EQ(platforms_.create_application("a b", "GCM", gcm).error().code,
            Errc::kInvalidParameterValue);
  EXPECT_EQ(platforms_.create_application(std::string(257, 'a'), "GCM", gcm).error().code,
            Errc::kInvalidParameterValue);
  // GCM needs only the credential; the others a principal too.
  EXPECT_TRUE(platforms_.create_application("gcm", "GCM", gcm));
  for (const char* platform : {"APNS", "APNS_SANDBOX", "ADM", "BAIDU", "MPNS", "WNS"}) {
    auto r = platforms_.create_application("p", platform, gcm);
    ASSERT_FALSE(r) << platform;
    EXPECT_NE(r.error().message.find("PlatformPrincipal"), std::string::npos);
  }
  auto no_credential = platforms_.create_application("a", "GCM", {});
  ASSERT_FALSE(no_credential);
  EXPECT_NE(no_credential.error().message.find("PlatformCredential"), std::string::npos);
  EXPECT_FALSE(
      platforms_.create_application("a", "GCM", {{"PlatformCredential", "k"}, {"Unknown", "x"}}));
  EXPECT_FALSE(platforms_.create_application(
      "a", "GCM", {{"PlatformCredential", "k"}, {"SuccessFeedbackSampleRate", "101"}}));
  EXPECT_TRUE(platforms_.create_application(
      "a", "GCM", {{"PlatformCredential", "k"}, {"SuccessFeedbackSampleRate", "100"}}));
}

TEST_F(PlatformsTest, UnknownAndMalformedArns) {
  const std::string missing = std::string(kPrefix) + "app/GCM/missing";
  EXPECT_EQ(platforms_.application_attributes(missing).error().code, Errc::kNotFound);
  EXPECT_EQ(platforms_.set_application_attributes(missing, {}).error().code, Errc::kNotFound);
  EXPECT_EQ(platforms_.list_endpoints(missing, {}).error().code, Errc::kNotFound);
  EXPECT_EQ(platforms_.create_endpoint({.application_arn = missing, .token = "t"}).error().code,
            Errc::kNotFound);
  EXPECT_TRUE(platforms_.delete_application(missing));
  EXPECT_EQ(platforms_.application_attributes("nonsense").error().code,
            Errc::kInvalidParameterValue);
  const std::string no_endpoint = std::string(kPrefix) + "endpoint/GCM/a/b";
  EXPECT_EQ(platforms_.endpoint_attributes(no_endpoint).error().code, Errc::kNotFound);
  EXPECT_TRUE(platforms_.delete_endpoint(no_endpoint));
}

TEST_F(PlatformsTest, EndpointTokensAreIdempotentOnlyWithTheSameAttributes) {
  const std::string a = app("devices");
  const std::string e = endpoint(a, "tok", {{"CustomUserData", "u1"}});
  EXPECT_TRUE(e.starts_with(std::string(kPrefix) + "endpoint/GCM/devices/"));
  EXPECT_EQ(endpoint(a, "tok", {{"CustomUserData", "u1"}}), e);
  EXPECT_EQ(endpoint(a, "tok"), e);  // asking for nothing else matches too
  auto other =
      platforms_.create_endpoint({.application_arn = a, .token = "tok", .custom_user_data = "u2"});
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message.find(e), std::string::npos);
  EXPECT_EQ(*platforms_.endpoint_attributes(e),
            (AttributeMap{{"CustomUserData", "u1"}, {"Enabled", "true"}, {"Token", "tok"}}));
  EXPECT_FALSE(platforms_.create_endpoint({.application_arn = a, .token = ""}));
  EXPECT_FALSE(platforms_.create_endpoint(
      {.application_arn = a, .token = "t2", .custom_user_data = std::string(2049, 'x')}));
  EXPECT_FALSE(platforms_.set_endpoint_attributes(e, {{"Enabled", "yes"}}));
  EXPECT_FALSE(platforms_.set_endpoint_attributes(e, {{"Colour", "red"}}));
}

TEST_F(PlatformsTest, ListsPageByArn) {
  const std::string a = app("many");
  for (int i = 0; i < 105; ++i) endpoint(a, "token-" + std::to_string(i));
  endpoint(app("elsewhere"), "token-x");
  auto first = platforms_.list_endpoints(a, {});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->endpoints.size(), Platforms::kPageSize);
  ASSERT_FALSE(first->next_token.empty());
  auto second = platforms_.list_endpoints(a, {first->next_token});
  ASSERT_TRUE(second);
  EXPECT_EQ(second->endpoints.size(), 5u);
  EXPECT_TRUE(second->next_token.empty());
  auto apps = platforms_.list_applications({});
  ASSERT_TRUE(apps);
  EXPECT_EQ(apps->applications.size(), 2u);
  EXPECT_TRUE(apps->next_token.empty());
}

TEST_F(PlatformsTest, PublishPicksThePlatformsTextAndRefusesDisabledEndpoints) {
  const std::string e = endpoint(app("push", "APNS"), "tok");
  PublishInput in{.target_arn = e,
                  .message = R"({"default":"d","APNS":"for apple","GCM":"for google"})",
                  .message_structure = "json"};
  auto out = platforms_.publish(in);
  ASSERT_TRUE(out);
  ASSERT_EQ(out_.messages.size(), 1u);
  EXPECT_EQ(out_.messages[0].protocol, "application");
  EXPECT_EQ(out_.messages[0].endpoint, e);
  EXPECT_EQ(out_.messages[0].body, "for apple");
  EXPECT_EQ(out_.messages[0].message_id, out->message_id);
  in.message = R"({"default":"d"})";
  ASSERT_TRUE(platforms_.publish(in));
  EXPECT_EQ(out_.messages[1].body, "d");
  in.message = R"({"APNS":"no default"})";
  EXPECT_FALSE(platforms_.publish(in));
  ASSERT_TRUE(platforms_.set_endpoint_attributes(e, {{"Enabled", "false"}}));
  EXPECT_EQ(platforms_.publish({.target_arn = e, .message = "m"}).error().code,
            Errc::kEndpointDisabled);
  EXPECT_EQ(platforms_.publish({.target_arn = e + "x", .message = "m"}).error().code,
            Errc::kNotFound);
  EXPECT_EQ(out_.messages.size(), 2u);
}

TEST_F(PlatformsTest, RecoversApplicationsAndEndpoints) {
  const std::string a = app("kept", "WNS");
  const std::string e = endpoint(a, "tok", {{"CustomUserData", "u"}});
  ASSERT_TRUE(platforms_.set_endpoint_attributes(e, {{"Enabled", "false"}}));
  const std::string gone = app("gone");
  endpoint(gone, "t");
  ASSERT_TRUE(platforms_.delete_application(gone));

  Platforms restarted(clock_, engine_, out_, kPrefix);
  ASSERT_TRUE(restarted.recover());
  EXPECT_EQ(restarted.application_attributes(a)->at("PlatformPrincipal"), "principal");
  EXPECT_EQ(*restarted.endpoint_attributes(e),
            (AttributeMap{{"CustomUserData", "u"}, {"Enabled", "false"}, {"Token", "tok"}}));
  EXPECT_EQ(restarted.application_attributes(gone).error().code, Errc::kNotFound);
  EXPECT_EQ(restarted.list_applications({})->applications.size(), 1u);
}

TEST(EndpointPlatform, ReadsThePlatformOfAnEndpointArn) {
  EXPECT_EQ(endpoint_platform("arn:aws:sns:us-east-1:1:endpoint/APNS_SANDBOX/app/id"),
            "APNS_SANDBOX");
  EXPECT_EQ(endpoint_platform("arn:aws:sns:us-east-1:1:topic"), "");
  EXPECT_EQ(endpoint_platform("arn:aws:sns:us-east-1:1:app/GCM/x"), "");
  EXPECT_TRUE(is_known_platform("BAIDU"));
  EXPECT_FALSE(is_known_platform("gcm"));
}

}  // namespace
}  // namespace eb::sns::testing
