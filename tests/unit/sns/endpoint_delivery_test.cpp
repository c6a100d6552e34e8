// EndpointDeliveries driven by a ManualClock and a fake HttpPoster whose requests the test
// answers by hand, so every retry is observed at the exact millisecond it is due.
#include "sns/endpoint_delivery.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <optional>

#include "core/manual_clock.hpp"
#include "sns/delivery_policy.hpp"

namespace eb::sns {
namespace {

constexpr const char* kTopic = "arn:aws:sns:us-east-1:000000000000:orders";
constexpr const char* kSub = "arn:aws:sns:us-east-1:000000000000:orders:1111";

class FakePoster final : public HttpPoster {
 public:
  struct Request {
    std::string url;
    std::map<std::string, std::string> headers;
    std::string body;
    Done done;
  };

  void post(const std::string& url, Headers headers, std::string body, Done done) override {
    Request r{url, {}, std::move(body), std::move(done)};
    for (auto& [k, v] : headers) r.headers[k] = v;
    std::lock_guard lock(mu_);
    pending_.push_back(std::move(r));
    ++posted_;
  }

  std::size_t pending() {
    std::lock_guard lock(mu_);
    return pending_.size();
  }
  int posted() {
    std::lock_guard lock(mu_);
    return posted_;
  }
  // Takes the oldest request without answering it.
  Request take() {
    std::lock_guard lock(mu_);
    Request r = std::move(pending_.front());
    pending_.pop_front();
    return r;
  }
  // Answers the oldest request.
  Request answer(int status, std::string error = "") {
    Request r = take();
    r.done(status, std::move(error));
    return r;
  }

 private:
  std::mutex mu_;
  std::deque<Request> pending_;
  int posted_ = 0;
};

struct DeadLettered {
  EndpointMessage message;
  std::string code;
  std::string text;
};

class EndpointDeliveryTest : public ::testing::Test {
 protected:
  EndpointDeliveryTest() {
    deliveries_->set_dead_letter(
        [this](const EndpointMessage& m, const std::string& code, const std::string& text) {
          if (!dlq_accepts_) return false;
          dead_lettered_.push_back({m, code, text});
          return true;
        });
  }

  static EndpointMessage http_message(std::string policy = "", std::string type = "Notification",
                                      std::string id = "m-1") {
    return EndpointMessage{.subscription_arn = kSub,
                           .topic_arn = kTopic,
                           .protocol = "http",
                           .endpoint = "http://127.0.0.1:9/hook",
                           .message_type = std::move(type),
                           .message_id = std::move(id),
                           .body = R"({"Type":"Notification"})",
                           .delivery_policy = std::move(policy),
                           .dead_letter_arn = "arn:aws:sqs:us-east-1:000000000000:dlq"};
  }

  static EndpointMessage outbox_message(std::string protocol, std::string endpoint,
                                        std::string topic = kTopic, std::string id = "m") {
    return EndpointMessage{.subscription_arn = topic + ":sub-" + protocol,
                           .topic_arn = topic,
                           .protocol = std::move(protocol),
                           .endpoint = std::move(endpoint),
                           .message_type = "Notification",
                           .message_id = std::move(id),
                           .body = "hello"};
  }

  std::vector<OutboxRecord> outbox(OutboxFilter filter = {}) {
    return deliveries_->list(filter).records;
  }

