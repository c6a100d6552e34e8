// SNS topics delivering into another account's SQS queues: two accounts, each with its own
// MemoryEngine, Queues and Topics, wired with the resolver the daemon gives them.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "core/manual_clock.hpp"
#include "sns/recording_endpoints.hpp"
#include "sns/topics.hpp"
#include "sqs/queues_fixture.hpp"

namespace eb::sns::testing {

using namespace eb::sqs;  // NOLINT(google-build-using-namespace): the queues SNS fans out into
namespace {

constexpr const char* kAccountA = "111111111111";
constexpr const char* kAccountB = "222222222222";

std::shared_ptr<const MessageSigner> test_signer() {
  static const auto signer =
      std::make_shared<const MessageSigner>(*MessageSigner::generate("sns.accounts.test"));
  return signer;
}

// One account's SNS and SQS over its own engine (durable, so a restart can read it back).
struct Account {
  Account(ManualClock& clock, const char* id)
      : queues(clock, clock, engine, QueuesOptions{.account_id = id}),
        topics(clock, engine, queues, test_signer(), endpoints) {}
  storage::MemoryEngine engine{true};
  RecordingEndpoints endpoints;
  Queues queues;
  Topics topics;
};

class CrossAccountTest : public ::testing::Test {
 protected:
  CrossAccountTest() {
    const auto resolve = [this](std::string_view id) -> Queues* {
      if (id == kAccountA) return &a_.queues;
      if (id == kAccountB) return &b_.queues;
      return nullptr;
    };
    a_.queues.set_other_accounts(resolve);
    b_.queues.set_other_accounts(resolve);
  }

  static std::string queue(Account& account, const std::string& name,
                           AttributeMap attributes = {}) {
    auto r = account.queues.create_queue({name, std::move(attributes), {}});
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return account.queues.queue_arn(name);
  }

  static std::string topic(Account& account, const std::string& name,
                           AttributeMap attributes = {}) {
    auto r = account.topics.create_topic({name, std::move(attributes), {}, {}});
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r.value_or("");
  }

  static void subscribe(Account& account, const std::string& topic_arn,
                        const std::string& queue_arn, AttributeMap attributes = {}) {
    auto r = account.topics.subscribe({topic_arn, "sqs", queue_arn, std::move(attributes), false});
    ASSERT_TRUE(r.has_value()) << r.error().message;
  }

  static Result<PublishOutput> publish(Account& account, const std::string& topic_arn,
                                       std::string message,
                                       std::optional<std::string> group = std::nullopt,
                                       std::optional<std::string> dedup = std::nullopt) {
    PublishInput in;
    in.topic_arn = topic_arn;
    in.message = std::move(message);
    in.group_id = std::move(group);
    in.deduplication_id = std::move(dedup);
    return account.topics.publish(std::move(in));
  }

  static std::vector<ReceivedMessage> receive_all(Queues& queues, const std::string& name) {
    ReceiveInput in;
    in.max_messages = 10;
    in.message_attribute_names = {"All"};
    in.system_attribute_names = {"All"};
    return sqs::testing::receive_now(queues, name, std::move(in));
  }

  ManualClock clock_;
  Account a_{clock_, kAccountA};
  Account b_{clock_, kAccountB};
};

TEST_F(CrossAccountTest, PublishReachesAnotherAccountsQueueThroughItsOwnEngine) {
  const std::string topic_arn = topic(a_, "orders");
  const std::string own = queue(a_, "own");
  subscribe(a_, topic_arn, own);
  subscribe(a_, topic_arn, queue(b_, "inbox"), {{"RawMessageDelivery", "true"}});
  ASSERT_TRUE(publish(a_, topic_arn, "hello"));

  EXPECT_EQ(receive_all(a_.queues, "own").size(), 1u);
  // B's copy is in B's engine: a restart of B's queues finds it, and A's engine never had it.
  Queues b_again(clock_, clock_, b_.engine, QueuesOptions{.account_id = kAccountB});
  ASSERT_TRUE(b_again.recover());
  auto copies = receive_all(b_again, "inbox");
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0].body, "hello");
  Queues a_again(clock_, clock_, a_.engine, QueuesOptions{.account_id = kAccountA});
  ASSERT_TRUE(a_again.recover());
  auto listed = a_again.list_queues({});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->names, std::vector<std::string>{"own"});
}

