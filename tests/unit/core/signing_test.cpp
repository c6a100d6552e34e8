// The SNS signing key: signatures verify with the certificate's public key for both
// signature versions, a key kept as PEM signs the same after a reload, and a key made in the
// lazily is named at once, made once (on prefetch()'s thread or the first signer's) and handed
// to its owner before anyone signs with it.
#include "core/signing.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

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

TEST(MessageSigner, CertificateIdIsDerivedOrKept) {
  auto made = MessageSigner::generate("sns.eventbroker.local");
  ASSERT_TRUE(made);
  ASSERT_EQ(made->certificate_id().size(), 32u);
  auto reloaded = MessageSigner::from_pem(made->key_pem(), made->certificate_pem());
  ASSERT_TRUE(reloaded);
  EXPECT_EQ(reloaded->certificate_id(), made->certificate_id());
  auto named = MessageSigner::from_pem(made->key_pem(), made->certificate_pem(), "0123abcd");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->certificate_id(), "0123abcd");
}

TEST(MessageSigner, GeneratedLazilyIsStoredBeforeItSigns) {
  std::string stored_key;
  std::string stored_cert;
  std::string stored_id;
  const MessageSigner signer = MessageSigner::generate_lazily(
      "sns.eventbroker.local",
      [&](const std::string& key_pem, const std::string& cert_pem, const std::string& id) {
        stored_key = key_pem;
        stored_cert = cert_pem;
        stored_id = id;
      });
  const std::string id = signer.certificate_id();  // known before the key exists
  ASSERT_EQ(id.size(), 32u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_TRUE(stored_key.empty());  // nothing has asked for the key yet

  auto signature = signer.sign("x", SignatureVersion::kSha256);  // waits for the key
  ASSERT_TRUE(signature) << signature.error().message;
  // The owner had the key first: what it stored reloads into the same signer.
  EXPECT_EQ(stored_id, id);
  EXPECT_EQ(stored_key, signer.key_pem());
  EXPECT_EQ(stored_cert, signer.certificate_pem());
  auto reloaded = MessageSigner::from_pem(stored_key, stored_cert, stored_id);
  ASSERT_TRUE(reloaded) << reloaded.error().message;
  EXPECT_EQ(reloaded->certificate_id(), id);
  EXPECT_EQ(*reloaded->sign("x", SignatureVersion::kSha256), *signature);
  EXPECT_TRUE(reloaded->verify("x", *signature, SignatureVersion::kSha256));
}

TEST(MessageSigner, PrefetchMakesTheKeyOnceOnAThreadOfItsOwn) {
  std::atomic<int> generated = 0;
  std::thread::id generated_on;
  auto signer = std::make_unique<MessageSigner>(MessageSigner::generate_lazily(
      "sns.eventbroker.local", [&](const std::string&, const std::string&, const std::string&) {
        generated_on = std::this_thread::get_id();
        ++generated;
      }));
  signer->prefetch();
  signer->prefetch();
  while (generated.load() == 0) std::this_thread::yield();  // made without anyone asking
  auto signature = signer->sign("x", SignatureVersion::kSha1);
  ASSERT_TRUE(signature) << signature.error().message;
  EXPECT_EQ(generated.load(), 1);
  EXPECT_NE(generated_on, std::this_thread::get_id());
  signer->prefetch();  // the key exists: nothing to start
  EXPECT_TRUE(signer->verify("x", *signature, SignatureVersion::kSha1));
  signer.reset();
  EXPECT_EQ(generated.load(), 1);
}

TEST(MessageSigner, DestroyedWhilePrefetchingWaitsForIt) {
  std::atomic<int> generated = 0;
  {
    const MessageSigner signer = MessageSigner::generate_lazily(
        "sns.eventbroker.local",
        [&](const std::string&, const std::string&, const std::string&) { ++generated; });
    signer.prefetch();
  }
  EXPECT_EQ(generated.load(), 1);
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
