#include "sqs/send_preparation.hpp"

#include <gtest/gtest.h>

#include "sqs/queue_recovery.hpp"
#include "sqs/records.hpp"

namespace eb::sqs {
namespace {

constexpr SendTarget kStandard{.fifo = false, .durable = false};
constexpr SendTarget kFifo{.fifo = true, .durable = false};

SendInput body(std::string text) {
  SendInput in;
  in.body = std::move(text);
  return in;
}

Errc code_of(const Result<PreparedSend>& r) { return r.error().code; }

TEST(SendPreparationTest, BuildsTheMessageAndTheAnswer) {
  SendInput in = body("hello");
  in.sender_id = "AKIDEXAMPLE";
  in.attributes["color"] = {"String", "blue", ""};
  auto p = prepare_send(std::move(in), kStandard, 1234);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->output.md5_of_body, "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(p->output.md5_of_attributes.size(), 32U);
  EXPECT_TRUE(p->output.md5_of_system_attributes.empty());
  EXPECT_EQ(p->output.message_id.size(), 36U);
  EXPECT_EQ(p->output.message_id, uuid_text(p->message.payload->id));
  EXPECT_EQ(p->message.sent, 1234);
  EXPECT_EQ(p->message.payload->body, "hello");
  EXPECT_EQ(p->message.payload->extras->attributes.at("color").string_value, "blue");
  EXPECT_EQ(p->sender_id, "AKIDEXAMPLE");
  EXPECT_EQ(p->size, std::string("hello").size() + std::string("color").size() +
                         std::string("String").size() + std::string("blue").size());
  EXPECT_TRUE(p->record.empty());  // not durable: nothing encoded
  EXPECT_FALSE(p->duplicate);
}

TEST(SendPreparationTest, PlainMessagesCarryNoExtras) {
  auto p = prepare_send(body("x"), kStandard, 0);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->message.payload->extras, nullptr);
  EXPECT_TRUE(p->output.md5_of_attributes.empty());
}

TEST(SendPreparationTest, DurableQueuesGetTheEncodedRecord) {
  SendInput in = body("payload");
  in.sender_id = "AKIDEXAMPLE";
  auto p = prepare_send(std::move(in), {.fifo = false, .durable = true}, 99);
  ASSERT_TRUE(p);
  auto record = decode_message(p->record);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->body, "payload");
  EXPECT_EQ(record->sent, 99);
  EXPECT_EQ(record->sender_id, "AKIDEXAMPLE");
}

TEST(SendPreparationTest, RejectsWhatSendMessageRejects) {
  EXPECT_EQ(code_of(prepare_send(body(""), kStandard, 0)), Errc::kMissingParameter);
  SendInput late = body("x");
  late.delay_seconds = 901;
  EXPECT_EQ(code_of(prepare_send(std::move(late), kStandard, 0)), Errc::kInvalidParameterValue);
  SendInput negative = body("x");
  negative.delay_seconds = -1;
  EXPECT_EQ(code_of(prepare_send(std::move(negative), kStandard, 0)), Errc::kInvalidParameterValue);
  EXPECT_EQ(code_of(prepare_send(body(std::string("\x01", 1)), kStandard, 0)),
            Errc::kInvalidMessageContents);
  // Bodies long enough to be checked a word at a time: a bad byte anywhere in a word, or in
  // the tail after the last whole word, is still found; tabs, newlines, DEL and UTF-8 pass.
  for (std::size_t at : {0u, 5u, 13u, 31u, 34u}) {
    std::string text(35, 'x');
    text[at] = '\x1f';
    EXPECT_EQ(code_of(prepare_send(body(text), kStandard, 0)), Errc::kInvalidMessageContents) << at;
    text[at] = '\xc0';  // a lead byte with no continuation
    EXPECT_EQ(code_of(prepare_send(body(text), kStandard, 0)), Errc::kInvalidMessageContents) << at;
  }
  EXPECT_TRUE(prepare_send(
      body("line one\nline two\ttabbed\r\x7f caf\xc3\xa9 \xf0\x9f\x98\x80 end"), kStandard, 0));
  SendInput bad_name = body("x");
  bad_name.attributes["AWS.reserved"] = {"String", "v", ""};
  EXPECT_FALSE(prepare_send(std::move(bad_name), kStandard, 0));
  SendInput dedup_on_standard = body("x");
  dedup_on_standard.deduplication_id = "d";
  EXPECT_EQ(code_of(prepare_send(std::move(dedup_on_standard), kStandard, 0)),
            Errc::kInvalidParameterValue);
}

TEST(SendPreparationTest, FifoRules) {
  EXPECT_EQ(code_of(prepare_send(body("x"), kFifo, 0)), Errc::kMissingParameter);  // no group
  SendInput delayed = body("x");
  delayed.group_id = "g";
  delayed.delay_seconds = 5;
  EXPECT_EQ(code_of(prepare_send(std::move(delayed), kFifo, 0)), Errc::kInvalidParameterValue);
  SendInput zero_delay = body("x");
  zero_delay.group_id = "g";
  zero_delay.delay_seconds = 0;  // allowed: it is the queue's delay that applies
  EXPECT_TRUE(prepare_send(std::move(zero_delay), kFifo, 0));
  SendInput bad_token = body("x");
  bad_token.group_id = "g";
  bad_token.deduplication_id = "has space";
  EXPECT_EQ(code_of(prepare_send(std::move(bad_token), kFifo, 0)), Errc::kInvalidParameterValue);
  SendInput bad_group = body("x");
  bad_group.group_id = std::string(129, 'g');
  EXPECT_EQ(code_of(prepare_send(std::move(bad_group), kStandard, 0)),
            Errc::kInvalidParameterValue);
}

TEST(SendPreparationTest, FifoDeduplicationIdIsExplicitOrTheBodysSha256) {
  SendInput content = body("hello");
  content.group_id = "g";
  auto a = prepare_send(std::move(content), kFifo, 0);
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->explicit_dedup);
  EXPECT_EQ(a->group_id, "g");
  EXPECT_EQ(a->message.payload->extras->deduplication_id,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  SendInput given = body("hello");
  given.group_id = "g";
  given.deduplication_id = "order-1";
  auto b = prepare_send(std::move(given), kFifo, 0);
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->explicit_dedup);
  EXPECT_EQ(b->message.payload->extras->deduplication_id, "order-1");
}

TEST(SendPreparationTest, AGroupOnAStandardQueueMakesItFair) {
  SendInput in = body("x");
  in.group_id = "tenant-a";
  auto p = prepare_send(std::move(in), kStandard, 0);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->group_id, "tenant-a");
  EXPECT_EQ(p->message.payload->group_id(), "tenant-a");
  EXPECT_TRUE(p->message.payload->extras->deduplication_id.empty());
}

}  // namespace
}  // namespace eb::sqs
