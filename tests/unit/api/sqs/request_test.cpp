// The SQS decoders on both protocols: the same request as a JSON 1.0 document and as a query
// form decodes to the same input, and the errors are SQS's.
#include "api/sqs/request.hpp"

#include <gtest/gtest.h>

#include "api/aws/form.hpp"

namespace eb::api::sqs {
namespace {

constexpr RequestContext kContext{.path = "/", .account_id = "000000000000", .sender_id = "AKID"};

Params json(std::string_view body) {
  auto p = Params::from_json(body);
  EXPECT_TRUE(p.has_value()) << (p ? "" : p.error().message);
  return std::move(*p);
}

Params query(std::string_view body) {
  auto pairs = aws::parse_form(body);
  EXPECT_TRUE(pairs.has_value());
  return Params::from_form(*pairs);
}

TEST(SqsRequest, SendMessageReadsEveryMemberFromJson) {
  auto in = decode_send_message(
      json(R"({"QueueUrl":"http://h:1/000000000000/q","MessageBody":"hi","DelaySeconds":5,)"
           R"("MessageAttributes":{"a":{"DataType":"Binary","BinaryValue":"AAE="}},)"
           R"("MessageGroupId":"g","MessageDeduplicationId":"d"})"),
      kContext);
  ASSERT_TRUE(in.has_value()) << in.error().message;
  EXPECT_EQ(in->queue, "q");
  EXPECT_EQ(in->input.body, "hi");
  EXPECT_EQ(in->input.delay_seconds, 5);
  EXPECT_EQ(in->input.attributes.at("a").data_type, "Binary");
  EXPECT_EQ(in->input.attributes.at("a").binary_value, std::string("\0\1", 2));
  EXPECT_EQ(in->input.group_id, "g");
  EXPECT_EQ(in->input.deduplication_id, "d");
  EXPECT_EQ(in->input.sender_id, "AKID");
}

TEST(SqsRequest, SendMessageFromQueryPostedToTheQueueUrl) {
  const RequestContext posted{.path = "/000000000000/q", .account_id = "000000000000"};
  auto in = decode_send_message(
      query("MessageBody=hi&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String&"
            "MessageAttribute.1.Value.StringValue=v&DelaySeconds=3"),
      posted);
  ASSERT_TRUE(in.has_value()) << in.error().message;
  EXPECT_EQ(in->queue, "q");
  EXPECT_EQ(in->input.delay_seconds, 3);
  EXPECT_EQ(in->input.attributes.at("a").string_value, "v");
  EXPECT_FALSE(in->input.group_id.has_value());
}

TEST(SqsRequest, MissingQueueUrlAndBodyAreMissingParameters) {
  auto no_queue = decode_send_message(json(R"({"MessageBody":"x"})"), kContext);
  ASSERT_FALSE(no_queue.has_value());
  EXPECT_EQ(no_queue.error().code, Errc::kMissingParameter);
  EXPECT_EQ(no_queue.error().message, "The request must contain the parameter QueueUrl.");
  auto no_body = decode_send_message(query("QueueUrl=/000000000000/q"), kContext);
  ASSERT_FALSE(no_body.has_value());
  EXPECT_EQ(no_body.error().message, "The request must contain the parameter MessageBody.");
}

TEST(SqsRequest, WrongTypesAndBadIntegersAndBase64) {
  auto type =
      decode_send_message(json(R"({"QueueUrl":"/000000000000/q","MessageBody":1})"), kContext);
  ASSERT_FALSE(type.has_value());
  EXPECT_EQ(type.error().code, Errc::kMalformedRequest);
  auto integer =
      decode_receive_message(query("QueueUrl=/000000000000/q&WaitTimeSeconds=x"), kContext);
  ASSERT_FALSE(integer.has_value());
  EXPECT_EQ(integer.error().code, Errc::kInvalidParameterValue);
  auto base64 = decode_send_message(
      json(R"({"QueueUrl":"/000000000000/q","MessageBody":"b",)"
           R"("MessageAttributes":{"a":{"DataType":"Binary","BinaryValue":"***"}}})"),
      kContext);
  ASSERT_FALSE(base64.has_value());
  EXPECT_EQ(base64.error().code, Errc::kInvalidParameterValue);
}

TEST(SqsRequest, ReceiveMergesBothAttributeNameLists) {
  for (const Params& p :
       {json(R"({"QueueUrl":"/000000000000/q","AttributeNames":["A"],)"
             R"("MessageSystemAttributeNames":["B"],"MessageAttributeNames":["m"],)"
             R"("MaxNumberOfMessages":2,"ReceiveRequestAttemptId":"r"})"),
        query("QueueUrl=/000000000000/q&AttributeName.1=A&MessageSystemAttributeName.1=B&"
              "MessageAttributeName.1=m&MaxNumberOfMessages=2&ReceiveRequestAttemptId=r")}) {
    auto in = decode_receive_message(p, kContext);
    ASSERT_TRUE(in.has_value()) << in.error().message;
    EXPECT_EQ(in->input.system_attribute_names, (std::vector<std::string>{"A", "B"}));
    EXPECT_EQ(in->input.message_attribute_names, (std::vector<std::string>{"m"}));
    EXPECT_EQ(in->input.max_messages, 2);
    EXPECT_FALSE(in->input.wait_seconds.has_value());
    EXPECT_EQ(in->input.receive_request_attempt_id, "r");
  }
}

TEST(SqsRequest, BatchEntriesInOrderOnBothProtocols) {
  for (const Params& p :
       {json(R"({"QueueUrl":"/000000000000/q","Entries":[{"Id":"a","ReceiptHandle":"h1"},)"
             R"({"Id":"b","ReceiptHandle":"h2","VisibilityTimeout":7}]})"),
        query("QueueUrl=/000000000000/q&ChangeMessageVisibilityBatchRequestEntry.2.Id=b&"
              "ChangeMessageVisibilityBatchRequestEntry.2.ReceiptHandle=h2&"
              "ChangeMessageVisibilityBatchRequestEntry.2.VisibilityTimeout=7&"
              "ChangeMessageVisibilityBatchRequestEntry.1.Id=a&"
              "ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=h1")}) {
    auto in = decode_change_message_visibility_batch(p, kContext);
    ASSERT_TRUE(in.has_value()) << in.error().message;
    ASSERT_EQ(in->input.size(), 2u);
    EXPECT_EQ(in->input[0].id, "a");
    EXPECT_EQ(in->input[0].input.receipt_handle, "h1");
    EXPECT_FALSE(in->input[0].input.visibility_timeout.has_value());
    EXPECT_EQ(in->input[1].id, "b");
    EXPECT_EQ(in->input[1].input.visibility_timeout, 7);
  }
  auto no_id = decode_delete_message_batch(
      json(R"({"QueueUrl":"/000000000000/q","Entries":[{"ReceiptHandle":"h"}]})"), kContext);
  ASSERT_FALSE(no_id.has_value());
  EXPECT_EQ(no_id.error().message, "The request must contain the parameter Id.");
}

TEST(SqsRequest, CreateQueueMapsOnBothProtocols) {
  for (const Params& p :
       {json(R"({"QueueName":"q","Attributes":{"DelaySeconds":"1"},"tags":{"k":"v"}})"),
        query("QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=1&Tag.1.Key=k&"
              "Tag.1.Value=v")}) {
    auto in = decode_create_queue(p);
    ASSERT_TRUE(in.has_value()) << in.error().message;
    EXPECT_EQ(in->name, "q");
    EXPECT_EQ(in->attributes.at("DelaySeconds"), "1");
    EXPECT_EQ(in->tags.at("k"), "v");
  }
  auto no_key = decode_create_queue(query("QueueName=q&Attribute.1.Value=1"));
  ASSERT_FALSE(no_key.has_value());
  EXPECT_EQ(no_key.error().message, "The request must contain the parameter Attribute.N.Name.");
}

TEST(SqsRequest, SetQueueAttributesNeedsAttributes) {
  auto in = decode_set_queue_attributes(json(R"({"QueueUrl":"/000000000000/q"})"), kContext);
  ASSERT_FALSE(in.has_value());
  EXPECT_EQ(in.error().message, "The request must contain the parameter Attributes.");
}

TEST(SqsRequest, GetQueueUrlOfAnotherAccountIsNoQueueOfOurs) {
  auto ours = decode_get_queue_url(
      json(R"({"QueueName":"q","QueueOwnerAWSAccountId":"000000000000"})"), kContext);
  ASSERT_TRUE(ours.has_value());
  EXPECT_EQ(*ours, "q");
  auto theirs = decode_get_queue_url(query("QueueName=q&QueueOwnerAWSAccountId=1"), kContext);
  ASSERT_FALSE(theirs.has_value());
  EXPECT_EQ(theirs.error().code, Errc::kQueueDoesNotExist);
}

TEST(SqsRequest, PermissionsAndMoveTasks) {
  auto add = decode_add_permission(
      query("QueueUrl=/000000000000/q&Label=l&AWSAccountId.1=1&AWSAccountId.2=2&ActionName.1="
            "SendMessage"),
      kContext);
  ASSERT_TRUE(add.has_value()) << add.error().message;
  EXPECT_EQ(add->input.label, "l");
  EXPECT_EQ(add->input.account_ids, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(add->input.actions, (std::vector<std::string>{"SendMessage"}));
  auto move = decode_start_message_move_task(
      json(R"({"SourceArn":"arn:s","MaxNumberOfMessagesPerSecond":10})"));
  ASSERT_TRUE(move.has_value());
  EXPECT_EQ(move->source_arn, "arn:s");
  EXPECT_EQ(move->destination_arn, "");
  EXPECT_EQ(move->max_per_second, 10);
}

}  // namespace
}  // namespace eb::api::sqs
