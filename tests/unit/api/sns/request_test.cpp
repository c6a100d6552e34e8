// Decoding every SNS action's form, as botocore serializes it (query protocol, SNS model).
#include "api/sns/request.hpp"

#include <gtest/gtest.h>

namespace eb::api::sns {
namespace {

std::shared_ptr<const aws::FormNode> form(aws::FormPairs pairs) {
  return aws::build_form_tree(pairs);
}

std::string validation(std::string_view path) {
  return "1 validation error detected: Value null at '" + std::string(path) +
         "' failed to satisfy constraint: Member must not be null";
}

// Asserts a decode failed with a ValidationError naming `path`.
template <class T>
void expect_missing(const Result<T>& r, std::string_view path) {
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::kValidationError);
  EXPECT_EQ(r.error().message, validation(path));
}

TEST(SnsRequest, CreateTopicWithAttributesTagsAndPolicy) {
  auto f = form({{"Action", "CreateTopic"},
                 {"Name", "orders.fifo"},
                 {"Attributes.entry.1.key", "FifoTopic"},
                 {"Attributes.entry.1.value", "true"},
                 {"Attributes.entry.2.key", "DisplayName"},
                 {"Attributes.entry.2.value", "Orders"},
                 {"Tags.member.1.Key", "team"},
                 {"Tags.member.1.Value", "core"},
                 {"Tags.member.2.Key", "env"},
                 {"Tags.member.2.Value", ""},
                 {"DataProtectionPolicy", "{}"}});
  auto in = decode_create_topic(*f);
  ASSERT_TRUE(in.has_value()) << in.error().message;
  EXPECT_EQ(in->name, "orders.fifo");
  EXPECT_EQ(in->attributes, (eb::AttributeMap{{"FifoTopic", "true"}, {"DisplayName", "Orders"}}));
  EXPECT_EQ(in->tags, (eb::TagMap{{"team", "core"}, {"env", ""}}));
  EXPECT_EQ(in->data_protection_policy, "{}");
}

TEST(SnsRequest, CreateTopicMinimal) {
  auto in = decode_create_topic(*form({{"Name", "t"}}));
  ASSERT_TRUE(in.has_value());
  EXPECT_TRUE(in->attributes.empty());
  EXPECT_TRUE(in->tags.empty());
  EXPECT_EQ(in->data_protection_policy, "");
}

TEST(SnsRequest, MapEntryWithoutValueIsEmpty) {
  auto in = decode_create_topic(*form({{"Name", "t"}, {"Attributes.entry.1.key", "Policy"}}));
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(in->attributes.at("Policy"), "");
}

struct MissingCase {
  const char* name;
  Result<bool> (*decode)(const aws::FormNode&);
  aws::FormPairs pairs;
  const char* path;
};

template <auto Fn>
Result<bool> ok(const aws::FormNode& f) {
  auto r = Fn(f);
  if (!r) return std::unexpected(r.error());
  return true;
}

Result<bool> delete_topic(const aws::FormNode& f) {
  auto r = decode_arn(f, "TopicArn");
  if (!r) return std::unexpected(r.error());
  return true;
}
Result<bool> set_topic_attribute(const aws::FormNode& f) {
  auto r = decode_set_attribute(f, "TopicArn");
  if (!r) return std::unexpected(r.error());
  return true;
}
Result<bool> set_subscription_attribute(const aws::FormNode& f) {
  auto r = decode_set_attribute(f, "SubscriptionArn");
  if (!r) return std::unexpected(r.error());
  return true;
}
Result<bool> unsubscribe(const aws::FormNode& f) {
  auto r = decode_arn(f, "SubscriptionArn");
  if (!r) return std::unexpected(r.error());
  return true;
}
Result<bool> list_tags(const aws::FormNode& f) {
  auto r = decode_arn(f, "ResourceArn");
  if (!r) return std::unexpected(r.error());
  return true;
}

const char* const kTopic = "arn:aws:sns:us-east-1:000000000000:t";

TEST(SnsRequest, MissingRequiredMembersAreValidationErrors) {
  const MissingCase cases[] = {
      {"CreateTopic", &ok<decode_create_topic>, {}, "name"},
      {"CreateTopic tag key",
       &ok<decode_create_topic>,
       {{"Name", "t"}, {"Tags.member.1.Value", "v"}},
       "tags.1.member.key"},
      {"CreateTopic tag value",
       &ok<decode_create_topic>,
       {{"Name", "t"}, {"Tags.member.1.Key", "k"}},
       "tags.1.member.value"},
      {"CreateTopic attribute key",
       &ok<decode_create_topic>,
       {{"Name", "t"}, {"Attributes.entry.1.value", "v"}},
       "attributes.entry.1.key"},
      {"DeleteTopic", &delete_topic, {}, "topicArn"},
      {"SetTopicAttributes arn", &set_topic_attribute, {{"AttributeName", "Policy"}}, "topicArn"},
      {"SetTopicAttributes name", &set_topic_attribute, {{"TopicArn", kTopic}}, "attributeName"},
      {"SetSubscriptionAttributes",
       &set_subscription_attribute,
       {{"AttributeName", "RawMessageDelivery"}},
       "subscriptionArn"},
      {"Subscribe topic", &ok<decode_subscribe>, {{"Protocol", "sqs"}}, "topicArn"},
      {"Subscribe protocol", &ok<decode_subscribe>, {{"TopicArn", kTopic}}, "protocol"},
      {"ConfirmSubscription topic", &ok<decode_confirm_subscription>, {{"Token", "x"}}, "topicArn"},
      {"ConfirmSubscription token",
       &ok<decode_confirm_subscription>,
       {{"TopicArn", kTopic}},
       "token"},
      {"Unsubscribe", &unsubscribe, {}, "subscriptionArn"},
      {"ListSubscriptionsByTopic", &ok<decode_list_by_topic>, {{"NextToken", "x"}}, "topicArn"},
      {"Publish message", &ok<decode_publish>, {{"TopicArn", kTopic}}, "message"},
      {"Publish attribute name",
       &ok<decode_publish>,
       {{"Message", "m"}, {"MessageAttributes.entry.1.Value.DataType", "String"}},
       "messageAttributes.entry.1.name"},
      {"Publish attribute type",
       &ok<decode_publish>,
       {{"Message", "m"},
        {"MessageAttributes.entry.1.Name", "color"},
        {"MessageAttributes.entry.1.Value.StringValue", "red"}},
       "messageAttributes.color.member.dataType"},
      {"PublishBatch topic",
       &ok<decode_publish_batch>,
       {{"PublishBatchRequestEntries", ""}},
       "topicArn"},
      {"PublishBatch entries",
       &ok<decode_publish_batch>,
       {{"TopicArn", kTopic}},
       "publishBatchRequestEntries"},
      {"PublishBatch entry id",
       &ok<decode_publish_batch>,
       {{"TopicArn", kTopic},
        {"PublishBatchRequestEntries.member.1.Id", "a"},
        {"PublishBatchRequestEntries.member.1.Message", "m"},
        {"PublishBatchRequestEntries.member.2.Message", "m"}},
       "publishBatchRequestEntries.2.member.id"},
      {"PublishBatch entry message",
       &ok<decode_publish_batch>,
       {{"TopicArn", kTopic}, {"PublishBatchRequestEntries.member.1.Id", "a"}},
       "publishBatchRequestEntries.1.member.message"},
      {"TagResource arn", &ok<decode_tag_resource>, {{"Tags", ""}}, "resourceArn"},
      {"TagResource tags", &ok<decode_tag_resource>, {{"ResourceArn", kTopic}}, "tags"},
      {"UntagResource arn", &ok<decode_untag_resource>, {{"TagKeys", ""}}, "resourceArn"},
      {"UntagResource keys", &ok<decode_untag_resource>, {{"ResourceArn", kTopic}}, "tagKeys"},
      {"ListTagsForResource", &list_tags, {}, "resourceArn"},
  };
  for (const MissingCase& c : cases) {
    SCOPED_TRACE(c.name);
    expect_missing(c.decode(*form(c.pairs)), c.path);
  }
}

TEST(SnsRequest, ArnMembers) {
  EXPECT_EQ(decode_arn(*form({{"TopicArn", kTopic}}), "TopicArn").value(), kTopic);
  EXPECT_EQ(decode_arn(*form({{"SubscriptionArn", "s"}}), "SubscriptionArn").value(), "s");
  EXPECT_EQ(decode_arn(*form({{"ResourceArn", "r"}}), "ResourceArn").value(), "r");
  // Present but empty is not null: the broker judges it.
  EXPECT_EQ(decode_arn(*form({{"TopicArn", ""}}), "TopicArn").value(), "");
}

TEST(SnsRequest, Pages) {
  EXPECT_EQ(decode_page(*form({}))->next_token, "");
  EXPECT_EQ(decode_page(*form({{"NextToken", "abc"}}))->next_token, "abc");
  auto by_topic = decode_list_by_topic(*form({{"TopicArn", kTopic}, {"NextToken", "n"}}));
  ASSERT_TRUE(by_topic.has_value());
  EXPECT_EQ(by_topic->topic_arn, kTopic);
  EXPECT_EQ(by_topic->page.next_token, "n");
}

TEST(SnsRequest, SetAttribute) {
  auto in = decode_set_attribute(
      *form({{"TopicArn", kTopic}, {"AttributeName", "DisplayName"}, {"AttributeValue", "x"}}),
      "TopicArn");
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(in->arn, kTopic);
  EXPECT_EQ(in->name, "DisplayName");
  EXPECT_EQ(in->value, "x");
  // AttributeValue is optional in the model (clearing an attribute).
  auto cleared = decode_set_attribute(
      *form({{"SubscriptionArn", "s"}, {"AttributeName", "FilterPolicy"}}), "SubscriptionArn");
  ASSERT_TRUE(cleared.has_value());
  EXPECT_EQ(cleared->value, "");
}

TEST(SnsRequest, Subscribe) {
  auto in = decode_subscribe(*form({{"TopicArn", kTopic},
                                    {"Protocol", "sqs"},
                                    {"Endpoint", "arn:aws:sqs:us-east-1:000000000000:q"},
                                    {"Attributes.entry.1.key", "RawMessageDelivery"},
                                    {"Attributes.entry.1.value", "true"},
                                    {"ReturnSubscriptionArn", "true"}}));
  ASSERT_TRUE(in.has_value()) << in.error().message;
  EXPECT_EQ(in->topic_arn, kTopic);
  EXPECT_EQ(in->protocol, "sqs");
  EXPECT_EQ(in->endpoint, "arn:aws:sqs:us-east-1:000000000000:q");
  EXPECT_EQ(in->attributes, (eb::AttributeMap{{"RawMessageDelivery", "true"}}));
  EXPECT_TRUE(in->return_subscription_arn);

  auto plain = decode_subscribe(*form({{"TopicArn", kTopic}, {"Protocol", "email"}}));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->endpoint, "");
  EXPECT_FALSE(plain->return_subscription_arn);
}