  ManualClock clock_;
  FakePoster poster_;
  std::unique_ptr<EndpointDeliveries> deliveries_ =
      std::make_unique<EndpointDeliveries>(clock_, clock_, poster_);
  std::vector<DeadLettered> dead_lettered_;
  bool dlq_accepts_ = true;
};

TEST_F(EndpointDeliveryTest, DeliversOnTheFirstTryWithTheSnsHeaders) {
  deliveries_->deliver(http_message());
  ASSERT_EQ(poster_.pending(), 1u);
  EXPECT_EQ(deliveries_->in_flight(), 1u);
  auto r = poster_.answer(200);
  EXPECT_EQ(r.url, "http://127.0.0.1:9/hook");
  EXPECT_EQ(r.body, R"({"Type":"Notification"})");
  EXPECT_EQ(r.headers["x-amz-sns-message-type"], "Notification");
  EXPECT_EQ(r.headers["x-amz-sns-message-id"], "m-1");
  EXPECT_EQ(r.headers["x-amz-sns-topic-arn"], kTopic);
  EXPECT_EQ(r.headers["x-amz-sns-subscription-arn"], kSub);
  EXPECT_EQ(r.headers["Content-Type"], "text/plain; charset=UTF-8");
  EXPECT_EQ(r.headers["User-Agent"], "Amazon Simple Notification Service Agent");
  EXPECT_FALSE(r.headers.contains("x-amz-sns-rawdelivery"));

  EXPECT_EQ(deliveries_->in_flight(), 0u);
  EXPECT_EQ(clock_.pending_timers(), 0u);
  auto records = outbox();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].outcome, kOutcomeDelivered);
  EXPECT_EQ(records[0].attempts, 1);
  EXPECT_EQ(records[0].http_status, 200);
  EXPECT_EQ(records[0].protocol, "http");
  EXPECT_TRUE(dead_lettered_.empty());
}

TEST_F(EndpointDeliveryTest, HeadersFollowTheMessageAndThePolicy) {
  auto confirmation = http_message("", "SubscriptionConfirmation");
  deliveries_->deliver(confirmation);
  auto c = poster_.answer(200);
  EXPECT_EQ(c.headers["x-amz-sns-message-type"], "SubscriptionConfirmation");
  EXPECT_FALSE(c.headers.contains("x-amz-sns-subscription-arn"));

  auto raw = http_message(R"({"requestPolicy":{"headerContentType":"application/json"}})");
  raw.raw = true;
  deliveries_->deliver(raw);
  auto r = poster_.answer(200);
  EXPECT_EQ(r.headers["x-amz-sns-rawdelivery"], "true");
  EXPECT_EQ(r.headers["Content-Type"], "application/json");
}

TEST_F(EndpointDeliveryTest, CountsEveryAnswerFrom200To499AsDelivered) {
  for (int status : {200, 204, 302, 400, 404, 499}) {
    deliveries_->deliver(http_message());
    poster_.answer(status);
    EXPECT_EQ(clock_.pending_timers(), 0u) << status;
  }
  auto records = outbox();
  ASSERT_EQ(records.size(), 6u);
  for (const auto& r : records) EXPECT_EQ(r.outcome, kOutcomeDelivered) << r.http_status;
}

TEST_F(EndpointDeliveryTest, RetriesOnTheScheduleThenDeadLetters) {
  // 1 immediate retry, then backoff 2 s -> 8 s (linear over 3 retries): 0, 2, 5, 8 s.
  deliveries_->deliver(http_message(
      R"({"healthyRetryPolicy":{"minDelayTarget":2,"maxDelayTarget":8,"numRetries":4,
          "numNoDelayRetries":1}})"));
  poster_.answer(500);
  // The immediate retry is still a timer (due now), not a nested call.
  EXPECT_EQ(poster_.pending(), 0u);
  clock_.advance(0);
  ASSERT_EQ(poster_.pending(), 1u);
  const std::vector<Millis> delays = {2000, 5000, 8000};
  poster_.answer(503);
  for (Millis delay : delays) {
    clock_.advance(delay - 1);
    EXPECT_EQ(poster_.pending(), 0u) << "before " << delay;
    clock_.advance(1);
    ASSERT_EQ(poster_.pending(), 1u) << "at " << delay;
    poster_.answer(0, "connection refused");
  }
  EXPECT_EQ(poster_.posted(), 5);
  EXPECT_EQ(deliveries_->in_flight(), 0u);
  ASSERT_EQ(dead_lettered_.size(), 1u);
  EXPECT_EQ(dead_lettered_[0].message.message_id, "m-1");
  EXPECT_EQ(dead_lettered_[0].code, "EndpointUnavailable");
  EXPECT_EQ(dead_lettered_[0].text,
            "Delivery to http://127.0.0.1:9/hook failed after 5 attempts: connection refused");
  auto records = outbox();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].outcome, kOutcomeDeadLettered);
  EXPECT_EQ(records[0].attempts, 5);
  EXPECT_EQ(records[0].error, "connection refused");
}

