#include "api/aws/sigv4_verify.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/encoding.hpp"

namespace eb::api::aws {
namespace {

namespace http = boost::beast::http;

// The inputs every vector of AWS's SigV4 test suite is signed with.
constexpr std::string_view kKeyId = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kTimestamp = "20150830T123600Z";
constexpr std::int64_t kNow = 1'440'938'160;  // 2015-08-30T12:36:00Z
constexpr std::string_view kVanilla =
    "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

using Headers = std::vector<std::pair<std::string, std::string>>;

// A request as the suite describes it: method, target as sent, Host and X-Amz-Date, extra
// headers, body; signed for `service` with `signature` over `signed_headers`.
net::HttpRequest signed_request(http::verb method, std::string_view target,
                                std::string_view signature, const Headers& extra = {},
                                std::string_view signed_headers = "host;x-amz-date",
                                std::string body = "", std::string_view service = "service",
                                std::string_view host = "example.amazonaws.com") {
  net::HttpRequest request{method, target, 11};
  request.set(http::field::host, host);
  request.set("X-Amz-Date", kTimestamp);
  for (const auto& [name, value] : extra) request.insert(name, value);
  request.set(http::field::authorization,
              "AWS4-HMAC-SHA256 Credential=" + std::string(kKeyId) + "/20150830/us-east-1/" +
                  std::string(service) + "/aws4_request, SignedHeaders=" +
                  std::string(signed_headers) + ", Signature=" + std::string(signature));
  request.body() = std::move(body);
  return request;
}

CredentialLookup lookup_with(std::string secret, std::string token = "", bool expired = false) {
  return [=](std::string_view key) -> std::optional<KnownCredential> {
    if (key != kKeyId) return std::nullopt;
    return KnownCredential{secret, "123456789012", token, expired};
  };
}

void expect_verifies(const net::HttpRequest& request) {
  auto result = verify(request, lookup_with(std::string(kSecret)), kNow);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->account_id, "123456789012");
}

Errc failure(const net::HttpRequest& request, const CredentialLookup& lookup,
             std::int64_t now = kNow) {
  auto result = verify(request, lookup, now);
  EXPECT_FALSE(result);
  return result ? Errc::kInternalError : result.error().code;
}

// AWS's documented IAM example: GET https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08.
TEST(SigV4Verify, IamListUsersExample) {
  const auto request =
      signed_request(http::verb::get, "/?Action=ListUsers&Version=2010-05-08",
                     "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
                     {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
                     "content-type;host;x-amz-date", "", "iam", "iam.amazonaws.com");
  auto claim = read_claim(request);
  ASSERT_TRUE(claim);
  const std::string canonical = canonical_request(request, *claim, sha256_hex(""));
  EXPECT_EQ(canonical,
            "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
            "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
            "host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "content-type;host;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(canonical),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  expect_verifies(request);
}

struct Vector {
  std::string_view name;
  http::verb method;
  std::string_view target;
  std::string_view signature;
  Headers headers;
  std::string_view signed_headers = "host;x-amz-date";
  std::string body;
};

// Vectors of AWS's aws-sig-v4-test-suite that apply to services other than S3: inputs and the
// published signatures.
TEST(SigV4Verify, TestSuiteVectors) {
  const Vector vectors[] = {
      {"get-vanilla", http::verb::get, "/", kVanilla, {}},
      {"get-vanilla-query-order-key",
       http::verb::get,
       "/?Param1=value2&Param1=value1",
       "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694",
       {}},
      {"get-vanilla-query-order-value",
       http::verb::get,
       "/?Param1=value2&Param1=Value1",
       "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1",
       {}},
      {"get-vanilla-query-order-key-case",
       http::verb::get,
       "/?Param2=value2&Param1=value1",
       "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
       {}},
      {"get-vanilla-utf8-query",
       http::verb::get,
       "/?%E1%88%B4=bar",
       "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
       {}},
      {"get-header-value-trim",
       http::verb::get,
       "/",
       "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
       {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}},
       "host;my-header1;my-header2;x-amz-date"},
      {"get-header-value-order",
       http::verb::get,
       "/",
       "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01",
       {{"My-Header1", "value4"},
        {"My-Header1", "value1"},
        {"My-Header1", "value3"},
        {"My-Header1", "value2"}},
       "host;my-header1;x-amz-date"},
      {"post-x-www-form-urlencoded",
       http::verb::post,
       "/",
       "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
       {{"Content-Type", "application/x-www-form-urlencoded"}},
       "content-type;host;x-amz-date",
       "Param1=value1"},
      {"post-vanilla-query",
       http::verb::post,
       "/?Param1=value1",
       "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11",
       {}},
      // normalize-path: dot segments and repeated slashes.
      {"get-relative", http::verb::get, "/example/..", kVanilla, {}},
      {"get-relative-relative", http::verb::get, "/example1/example2/../..", kVanilla, {}},
      {"get-slash", http::verb::get, "//", kVanilla, {}},
      {"get-slash-dot-slash", http::verb::get, "/./", kVanilla, {}},
      {"get-slash-pointless-dot",
       http::verb::get,
       "/./example",
       "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5",
       {}},
      {"get-slashes",
       http::verb::get,
       "//example//",
       "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84",
       {}},
      // get-space: the suite's path has a raw space, which the canonical URI encodes once.
      {"get-space",
       http::verb::get,
       "/example space/",
       "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741",
       {}},
  };
  for (const Vector& v : vectors) {
    SCOPED_TRACE(v.name);
    expect_verifies(
        signed_request(v.method, v.target, v.signature, v.headers, v.signed_headers, v.body));
  }
}

TEST(SigV4Verify, CanonicalUriEncodesSegmentsAgain) {
  EXPECT_EQ(canonical_uri(""), "/");
  EXPECT_EQ(canonical_uri("/example%20space/"), "/example%2520space/");
  EXPECT_EQ(canonical_uri("/tags/arn%3Aaws%3Ascheduler"), "/tags/arn%253Aaws%253Ascheduler");
  EXPECT_EQ(canonical_uri("/000000000000/orders"), "/000000000000/orders");
  EXPECT_EQ(canonical_uri("/a/./b/../c/"), "/a/c/");
}

TEST(SigV4Verify, CanonicalQuery) {
  EXPECT_EQ(canonical_query("b=2&a=1&a=", false), "a=&a=1&b=2");
  EXPECT_EQ(canonical_query("X-Amz-Signature=ab&X-Amz-Date=1", true), "X-Amz-Date=1");
  EXPECT_EQ(canonical_query("X-Amz-Signature=ab", false), "X-Amz-Signature=ab");
  EXPECT_EQ(canonical_query("k=a b&k=%2a", false), "k=%2A&k=a%20b");
}

TEST(SigV4Verify, WrongSecretUnknownKeyAndSessionTokens) {
  const auto request = signed_request(http::verb::get, "/", kVanilla);
  EXPECT_EQ(failure(request, lookup_with("another secret")), Errc::kSignatureDoesNotMatch);
  EXPECT_EQ(failure(request, [](std::string_view) { return std::nullopt; }),
            Errc::kInvalidClientTokenId);
  // Temporary credentials need their token, and must not have expired.
  EXPECT_EQ(failure(request, lookup_with(std::string(kSecret), "token")),
            Errc::kInvalidClientTokenId);
  auto with_token = request;
  with_token.set("X-Amz-Security-Token", "token");
  EXPECT_TRUE(verify(with_token, lookup_with(std::string(kSecret), "token"), kNow));
  EXPECT_EQ(failure(with_token, lookup_with(std::string(kSecret), "token", true)),
            Errc::kExpiredToken);
}

TEST(SigV4Verify, TamperedRequestsFail) {
  auto body = signed_request(http::verb::post, "/",
                             "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
                             {{"Content-Type", "application/x-www-form-urlencoded"}},
                             "content-type;host;x-amz-date", "Param1=value2");
  EXPECT_EQ(failure(body, lookup_with(std::string(kSecret))), Errc::kSignatureDoesNotMatch);
  auto query = signed_request(http::verb::get, "/?Param1=value3",
                              "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb");
  EXPECT_EQ(failure(query, lookup_with(std::string(kSecret))), Errc::kSignatureDoesNotMatch);
  // A declared payload hash that is not the body's.
  auto declared = signed_request(http::verb::get, "/", kVanilla);
  declared.set("X-Amz-Content-Sha256", sha256_hex("something else"));
  EXPECT_EQ(failure(declared, lookup_with(std::string(kSecret))), Errc::kSignatureDoesNotMatch);
}

TEST(SigV4Verify, ClockSkewOfFifteenMinutes) {
  const auto request = signed_request(http::verb::get, "/", kVanilla);
  const auto lookup = lookup_with(std::string(kSecret));
  EXPECT_TRUE(verify(request, lookup, kNow + kMaxSkewSeconds));
  EXPECT_TRUE(verify(request, lookup, kNow - kMaxSkewSeconds));
  auto late = verify(request, lookup, kNow + 20 * 60);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, Errc::kSignatureDoesNotMatch);
  EXPECT_EQ(late.error().message,
            "Signature expired: 20150830T123600Z is now earlier than 20150830T124100Z "
            "(20150830T125600Z - 15 min.)");
  auto early = verify(request, lookup, kNow - 20 * 60);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, Errc::kSignatureDoesNotMatch);
  EXPECT_TRUE(early.error().message.starts_with("Signature not yet current"));
}

