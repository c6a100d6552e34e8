// The SNS signing key: signatures verify with the certificate's public key for both
// signature versions, and a key kept as PEM signs the same after a reload.
#include "core/signing.hpp"

#include <gtest/gtest.h>

namespace eb {
namespace {

TEST(MessageSigner, SignsAndVerifiesBothVersions) {
  auto signer = MessageSigner::generate("sns.eventbroker.local");
  ASSERT_TRUE(signer) << signer.error().message;
  const std::string text =
      "Message\nhello\nMessageId\n1\nTimestamp\nt\nTopicArn\narn\nType\nNotification\n";
  for (auto version : {SignatureVersion::kSha1, SignatureVersion::kSha256}) {
    auto signature = signer->sign(text, version);
    ASSERT_TRUE(signature) << signature.error().message;
    EXPECT_TRUE(signer->verify(text, *signature, version));
    EXPECT_FALSE(signer->verify(text + "tampered", *signature, version));
  }
  auto sha1 = signer->sign(text, SignatureVersion::kSha1);
  EXPECT_FALSE(signer->verify(text, *sha1, SignatureVersion::kSha256));
  EXPECT_NE(signer->certificate_pem().find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(signer->key_pem().find("PRIVATE KEY"), std::string::npos);
}

TEST(MessageSigner, ReloadedFromPemSignsIdentically) {
  auto first = MessageSigner::generate("sns.eventbroker.local");
  ASSERT_TRUE(first);
  auto again = MessageSigner::from_pem(first->key_pem(), first->certificate_pem());
  ASSERT_TRUE(again) << again.error().message;
  // PKCS#1 v1.5 signatures are deterministic: the same key gives the same bytes.
  EXPECT_EQ(*first->sign("x", SignatureVersion::kSha256),
            *again->sign("x", SignatureVersion::kSha256));
}

TEST(MessageSigner, RejectsBrokenOrMismatchedPem) {
  auto a = MessageSigner::generate("a");
  auto b = MessageSigner::generate("b");
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(MessageSigner::from_pem("not pem", a->certificate_pem()));
  EXPECT_FALSE(MessageSigner::from_pem(a->key_pem(), b->certificate_pem()));
}

}  // namespace
}  // namespace eb