TEST_F(EndpointDeliveryTest, DefaultPolicyIsThreeRetriesTwentySecondsApart) {
  deliveries_->deliver(http_message());
  poster_.answer(500);
  for (int retry = 1; retry <= 3; ++retry) {
    clock_.advance(19'999);
    EXPECT_EQ(poster_.pending(), 0u);
    clock_.advance(1);
    ASSERT_EQ(poster_.pending(), 1u);
    poster_.answer(500);
  }
  ASSERT_EQ(dead_lettered_.size(), 1u);
  EXPECT_EQ(dead_lettered_[0].code, "EndpointError");
  EXPECT_EQ(dead_lettered_[0].text,
            "Delivery to http://127.0.0.1:9/hook failed after 4 attempts: HTTP status 500");
}

TEST_F(EndpointDeliveryTest, CountsPostsRetriesOutcomesAndTheTimeEachPostTook) {
  const std::string policy =
      R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":1}})";
  deliveries_->deliver(http_message(policy, "Notification", "m-1"));
  clock_.advance(3);  // the endpoint takes 3 ms to fail
  poster_.answer(503);
  clock_.advance(1000);
  clock_.advance(40);
  poster_.answer(204);  // the retry, answered after 40 ms
  deliveries_->deliver(http_message(policy, "Notification", "m-2"));
  poster_.answer(0, "refused");
  clock_.advance(1000);
  poster_.answer(500);  // out of retries: dead-lettered

  using C = HttpDeliveryCount;
  const auto stats = deliveries_->stats();
  EXPECT_EQ(stats.counts[C::kPostsDelivered], 1u);
  EXPECT_EQ(stats.counts[C::kPostsFailed], 3u);
  EXPECT_EQ(stats.counts[C::kRetries], 2u);
  EXPECT_EQ(stats.counts[C::kDelivered], 1u);
  EXPECT_EQ(stats.counts[C::kDeadLettered], 1u);
  EXPECT_EQ(stats.counts[C::kDropped], 0u);
  // Four POSTs: 3 ms, 40 ms and two answered at once.
  std::uint64_t observed = 0;
  for (std::uint64_t n : stats.post_latency.counts) observed += n;
  EXPECT_EQ(observed, 4u);
  EXPECT_EQ(stats.post_latency.sum_us, 43'000u);
  EXPECT_EQ(stats.post_latency.counts[LatencyHistogram::bucket_of(40'000)], 1u);
  EXPECT_EQ(stats.post_latency.counts[0], 2u);
}

TEST_F(EndpointDeliveryTest, ConfirmationsAreRetriedToo) {
  deliveries_->deliver(http_message(
      R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":1}})",
      "SubscriptionConfirmation"));
  poster_.answer(502);
  clock_.advance(1000);
  auto retry = poster_.answer(200);
  EXPECT_EQ(retry.headers["x-amz-sns-message-type"], "SubscriptionConfirmation");
  EXPECT_EQ(outbox().at(0).outcome, kOutcomeDelivered);
  EXPECT_EQ(outbox().at(0).attempts, 2);
}

TEST_F(EndpointDeliveryTest, DropsWhenThereIsNoDeadLetterQueue) {
  dlq_accepts_ = false;
  deliveries_->deliver(http_message(
      R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":0}})"));
  poster_.answer(500);
  auto records = outbox();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].outcome, kOutcomeDropped);
  EXPECT_EQ(records[0].attempts, 1);

  EndpointDeliveries without_callback(clock_, clock_, poster_);
  without_callback.deliver(http_message(
      R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":0}})"));
  poster_.answer(0, "timed out");
  EXPECT_EQ(without_callback.list({}).records.at(0).outcome, kOutcomeDropped);
}

TEST_F(EndpointDeliveryTest, ThrottlePolicySpacesPosts) {
  const std::string policy = R"({"throttlePolicy":{"maxReceivesPerSecond":2}})";
  for (const char* id : {"a", "b", "c"})
    deliveries_->deliver(http_message(policy, "Notification", id));
  EXPECT_EQ(poster_.pending(), 1u);
  clock_.advance(499);
  EXPECT_EQ(poster_.pending(), 1u);
  clock_.advance(1);
  EXPECT_EQ(poster_.pending(), 2u);
  clock_.advance(500);
  EXPECT_EQ(poster_.pending(), 3u);
  for (int i = 0; i < 3; ++i) poster_.answer(200);
  EXPECT_EQ(outbox().size(), 3u);
}

TEST_F(EndpointDeliveryTest, DestructionCancelsRetriesAndIgnoresLateAnswers) {
  deliveries_->deliver(http_message());
  deliveries_->deliver(http_message());
  poster_.answer(500);
  EXPECT_EQ(clock_.pending_timers(), 1u);
  auto late = poster_.take();
  deliveries_.reset();
  EXPECT_EQ(clock_.pending_timers(), 0u);
  late.done(500, "");  // must not touch the destroyed deliverer
  clock_.advance(60'000);
  EXPECT_EQ(poster_.pending(), 0u);
}

TEST_F(EndpointDeliveryTest, OtherProtocolsGoToTheOutbox) {
  for (const char* protocol : {"email", "email-json", "sms", "lambda", "application", "firehose"}) {
    deliveries_->deliver(outbox_message(protocol, std::string("to-") + protocol));
  }
  EXPECT_EQ(poster_.posted(), 0);
  auto records = outbox();
  ASSERT_EQ(records.size(), 6u);
  EXPECT_EQ(records[0].seq, 1u);
  EXPECT_EQ(records[0].protocol, "email");
  EXPECT_EQ(records[0].endpoint, "to-email");
  EXPECT_EQ(records[0].subscription_arn, std::string(kTopic) + ":sub-email");
  EXPECT_EQ(records[0].topic_arn, kTopic);
  EXPECT_EQ(records[0].message_type, "Notification");
  EXPECT_EQ(records[0].message_id, "m");
  EXPECT_EQ(records[0].body, "hello");
  EXPECT_EQ(records[0].time, clock_.now_ms());
  EXPECT_EQ(records[0].outcome, kOutcomeRecorded);
  EXPECT_EQ(records[5].seq, 6u);
}

TEST_F(EndpointDeliveryTest, OutboxFilters) {
  deliveries_->deliver(outbox_message("sms", "+15550001"));
  deliveries_->deliver(outbox_message("email", "a@example.com"));
  deliveries_->deliver(outbox_message("sms", "+15550002", "arn:aws:sns:us-east-1:0:other"));
  deliveries_->deliver(outbox_message("sms", "+15550001"));

  auto ids = [&](OutboxFilter f) {
    std::vector<std::uint64_t> out;
    for (const auto& r : outbox(f)) out.push_back(r.seq);
    return out;
  };
  using V = std::vector<std::uint64_t>;
  EXPECT_EQ(ids({.protocol = "sms"}), (V{1, 3, 4}));
  EXPECT_EQ(ids({.endpoint = "+15550001"}), (V{1, 4}));
  EXPECT_EQ(ids({.topic_arn = "arn:aws:sns:us-east-1:0:other"}), (V{3}));
  EXPECT_EQ(ids({.subscription_arn = std::string(kTopic) + ":sub-email"}), (V{2}));
  EXPECT_EQ(ids({.protocol = "sms", .after = 1}), (V{3, 4}));
  EXPECT_EQ(ids({.protocol = "lambda"}), V{});

  auto page = deliveries_->list({.limit = 2});
  EXPECT_EQ(page.records.size(), 2u);
  EXPECT_TRUE(page.more);
  EXPECT_FALSE(deliveries_->list({.limit = 4}).more);

  deliveries_->clear();
  EXPECT_TRUE(outbox().empty());
  deliveries_->deliver(outbox_message("sms", "+1"));
  EXPECT_EQ(outbox().at(0).seq, 5u);  // sequence numbers are never reused
}

TEST_F(EndpointDeliveryTest, OutboxDropsTheOldestBeyondCapacity) {
  EndpointDeliveries small(clock_, clock_, poster_, OutboxOptions{.capacity = 3});
  for (int i = 1; i <= 5; ++i)
    small.deliver(outbox_message("sms", "+1", kTopic, std::to_string(i)));
  auto records = small.list({}).records;
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].message_id, "3");
  EXPECT_EQ(records[2].message_id, "5");
  EXPECT_EQ(records[2].seq, 5u);
}

}  // namespace
}  // namespace eb::sns
