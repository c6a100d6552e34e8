#include "api/aws/form.hpp"

#include <gtest/gtest.h>

namespace eb::api::aws {
namespace {

using Pairs = FormPairs;

TEST(ParseForm, DecodesPairsInOrder) {
  auto pairs = parse_form("Action=SendMessage&MessageBody=hello+world%21&QueueUrl=http%3A%2F%2Fh");
  ASSERT_TRUE(pairs);
  EXPECT_EQ(*pairs, (Pairs{{"Action", "SendMessage"},
                           {"MessageBody", "hello world!"},
                           {"QueueUrl", "http://h"}}));
}

TEST(ParseForm, EmptyBodyAndEmptyPairs) {
  EXPECT_EQ(*parse_form(""), Pairs{});
  EXPECT_EQ(*parse_form("&&"), Pairs{});
  EXPECT_EQ(*parse_form("a=1&&b=2&"), (Pairs{{"a", "1"}, {"b", "2"}}));
}

TEST(ParseForm, KeyWithoutEqualsGetsEmptyValue) {
  EXPECT_EQ(*parse_form("flag&a=1"), (Pairs{{"flag", ""}, {"a", "1"}}));
  EXPECT_EQ(*parse_form("a="), (Pairs{{"a", ""}}));
  EXPECT_EQ(*parse_form("=v"), (Pairs{{"", "v"}}));
}

TEST(ParseForm, OnlyFirstEqualsSplits) { EXPECT_EQ(*parse_form("a=b=c"), (Pairs{{"a", "b=c"}})); }

TEST(ParseForm, KeepsDuplicates) {
  EXPECT_EQ(*parse_form("a=1&a=2"), (Pairs{{"a", "1"}, {"a", "2"}}));
}

TEST(ParseForm, EscapesDecodeToRawBytes) {
  // %2B is a literal plus, %25 a literal percent, %00 a NUL, and UTF-8 survives byte by byte.
  auto pairs = parse_form("v=%2B%25%00%C3%A9%e2%82%ac");
  ASSERT_TRUE(pairs);
  EXPECT_EQ((*pairs)[0].second, std::string("+%\0\xC3\xA9\xE2\x82\xAC", 8));
}

TEST(ParseForm, BrokenEscapesAreMalformed) {
  for (std::string_view bad : {"a=%G1", "a=%1G", "a=%", "a=%4", "a=x%", "%zz=1", "a=1&b=%"}) {
    auto pairs = parse_form(bad);
    ASSERT_FALSE(pairs) << bad;
    EXPECT_EQ(pairs.error().code, Errc::kMalformedRequest) << bad;
    EXPECT_NE(pairs.error().message.find("percent-encoding"), std::string::npos) << bad;
  }
}

TEST(ParseForm, ErrorNamesTheOffendingEscapeAndOffset) {
  auto pairs = parse_form("ab=1&cd=x%G1");
  ASSERT_FALSE(pairs);
  EXPECT_NE(pairs.error().message.find("'%G1'"), std::string::npos) << pairs.error().message;
  EXPECT_NE(pairs.error().message.find("offset 9"), std::string::npos) << pairs.error().message;
}

TEST(UrlDecode, PlusHandling) {
  EXPECT_EQ(*url_decode("a+b"), "a b");
  EXPECT_EQ(*url_decode("a+b", /*plus_is_space=*/false), "a+b");
  EXPECT_EQ(*url_decode("%41%62c"), "Abc");
  EXPECT_FALSE(url_decode("%"));
}

TEST(PercentEncode, Rfc3986Unreserved) {
  EXPECT_EQ(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(percent_encode("a b+c/d=e&f"), "a%20b%2Bc%2Fd%3De%26f");
  EXPECT_EQ(percent_encode(std::string_view("\0\xFF", 2)), "%00%FF");
  EXPECT_EQ(percent_encode("é"), "%C3%A9");
}

TEST(PercentEncode, RoundTripsEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(*url_decode(percent_encode(all)), all);
  auto pairs = parse_form("k=" + percent_encode(all) + "&" + percent_encode("k 2") + "=x");
  ASSERT_TRUE(pairs);
  EXPECT_EQ(*pairs, (Pairs{{"k", all}, {"k 2", "x"}}));
}

}  // namespace
}  // namespace eb::api::aws