TEST(SnsRequest, SubscribeBooleans) {
  for (auto [text, want] : {std::pair{"false", false}, {"TRUE", true}, {"False", false}}) {
    auto in = decode_subscribe(
        *form({{"TopicArn", kTopic}, {"Protocol", "sqs"}, {"ReturnSubscriptionArn", text}}));
    ASSERT_TRUE(in.has_value()) << text;
    EXPECT_EQ(in->return_subscription_arn, want) << text;
  }
  auto bad = decode_subscribe(
      *form({{"TopicArn", kTopic}, {"Protocol", "sqs"}, {"ReturnSubscriptionArn", "yes"}}));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, Errc::kValidationError);
  EXPECT_NE(bad.error().message.find("'returnSubscriptionArn'"), std::string::npos);
}

TEST(SnsRequest, ConfirmSubscription) {
  auto in = decode_confirm_subscription(
      *form({{"TopicArn", kTopic}, {"Token", "tok"}, {"AuthenticateOnUnsubscribe", "true"}}));
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(in->topic_arn, kTopic);
  EXPECT_EQ(in->token, "tok");
  EXPECT_EQ(in->authenticate_on_unsubscribe, "true");
  EXPECT_FALSE(decode_confirm_subscription(*form({{"TopicArn", kTopic}, {"Token", "t"}}))
                   ->authenticate_on_unsubscribe.has_value());
}

