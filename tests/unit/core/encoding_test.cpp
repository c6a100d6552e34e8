#include "core/encoding.hpp"

#include <gtest/gtest.h>

#include <set>

namespace eb {
namespace {

TEST(Encoding, Md5AndBase64) {
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(base64_encode("hello"), "aGVsbG8=");
  EXPECT_EQ(base64_decode("aGVsbG8="), std::optional<std::string>("hello"));
  EXPECT_EQ(base64_decode("aGVsbA=="), std::optional<std::string>("hell"));
  EXPECT_FALSE(base64_decode("aGVsbG8"));
  EXPECT_FALSE(base64_decode("a=Vs"));
  EXPECT_FALSE(base64_decode("!!!!"));
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(base64_decode(base64_encode(all)), std::optional<std::string>(all));
}

TEST(Encoding, HmacSha256AndConstantTimeEqual) {
  // RFC 4231, test case 2.
  const Sha256Digest mac = hmac_sha256("Jefe", "what do ya want for nothing?");
  EXPECT_EQ(to_hex(mac.data(), mac.size()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

TEST(Encoding, UuidsAreVersion4AndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = random_uuid();
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[14], '4');
    EXPECT_TRUE(seen.insert(id).second);
  }
}

TEST(Encoding, UuidTextParsesBackToItsBytes) {
  for (int i = 0; i < 100; ++i) {
    const Uuid id = random_uuid_bytes();
    EXPECT_EQ(parse_uuid(uuid_text(id)), id);
  }
  const auto upper = parse_uuid("0123ABCD-4567-89ef-0A1b-23456789CDEF");
  ASSERT_TRUE(upper);
  EXPECT_EQ(uuid_text(*upper), "0123abcd-4567-89ef-0a1b-23456789cdef");
  EXPECT_FALSE(parse_uuid(""));
  EXPECT_FALSE(parse_uuid("0123abcd-4567-89ef-0a1b-23456789cde"));    // one digit short
  EXPECT_FALSE(parse_uuid("0123abcd-4567-89ef-0a1b-23456789cdeg"));   // not hex
  EXPECT_FALSE(parse_uuid("0123abcd04567-89ef-0a1b-23456789cdef"));   // no dash
  EXPECT_FALSE(parse_uuid("0123abcd-4567-89ef-0a1b-23456789cdef0"));  // one digit long
}

TEST(Encoding, Sha256IsTheRawDigestOfSha256Hex) {
  const Sha256Digest d = sha256("abc");
  EXPECT_EQ(to_hex(d.data(), d.size()), sha256_hex("abc"));
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace eb
