// The /v1/topics and /v1/filter-policies routes over Topics (with an SQS subscription into
// Queues) on a ManualClock and a MemoryEngine: request in, response out, no socket.
#include "api/admin/topics_api.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "core/manual_clock.hpp"
#include "sns/topics.hpp"
#include "sqs/queues.hpp"
#include "storage/memory_engine.hpp"

namespace eb::api::admin {
namespace {
namespace http = boost::beast::http;

std::shared_ptr<const MessageSigner> test_signer() {
  static const auto signer =
      std::make_shared<const MessageSigner>(*MessageSigner::generate("topics-api.test"));
  return signer;
}

class NoEndpoints final : public eb::sns::EndpointDelivery {
 public:
  void deliver(eb::sns::EndpointMessage /*message*/) override {}
};

constexpr std::string_view kPolicy = R"({"kind":["order"]})";

class TopicsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(queues_.create_queue({"inbox", {}, {}}));
    ASSERT_TRUE(queues_.create_queue({"inbox-dlq", {}, {}}));
    ASSERT_TRUE(topics_.create_topic({"orders", {}, {{"team", "checkout"}}, {}}));
    ASSERT_TRUE(topics_.create_topic({"orders.fifo", {{"FifoTopic", "true"}}, {}, {}}));
    ASSERT_TRUE(topics_.create_topic({"audit", {}, {}, {}}));
    auto subscribed = topics_.subscribe(
        {.topic_arn = topics_.topic_arn("orders"),
         .protocol = "sqs",
         .endpoint = queues_.queue_arn("inbox"),
         .attributes = {{"FilterPolicy", std::string(kPolicy)},
                        {"RawMessageDelivery", "true"},
                        {"RedrivePolicy",
                         R"({"deadLetterTargetArn":")" + queues_.queue_arn("inbox-dlq") + "\"}"}},
         .return_subscription_arn = true});
    ASSERT_TRUE(subscribed) << subscribed.error().message;
    subscription_ = *subscribed;
    ASSERT_TRUE(topics_.subscribe({.topic_arn = topics_.topic_arn("orders"),
                                   .protocol = "http",
                                   .endpoint = "http://127.0.0.1:9/hook"}));
  }

  net::HttpResponse call(http::verb verb, std::string target, std::string body = {}) {
    net::HttpRequest req{verb, target, 11};
    req.set(http::field::host, "localhost:4566");
    req.body() = std::move(body);
    return api_.handle(req);
  }

  std::vector<eb::sqs::PeekedMessage> inbox() {
    auto page = queues_.peek_messages("inbox", eb::sqs::PeekInput{});
    EXPECT_TRUE(page);
    return page ? page->messages : std::vector<eb::sqs::PeekedMessage>{};
  }

  ManualClock clock_{1'714'564'800'000};
  storage::MemoryEngine engine_{true};
  eb::sqs::Queues queues_{clock_, clock_, engine_};
  NoEndpoints endpoints_;
  eb::sns::Topics topics_{clock_,        engine_,    queues_,
                          test_signer(), endpoints_, {.sign_sqs_envelopes = false}};
  TopicsApi api_{topics_};
  std::string subscription_;
};

TEST_F(TopicsApiTest, ListsTopics) {
  auto res = call(http::verb::get, "/v1/topics?prefix=ord");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(res.body(),
            R"({"topics":[{"name":"orders","arn":"arn:aws:sns:us-east-1:000000000000:orders",)"
            R"("type":"standard","subscriptionsConfirmed":1,"subscriptionsPending":1,)"
            R"("published":0,"delivered":0,"failed":0,"filteredOut":0,)"
            R"("createdAt":"2024-05-01T12:00:00.000Z"},)"
            R"({"name":"orders.fifo","arn":"arn:aws:sns:us-east-1:000000000000:orders.fifo",)"
            R"("type":"fifo","subscriptionsConfirmed":0,"subscriptionsPending":0,)"
            R"("published":0,"delivered":0,"failed":0,"filteredOut":0,)"
            R"("createdAt":"2024-05-01T12:00:00.000Z"}]})");
  EXPECT_EQ(call(http::verb::get, "/v1/topics?prefix=x").body(), R"({"topics":[]})");
  res = call(http::verb::get, "/v1/topics");
  EXPECT_LT(res.body().find(R"("name":"audit")"), res.body().find(R"("name":"orders")"));
}