TEST(SigV4Verify, MissingAndIncompleteSignatures) {
  const auto lookup = lookup_with(std::string(kSecret));
  net::HttpRequest bare{http::verb::get, "/?Action=ListQueues", 11};
  bare.set(http::field::host, "example.amazonaws.com");
  EXPECT_EQ(failure(bare, lookup), Errc::kMissingAuthenticationToken);

  for (std::string_view auth : {
           "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
           "Signature=ab",
           "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=ab",
           "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/aws4_request, "
           "SignedHeaders=host, Signature=ab",
           "AWS AKIDEXAMPLE:c2lnbmF0dXJl",
       }) {
    SCOPED_TRACE(auth);
    auto request = signed_request(http::verb::get, "/", kVanilla);
    request.set(http::field::authorization, auth);
    EXPECT_EQ(failure(request, lookup), Errc::kIncompleteSignature);
  }
  auto no_date = signed_request(http::verb::get, "/", kVanilla);
  no_date.erase("X-Amz-Date");
  EXPECT_EQ(failure(no_date, lookup), Errc::kIncompleteSignature);
  // The Date header stands in for X-Amz-Date.
  auto dated = signed_request(http::verb::get, "/", "0", {}, "date;host");
  dated.erase("X-Amz-Date");
  dated.set(http::field::date, "Sun, 30 Aug 2015 12:36:00 GMT");
  auto claim = read_claim(dated);
  ASSERT_TRUE(claim);
  EXPECT_EQ(claim->timestamp, kTimestamp);
}

