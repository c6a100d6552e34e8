// Topics::reset: topics (standard and FIFO, with their dedup and sequence records) and
// subscriptions go in one write; the names can be taken again, also after recovery.
#include <gtest/gtest.h>

#include "sns/topics.hpp"
#include "sqs/queues_fixture.hpp"

namespace eb::sns::testing {
namespace {

using eb::sqs::testing::QueuesTest;

std::shared_ptr<const MessageSigner> test_signer() {
  static const auto signer =
      std::make_shared<const MessageSigner>(*MessageSigner::generate("sns.reset.test"));
  return signer;
}

class NoEndpoints final : public EndpointDelivery {
 public:
  void deliver(EndpointMessage) override {}
};

class TopicsResetTest : public QueuesTest {
 protected:
  NoEndpoints endpoints_;
  Topics topics_{clock_, store_, queues_, test_signer(), endpoints_};

  std::string topic(const std::string& name, AttributeMap attributes = {}) {
    auto r = topics_.create_topic({name, std::move(attributes), {}, {}});
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r.value_or("");
  }
};

TEST_P(TopicsResetTest, DropsTopicsAndSubscriptionsAndFreesTheNames) {
  const std::string standard = topic("orders");
  const std::string fifo =
      topic("orders.fifo", {{"FifoTopic", "true"}, {"ContentBasedDeduplication", "true"}});
  create("inbox");
  ASSERT_TRUE(topics_.subscribe({standard, "sqs", queues_.queue_arn("inbox"), {}, false}));
  PublishInput in;
  in.topic_arn = fifo;
  in.message = "m";
  in.group_id = "g";
  ASSERT_TRUE(topics_.publish(in));

  auto dropped = topics_.reset();
  ASSERT_TRUE(dropped) << dropped.error().message;
  EXPECT_EQ(*dropped, 2u);
  EXPECT_TRUE(topics_.list_topics({})->topic_arns.empty());
  EXPECT_TRUE(topics_.list_subscriptions({})->subscriptions.empty());
  PublishInput gone;
  gone.topic_arn = standard;
  gone.message = "m";
  EXPECT_FALSE(topics_.publish(gone));

  EXPECT_EQ(topic("orders"), standard);
  NoEndpoints endpoints;
  Topics recovered{clock_, store_, queues_, test_signer(), endpoints};
  ASSERT_TRUE(recovered.recover());
  EXPECT_EQ(recovered.list_topics({})->topic_arns, std::vector<std::string>{standard});
}

INSTANTIATE_TEST_SUITE_P(Payloads, TopicsResetTest, ::testing::Bool());

}  // namespace
}  // namespace eb::sns::testing
