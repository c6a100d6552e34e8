// Deferred signing: a notification rendered without its Signature and completed later must be
// byte for byte the document signed when rendered.
#include "sns/message.hpp"

#include <gtest/gtest.h>

namespace eb::sns::testing {
namespace {

const DocumentSigner& signer() {
  static const DocumentSigner s(
      std::make_shared<const MessageSigner>(*MessageSigner::generate("sns.test")),
      "http://127.0.0.1:4566");
  return s;
}

struct Case {
  const char* name;
  SignatureVersion version;
  std::optional<std::string_view> subject;
  std::string_view message;
};

class CompleteTest : public ::testing::TestWithParam<Case> {};

TEST_P(CompleteTest, FillsTheSignatureRenderWouldHaveWritten) {
  const Case& c = GetParam();
  const MessageAttributes attributes{{"eventType", {"String", "order.created", {}}}};
  const SnsDocument doc{.type = "Notification",
                        .message_id = "6f1c9e1e-0c59-4d8b-9d61-2a3a1f0b7e01",
                        .topic_arn = "arn:aws:sns:us-east-1:000000000000:orders",
                        .subject = c.subject,
                        .message = c.message,
                        .timestamp = "2026-12-03T07:00:00.000Z",
                        .unsubscribe_url = "http://127.0.0.1:4566/?Action=Unsubscribe",
                        .attributes = &attributes};
  std::string deferred = render_document(doc, c.version, "", signer().signing_cert_url());
  ASSERT_TRUE(signer().complete(deferred));
  EXPECT_EQ(deferred, signer().render(doc, c.version));
}

INSTANTIATE_TEST_SUITE_P(
    Documents, CompleteTest,
    ::testing::Values(Case{"sha1", SignatureVersion::kSha1, std::nullopt, "hello"},
                      Case{"sha256_with_subject", SignatureVersion::kSha256,
                           std::string_view("Greeting"), "{\"orderId\":\"o-1\"}"},
                      // A message quoting the very member complete() looks for.
                      Case{"message_mimics_the_member", SignatureVersion::kSha1, std::nullopt,
                           "\n  \"Signature\" : \"\"\n"}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(Complete, LeavesOtherDocumentsAlone) {
  const SnsDocument doc{.type = "Notification",
                        .message_id = "id",
                        .topic_arn = "arn:aws:sns:us-east-1:000000000000:orders",
                        .message = "m",
                        .timestamp = "2026-12-03T07:00:00.000Z"};
  std::string signed_once = signer().render(doc, SignatureVersion::kSha1);
  const std::string before = signed_once;
  EXPECT_FALSE(signer().complete(signed_once));  // already signed
  EXPECT_EQ(signed_once, before);

  std::string plain = "just a message body";
  EXPECT_FALSE(signer().complete(plain));
  EXPECT_EQ(plain, "just a message body");

  SnsDocument confirmation = doc;
  confirmation.type = "SubscriptionConfirmation";
  std::string unsigned_confirmation =
      render_document(confirmation, SignatureVersion::kSha1, "", signer().signing_cert_url());
  EXPECT_FALSE(signer().complete(unsigned_confirmation));
}

}  // namespace
}  // namespace eb::sns::testing