TEST(SnsRequest, PublishEveryMember) {
  auto in = decode_publish(*form({{"TopicArn", kTopic},
                                  {"TargetArn", "target"},
                                  {"PhoneNumber", "+15555550100"},
                                  {"Message", "hello"},
                                  {"Subject", "hi"},
                                  {"MessageStructure", "json"},
                                  {"MessageGroupId", "g"},
                                  {"MessageDeduplicationId", "d"}}));
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(in->topic_arn, kTopic);
  EXPECT_EQ(in->target_arn, "target");
  EXPECT_EQ(in->phone_number, "+15555550100");
  EXPECT_EQ(in->message, "hello");
  EXPECT_EQ(in->subject, "hi");
  EXPECT_EQ(in->message_structure, "json");
  EXPECT_EQ(in->group_id, "g");
  EXPECT_EQ(in->deduplication_id, "d");
}

TEST(SnsRequest, PublishOptionalMembersAbsent) {
  auto in = decode_publish(*form({{"TargetArn", kTopic}, {"Message", ""}}));
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(in->topic_arn, "");
  EXPECT_EQ(in->target_arn, kTopic);
  EXPECT_EQ(in->message, "");  // present: emptiness is the broker's to reject
  EXPECT_FALSE(in->subject.has_value());
  EXPECT_EQ(in->message_structure, "");
  EXPECT_FALSE(in->group_id.has_value());
  EXPECT_FALSE(in->deduplication_id.has_value());
  EXPECT_TRUE(in->attributes.empty());
}