// A presigned URL, signed here with the building blocks (the suite has no non-S3 one).
TEST(SigV4Verify, PresignedQuery) {
  const std::string query =
      "Action=GetQueueAttributes&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%"
      "2F20150830%2Fus-east-1%2Fsqs%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=300&"
      "X-Amz-SignedHeaders=host";
  // The signature is left out of what it signs, so a placeholder reads the same claim.
  net::HttpRequest request{http::verb::get, "/123456789012/orders?" + query + "&X-Amz-Signature=0",
                           11};
  request.set(http::field::host, "localhost:4566");
  auto claim = read_claim(request);
  ASSERT_TRUE(claim);
  EXPECT_TRUE(claim->presigned);
  ASSERT_EQ(claim->expires, 300);
  const std::string sig =
      signature(kSecret, claim->scope,
                string_to_sign(*claim, canonical_request(request, *claim, "UNSIGNED-PAYLOAD")));
  request.target("/123456789012/orders?" + query + "&X-Amz-Signature=" + sig);
  const auto lookup = lookup_with(std::string(kSecret));
  EXPECT_TRUE(verify(request, lookup, kNow + 299));
  auto expired = verify(request, lookup, kNow + 301);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, Errc::kAccessDenied);
  EXPECT_EQ(failure(request, lookup_with("wrong")), Errc::kSignatureDoesNotMatch);

  net::HttpRequest partial{http::verb::get, "/?X-Amz-Credential=AKIDEXAMPLE%2F20150830", 11};
  EXPECT_EQ(failure(partial, lookup), Errc::kIncompleteSignature);
}

}  // namespace
}  // namespace eb::api::aws
