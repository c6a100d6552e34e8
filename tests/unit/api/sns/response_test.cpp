// The XML of every SNS result, as the SNS model shapes it (checked against botocore's
// QueryParser while writing these expectations).
#include "api/sns/response.hpp"

#include <gtest/gtest.h>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <sstream>

namespace eb::api::sns {
namespace {

constexpr std::string_view kProlog = "<?xml version=\"1.0\"?>";

std::string envelope(std::string_view action, std::string_view inner) {
  return std::string(kProlog) + "<" + std::string(action) +
         "Response xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">" + std::string(inner) +
         "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></" + std::string(action) +
         "Response>";
}

std::string result(std::string_view action, std::string_view members) {
  return envelope(action, "<" + std::string(action) + "Result>" + std::string(members) + "</" +
                              std::string(action) + "Result>");
}

boost::property_tree::ptree parse(const std::string& xml) {
  std::istringstream in(xml);
  boost::property_tree::ptree tree;
  boost::property_tree::read_xml(in, tree);
  return tree;
}

TEST(SnsResponse, NoResult) {
  EXPECT_EQ(encode_no_result("DeleteTopic", "rid"), envelope("DeleteTopic", ""));
  EXPECT_EQ(encode_no_result("SetSubscriptionAttributes", "rid"),
            envelope("SetSubscriptionAttributes", ""));
}

TEST(SnsResponse, EmptyResult) {
  EXPECT_EQ(encode_empty_result("TagResource", "rid"),
            envelope("TagResource", "<TagResourceResult/>"));
}

TEST(SnsResponse, SingleMember) {
  EXPECT_EQ(encode_single("CreateTopic", "rid", "TopicArn", "arn:aws:sns:r:1:t"),
            result("CreateTopic", "<TopicArn>arn:aws:sns:r:1:t</TopicArn>"));
  EXPECT_EQ(encode_single("Subscribe", "rid", "SubscriptionArn", "pending confirmation"),
            result("Subscribe", "<SubscriptionArn>pending confirmation</SubscriptionArn>"));
}

TEST(SnsResponse, ListTopics) {
  EXPECT_EQ(encode_list_topics("rid", {{"a", "b"}, "tok"}),
            result("ListTopics",
                   "<Topics><member><TopicArn>a</TopicArn></member>"
                   "<member><TopicArn>b</TopicArn></member></Topics><NextToken>tok</NextToken>"));
  EXPECT_EQ(encode_list_topics("rid", {}), result("ListTopics", "<Topics></Topics>"));
}

TEST(SnsResponse, ListSubscriptions) {
  eb::sns::ListSubscriptionsOutput out;
  out.subscriptions.push_back({"arn:s", "000000000000", "sqs", "arn:q", "arn:t"});
  out.subscriptions.push_back(
      {"PendingConfirmation", "000000000000", "http", "http://x/?a&b", "arn:t"});
  EXPECT_EQ(encode_list_subscriptions("ListSubscriptionsByTopic", "rid", out),
            result("ListSubscriptionsByTopic",
                   "<Subscriptions><member><SubscriptionArn>arn:s</SubscriptionArn>"
                   "<Owner>000000000000</Owner><Protocol>sqs</Protocol><Endpoint>arn:q</Endpoint>"
                   "<TopicArn>arn:t</TopicArn></member>"
                   "<member><SubscriptionArn>PendingConfirmation</SubscriptionArn>"
                   "<Owner>000000000000</Owner><Protocol>http</Protocol>"
                   "<Endpoint>http://x/?a&amp;b</Endpoint><TopicArn>arn:t</TopicArn></member>"
                   "</Subscriptions>"));
  out.next_token = "n";
  auto tree = parse(encode_list_subscriptions("ListSubscriptions", "rid", out));
  EXPECT_EQ(tree.get<std::string>("ListSubscriptionsResponse.ListSubscriptionsResult.NextToken"),
            "n");
}

TEST(SnsResponse, Attributes) {
  const eb::AttributeMap attributes{{"DisplayName", "a<b"}, {"Policy", R"({"x":"y"})"}};
  const std::string xml = encode_attributes("GetTopicAttributes", "rid", attributes);
  EXPECT_EQ(xml, result("GetTopicAttributes",
                        "<Attributes><entry><key>DisplayName</key><value>a&lt;b</value></entry>"
                        "<entry><key>Policy</key><value>{&quot;x&quot;:&quot;y&quot;}</value>"
                        "</entry></Attributes>"));
  auto tree = parse(xml);
  const auto& entries =
      tree.get_child("GetTopicAttributesResponse.GetTopicAttributesResult.Attributes");
  EXPECT_EQ(entries.back().second.get<std::string>("value"), R"({"x":"y"})");
}

TEST(SnsResponse, Publish) {
  EXPECT_EQ(encode_publish("rid", {"m-1", ""}), result("Publish", "<MessageId>m-1</MessageId>"));
  EXPECT_EQ(encode_publish("rid", {"m-1", "100"}),
            result("Publish", "<MessageId>m-1</MessageId><SequenceNumber>100</SequenceNumber>"));
}

TEST(SnsResponse, PublishBatch) {
  BatchOutput<eb::sns::PublishOutput> out;
  out.successful.push_back({"a", {"m-a", ""}});
  out.successful.push_back({"b", {"m-b", "7"}});
  out.failed.push_back({"c", {Errc::kInvalidParameterValue, "Invalid parameter: Empty message"}});
  out.failed.push_back({"d", {Errc::kInternalError, "boom"}, false});
  EXPECT_EQ(encode_publish_batch("rid", out),
            result("PublishBatch",
                   "<Successful><member><Id>a</Id><MessageId>m-a</MessageId></member>"
                   "<member><Id>b</Id><MessageId>m-b</MessageId><SequenceNumber>7</SequenceNumber>"
                   "</member></Successful>"
                   "<Failed><member><Id>c</Id><Code>InvalidParameter</Code>"
                   "<Message>Invalid parameter: Empty message</Message>"
                   "<SenderFault>true</SenderFault></member>"
                   "<member><Id>d</Id><Code>InternalError</Code><Message>boom</Message>"
                   "<SenderFault>false</SenderFault></member></Failed>"));
  EXPECT_EQ(encode_publish_batch("rid", {}),
            result("PublishBatch", "<Successful></Successful><Failed></Failed>"));
}

TEST(SnsResponse, ListTags) {
  EXPECT_EQ(encode_list_tags("rid", {{"a", "1"}, {"b", ""}}),
            result("ListTagsForResource",
                   "<Tags><member><Key>a</Key><Value>1</Value></member>"
                   "<member><Key>b</Key><Value></Value></member></Tags>"));
}

}  // namespace
}  // namespace eb::api::sns