TEST(SnsRequest, PublishMessageAttributesOfEveryType) {
  auto in = decode_publish(*form({
      {"TopicArn", kTopic},
      {"Message", "m"},
      {"MessageAttributes.entry.1.Name", "s"},
      {"MessageAttributes.entry.1.Value.DataType", "String"},
      {"MessageAttributes.entry.1.Value.StringValue", "red"},
      {"MessageAttributes.entry.2.Name", "arr"},
      {"MessageAttributes.entry.2.Value.DataType", "String.Array"},
      {"MessageAttributes.entry.2.Value.StringValue", R"(["a",1])"},
      {"MessageAttributes.entry.3.Name", "n"},
      {"MessageAttributes.entry.3.Value.DataType", "Number.float"},
      {"MessageAttributes.entry.3.Value.StringValue", "1.5"},
      {"MessageAttributes.entry.4.Name", "b"},
      {"MessageAttributes.entry.4.Value.DataType", "Binary"},
      {"MessageAttributes.entry.4.Value.BinaryValue", "AAEC/w=="},
  }));
  ASSERT_TRUE(in.has_value()) << in.error().message;
  ASSERT_EQ(in->attributes.size(), 4u);
  EXPECT_EQ(in->attributes.at("s"), (MessageAttributeValue{"String", "red", ""}));
  EXPECT_EQ(in->attributes.at("arr"), (MessageAttributeValue{"String.Array", R"(["a",1])", ""}));
  EXPECT_EQ(in->attributes.at("n"), (MessageAttributeValue{"Number.float", "1.5", ""}));
  EXPECT_EQ(in->attributes.at("b"),
            (MessageAttributeValue{"Binary", "", std::string("\x00\x01\x02\xff", 4)}));
}

