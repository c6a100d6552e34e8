// The SQS encoders on both protocols: bytes as the SDKs read them.
#include "api/sqs/response.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace eb::api::sqs {
namespace {

ResponseContext json(std::string_view action) { return {aws::Protocol::kJson, action, "rid"}; }
ResponseContext query(std::string_view action) { return {aws::Protocol::kQuery, action, "rid"}; }

// The query protocol's envelope around `result` (the <ActionResult> content).
std::string xml(std::string_view action, std::string_view result) {
  return fmt::format(
      R"(<?xml version="1.0"?><{0}Response xmlns="http://queue.amazonaws.com/doc/2012-11-05/">)"
      R"(<{0}Result>{1}</{0}Result><ResponseMetadata><RequestId>rid</RequestId>)"
      R"(</ResponseMetadata></{0}Response>)",
      action, result);
}

TEST(SqsResponse, EmptyResult) {
  EXPECT_EQ(encode_empty(json("DeleteQueue")), "{}");
  EXPECT_EQ(encode_empty(query("DeleteQueue")), xml("DeleteQueue", ""));
}

TEST(SqsResponse, SendMessageOmitsEmptyOptionalMembers) {
  const eb::sqs::SendOutput out{.message_id = "m", .md5_of_body = "b"};
  EXPECT_EQ(encode_send_message(json("SendMessage"), out),
            R"({"MD5OfMessageBody":"b","MessageId":"m"})");
  const eb::sqs::SendOutput fifo{
      .message_id = "m", .md5_of_body = "b", .md5_of_attributes = "a", .sequence_number = "1"};
  EXPECT_EQ(encode_send_message(query("SendMessage"), fifo),
            xml("SendMessage",
                "<MD5OfMessageBody>b</MD5OfMessageBody><MD5OfMessageAttributes>a"
                "</MD5OfMessageAttributes><MessageId>m</MessageId><SequenceNumber>1"
                "</SequenceNumber>"));
}

TEST(SqsResponse, ReceiveMessageWithAttributes) {
  eb::sqs::ReceivedMessage m{.message_id = "m",
                             .receipt_handle = "h",
                             .body = "b<",
                             .md5_of_body = "5",
                             .attributes = {{"SenderId", "s"}},
                             .md5_of_attributes = "6"};
  m.message_attributes["bin"] = {.data_type = "Binary", .binary_value = std::string("\0\1", 2)};
  m.message_attributes["str"] = {.data_type = "String", .string_value = "v"};
  EXPECT_EQ(encode_receive_message(json("ReceiveMessage"), {m}),
            R"({"Messages":[{"MessageId":"m","ReceiptHandle":"h","MD5OfBody":"5","Body":"b<",)"
            R"("Attributes":{"SenderId":"s"},"MD5OfMessageAttributes":"6","MessageAttributes":)"
            R"({"bin":{"BinaryValue":"AAE=","DataType":"Binary"},)"
            R"("str":{"StringValue":"v","DataType":"String"}}}]})");
  EXPECT_EQ(encode_receive_message(query("ReceiveMessage"), {m}),
            xml("ReceiveMessage",
                "<Message><MessageId>m</MessageId><ReceiptHandle>h</ReceiptHandle>"
                "<MD5OfBody>5</MD5OfBody><Body>b&lt;</Body>"
                "<Attribute><Name>SenderId</Name><Value>s</Value></Attribute>"
                "<MD5OfMessageAttributes>6</MD5OfMessageAttributes>"
                "<MessageAttribute><Name>bin</Name><Value><BinaryValue>AAE=</BinaryValue>"
                "<DataType>Binary</DataType></Value></MessageAttribute>"
                "<MessageAttribute><Name>str</Name><Value><StringValue>v</StringValue>"
                "<DataType>String</DataType></Value></MessageAttribute></Message>"));
  EXPECT_EQ(encode_receive_message(json("ReceiveMessage"), {}), "{}");
}

TEST(SqsResponse, BatchListsSuccessesAndFailuresWithSqsCodes) {
  BatchOutput<NoOutput> out;
  out.successful.emplace_back("a", NoOutput{});
  out.failed.push_back({"b", Error{Errc::kReceiptHandleIsInvalid, "bad"}, true});
  EXPECT_EQ(encode_batch(json("DeleteMessageBatch"), "DeleteMessageBatchResultEntry", out),
            R"({"Successful":[{"Id":"a"}],"Failed":[{"Id":"b","SenderFault":true,)"
            R"("Code":"ReceiptHandleIsInvalid","Message":"bad"}]})");
  EXPECT_EQ(encode_batch(query("DeleteMessageBatch"), "DeleteMessageBatchResultEntry", out),
            xml("DeleteMessageBatch",
                "<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>"
                "<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault>"
                "<Code>ReceiptHandleIsInvalid</Code><Message>bad</Message>"
                "</BatchResultErrorEntry>"));
}

TEST(SqsResponse, QueueUrlListsAndMaps) {
  EXPECT_EQ(encode_queue_urls(json("ListQueues"), "QueueUrls", {}, ""), "{}");
  EXPECT_EQ(encode_queue_urls(json("ListDeadLetterSourceQueues"), "queueUrls", {}, ""),
            R"({"queueUrls":[]})");
  EXPECT_EQ(encode_queue_urls(query("ListQueues"), "QueueUrls", {"u1", "u2"}, "t"),
            xml("ListQueues",
                "<QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl>"
                "<NextToken>t</NextToken>"));
  EXPECT_EQ(encode_tags(query("ListQueueTags"), {{"k", "v"}}),
            xml("ListQueueTags", "<Tag><Key>k</Key><Value>v</Value></Tag>"));
  EXPECT_EQ(encode_attributes(json("GetQueueAttributes"), {{"A", "1"}}),
            R"({"Attributes":{"A":"1"}})");
  EXPECT_EQ(encode_attributes(json("GetQueueAttributes"), {}), "{}");
}

TEST(SqsResponse, MoveTasks) {
  const eb::sqs::MoveTaskInfo running{.task_handle = "t",
                                      .status = "RUNNING",
                                      .source_arn = "s",
                                      .max_per_second = 5,
                                      .moved = 1,
                                      .to_move = 2,
                                      .started = 9};
  EXPECT_EQ(encode_list_message_move_tasks(json("ListMessageMoveTasks"), {running}),
            R"({"Results":[{"TaskHandle":"t","Status":"RUNNING","SourceArn":"s",)"
            R"("MaxNumberOfMessagesPerSecond":5,"ApproximateNumberOfMessagesMoved":1,)"
            R"("ApproximateNumberOfMessagesToMove":2,"StartedTimestamp":9}]})");
  EXPECT_EQ(encode_cancel_message_move_task(json("CancelMessageMoveTask"), 3),
            R"({"ApproximateNumberOfMessagesMoved":3})");
}

}  // namespace
}  // namespace eb::api::sqs