TEST_F(TopicsApiTest, OneTopicHasItsAttributesTagsAndSubscriptions) {
  auto res = call(http::verb::get, "/v1/topics/orders");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  const std::string& body = res.body();
  EXPECT_NE(body.find(R"("SubscriptionsConfirmed":"1")"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("TopicArn":"arn:aws:sns:us-east-1:000000000000:orders")"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find(R"("tags":{"team":"checkout"})"), std::string::npos) << body;
  EXPECT_NE(body.find(R"({"arn":")" + subscription_ +
                      R"(","protocol":"sqs","endpoint":"arn:aws:sqs:us-east-1:000000000000:inbox",)"
                      R"("confirmed":true,"rawMessageDelivery":true,)"
                      R"("filterPolicy":"{\"kind\":[\"order\"]}",)"
                      R"("filterPolicyScope":"MessageAttributes",)"
                      R"("redrivePolicy":"{\"deadLetterTargetArn\":\")" +
                      queues_.queue_arn("inbox-dlq") +
                      R"(\"}","deadLetterTarget":"inbox-dlq","deadLetterTargetArn":")" +
                      queues_.queue_arn("inbox-dlq") + R"(","createdAt":")"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find(R"("protocol":"http","endpoint":"http://127.0.0.1:9/hook",)"
                      R"("confirmed":false,"rawMessageDelivery":false,"filterPolicy":null,)"
                      R"("filterPolicyScope":null,"redrivePolicy":null,"deadLetterTarget":null,)"),
            std::string::npos)
      << body;
}

TEST_F(TopicsApiTest, PublishesThroughTheFilterPolicy) {
  auto res = call(http::verb::post, "/v1/topics/orders/publish",
                  R"({"message":"{\"id\":7}","subject":"new order",)"
                  R"("messageAttributes":{"kind":{"dataType":"String","stringValue":"order"},)"
                  R"("blob":{"dataType":"Binary","binaryValue":"AAE="}}})");
  ASSERT_EQ(res.result(), http::status::created) << res.body();
  EXPECT_TRUE(res.body().starts_with(R"({"messageId":")")) << res.body();
  EXPECT_EQ(res.body().find("sequenceNumber"), std::string::npos) << res.body();
  res = call(http::verb::post, "/v1/topics/orders/publish",
             R"({"message":"skipped","messageAttributes":)"
             R"({"kind":{"dataType":"String","stringValue":"refund"}}})");
  ASSERT_EQ(res.result(), http::status::created) << res.body();

  const auto messages = inbox();
  ASSERT_EQ(messages.size(), 1U);
  const eb::sqs::ReceivedMessage& m = messages[0].message;
  EXPECT_EQ(m.body, R"({"id":7})");  // raw delivery
  EXPECT_EQ(m.message_attributes.at("kind").string_value, "order");
  EXPECT_EQ(m.message_attributes.at("blob").binary_value, std::string("\x00\x01", 2));

  auto list = call(http::verb::get, "/v1/topics?prefix=orders");
  EXPECT_NE(list.body().find(R"("published":2,"delivered":1,"failed":0,"filteredOut":1,)"),
            std::string::npos)
      << list.body();
}

TEST_F(TopicsApiTest, PublishesToAFifoTopic) {
  auto res = call(http::verb::post, "/v1/topics/orders.fifo/publish",
                  R"({"message":"m","messageGroupId":"g","messageDeduplicationId":"d"})");
  ASSERT_EQ(res.result(), http::status::created) << res.body();
  EXPECT_NE(res.body().find(R"("sequenceNumber":")"), std::string::npos) << res.body();
}

TEST_F(TopicsApiTest, PublishAnswersSnsErrors) {
  const std::tuple<const char*, const char*, http::status, const char*> cases[] = {
      {"/v1/topics/missing/publish", R"({"message":"x"})", http::status::not_found, "NotFound"},
      {"/v1/topics/orders/publish", "not json", http::status::bad_request, "MalformedRequest"},
      {"/v1/topics/orders/publish", R"({"message":7})", http::status::bad_request,
       "MalformedRequest"},
      {"/v1/topics/orders/publish", R"({"subject":"s"})", http::status::bad_request,
       "Value null at 'message' failed to satisfy constraint"},
      {"/v1/topics/orders/publish", R"({"message":""})", http::status::bad_request,
       "InvalidParameter"},
      {"/v1/topics/orders/publish",
       R"({"message":"x","messageAttributes":{"n":{"dataType":"Number","stringValue":"abc"}}})",
       http::status::bad_request, "Could not cast message attribute 'n' value to number."},
      {"/v1/topics/orders/publish", R"({"message":"x","subject":"two\nlines"})",
       http::status::bad_request, "InvalidParameter"},
      {"/v1/topics/orders.fifo/publish", R"({"message":"x"})", http::status::bad_request,
       "InvalidParameter"},
  };
  for (const auto& [target, body, status, text] : cases) {
    auto res = call(http::verb::post, target, body);
    EXPECT_EQ(res.result(), status) << body << " " << res.body();
    EXPECT_NE(res.body().find(text), std::string::npos) << body << " " << res.body();
  }
  EXPECT_TRUE(inbox().empty());
}

TEST_F(TopicsApiTest, RoutesAndMethods) {
  EXPECT_EQ(call(http::verb::get, "/v1/topics/missing").result(), http::status::not_found);
  EXPECT_NE(call(http::verb::get, "/v1/topics/missing").body().find(R"("code":"NotFound")"),
            std::string::npos);
  EXPECT_EQ(call(http::verb::get, "/v1/topics/orders/elsewhere").result(), http::status::not_found);
  EXPECT_EQ(call(http::verb::get, "/v1/topics/%zz").result(), http::status::bad_request);
  auto res = call(http::verb::get, "/v1/topics/orders/publish");
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::allow], "POST");
  res = call(http::verb::post, "/v1/topics");
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::allow], "GET");
  res = call(http::verb::get, "/v1/filter-policies/test");
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::allow], "POST");
  EXPECT_EQ(call(http::verb::post, "/v1/filter-policies/other", "{}").result(),
            http::status::not_found);
}