TEST_F(CrossAccountTest, FifoTopicKeepsGroupsAndDeduplicatesIntoAnotherAccountsQueue) {
  const std::string topic_arn =
      topic(a_, "orders.fifo", {{"FifoTopic", "true"}, {"ContentBasedDeduplication", "true"}});
  subscribe(a_, topic_arn, queue(b_, "inbox.fifo", {{"FifoQueue", "true"}}),
            {{"RawMessageDelivery", "true"}});
  ASSERT_TRUE(publish(a_, topic_arn, "first", "g1", "d1"));
  ASSERT_TRUE(publish(a_, topic_arn, "second", "g2", "d2"));
  ASSERT_TRUE(publish(a_, topic_arn, "first again", "g1", "d1"));  // the topic's duplicate

  auto copies = receive_all(b_.queues, "inbox.fifo");
  ASSERT_EQ(copies.size(), 2u);
  const auto has = [](const ReceivedMessage& m, std::string name, std::string value) {
    const std::pair attribute(std::move(name), std::move(value));
    return std::find(m.attributes.begin(), m.attributes.end(), attribute) != m.attributes.end();
  };
  EXPECT_EQ(copies[0].body, "first");
  EXPECT_TRUE(has(copies[0], "MessageGroupId", "g1"));
  EXPECT_TRUE(has(copies[0], "MessageDeduplicationId", "d1"));
  EXPECT_EQ(copies[1].body, "second");
  EXPECT_TRUE(has(copies[1], "MessageGroupId", "g2"));
}

TEST_F(CrossAccountTest, RefusedCopyGoesToTheSubscriptionsDeadLetterQueueInAnyAccount) {
  const std::string topic_arn = topic(a_, "orders");
  const std::string dlq = queue(b_, "dlq");
  subscribe(a_, topic_arn, queue(b_, "small", {{"MaximumMessageSize", "1024"}}),
            {{"RawMessageDelivery", "true"},
             {"RedrivePolicy", R"({"deadLetterTargetArn":")" + dlq + R"("})"}});
  ASSERT_TRUE(publish(a_, topic_arn, std::string(2000, 'x')));

  EXPECT_TRUE(receive_all(b_.queues, "small").empty());
  auto dead = receive_all(b_.queues, "dlq");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].body, std::string(2000, 'x'));
  EXPECT_EQ(dead[0].message_attributes.at("ErrorCode").string_value, "InvalidParameterValue");
}

TEST_F(CrossAccountTest, CopyForADeletedOrUnknownAccountsQueueIsDeadLettered) {
  const std::string topic_arn = topic(a_, "orders");
  const std::string dlq = queue(a_, "dlq");
  const std::string redrive = R"({"deadLetterTargetArn":")" + dlq + R"("})";
  const std::string gone = queue(b_, "gone");
  ASSERT_TRUE(b_.queues.delete_queue("gone"));
  subscribe(a_, topic_arn, gone, {{"RedrivePolicy", redrive}});
  subscribe(a_, topic_arn, "arn:aws:sqs:us-east-1:333333333333:nobody",
            {{"RedrivePolicy", redrive}});
  ASSERT_TRUE(publish(a_, topic_arn, "lost?"));

  auto dead = receive_all(a_.queues, "dlq");
  ASSERT_EQ(dead.size(), 2u);
  for (const auto& m : dead) {
    EXPECT_EQ(m.message_attributes.at("ErrorCode").string_value,
              "AWS.SimpleQueueService.NonExistentQueue");
  }
}

}  // namespace
}  // namespace eb::sns::testing
