#include "api/aws/sigv4.hpp"

#include <gtest/gtest.h>

namespace eb::api::aws {
namespace {

TEST(ParseAuthorization, SdkHeader) {
  auto scope = parse_authorization(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/sqs/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date, Signature=abcdef0123");
  ASSERT_TRUE(scope);
  EXPECT_EQ(scope->access_key, "AKIDEXAMPLE");
  EXPECT_EQ(scope->date, "20240101");
  EXPECT_EQ(scope->region, "us-east-1");
  EXPECT_EQ(scope->service, "sqs");
}

TEST(ParseAuthorization, CompactSpacingAndComponentOrder) {
  auto scope = parse_authorization(
      "AWS4-HMAC-SHA256 SignedHeaders=host,Signature=ab,Credential=test/20240229/eu-west-2/sns/"
      "aws4_request");
  ASSERT_TRUE(scope);
  EXPECT_EQ(scope->access_key, "test");
  EXPECT_EQ(scope->region, "eu-west-2");
  EXPECT_EQ(scope->service, "sns");
}

TEST(ParseAuthorization, Rejects) {
  for (std::string_view bad : {
           "",
           "AWS4-HMAC-SHA256",
           "AWS4-HMAC-SHA256X Credential=a/20240101/us-east-1/sqs/aws4_request",
           "AWS AKID:signature",  // SigV2
           "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=ab",
           "AWS4-HMAC-SHA256 Credential=a/20240101/us-east-1/sqs",
           "AWS4-HMAC-SHA256 Credential=a/20240101/us-east-1/sqs/aws4_request/x",
           "AWS4-HMAC-SHA256 Credential=a/20240101/us-east-1/sqs/aws5_request",
           "AWS4-HMAC-SHA256 Credential=/20240101/us-east-1/sqs/aws4_request",
           "AWS4-HMAC-SHA256 Credential=a/20240101//sqs/aws4_request",
       }) {
    EXPECT_FALSE(parse_authorization(bad)) << bad;
  }
}

TEST(ParseCredential, Parts) {
  auto scope = parse_credential("AKID/20240101/ap-southeast-2/events/aws4_request");
  ASSERT_TRUE(scope);
  EXPECT_EQ(scope->service, "events");
  EXPECT_FALSE(parse_credential("AKID/20240101/us-east-1/sqs/aws4_request/"));
}

TEST(ParsePresignedQuery, EncodedCredential) {
  auto scope = parse_presigned_query(
      "Action=ListQueues&X-Amz-Algorithm=AWS4-HMAC-SHA256"
      "&X-Amz-Credential=AKID%2F20240101%2Fus-west-2%2Fsqs%2Faws4_request"
      "&X-Amz-Date=20240101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=ab");
  ASSERT_TRUE(scope);
  EXPECT_EQ(scope->access_key, "AKID");
  EXPECT_EQ(scope->region, "us-west-2");
  EXPECT_EQ(scope->service, "sqs");
}

TEST(ParsePresignedQuery, Rejects) {
  EXPECT_FALSE(parse_presigned_query("Action=ListQueues"));
  EXPECT_FALSE(parse_presigned_query(
      "X-Amz-Algorithm=AWS4-HMAC-SHA1&X-Amz-Credential=a%2F20240101%2Fr%2Fsqs%2Faws4_request"));
  EXPECT_FALSE(parse_presigned_query("X-Amz-Credential=a%2G"));
}

}  // namespace
}  // namespace eb::api::aws