TEST_F(TopicsApiTest, TestsFilterPolicies) {
  const std::pair<const char*, const char*> cases[] = {
      // A string policy, an object policy; the attributes decide.
      {R"({"filterPolicy":"{\"kind\":[\"order\"]}",)"
       R"("messageAttributes":{"kind":{"dataType":"String","stringValue":"order"}}})",
       R"({"matches":true})"},
      {R"({"filterPolicy":{"kind":["order"]},)"
       R"("messageAttributes":{"kind":{"dataType":"String","stringValue":"refund"}}})",
       R"({"matches":false})"},
      {R"({"filterPolicy":{"kind":["order"]}})", R"({"matches":false})"},
      // Number ranges and String.Array attributes, as Publish carries them.
      {R"({"filterPolicy":{"total":[{"numeric":[">",100]}]},)"
       R"("messageAttributes":{"total":{"dataType":"Number","stringValue":"250"}}})",
       R"({"matches":true})"},
      {R"({"filterPolicy":{"tags":["vip"]},)"
       R"("messageAttributes":{"tags":{"dataType":"String.Array",)"
       R"("stringValue":"[\"new\",\"vip\"]"}}})",
       R"({"matches":true})"},
      // The body's scope looks at the message only.
      {R"({"filterPolicy":{"order":{"total":[{"numeric":[">=",10]}]}},"scope":"MessageBody",)"
       R"("message":"{\"order\":{\"total\":12}}",)"
       R"("messageAttributes":{"total":{"dataType":"Number","stringValue":"1"}}})",
       R"({"matches":true})"},
      {R"({"filterPolicy":{"order":{"total":[{"numeric":[">=",10]}]}},"scope":"MessageBody",)"
       R"("message":"{\"order\":{\"total\":2}}"})",
       R"({"matches":false})"},
      // No policy is no filter.
      {R"({"filterPolicy":""})", R"({"matches":true})"},
  };
  for (const auto& [body, expected] : cases) {
    auto res = call(http::verb::post, "/v1/filter-policies/test", body);
    EXPECT_EQ(res.result(), http::status::ok) << body << " " << res.body();
    EXPECT_EQ(res.body(), expected) << body;
  }
}

TEST_F(TopicsApiTest, RefusesBadFilterPolicyTests) {
  const std::tuple<const char*, http::status, const char*> cases[] = {
      {R"({"filterPolicy":{"kind":"order"}})", http::status::bad_request,
       R"({"error":{"code":"InvalidParameter","message":"Invalid parameter: FilterPolicy: )"},
      {R"({"filterPolicy":"{not json"})", http::status::bad_request,
       "Invalid parameter: FilterPolicy:"},
      {R"({"filterPolicy":{"a":["b"]},"scope":"Headers"})", http::status::bad_request,
       "Invalid parameter: FilterPolicyScope: Invalid value [Headers]."},
      {R"({"filterPolicy":{"a":["b"]},)"
       R"("messageAttributes":{"a":{"dataType":"Number","stringValue":"b"}}})",
       http::status::bad_request, "Could not cast message attribute 'a' value to number."},
      {R"({"scope":"MessageBody"})", http::status::bad_request, "MissingParameter"},
      {R"({"filterPolicy":7})", http::status::bad_request, "MalformedRequest"},
      {R"({"filterPolicy":{"a":["b"]},"messageAttributes":[]})", http::status::bad_request,
       "MalformedRequest"},
      {"[]", http::status::bad_request, "MalformedRequest"},
  };
  for (const auto& [body, status, text] : cases) {
    auto res = call(http::verb::post, "/v1/filter-policies/test", body);
    EXPECT_EQ(res.result(), status) << body << " " << res.body();
    EXPECT_NE(res.body().find(text), std::string::npos) << body << " " << res.body();
  }
}

}  // namespace
}  // namespace eb::api::admin
