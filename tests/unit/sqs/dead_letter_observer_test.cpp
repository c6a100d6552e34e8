// Queues' dead-letter observers: told of every message a RedrivePolicy moves, with what the
// move knows, for dead-letter queues configured later too, outside every queue lock.
#include "sqs/queues_fixture.hpp"

namespace eb::sqs::testing {
namespace {

const std::string kArnPrefix = "arn:aws:sqs:us-east-1:000000000000:";

class DeadLetterObserverTest : public QueuesTest {
 protected:
  std::vector<DeadLetterArrival> seen_;

  void redrive(const std::string& source, const std::string& dlq, int max_receives) {
    ASSERT_TRUE(queues_.set_queue_attributes(
        source,
        {{"RedrivePolicy", R"({"deadLetterTargetArn":")" + kArnPrefix + dlq +
                               R"(","maxReceiveCount":)" + std::to_string(max_receives) + "}"}}));
  }
  // Receives `queue` until its messages moved (visibility 0: each receive counts).
  void exhaust(const std::string& queue, int receives) {
    ReceiveInput in;
    in.visibility_timeout = 0;
    in.max_messages = 10;
    for (int i = 0; i <= receives; ++i) (void)receive(queue, in);
  }
};

TEST_P(DeadLetterObserverTest, ReportsEachMoveWithItsQueuesIdCountTypeAndBody) {
  create("dlq");
  create("src");
  redrive("src", "dlq", 2);
  queues_.add_dead_letter_observer([this](const DeadLetterArrival& a) {
    // No queue lock is held: the observer may read the queues it is told about.
    EXPECT_EQ(attribute(a.queue, "ApproximateNumberOfMessages"), "1");
    seen_.push_back(a);
  });
  SendInput typed;
  typed.attributes["eventType"] = {"String", "order.created", ""};
  const auto sent = send("src", R"({"id":"e-1"})", typed);
  clock_.advance(1500);
  exhaust("src", 2);
  ASSERT_EQ(seen_.size(), 1u);
  const DeadLetterArrival& a = seen_[0];
  EXPECT_EQ(a.queue, "dlq");
  EXPECT_EQ(a.queue_arn, kArnPrefix + "dlq");
  EXPECT_EQ(a.source_queue, "src");
  EXPECT_EQ(a.source_arn, kArnPrefix + "src");
  EXPECT_EQ(a.message_id, sent.message_id);
  EXPECT_EQ(a.receive_count, 2u);
  EXPECT_EQ(a.event_type, "order.created");
  EXPECT_EQ(a.body_preview, R"({"id":"e-1"})");
  EXPECT_EQ(a.at, clock_.now_ms());
}

TEST_P(DeadLetterObserverTest, CoversQueuesConfiguredLaterAndStopsWhenRemoved) {
  const auto id =
      queues_.add_dead_letter_observer([this](const DeadLetterArrival& a) { seen_.push_back(a); });
  create("later-dlq");
  create("later-src");
  redrive("later-src", "later-dlq", 1);
  send("later-src", std::string(DeadLetterArrival::kMaxBodyPreview - 1, 'x') + "\xC3\xA9");
  send("later-src", "no type");
  exhaust("later-src", 1);
  ASSERT_EQ(seen_.size(), 2u);
  EXPECT_EQ(seen_[0].queue, "later-dlq");
  EXPECT_EQ(seen_[0].receive_count, 1u);
  EXPECT_EQ(seen_[0].event_type, "");
  // The preview stops before a character the limit would cut in two.
  EXPECT_EQ(seen_[0].body_preview, std::string(DeadLetterArrival::kMaxBodyPreview - 1, 'x'));
  EXPECT_EQ(seen_[1].body_preview, "no type");

  queues_.remove_dead_letter_observer(id);
  send("later-src", "unobserved");
  exhaust("later-src", 1);
  EXPECT_EQ(seen_.size(), 2u);
  EXPECT_EQ(attribute("later-dlq", "ApproximateNumberOfMessages"), "3");
}

TEST_P(DeadLetterObserverTest, EveryObserverIsToldAndMovesWithoutRedriveAreNot) {
  int a = 0;
  int b = 0;
  queues_.add_dead_letter_observer([&](const DeadLetterArrival&) { ++a; });
  queues_.add_dead_letter_observer([&](const DeadLetterArrival&) { ++b; });
  create("dlq");
  create("src");
  redrive("src", "dlq", 1);
  send("src", "m");
  exhaust("src", 1);
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 1);
  // A move task back to the source is not a dead-letter arrival.
  ASSERT_TRUE(queues_.start_message_move_task({kArnPrefix + "dlq", "", std::nullopt}));
  clock_.advance(5000);
  EXPECT_EQ(a, 1);
}

}  // namespace
INSTANTIATE_TEST_SUITE_P(Payloads, DeadLetterObserverTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "InEngine" : "InMemory"; });

}  // namespace eb::sqs::testing
