// Peek and queue summaries (the admin API's view): messages listed as they are, and nothing
// about them changed: no visibility, receive count, redrive or write.
#include <algorithm>

#include "sqs/queues_fixture.hpp"

namespace eb::sqs::testing {
namespace {

const std::string kArnPrefix = "arn:aws:sqs:us-east-1:000000000000:";

std::string system_attribute(const ReceivedMessage& m, const std::string& name) {
  auto it = std::find_if(m.attributes.begin(), m.attributes.end(),
                         [&](const auto& a) { return a.first == name; });
  return it == m.attributes.end() ? "<missing>" : it->second;
}

class PeekTest : public QueuesTest {
 protected:
  PeekPage peek(const std::string& queue, PeekInput input = {}) {
    auto page = queues_.peek_messages(queue, input);
    EXPECT_TRUE(page) << (page ? "" : page.error().message);
    return page ? std::move(*page) : PeekPage{};
  }
  // One receive returning every system attribute.
  std::vector<ReceivedMessage> receive_described(const std::string& queue) {
    ReceiveInput in;
    in.system_attribute_names = {"All"};
    return receive(queue, std::move(in));
  }
};

TEST_P(PeekTest, ListsEveryStateBySeq) {
  create("q");
  SendInput with_attribute;
  with_attribute.attributes["kind"] = MessageAttributeValue{"String", "order", ""};
  with_attribute.attributes["raw"] = MessageAttributeValue{"Binary", "", std::string("\0\1", 2)};
  auto first = send("q", "one", with_attribute);
  send("q", "two");
  SendInput delayed;
  delayed.delay_seconds = 60;
  send("q", "three", delayed);
  clock_.advance(5'000);
  ReceiveInput one;
  one.max_messages = 1;
  ASSERT_EQ(receive("q", one).size(), 1u);  // "one" goes in flight for 30 s

  PeekPage page = peek("q");
  ASSERT_EQ(page.messages.size(), 3u);
  EXPECT_FALSE(page.next);
  EXPECT_LT(page.messages[0].seq, page.messages[1].seq);
  EXPECT_LT(page.messages[1].seq, page.messages[2].seq);

  const PeekedMessage& inflight = page.messages[0];
  EXPECT_EQ(inflight.state, PeekState::kInflight);
  EXPECT_EQ(inflight.message.message_id, first.message_id);
  EXPECT_EQ(inflight.message.body, "one");
  EXPECT_EQ(inflight.message.md5_of_body, first.md5_of_body);
  EXPECT_TRUE(inflight.message.receipt_handle.empty());
  EXPECT_EQ(inflight.message.message_attributes.at("kind").string_value, "order");
  EXPECT_EQ(inflight.message.message_attributes.at("raw").binary_value, std::string("\0\1", 2));
  EXPECT_EQ(inflight.message.md5_of_attributes, first.md5_of_attributes);
  EXPECT_EQ(system_attribute(inflight.message, "ApproximateReceiveCount"), "1");
  EXPECT_EQ(inflight.visible_at, clock_.now_ms() + 30'000);

  EXPECT_EQ(page.messages[1].state, PeekState::kVisible);
  EXPECT_EQ(page.messages[1].message.body, "two");
  EXPECT_EQ(page.messages[1].visible_at, 0);
  EXPECT_EQ(system_attribute(page.messages[1].message, "ApproximateReceiveCount"), "0");
  EXPECT_EQ(system_attribute(page.messages[1].message, "SentTimestamp"),
            std::to_string(clock_.now_ms() - 5'000));

  EXPECT_EQ(page.messages[2].state, PeekState::kDelayed);
  EXPECT_EQ(page.messages[2].message.body, "three");
  EXPECT_EQ(page.messages[2].visible_at, clock_.now_ms() + 55'000);
}

TEST_P(PeekTest, FiltersByState) {
  create("q");
  send("q", "ready");
  SendInput delayed;
  delayed.delay_seconds = 10;
  send("q", "later", delayed);
  PeekInput only_delayed;
  only_delayed.delayed = true;
  PeekPage page = peek("q", only_delayed);
  ASSERT_EQ(page.messages.size(), 1u);
  EXPECT_EQ(page.messages[0].message.body, "later");
  PeekInput visible_or_inflight;
  visible_or_inflight.visible = true;
  visible_or_inflight.inflight = true;
  page = peek("q", visible_or_inflight);
  ASSERT_EQ(page.messages.size(), 1u);
  EXPECT_EQ(page.messages[0].message.body, "ready");
  // Lazy time, as GetQueueAttributes sees it: once the delay is over the message is visible.
  clock_.advance(10'000);
  page = peek("q", visible_or_inflight);
  EXPECT_EQ(page.messages.size(), 2u);
}

TEST_P(PeekTest, ChangesNothing) {
  create("q");
  auto sent = send("q", "untouched");
  const std::size_t writes = store_.writes();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(peek("q").messages.size(), 1u);
  EXPECT_EQ(store_.writes(), writes);
  EXPECT_EQ(attribute("q", "ApproximateNumberOfMessages"), "1");
  EXPECT_EQ(attribute("q", "ApproximateNumberOfMessagesNotVisible"), "0");
  auto got = receive_described("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].message_id, sent.message_id);
  EXPECT_EQ(system_attribute(got[0], "ApproximateReceiveCount"), "1");
  EXPECT_EQ(system_attribute(got[0], "ApproximateFirstReceiveTimestamp"),
            std::to_string(clock_.now_ms()));
}

TEST_P(PeekTest, DoesNotRedrive) {
  create("dlq");
  create("src", {{"RedrivePolicy",
                  R"({"deadLetterTargetArn":")" + kArnPrefix + R"(dlq","maxReceiveCount":"1"})"}});
  send("src", "poison");
  ReceiveInput in;
  in.visibility_timeout = 0;
  ASSERT_EQ(receive("src", in).size(), 1u);  // its one receive: the next would redrive it
  for (int i = 0; i < 3; ++i) {
    PeekPage page = peek("src");
    ASSERT_EQ(page.messages.size(), 1u);
    EXPECT_EQ(page.messages[0].state, PeekState::kVisible);
    EXPECT_EQ(system_attribute(page.messages[0].message, "ApproximateReceiveCount"), "1");
  }
  EXPECT_TRUE(peek("dlq").messages.empty());
  EXPECT_EQ(attribute("src", "ApproximateNumberOfMessages"), "1");
  EXPECT_EQ(attribute("dlq", "ApproximateNumberOfMessages"), "0");
}

TEST_P(PeekTest, PagesWithAfterAndLimit) {
  create("q");
  for (int i = 0; i < 5; ++i) send("q", "m" + std::to_string(i));
  PeekInput in;
  in.limit = 2;
  std::vector<std::string> bodies;
  int pages = 0;
  for (;;) {
    PeekPage page = peek("q", in);
    ++pages;
    for (const auto& m : page.messages) bodies.push_back(m.message.body);
    if (!page.next) break;
    EXPECT_EQ(*page.next, page.messages.back().seq);
    in.after = *page.next;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(bodies, (std::vector<std::string>{"m0", "m1", "m2", "m3", "m4"}));
  in.limit = 5;
  in.after = 0;
  EXPECT_FALSE(peek("q", in).next);  // exactly the rest: no next page
  in.limit = 0;
  PeekPage one = peek("q", in);
  ASSERT_EQ(one.messages.size(), 1u);
  EXPECT_EQ(one.next, one.messages[0].seq);
}

TEST_P(PeekTest, FifoSystemAttributes) {
  create("q.fifo", {{"FifoQueue", "true"}});
  SendInput in;
  in.group_id = "g1";
  in.deduplication_id = "d1";
  auto sent = send("q.fifo", "first", in);
  PeekPage page = peek("q.fifo");
  ASSERT_EQ(page.messages.size(), 1u);
  const ReceivedMessage& m = page.messages[0].message;
  EXPECT_EQ(system_attribute(m, "MessageGroupId"), "g1");
  EXPECT_EQ(system_attribute(m, "MessageDeduplicationId"), "d1");
  EXPECT_EQ(system_attribute(m, "SequenceNumber"), sent.sequence_number);
}

TEST_P(PeekTest, UnknownQueue) {
  auto page = queues_.peek_messages("missing", {});
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, Errc::kQueueDoesNotExist);
  auto summary = queues_.queue_summary("missing");
  ASSERT_FALSE(summary);
  EXPECT_EQ(summary.error().code, Errc::kQueueDoesNotExist);
}

TEST_P(PeekTest, Summaries) {
  create("dlq");
  create("orders", {{"RedrivePolicy",
                     R"({"deadLetterTargetArn":")" + kArnPrefix + R"(dlq","maxReceiveCount":3})"}});
  create("orders.fifo", {{"FifoQueue", "true"}});
  create("fair");
  const Millis created = clock_.now_ms();
  send("orders", "a");
  clock_.advance(7'000);
  send("orders", "b");
  SendInput delayed;
  delayed.delay_seconds = 30;
  send("orders", "c", delayed);
  ReceiveInput one;
  one.max_messages = 1;
  ASSERT_EQ(receive("orders", one).size(), 1u);
  SendInput grouped;
  grouped.group_id = "g";
  send("fair", "x", grouped);

  std::vector<QueueStats> all = queues_.queue_summaries("");
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].queue.name, "dlq");
  EXPECT_EQ(all[0].queue.type, "standard");
  EXPECT_FALSE(all[0].queue.oldest_age);
  EXPECT_EQ(all[1].queue.name, "fair");
  EXPECT_EQ(all[1].queue.type, "fair");
  const QueueSummary& orders = all[2].queue;
  EXPECT_EQ(all[2].counts[QueueCount::kSent], 3u);
  EXPECT_EQ(all[2].counts[QueueCount::kReceived], 1u);
  EXPECT_EQ(orders.name, "orders");
  EXPECT_EQ(orders.arn, kArnPrefix + "orders");
  EXPECT_EQ(orders.visible, 1u);
  EXPECT_EQ(orders.inflight, 1u);
  EXPECT_EQ(orders.delayed, 1u);
  EXPECT_EQ(orders.oldest_age, 7'000);
  EXPECT_EQ(orders.dead_letter_target_arn, kArnPrefix + "dlq");
  EXPECT_EQ(orders.created, created);
  EXPECT_EQ(all[3].queue.type, "fifo");

  std::vector<QueueStats> some = queues_.queue_summaries("orders");
  ASSERT_EQ(some.size(), 2u);
  EXPECT_EQ(some[0].queue.name, "orders");
  EXPECT_EQ(some[1].queue.name, "orders.fifo");
  auto one_summary = queues_.queue_summary("orders");
  ASSERT_TRUE(one_summary);
  EXPECT_EQ(one_summary->queue.visible, 1u);
}

}  // namespace
INSTANTIATE_TEST_SUITE_P(Payloads, PeekTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "InEngine" : "InMemory"; });

}  // namespace eb::sqs::testing
