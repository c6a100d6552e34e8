// Queue semantics through the Queues facade, with time driven by ManualClock.
#include "sqs/message_rules.hpp"
#include "sqs/queues_fixture.hpp"

namespace eb::sqs::testing {
namespace {

TEST_P(QueuesTest, SendReceiveDeleteRoundTrip) {
  create("q");
  auto sent = send("q", "hello world");
  EXPECT_EQ(sent.md5_of_body, "5eb63bbbe01eeed093cb22bb8f5acdc3");
  EXPECT_EQ(sent.message_id.size(), 36u);
  auto got = receive("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "hello world");
  EXPECT_EQ(got[0].message_id, sent.message_id);
  EXPECT_EQ(attribute("q", "ApproximateNumberOfMessagesNotVisible"), "1");
  ASSERT_TRUE(queues_.delete_message("q", got[0].receipt_handle));
  EXPECT_EQ(attribute("q", "ApproximateNumberOfMessagesNotVisible"), "0");
  EXPECT_TRUE(receive("q").empty());
}

TEST_P(QueuesTest, VisibilityTimeoutHidesThenReturnsWithNewHandle) {
  create("q", {{"VisibilityTimeout", "30"}});
  send("q", "m");
  auto first = receive("q");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(receive("q").empty());
  clock_.advance(29'999);
  EXPECT_TRUE(receive("q").empty());
  clock_.advance(1);
  ReceiveInput in;
  in.system_attribute_names = {"ApproximateReceiveCount"};
  auto second = receive("q", in);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_NE(second[0].receipt_handle, first[0].receipt_handle);
  EXPECT_EQ(second[0].attributes.at(0),
            (std::pair<std::string, std::string>{"ApproximateReceiveCount", "2"}));
  // The superseded handle "succeeds" but deletes nothing, as AWS documents.
  ASSERT_TRUE(queues_.delete_message("q", first[0].receipt_handle));
  EXPECT_EQ(attribute("q", "ApproximateNumberOfMessagesNotVisible"), "1");
  ASSERT_TRUE(queues_.delete_message("q", second[0].receipt_handle));
  EXPECT_EQ(attribute("q", "ApproximateNumberOfMessagesNotVisible"), "0");
}

TEST_P(QueuesTest, PerReceiveVisibilityOverridesQueueDefault) {
  create("q");
  send("q", "m");
  ReceiveInput in;
  in.visibility_timeout = 5;
  ASSERT_EQ(receive("q", in).size(), 1u);
  clock_.advance(5'000);
  EXPECT_EQ(receive("q").size(), 1u);
}

TEST_P(QueuesTest, ChangeVisibilityZeroMakesVisibleAndRespectsLimits) {
  create("q");
  send("q", "m");
  auto got = receive("q");
  ASSERT_EQ(got.size(), 1u);
  auto too_long = queues_.change_message_visibility("q", {got[0].receipt_handle, 43'201});
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, Errc::kInvalidParameterValue);
  clock_.advance(10'000);
  // 12 h counts from the receive: extending to 43200 s from now would exceed it.
  auto beyond = queues_.change_message_visibility("q", {got[0].receipt_handle, 43'200});
  ASSERT_FALSE(beyond);
  EXPECT_NE(beyond.error().message.find("43200"), std::string::npos);
  ASSERT_TRUE(queues_.change_message_visibility("q", {got[0].receipt_handle, 0}));
  EXPECT_EQ(attribute("q", "ApproximateNumberOfMessages"), "1");
  auto not_inflight = queues_.change_message_visibility("q", {got[0].receipt_handle, 10});
  ASSERT_FALSE(not_inflight);
  EXPECT_EQ(not_inflight.error().code, Errc::kMessageNotInflight);
  EXPECT_EQ(receive("q").size(), 1u);
}

TEST_P(QueuesTest, ChangeVisibilityExtendsHiding) {
  create("q", {{"VisibilityTimeout", "10"}});
  send("q", "m");
  auto got = receive("q");
  ASSERT_TRUE(queues_.change_message_visibility("q", {got[0].receipt_handle, 60}));
  clock_.advance(59'000);
  EXPECT_TRUE(receive("q").empty());
  clock_.advance(1'000);
  EXPECT_EQ(receive("q").size(), 1u);
}

TEST_P(QueuesTest, MalformedReceiptHandleIsInvalid) {
  create("q");
  auto r = queues_.delete_message("q", "not-a-handle");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kReceiptHandleIsInvalid);
  create("other");
  send("other", "m");
  auto got = receive("other");
  auto cross = queues_.delete_message("q", got[0].receipt_handle);
  ASSERT_FALSE(cross);
  EXPECT_EQ(cross.error().code, Errc::kReceiptHandleIsInvalid);
}

TEST_P(QueuesTest, DelaySecondsPerQueueAndPerMessage) {
  create("q", {{"DelaySeconds", "10"}});
  send("q", "queue-delay");
  SendInput in;
  in.delay_seconds = 0;
  send("q", "no-delay", in);
  EXPECT_EQ(attribute("q", "ApproximateNumberOfMessagesDelayed"), "1");
  EXPECT_EQ(attribute("q", "ApproximateNumberOfMessages"), "1");
  ReceiveInput all;
  all.max_messages = 10;
  auto got = receive("q", all);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "no-delay");
  clock_.advance(10'000);
  got = receive("q", all);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "queue-delay");
  SendInput bad;
  bad.delay_seconds = 901;
  bad.body = "x";
  auto r = queues_.send_message("q", bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kInvalidParameterValue);
}

TEST_P(QueuesTest, RetentionPeriodExpiresMessages) {
  create("q", {{"MessageRetentionPeriod", "60"}});
  send("q", "old");
  clock_.advance(30'000);
  send("q", "young");
  clock_.advance(30'000);
  EXPECT_EQ(attribute("q", "ApproximateNumberOfMessages"), "1");
  auto got = receive("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "young");
}

TEST_P(QueuesTest, LongPollWokenBySend) {
  create("q");
  ReceiveInput in;
  in.wait_seconds = 20;
  auto parked = park("q", in);
  EXPECT_FALSE(parked->done());
  send("q", "wake");
  ASSERT_TRUE(parked->done());
  EXPECT_EQ(parked->count(), 1u);
}

TEST_P(QueuesTest, LongPollEndsEmptyAtDeadline) {
  create("q");
  ReceiveInput in;
  in.wait_seconds = 20;
  auto parked = park("q", in);
  clock_.advance(19'999);
  EXPECT_FALSE(parked->done());
  clock_.advance(1);
  ASSERT_TRUE(parked->done());
  EXPECT_EQ(parked->count(), 0u);
}

TEST_P(QueuesTest, LongPollUsesQueueDefaultWait) {
  create("q", {{"ReceiveMessageWaitTimeSeconds", "5"}});
  std::optional<Result<std::vector<ReceivedMessage>>> out;
  queues_.receive_message("q", {}, [&](auto r) { out = std::move(r); });
  EXPECT_FALSE(out.has_value());
  clock_.advance(5'000);
  EXPECT_TRUE(out.has_value());
}

TEST_P(QueuesTest, LongPollWokenByDelayEndingAndVisibilityExpiry) {
  create("q", {{"VisibilityTimeout", "7"}});
  ReceiveInput in;
  in.wait_seconds = 20;
  SendInput delayed;
  delayed.delay_seconds = 3;
  send("q", "later", delayed);
  auto parked = park("q", in);
  clock_.advance(2'999);
  EXPECT_FALSE(parked->done());
  clock_.advance(1);
  ASSERT_EQ(parked->count(), 1u);

  auto again = park("q", in);
  clock_.advance(6'999);
  EXPECT_FALSE(again->done());
  clock_.advance(1);
  EXPECT_EQ(again->count(), 1u);
}

TEST_P(QueuesTest, ShutdownAnswersParkedReceivesEmpty) {
  create("q");
  ReceiveInput in;
  in.wait_seconds = 20;
  auto parked = park("q", in);
  queues_.shutdown();
  ASSERT_TRUE(parked->done());
  EXPECT_EQ(parked->count(), 0u);
}

TEST_P(QueuesTest, ReceiveValidatesParameters) {
  create("q");
  for (auto mutate : std::vector<std::function<void(ReceiveInput&)>>{
           [](ReceiveInput& i) { i.max_messages = 11; },
           [](ReceiveInput& i) { i.max_messages = 0; },
           [](ReceiveInput& i) { i.wait_seconds = 21; },
           [](ReceiveInput& i) { i.visibility_timeout = 43'201; }}) {
    ReceiveInput in;
    mutate(in);
    std::optional<Result<std::vector<ReceivedMessage>>> out;
    queues_.receive_message("q", in, [&](auto r) { out = std::move(r); });
    ASSERT_TRUE(out.has_value());
    ASSERT_FALSE(out->has_value());
    EXPECT_EQ(out->error().code, Errc::kInvalidParameterValue);
  }
}

TEST_P(QueuesTest, MessageAttributesSelectionAndMd5) {
  create("q");
  SendInput in;
  in.attributes["a"] = {"Number", "42", ""};
  in.attributes["b"] = {"String", "v", ""};
  in.attributes["bin"] = {"Binary", "", std::string("\x00\x01\x02", 3)};
  auto sent = send("q", "hello world", in);
  // Reference value from an independent implementation of AWS's algorithm.
  EXPECT_EQ(sent.md5_of_attributes, "dc494cc50313341565f298820dd2d73c");

  ReceiveInput sel;
  sel.message_attribute_names = {"b*", "a"};
  auto got = receive("q", sel);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].message_attributes.size(), 1u);
  EXPECT_TRUE(got[0].message_attributes.contains("a"));
  EXPECT_EQ(got[0].md5_of_attributes, md5_of_attributes(got[0].message_attributes));
}

TEST_P(QueuesTest, PrefixSelectionAndAll) {
  create("q");
  SendInput in;
  in.attributes["order.id"] = {"String", "1", ""};
  in.attributes["order.total"] = {"Number", "9.5", ""};
  in.attributes["other"] = {"String", "x", ""};
  send("q", "m", in);
  ReceiveInput sel;
  sel.message_attribute_names = {"order.*"};
  sel.visibility_timeout = 0;
  auto got = receive("q", sel);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].message_attributes.size(), 2u);
  sel.message_attribute_names = {"All"};
  got = receive("q", sel);
  EXPECT_EQ(got[0].message_attributes.size(), 3u);
  EXPECT_EQ(got[0].md5_of_attributes, md5_of_attributes(in.attributes));
}

TEST_P(QueuesTest, SystemAttributes) {
  create("q");
  SendInput in;
  in.system_attributes["AWSTraceHeader"] = {"String", "Root=1-abc", ""};
  auto sent = send("q", "m", in);
  EXPECT_FALSE(sent.md5_of_system_attributes.empty());
  const Millis sent_at = clock_.now_ms();
  clock_.advance(1'500);
  ReceiveInput sel;
  sel.system_attribute_names = {"All"};
  auto got = receive("q", sel);
  ASSERT_EQ(got.size(), 1u);
  std::map<std::string, std::string> attrs(got[0].attributes.begin(), got[0].attributes.end());
  EXPECT_EQ(attrs["SentTimestamp"], std::to_string(sent_at));
  EXPECT_EQ(attrs["ApproximateFirstReceiveTimestamp"], std::to_string(sent_at + 1'500));
  EXPECT_EQ(attrs["ApproximateReceiveCount"], "1");
  EXPECT_EQ(attrs["SenderId"], "000000000000");
  EXPECT_EQ(attrs["AWSTraceHeader"], "Root=1-abc");
}

TEST_P(QueuesTest, MessageSizeLimit) {
  create("q", {{"MaximumMessageSize", "1024"}});
  SendInput in;
  in.body = std::string(1024, 'x');
  EXPECT_TRUE(queues_.send_message("q", in));
  in.body = std::string(1020, 'x');
  in.attributes["ab"] = {"String", "cd", ""};  // 2 + 6 + 2 = 10 more bytes
  auto r = queues_.send_message("q", in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kInvalidParameterValue);
}

TEST_P(QueuesTest, InvalidBodyCharacters) {
  create("q");
  SendInput in;
  in.body = std::string("bad\x01", 4);
  auto r = queues_.send_message("q", in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kInvalidMessageContents);
  in.body = "\xff\xfe";
  EXPECT_FALSE(queues_.send_message("q", in));
  in.body = "emoji \xf0\x9f\x98\x80 and tab\t";
  EXPECT_TRUE(queues_.send_message("q", in));
}

TEST_P(QueuesTest, AttributeValidation) {
  create("q");
  auto try_attr = [&](std::string name, MessageAttributeValue v) {
    SendInput in;
    in.body = "m";
    in.attributes[name] = v;
    return queues_.send_message("q", in);
  };
  EXPECT_TRUE(try_attr("ok.name", {"String.custom", "v", ""}));
  EXPECT_FALSE(try_attr("AWS.reserved", {"String", "v", ""}));
  EXPECT_FALSE(try_attr(".lead", {"String", "v", ""}));
  EXPECT_FALSE(try_attr("a..b", {"String", "v", ""}));
  EXPECT_FALSE(try_attr("n", {"Number", "abc", ""}));
  EXPECT_FALSE(try_attr("n", {"Float", "1", ""}));
  EXPECT_FALSE(try_attr("n", {"String", "", ""}));
  EXPECT_FALSE(try_attr("n", {"Binary", "", ""}));
  SendInput many;
  many.body = "m";
  for (int i = 0; i < 11; ++i) many.attributes["a" + std::to_string(i)] = {"String", "v", ""};
  auto r = queues_.send_message("q", many);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("[11]"), std::string::npos);
}

TEST_P(QueuesTest, ApproximateCounters) {
  create("q");
  send("q", "a");
  send("q", "b");
  SendInput d;
  d.delay_seconds = 5;
  send("q", "c", d);
  receive("q");
  EXPECT_EQ(attribute("q", "ApproximateNumberOfMessages"), "1");
  EXPECT_EQ(attribute("q", "ApproximateNumberOfMessagesNotVisible"), "1");
  EXPECT_EQ(attribute("q", "ApproximateNumberOfMessagesDelayed"), "1");
}

TEST_P(QueuesTest, PurgeOncePerMinute) {
  create("q");
  send("q", "a");
  ASSERT_TRUE(queues_.purge_queue("q"));
  EXPECT_EQ(attribute("q", "ApproximateNumberOfMessages"), "0");
  auto again = queues_.purge_queue("q");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kPurgeQueueInProgress);
  clock_.advance(60'000);
  EXPECT_TRUE(queues_.purge_queue("q"));
}

}  // namespace
}  // namespace eb::sqs::testing
