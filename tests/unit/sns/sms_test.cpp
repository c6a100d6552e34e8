// The account's SMS state (sns::Sms) on a ManualClock and a MemoryEngine: attributes, opt-outs,
// the sandbox's numbers and passwords, paging limits, and recovery.
#include "sns/sms.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "core/manual_clock.hpp"
#include "sns/recording_endpoints.hpp"
#include "storage/memory_engine.hpp"

namespace eb::sns::testing {
namespace {

class SmsTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  storage::MemoryEngine engine_{true};
  RecordingEndpoints out_;
  Sms sms_{clock_, engine_, out_};

  std::string last_password() {
    std::smatch m;
    const std::string& body = out_.messages.back().body;
    EXPECT_TRUE(std::regex_search(body, m, std::regex("[0-9]{6}")));
    return m.empty() ? "" : m.str(0);
  }
};

TEST_F(SmsTest, AttributesAreCheckedMergedAndFiltered) {
  ASSERT_TRUE(sms_.set_attributes({{"DefaultSMSType", "Transactional"}}));
  ASSERT_TRUE(sms_.set_attributes({{"MonthlySpendLimit", "20"}, {"DefaultSenderID", "Shop1"}}));
  EXPECT_EQ(sms_.attributes({})->size(), 3u);
  EXPECT_EQ(*sms_.attributes({"MonthlySpendLimit", "Unset"}),
            (AttributeMap{{"MonthlySpendLimit", "20"}}));
  for (const AttributeMap& bad :
       std::vector<AttributeMap>{{{"DefaultSMSType", "Loud"}},
                                 {{"DefaultSenderID", "12345"}},
                                 {{"DefaultSenderID", "TwelveLetter"}},
                                 {{"DeliveryStatusSuccessSamplingRate", "101"}},
                                 {{"MonthlySpendLimit", "-3"}},
                                 {{"DeliveryStatusIAMRole", "arn:aws:s3:::bucket"}},
                                 {{"Volume", "11"}}}) {
    auto r = sms_.set_attributes(bad);
    ASSERT_FALSE(r) << bad.begin()->first;
    EXPECT_EQ(r.error().code, Errc::kInvalidParameterValue);
  }
  EXPECT_TRUE(sms_.set_attributes({{"DeliveryStatusIAMRole", "arn:aws:iam::123456789012:role/sms"},
                                   {"DeliveryStatusSuccessSamplingRate", "100"}}));
}

TEST_F(SmsTest, OptOutsAndOptIns) {
  EXPECT_FALSE(*sms_.is_opted_out("+15555550100"));
  EXPECT_EQ(sms_.is_opted_out("5555550100").error().code, Errc::kInvalidParameterValue);
  ASSERT_TRUE(sms_.opt_out("+15555550100"));
  EXPECT_TRUE(*sms_.is_opted_out("+15555550100"));
  EXPECT_EQ(sms_.list_opted_out({})->phone_numbers, std::vector<std::string>{"+15555550100"});
  ASSERT_TRUE(sms_.opt_in("+15555550100"));
  EXPECT_FALSE(*sms_.is_opted_out("+15555550100"));
  EXPECT_TRUE(sms_.opt_in("+15555550100"));  // not opted out: nothing to do
}

TEST_F(SmsTest, OptedOutListPages) {
  for (int i = 0; i < 150; ++i) ASSERT_TRUE(sms_.opt_out("+1555555" + std::to_string(1000 + i)));
  auto first = sms_.list_opted_out({});
  ASSERT_EQ(first->phone_numbers.size(), Sms::kOptedOutPageSize);
  auto second = sms_.list_opted_out({first->next_token});
  EXPECT_EQ(second->phone_numbers.size(), 50u);
  EXPECT_TRUE(second->next_token.empty());
}

TEST_F(SmsTest, SandboxNumbersAreVerifiedWithTheirPassword) {
  ASSERT_TRUE(sms_.create_sandbox_number("+15555550111", std::nullopt));
  ASSERT_EQ(out_.messages.size(), 1u);
  EXPECT_EQ(out_.messages[0].protocol, "sms");
  EXPECT_EQ(out_.messages[0].endpoint, "+15555550111");
  const std::string password = last_password();
  auto listed = sms_.list_sandbox_numbers({});
  ASSERT_EQ(listed->phone_numbers.size(), 1u);
  EXPECT_EQ(listed->phone_numbers[0].status, "Pending");
  EXPECT_EQ(sms_.verify_sandbox_number("+15555550111", "000000x").error().code,
            Errc::kVerification);
  ASSERT_TRUE(sms_.verify_sandbox_number("+15555550111", password));
  EXPECT_EQ(sms_.list_sandbox_numbers({})->phone_numbers[0].status, "Verified");
  EXPECT_EQ(sms_.verify_sandbox_number("+15555550122", password).error().code,
            Errc::kResourceNotFound);
  ASSERT_TRUE(sms_.delete_sandbox_number("+15555550111"));
  EXPECT_EQ(sms_.delete_sandbox_number("+15555550111").error().code, Errc::kResourceNotFound);
}

TEST_F(SmsTest, SandboxRules) {
  EXPECT_EQ(sms_.create_sandbox_number("15555550111", std::nullopt).error().code,
            Errc::kInvalidParameterValue);
  EXPECT_EQ(sms_.create_sandbox_number("+15555550111", "tlh-KL").error().code,
            Errc::kInvalidParameterValue);
  ASSERT_TRUE(sms_.opt_out("+15555550133"));
  EXPECT_EQ(sms_.create_sandbox_number("+15555550133", std::nullopt).error().code, Errc::kOptedOut);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(sms_.create_sandbox_number("+1555555020" + std::to_string(i), "en-GB"));
  }
  EXPECT_FALSE(sms_.create_sandbox_number("+15555550300", std::nullopt));
  auto page = sms_.list_sandbox_numbers({.next_token = "", .max_results = 4});
  EXPECT_EQ(page->phone_numbers.size(), 4u);
  EXPECT_FALSE(page->next_token.empty());
  EXPECT_FALSE(sms_.list_sandbox_numbers({.next_token = "", .max_results = 0}));
  EXPECT_FALSE(sms_.list_sandbox_numbers({.next_token = "", .max_results = 101}));
  EXPECT_TRUE(sms_.list_origination_numbers({.next_token = "", .max_results = 30})->empty());
  EXPECT_FALSE(sms_.list_origination_numbers({.next_token = "", .max_results = 31}));
}

TEST_F(SmsTest, Recovers) {
  ASSERT_TRUE(sms_.set_attributes({{"DefaultSMSType", "Promotional"}}));
  ASSERT_TRUE(sms_.opt_out("+15555550100"));
  ASSERT_TRUE(sms_.create_sandbox_number("+15555550111", std::nullopt));
  const std::string password = last_password();

  Sms restarted(clock_, engine_, out_);
  ASSERT_TRUE(restarted.recover());
  EXPECT_EQ(*restarted.attributes({}), (AttributeMap{{"DefaultSMSType", "Promotional"}}));
  EXPECT_TRUE(*restarted.is_opted_out("+15555550100"));
  // The pending password survives the restart too.
  EXPECT_TRUE(restarted.verify_sandbox_number("+15555550111", password));
}

}  // namespace
}  // namespace eb::sns::testing