TEST(SnsRequest, PublishBadBase64IsInvalidParameter) {
  auto in = decode_publish(*form({{"Message", "m"},
                                  {"MessageAttributes.entry.1.Name", "b"},
                                  {"MessageAttributes.entry.1.Value.DataType", "Binary"},
                                  {"MessageAttributes.entry.1.Value.BinaryValue", "!!"}}));
  ASSERT_FALSE(in.has_value());
  EXPECT_EQ(in.error().code, Errc::kInvalidParameterValue);
  EXPECT_TRUE(in.error().message.starts_with("Invalid parameter: "));
}

TEST(SnsRequest, PublishBatchEntriesInNumericOrder) {
  auto in = decode_publish_batch(*form({
      {"TopicArn", kTopic},
      {"PublishBatchRequestEntries.member.10.Id", "ten"},
      {"PublishBatchRequestEntries.member.10.Message", "m10"},
      {"PublishBatchRequestEntries.member.2.Id", "two"},
      {"PublishBatchRequestEntries.member.2.Message", "m2"},
      {"PublishBatchRequestEntries.member.2.Subject", "s"},
      {"PublishBatchRequestEntries.member.2.MessageStructure", "json"},
      {"PublishBatchRequestEntries.member.2.MessageGroupId", "g"},
      {"PublishBatchRequestEntries.member.2.MessageDeduplicationId", "d"},
      {"PublishBatchRequestEntries.member.2.MessageAttributes.entry.1.Name", "k"},
      {"PublishBatchRequestEntries.member.2.MessageAttributes.entry.1.Value.DataType", "Number"},
      {"PublishBatchRequestEntries.member.2.MessageAttributes.entry.1.Value.StringValue", "7"},
  }));
  ASSERT_TRUE(in.has_value()) << in.error().message;
  EXPECT_EQ(in->topic_arn, kTopic);
  ASSERT_EQ(in->entries.size(), 2u);
  EXPECT_EQ(in->entries[0].id, "two");
  const eb::sns::PublishInput& two = in->entries[0].input;
  EXPECT_EQ(two.message, "m2");
  EXPECT_EQ(two.subject, "s");
  EXPECT_EQ(two.message_structure, "json");
  EXPECT_EQ(two.group_id, "g");
  EXPECT_EQ(two.deduplication_id, "d");
  EXPECT_EQ(two.attributes.at("k"), (MessageAttributeValue{"Number", "7", ""}));
  EXPECT_EQ(in->entries[1].id, "ten");
  EXPECT_EQ(in->entries[1].input.message, "m10");
  EXPECT_FALSE(in->entries[1].input.subject.has_value());
}

TEST(SnsRequest, PublishBatchEmptyListReachesTheBroker) {
  // botocore sends an empty list as "PublishBatchRequestEntries=".
  auto in = decode_publish_batch(*form({{"TopicArn", kTopic}, {"PublishBatchRequestEntries", ""}}));
  ASSERT_TRUE(in.has_value());
  EXPECT_TRUE(in->entries.empty());
}

TEST(SnsRequest, TagAndUntag) {
  auto tag = decode_tag_resource(*form({{"ResourceArn", kTopic},
                                        {"Tags.member.1.Key", "a"},
                                        {"Tags.member.1.Value", "1"},
                                        {"Tags.member.2.Key", "b"},
                                        {"Tags.member.2.Value", "2"}}));
  ASSERT_TRUE(tag.has_value());
  EXPECT_EQ(tag->arn, kTopic);
  EXPECT_EQ(tag->tags, (eb::TagMap{{"a", "1"}, {"b", "2"}}));

  auto untag = decode_untag_resource(
      *form({{"ResourceArn", kTopic}, {"TagKeys.member.2", "b"}, {"TagKeys.member.1", "a"}}));
  ASSERT_TRUE(untag.has_value());
  EXPECT_EQ(untag->arn, kTopic);
  EXPECT_EQ(untag->keys, (std::vector<std::string>{"a", "b"}));

  auto empty = decode_untag_resource(*form({{"ResourceArn", kTopic}, {"TagKeys", ""}}));
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->keys.empty());
}

}  // namespace
}  // namespace eb::api::sns
