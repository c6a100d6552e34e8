// SNS topics, subscriptions and publishing, on a ManualClock and a MemoryEngine. Each test
// runs with message payloads in RAM and in the engine (the durable path).
#include "sns/topics.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "core/encoding.hpp"
#include "sns/message.hpp"
#include "sqs/queues_fixture.hpp"
#include "storage/event_sink.hpp"

namespace eb::sns::testing {

using namespace eb::sqs;  // NOLINT(google-build-using-namespace): the queues SNS fans out into
using eb::sqs::testing::QueuesTest;
namespace {

// Generating an RSA key takes a while; every test signs with the same one.
std::shared_ptr<const MessageSigner> test_signer() {
  static const auto signer =
      std::make_shared<const MessageSigner>(*MessageSigner::generate("sns.test"));
  return signer;
}

class RecordingEndpoints final : public EndpointDelivery {
 public:
  void deliver(EndpointMessage message) override { messages.push_back(std::move(message)); }
  std::vector<EndpointMessage> messages;
};

class RecordingSink final : public storage::EventSink {
 public:
  Staged stage(std::span<const storage::IncomingMessage> messages, storage::Batch&) override {
    for (const auto& m : messages) sources.emplace_back(m.source_arn, std::string(m.body));
    return {};
  }
  void finish(const Staged&, bool) override {}
  std::vector<std::pair<std::string, std::string>> sources;  // (source ARN, body)
};

std::string field(const std::string& json, const char* name) {
  simdjson::dom::parser parser;
  std::string_view v;
  if (parser.parse(json)[name].get_string().get(v)) return "<none>";
  return std::string(v);
}

class TopicsTest : public QueuesTest {
 protected:
  RecordingEndpoints endpoints_;
  RecordingSink sink_;
  std::unique_ptr<Topics> topics_ = make_topics();

  std::unique_ptr<Topics> make_topics() {
    return std::make_unique<Topics>(clock_, store_, queues_, test_signer(), endpoints_,
                                    TopicsOptions{.base_url = "http://127.0.0.1:4566"}, &sink_);
  }

  std::string topic(const std::string& name, AttributeMap attributes = {}) {
    auto r = topics_->create_topic({name, std::move(attributes), {}, {}});
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r.value_or("");
  }

  std::string subscribe_queue(const std::string& topic_arn, const std::string& queue,
                              AttributeMap attributes = {}) {
    create(queue);
    auto r = topics_->subscribe({topic_arn, "sqs", queues_.queue_arn(queue), attributes, false});
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r.value_or("");
  }

  Result<PublishOutput> publish(const std::string& topic_arn, std::string message,
                                MessageAttributes attributes = {}) {
    PublishInput in;
    in.topic_arn = topic_arn;
    in.message = std::move(message);
    in.attributes = std::move(attributes);
    return topics_->publish(std::move(in));
  }

  static MessageAttributes string_attribute(const std::string& name, const std::string& value) {
    return {{name, MessageAttributeValue{"String", value, {}}}};
  }

  std::vector<ReceivedMessage> receive_all(const std::string& queue) {
    ReceiveInput in;
    in.max_messages = 10;
    in.message_attribute_names = {"All"};
    in.system_attribute_names = {"All"};
    return receive(queue, in);
  }
};

TEST_P(TopicsTest, CreateTopicIsIdempotentAndChecksNames) {
  const std::string arn = topic("orders", {{"DisplayName", "Orders"}});
  EXPECT_EQ(arn, "arn:aws:sns:us-east-1:000000000000:orders");
  EXPECT_EQ(topic("orders"), arn);
  EXPECT_EQ(topic("orders", {{"DisplayName", "Orders"}}), arn);
  auto different = topics_->create_topic({"orders", {{"DisplayName", "Other"}}, {}, {}});
  ASSERT_FALSE(different);
  EXPECT_EQ(different.error().code, Errc::kInvalidParameterValue);
  EXPECT_EQ(different.error().message,
            "Invalid parameter: Attributes Reason: Topic already exists with different "
            "attributes");

  for (const char* bad : {"", "has space", "dots.not.allowed", "x.fifo"}) {
    auto r = topics_->create_topic({bad, {}, {}, {}});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::kInvalidParameterValue);
  }
  EXPECT_FALSE(topics_->create_topic({std::string(257, 'a'), {}, {}, {}}));
  EXPECT_TRUE(topics_->create_topic({std::string(256, 'a'), {}, {}, {}}));
  EXPECT_TRUE(topics_->create_topic({"events.fifo", {{"FifoTopic", "true"}}, {}, {}}));
  EXPECT_FALSE(topics_->create_topic({"events", {{"FifoTopic", "true"}}, {}, {}}));
  auto unknown = topics_->create_topic({"t", {{"Colour", "red"}}, {}, {}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "Invalid parameter: AttributeName");
}

TEST_P(TopicsTest, TopicAttributesHaveAwsDefaults) {
  const std::string arn = topic("orders");
  auto attrs = topics_->get_topic_attributes(arn);
  ASSERT_TRUE(attrs);
  EXPECT_EQ(attrs->at("TopicArn"), arn);
  EXPECT_EQ(attrs->at("Owner"), "000000000000");
  EXPECT_EQ(attrs->at("DisplayName"), "");
  EXPECT_EQ(attrs->at("SubscriptionsConfirmed"), "0");
  EXPECT_NE(attrs->at("Policy").find(arn), std::string::npos);
  EXPECT_NE(attrs->at("EffectiveDeliveryPolicy").find("defaultHealthyRetryPolicy"),
            std::string::npos);

  ASSERT_TRUE(topics_->set_topic_attributes(arn, "DisplayName", "Order events"));
  EXPECT_EQ(topics_->get_topic_attributes(arn)->at("DisplayName"), "Order events");
  EXPECT_FALSE(topics_->set_topic_attributes(arn, "FifoTopic", "true"));
  EXPECT_FALSE(topics_->set_topic_attributes(arn, "SignatureVersion", "3"));

  auto missing = topics_->get_topic_attributes("arn:aws:sns:us-east-1:000000000000:nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kNotFound);
  EXPECT_EQ(missing.error().message, "Topic does not exist");
  auto malformed = topics_->get_topic_attributes("not-an-arn");
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, Errc::kInvalidParameterValue);
}

TEST_P(TopicsTest, ListTopicsPagesByHundred) {
  for (int i = 0; i < 150; ++i) topic("t" + std::to_string(i));
  auto first = topics_->list_topics({});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->topic_arns.size(), 100u);
  ASSERT_FALSE(first->next_token.empty());
  auto second = topics_->list_topics({first->next_token});
  ASSERT_TRUE(second);
  EXPECT_EQ(second->topic_arns.size(), 50u);
  EXPECT_TRUE(second->next_token.empty());
  EXPECT_LT(first->topic_arns.back(), second->topic_arns.front());
}

TEST_P(TopicsTest, DeleteTopicRemovesSubscriptionsAndIsIdempotent) {
  const std::string arn = topic("orders");
  const std::string sub = subscribe_queue(arn, "q");
  ASSERT_TRUE(topics_->delete_topic(arn));
  EXPECT_TRUE(topics_->delete_topic(arn));
  EXPECT_EQ(topics_->get_subscription_attributes(sub).error().code, Errc::kNotFound);
  EXPECT_TRUE(topics_->list_subscriptions({})->subscriptions.empty());
}

TEST_P(TopicsTest, SqsSubscriptionIsConfirmedAtOnceAndIdempotent) {
  const std::string arn = topic("orders");
  const std::string sub = subscribe_queue(arn, "q");
  EXPECT_TRUE(sub.starts_with(arn + ":"));
  auto again = topics_->subscribe({arn, "sqs", queues_.queue_arn("q"), {}, false});
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, sub);
  auto conflicting =
      topics_->subscribe({arn, "sqs", queues_.queue_arn("q"), {{"RawMessageDelivery", "true"}}});
  ASSERT_FALSE(conflicting);
  EXPECT_EQ(conflicting.error().message,
            "Invalid parameter: Attributes Reason: Subscription already exists with different "
            "attributes");

  auto attrs = topics_->get_subscription_attributes(sub);
  ASSERT_TRUE(attrs);
  EXPECT_EQ(attrs->at("PendingConfirmation"), "false");
  EXPECT_EQ(attrs->at("RawMessageDelivery"), "false");
  EXPECT_EQ(attrs->at("Protocol"), "sqs");
  EXPECT_EQ(topics_->get_topic_attributes(arn)->at("SubscriptionsConfirmed"), "1");

  auto listed = topics_->list_subscriptions_by_topic(arn, {});
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->subscriptions.size(), 1u);
  EXPECT_EQ(listed->subscriptions[0].subscription_arn, sub);
  EXPECT_EQ(listed->subscriptions[0].endpoint, queues_.queue_arn("q"));
}

TEST_P(TopicsTest, SubscribeValidatesProtocolEndpointAndAttributes) {
  const std::string arn = topic("orders");
  struct Case {
    std::string protocol, endpoint;
    AttributeMap attributes;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"carrier-pigeon",
       "x",
       {},
       "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon"},
      {"sqs", "https://example.com", {}, "Invalid parameter: SQS endpoint ARN"},
      {"http",
       "https://example.com",
       {},
       "Invalid parameter: Endpoint must match the specified protocol"},
      {"email", "not-an-address", {}, "Invalid parameter: Email address"},
      {"sms", "12345", {}, "Invalid SMS endpoint: 12345"},
      {"email",
       "a@example.com",
       {{"RawMessageDelivery", "true"}},
       "Invalid parameter: Attributes Reason: Delivery protocol [email] does not support raw "
       "message delivery."},
      {"sqs",
       "arn:aws:sqs:us-east-1:000000000000:q",
       {{"FilterPolicyScope", "Body"}},
       "Invalid parameter: FilterPolicyScope: Invalid value [Body]. Please use either "
       "MessageBody or MessageAttributes"},
      {"sqs",
       "arn:aws:sqs:us-east-1:000000000000:q",
       {{"FilterPolicy", "{\"a\": 1}"}},
       "Invalid parameter: FilterPolicy: \"a\" must be an object or an array"},
      {"sqs",
       "arn:aws:sqs:us-east-1:000000000000:q",
       {{"RedrivePolicy", "{\"deadLetterTargetArn\":\"x\"}"}},
       "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn"},
      {"sqs",
       "arn:aws:sqs:us-east-1:000000000000:q",
       {{"Colour", "red"}},
       "Invalid parameter: AttributeName"},
  };
  for (const auto& c : cases) {
    auto r = topics_->subscribe({arn, c.protocol, c.endpoint, c.attributes, false});
    ASSERT_FALSE(r) << c.protocol << " " << c.endpoint;
    EXPECT_EQ(r.error().code, Errc::kInvalidParameterValue);
    EXPECT_EQ(r.error().message, c.message) << c.protocol << " " << c.endpoint;
  }
  auto missing = topics_->subscribe(
      {"arn:aws:sns:us-east-1:000000000000:nope", "sqs", "arn:aws:sqs:us-east-1:0:q", {}, false});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kNotFound);
}

TEST_P(TopicsTest, PublishDeliversSignedEnvelopeIntoQueue) {
  const std::string arn = topic("orders");
  const std::string sub = subscribe_queue(arn, "q");
  PublishInput in;
  in.topic_arn = arn;
  in.message = "hello \"world\"";
  in.subject = "Greeting";
  in.attributes = string_attribute("eventType", "order.created");
  auto out = topics_->publish(std::move(in));
  ASSERT_TRUE(out) << out.error().message;

  auto got = receive_all("q");
  ASSERT_EQ(got.size(), 1u);
  // The copy waits unsigned (read back from the store, with a durable engine) until the receive
  // API signs it; the signed text then fills the empty Signature and nothing else.
  ASSERT_TRUE(got[0].signature_deferred);
  EXPECT_EQ(field(got[0].body, "Signature"), "");
  std::string body = got[0].body;
  ASSERT_TRUE(topics_->document_signer().complete(body));
  EXPECT_EQ(body.size(), got[0].body.size() + field(body, "Signature").size());
  EXPECT_EQ(field(body, "Type"), "Notification");
  EXPECT_EQ(field(body, "MessageId"), out->message_id);
  EXPECT_EQ(field(body, "TopicArn"), arn);
  EXPECT_EQ(field(body, "Subject"), "Greeting");
  EXPECT_EQ(field(body, "Message"), "hello \"world\"");
  EXPECT_EQ(field(body, "SignatureVersion"), "1");
  EXPECT_EQ(field(body, "UnsubscribeURL"),
            "http://127.0.0.1:4566/?Action=Unsubscribe&SubscriptionArn=" + sub);
  EXPECT_EQ(field(body, "SigningCertURL"), "http://127.0.0.1:4566" + topics_->signing_cert_path());
  EXPECT_TRUE(got[0].message_attributes.empty());  // attributes ride inside the envelope
  EXPECT_NE(body.find(R"("eventType":{"Type":"String","Value":"order.created"})"),
            std::string::npos);

  // The signature covers the documented fields and verifies with the served certificate.
  const std::string timestamp = field(body, "Timestamp");
  const std::string message = field(body, "Message");
  const std::string message_id = field(body, "MessageId");
  SnsDocument doc{.type = "Notification",
                  .message_id = message_id,
                  .topic_arn = arn,
                  .subject = std::string_view("Greeting"),
                  .message = message,
                  .timestamp = timestamp};
  EXPECT_TRUE(test_signer()->verify(string_to_sign(doc), field(body, "Signature"),
                                    SignatureVersion::kSha1));
  EXPECT_EQ(timestamp.size(), 24u);  // 2026-11-27T06:40:00.123Z
}

TEST_P(TopicsTest, SignatureVersionTwoSignsWithSha256) {
  const std::string arn = topic("orders", {{"SignatureVersion", "2"}});
  subscribe_queue(arn, "q");
  ASSERT_TRUE(publish(arn, "m"));
  auto got = receive_all("q");
  ASSERT_EQ(got.size(), 1u);
  std::string body = got[0].body;
  ASSERT_TRUE(topics_->document_signer().complete(body));
  EXPECT_EQ(field(body, "SignatureVersion"), "2");
  const std::string ts = field(body, "Timestamp"), id = field(body, "MessageId");
  SnsDocument doc{
      .type = "Notification", .message_id = id, .topic_arn = arn, .message = "m", .timestamp = ts};
  EXPECT_TRUE(test_signer()->verify(string_to_sign(doc), field(body, "Signature"),
                                    SignatureVersion::kSha256));
}

TEST_P(TopicsTest, SqsEnvelopesCanGoUnsigned) {
  topics_ = std::make_unique<Topics>(clock_, store_, queues_, test_signer(), endpoints_,
                                     TopicsOptions{.sign_sqs_envelopes = false}, &sink_);
  const std::string arn = topic("orders");
  subscribe_queue(arn, "q");
  ASSERT_TRUE(publish(arn, "m"));
  auto got = receive_all("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(field(got[0].body, "Signature"), "");
  EXPECT_FALSE(got[0].signature_deferred);  // and the receive API leaves it so
  EXPECT_EQ(field(got[0].body, "Message"), "m");
}

TEST_P(TopicsTest, RawDeliveryPassesBodyAndAttributes) {
  const std::string arn = topic("orders");
  subscribe_queue(arn, "q", {{"RawMessageDelivery", "true"}});
  MessageAttributes attrs = string_attribute("eventType", "order.paid");
  attrs["amount"] = MessageAttributeValue{"Number", "12.5", {}};
  attrs["tags"] = MessageAttributeValue{"String.Array", R"(["a","b"])", {}};
  attrs["blob"] = MessageAttributeValue{"Binary", {}, std::string("\x00\x01", 2)};
  ASSERT_TRUE(publish(arn, R"({"orderId":"o-1"})", attrs));
  auto got = receive_all("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, R"({"orderId":"o-1"})");
  EXPECT_EQ(got[0].message_attributes, attrs);
  EXPECT_EQ(got[0].md5_of_body, md5_hex(R"({"orderId":"o-1"})"));
}

TEST_P(TopicsTest, FilterPoliciesSelectSubscribers) {
  const std::string arn = topic("portfolio-events");
  subscribe_queue(
      arn, "order-events-queue",
      {{"FilterPolicy", R"({"eventType":["order.created","order.paid","order.shipped"]})"}});
  subscribe_queue(arn, "inventory-queue",
                  {{"FilterPolicy", R"({"eventType":[{"prefix":"inventory."}]})"}});
  subscribe_queue(arn, "payments-by-body",
                  {{"FilterPolicyScope", "MessageBody"},
                   {"FilterPolicy", R"({"data":{"amount":[{"numeric":[">",100]}]}})"}});
  ASSERT_TRUE(
      publish(arn, R"({"data":{"amount":250}})", string_attribute("eventType", "order.paid")));
  ASSERT_TRUE(publish(arn, R"({"data":{"amount":5}})",
                      string_attribute("eventType", "inventory.reserved")));
  ASSERT_TRUE(publish(arn, "not json", string_attribute("eventType", "payment.failed")));

  EXPECT_EQ(receive_all("order-events-queue").size(), 1u);
  EXPECT_EQ(receive_all("inventory-queue").size(), 1u);
  auto big = receive_all("payments-by-body");
  ASSERT_EQ(big.size(), 1u);
  EXPECT_EQ(field(big[0].body, "Message"), R"({"data":{"amount":250}})");

  // Changing the scope recompiles the policy, which must then fit the new scope.
  auto subs = topics_->list_subscriptions_by_topic(arn, {});
  const std::string order_sub = subs->subscriptions[0].subscription_arn;
  ASSERT_TRUE(topics_->set_subscription_attributes(order_sub, "FilterPolicy", ""));
  ASSERT_TRUE(publish(arn, "anything"));
  EXPECT_EQ(receive_all("order-events-queue").size(), 1u);
}

TEST_P(TopicsTest, MessageStructureJsonPicksTheProtocolsVariant) {
  const std::string arn = topic("orders");
  subscribe_queue(arn, "q", {{"RawMessageDelivery", "true"}});
  PublishInput in;
  in.topic_arn = arn;
  in.message_structure = "json";
  in.message = R"({"default":"for everyone","sqs":"for queues","email":"for people"})";
  ASSERT_TRUE(topics_->publish(in));
  EXPECT_EQ(receive_all("q").at(0).body, "for queues");

  in.message = R"({"sqs":"no default"})";
  auto no_default = topics_->publish(in);
  ASSERT_FALSE(no_default);
  EXPECT_EQ(no_default.error().message,
            "Invalid parameter: Message Structure - No default entry in JSON message body");
  in.message = "not json";
  EXPECT_EQ(topics_->publish(in).error().message,
            "Invalid parameter: Message Structure - JSON message body failed to parse");
}

TEST_P(TopicsTest, PublishValidation) {
  const std::string arn = topic("orders");
  EXPECT_EQ(publish(arn, "").error().message, "Invalid parameter: Empty message");
  EXPECT_EQ(publish(arn, std::string(262145, 'x')).error().message,
            "Invalid parameter: Message too long");
  EXPECT_TRUE(publish(arn, std::string(262144, 'x')));
  PublishInput in;
  in.topic_arn = arn;
  in.message = "m";
  for (const char* bad : {"", " leading space", "line\nbreak", "\xc3\xa9"}) {
    in.subject = bad;
    EXPECT_EQ(topics_->publish(in).error().message, "Invalid parameter: Subject") << bad;
  }
  in.subject.reset();
  in.attributes = {{"a", MessageAttributeValue{"Text", "v", {}}}};
  auto bad_type = topics_->publish(in);
  ASSERT_FALSE(bad_type);
  EXPECT_EQ(bad_type.error().code, Errc::kParameterValueInvalid);
  EXPECT_EQ(bad_type.error().message,
            "The message attribute 'a' has an invalid message attribute type, the set of "
            "supported type prefixes is Binary, Number, and String.");
  in.attributes = {{"n", MessageAttributeValue{"Number", "twelve", {}}}};
  EXPECT_EQ(topics_->publish(in).error().message,
            "Could not cast message attribute 'n' value to number.");
  in.attributes = {{"s", MessageAttributeValue{"String", "", {}}}};
  EXPECT_EQ(topics_->publish(in).error().code, Errc::kParameterValueInvalid);
  in.attributes = {{"arr", MessageAttributeValue{"String.Array", "[{\"x\":1}]", {}}}};
  EXPECT_EQ(topics_->publish(in).error().code, Errc::kParameterValueInvalid);
  in.attributes = {};

  PublishInput none;
  none.message = "m";
  EXPECT_EQ(topics_->publish(none).error().code, Errc::kInvalidParameterValue);
  PublishInput missing;
  missing.topic_arn = "arn:aws:sns:us-east-1:000000000000:nope";
  missing.message = "m";
  EXPECT_EQ(topics_->publish(missing).error().code, Errc::kNotFound);

  const std::string fifo = topic("orders.fifo", {{"FifoTopic", "true"}});
  PublishInput grouped;
  grouped.topic_arn = fifo;
  grouped.message = "m";
  EXPECT_EQ(topics_->publish(grouped).error().message,
            "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
}

TEST_P(TopicsTest, PublishBatchReportsEachEntry) {
  const std::string arn = topic("orders");
  subscribe_queue(arn, "q", {{"RawMessageDelivery", "true"}});
  std::vector<BatchEntry<PublishInput>> entries;
  for (int i = 0; i < 3; ++i) {
    PublishInput in;
    in.message = i == 1 ? "" : "m" + std::to_string(i);
    entries.push_back({"e" + std::to_string(i), in});
  }
  auto out = topics_->publish_batch(arn, entries);
  ASSERT_TRUE(out);
  ASSERT_EQ(out->successful.size(), 2u);
  ASSERT_EQ(out->failed.size(), 1u);
  EXPECT_EQ(out->failed[0].id, "e1");
  EXPECT_EQ(out->failed[0].error.message, "Invalid parameter: Empty message");
  EXPECT_EQ(receive_all("q").size(), 2u);

  EXPECT_EQ(topics_->publish_batch(arn, {}).error().code, Errc::kEmptyBatchRequest);
  std::vector<BatchEntry<PublishInput>> eleven(11, {"x", PublishInput{.message = "m"}});
  for (int i = 0; i < 11; ++i) eleven[i].id = "id" + std::to_string(i);
  EXPECT_EQ(topics_->publish_batch(arn, eleven).error().code, Errc::kTooManyEntriesInBatchRequest);
  std::vector<BatchEntry<PublishInput>> twins = {{"a", {.message = "m"}}, {"a", {.message = "m"}}};
  EXPECT_EQ(topics_->publish_batch(arn, twins).error().code, Errc::kBatchEntryIdsNotDistinct);
  std::vector<BatchEntry<PublishInput>> bad_id = {{"no spaces", {.message = "m"}}};
  EXPECT_EQ(topics_->publish_batch(arn, bad_id).error().code, Errc::kInvalidBatchEntryId);
  std::vector<BatchEntry<PublishInput>> big = {{"a", {.message = std::string(200000, 'x')}},
                                               {"b", {.message = std::string(100000, 'x')}}};
  EXPECT_EQ(topics_->publish_batch(arn, big).error().code, Errc::kBatchRequestTooLong);
}

TEST_P(TopicsTest, HttpSubscriptionsConfirmWithTheirToken) {
  const std::string arn = topic("orders");
  auto pending = topics_->subscribe({arn, "http", "http://127.0.0.1:9/hook", {}, false});
  ASSERT_TRUE(pending);
  EXPECT_EQ(*pending, "pending confirmation");
  ASSERT_EQ(endpoints_.messages.size(), 1u);
  const EndpointMessage confirmation = endpoints_.messages[0];
  EXPECT_EQ(confirmation.message_type, "SubscriptionConfirmation");
  EXPECT_EQ(field(confirmation.body, "Type"), "SubscriptionConfirmation");
  const std::string token = field(confirmation.body, "Token");
  EXPECT_EQ(
      field(confirmation.body, "SubscribeURL"),
      "http://127.0.0.1:4566/?Action=ConfirmSubscription&TopicArn=" + arn + "&Token=" + token);
  EXPECT_EQ(topics_->list_subscriptions({})->subscriptions.at(0).subscription_arn,
            "PendingConfirmation");

  ASSERT_TRUE(publish(arn, "before confirmation"));
  EXPECT_EQ(endpoints_.messages.size(), 1u);  // unconfirmed endpoints get nothing

  EXPECT_EQ(topics_->confirm_subscription(arn, "wrong").error().message, "Invalid token");
  auto confirmed = topics_->confirm_subscription(arn, token);
  ASSERT_TRUE(confirmed);
  EXPECT_EQ(topics_->confirm_subscription(arn, token).value_or(""), *confirmed);
  EXPECT_EQ(topics_->get_subscription_attributes(*confirmed)->at("PendingConfirmation"), "false");

  ASSERT_TRUE(publish(arn, "after confirmation"));
  ASSERT_EQ(endpoints_.messages.size(), 2u);
  const EndpointMessage& note = endpoints_.messages[1];
  EXPECT_EQ(note.message_type, "Notification");
  EXPECT_EQ(note.subscription_arn, *confirmed);
  EXPECT_EQ(field(note.body, "Message"), "after confirmation");

  ASSERT_TRUE(topics_->unsubscribe(*confirmed));
  ASSERT_EQ(endpoints_.messages.size(), 3u);
  EXPECT_EQ(endpoints_.messages[2].message_type, "UnsubscribeConfirmation");
  EXPECT_EQ(topics_->get_topic_attributes(arn)->at("SubscriptionsDeleted"), "1");
  EXPECT_EQ(topics_->unsubscribe(*confirmed).error().code, Errc::kNotFound);
}

TEST_P(TopicsTest, OtherProtocolsGetTheirOwnBodies) {
  const std::string arn = topic("orders");
  ASSERT_TRUE(topics_->subscribe({arn, "sms", "+15555550100", {}, false}));
  ASSERT_TRUE(topics_->subscribe(
      {arn, "lambda", "arn:aws:lambda:us-east-1:000000000000:function:f", {}, false}));
  ASSERT_TRUE(publish(arn, "text"));
  ASSERT_EQ(endpoints_.messages.size(), 2u);
  for (const auto& m : endpoints_.messages) {
    if (m.protocol == "sms") {
      EXPECT_EQ(m.body, "text");
    }
    if (m.protocol == "lambda") {
      EXPECT_EQ(field(m.body, "Message"), "text");
    }
  }
  PublishInput direct;
  direct.phone_number = "+15555550101";
  direct.message = "code 1234";
  ASSERT_TRUE(topics_->publish(direct));
  EXPECT_EQ(endpoints_.messages.back().endpoint, "+15555550101");
}

TEST_P(TopicsTest, UndeliverableCopiesGoToTheSubscriptionsDeadLetterQueue) {
  const std::string arn = topic("orders");
  create("dlq");
  const std::string redrive = R"({"deadLetterTargetArn":")" + queues_.queue_arn("dlq") + R"("})";
  ASSERT_TRUE(topics_->subscribe(
      {arn, "sqs", queues_.queue_arn("gone"), {{"RedrivePolicy", redrive}}, false}));
  ASSERT_TRUE(topics_->subscribe({arn, "sqs", queues_.queue_arn("also-gone"), {}, false}));
  ASSERT_TRUE(publish(arn, "lost?"));
  auto dead = receive_all("dlq");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(field(dead[0].body, "Message"), "lost?");
  EXPECT_EQ(dead[0].message_attributes.at("ErrorCode").string_value,
            "AWS.SimpleQueueService.NonExistentQueue");
}

TEST_P(TopicsTest, PublishAndItsCopiesAreOneWrite) {
  const std::string arn = topic("orders");
  subscribe_queue(arn, "a");
  subscribe_queue(arn, "b");
  ASSERT_TRUE(publish(arn, "one"));
  // One event-log record per publish, sourced at the topic; the copies are not re-logged.
  ASSERT_EQ(sink_.sources.size(), 1u);
  EXPECT_EQ(sink_.sources[0].first, arn);
  EXPECT_EQ(sink_.sources[0].second, "one");

  store_.fail_writes(true);
  auto failed = publish(arn, "two");
  store_.fail_writes(false);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::kServiceUnavailable);
  EXPECT_EQ(receive_all("a").size(), 1u);
  EXPECT_EQ(receive_all("b").size(), 1u);
}

TEST_P(TopicsTest, TagsAreValidatedAndLimited) {
  const std::string arn = topic("orders");
  ASSERT_TRUE(topics_->tag_resource(arn, {{"team", "orders"}, {"env", "dev"}}));
  ASSERT_TRUE(topics_->untag_resource(arn, {"env"}));
  EXPECT_EQ(*topics_->list_tags_for_resource(arn), (TagMap{{"team", "orders"}}));
  TagMap many;
  for (int i = 0; i < 50; ++i) many["k" + std::to_string(i)] = "v";
  EXPECT_EQ(topics_->tag_resource(arn, many).error().code, Errc::kTagLimitExceeded);
  EXPECT_EQ(topics_->tag_resource(arn + "x", {{"a", "b"}}).error().code, Errc::kResourceNotFound);
  EXPECT_FALSE(topics_->tag_resource(arn, {{"aws:reserved", "x"}}));
}

TEST_P(TopicsTest, TopicsAndSubscriptionsSurviveARestart) {
  const std::string arn = topic("orders", {{"DisplayName", "Orders"}});
  ASSERT_TRUE(topics_->tag_resource(arn, {{"team", "orders"}}));
  const std::string sub = subscribe_queue(
      arn, "q", {{"RawMessageDelivery", "true"}, {"FilterPolicy", R"({"k":["v"]})"}});
  auto pending = topics_->subscribe({arn, "https", "https://example.com/hook", {}, true});
  ASSERT_TRUE(pending);

  topics_ = make_topics();
  ASSERT_TRUE(topics_->recover());
  EXPECT_EQ(topics_->get_topic_attributes(arn)->at("DisplayName"), "Orders");
  EXPECT_EQ(topics_->list_tags_for_resource(arn)->at("team"), "orders");
  EXPECT_EQ(topics_->get_subscription_attributes(*pending)->at("PendingConfirmation"), "true");
  ASSERT_TRUE(publish(arn, "kept", string_attribute("k", "v")));
  ASSERT_TRUE(publish(arn, "filtered", string_attribute("k", "w")));
  auto got = receive_all("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "kept");
}

TEST_P(TopicsTest, SigningKeyIsGeneratedOnceAndKept) {
  auto first = load_signing_key(store_);
  ASSERT_TRUE(first) << first.error().message;
  // Made in the background: stored by the time it can sign.
  ASSERT_TRUE((*first)->sign("text", SignatureVersion::kSha1));
  auto again = load_signing_key(store_);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ((*first)->certificate_pem(), (*again)->certificate_pem());
  // Published under the same name after a restart, so SigningCertURLs stay valid.
  EXPECT_EQ((*first)->certificate_id(), (*again)->certificate_id());
  auto signature = (*again)->sign("text", SignatureVersion::kSha1);
  ASSERT_TRUE(signature);
  EXPECT_TRUE((*first)->verify("text", *signature, SignatureVersion::kSha1));
}

TEST_P(TopicsTest, PublishReachesPlatformEndpointsDirectlyAndThroughTopics) {
  auto app = topics_->platforms().create_application("app", "GCM", {{"PlatformCredential", "k"}});
  ASSERT_TRUE(app);
  auto endpoint = topics_->platforms().create_endpoint({.application_arn = *app, .token = "t"});
  ASSERT_TRUE(endpoint);
  PublishInput direct;
  direct.target_arn = *endpoint;
  direct.message = R"({"default":"d","GCM":"g"})";
  direct.message_structure = "json";
  ASSERT_TRUE(topics_->publish(direct));
  const std::string arn = topic("push");
  ASSERT_TRUE(topics_->subscribe({arn, "application", *endpoint, {}, false}));
  PublishInput through = direct;
  through.target_arn.clear();
  through.topic_arn = arn;
  ASSERT_TRUE(topics_->publish(through));
  ASSERT_EQ(endpoints_.messages.size(), 2u);
  EXPECT_EQ(endpoints_.messages[0].body, "g");
  EXPECT_EQ(endpoints_.messages[1].body, "g");
  EXPECT_EQ(endpoints_.messages[1].topic_arn, arn);
  // Both a TargetArn and a TopicArn: the usual error, whatever the target is.
  through.target_arn = *endpoint;
  EXPECT_EQ(topics_->publish(through).error().code, Errc::kInvalidParameterValue);
}

TEST_P(TopicsTest, PublishToAnOptedOutNumberIsAcceptedAndDropped) {
  ASSERT_TRUE(topics_->sms().opt_out("+15555550100"));
  PublishInput in;
  in.phone_number = "+15555550100";
  in.message = "hi";
  auto out = topics_->publish(in);
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->message_id.empty());
  EXPECT_TRUE(endpoints_.messages.empty());
  in.phone_number = "+15555550101";
  ASSERT_TRUE(topics_->publish(in));
  EXPECT_EQ(endpoints_.messages.size(), 1u);
}

TEST_P(TopicsTest, PermissionsEditTheTopicPolicy) {
  const std::string arn = topic("shared");
  ASSERT_TRUE(
      topics_->add_permission(arn, "partner", {"111122223333", "444455556666"}, {"Publish"}));
  const std::string policy = topics_->get_topic_attributes(arn)->at("Policy");
  EXPECT_NE(policy.find(R"("Sid":"partner")"), std::string::npos);
  EXPECT_NE(policy.find("arn:aws:iam::444455556666:root"), std::string::npos);
  EXPECT_NE(policy.find("__default_statement_ID"), std::string::npos);
  EXPECT_EQ(topics_->add_permission(arn, "partner", {"111122223333"}, {"Publish"}).error().code,
            Errc::kInvalidParameterValue);
  EXPECT_FALSE(topics_->add_permission(arn, "x", {"12"}, {"Publish"}));
  EXPECT_FALSE(topics_->add_permission(arn, "x", {"111122223333"}, {"Teleport"}));
  EXPECT_FALSE(topics_->add_permission(arn, "bad label", {"111122223333"}, {"Publish"}));
  EXPECT_EQ(topics_->add_permission(arn + "x", "x", {"111122223333"}, {"Publish"}).error().code,
            Errc::kNotFound);
  ASSERT_TRUE(topics_->remove_permission(arn, "partner"));
  const std::string removed = topics_->get_topic_attributes(arn)->at("Policy");
  EXPECT_EQ(removed.find("partner"), std::string::npos);
  EXPECT_NE(removed.find("__default_statement_ID"), std::string::npos);
}

TEST_P(TopicsTest, DataProtectionPoliciesAreStoredAsGivenAndRecovered) {
  const std::string arn = topic("protected");
  EXPECT_EQ(*topics_->get_data_protection_policy(arn), "");
  const std::string policy = R"({"Name":"p","Statement":[]})";
  ASSERT_TRUE(topics_->put_data_protection_policy(arn, policy));
  EXPECT_EQ(*topics_->get_data_protection_policy(arn), policy);
  EXPECT_EQ(topics_->put_data_protection_policy(arn, "[1").error().code,
            Errc::kInvalidParameterValue);
  EXPECT_EQ(topics_->get_data_protection_policy(arn + "x").error().code, Errc::kNotFound);
  auto app = topics_->platforms().create_application("kept", "GCM", {{"PlatformCredential", "k"}});
  ASSERT_TRUE(app);
  ASSERT_TRUE(topics_->sms().set_attributes({{"DefaultSMSType", "Promotional"}}));
  topics_ = make_topics();
  ASSERT_TRUE(topics_->recover());
  EXPECT_EQ(*topics_->get_data_protection_policy(arn), policy);
  EXPECT_TRUE(topics_->platforms().application_attributes(*app));
  EXPECT_EQ(topics_->sms().attributes({})->at("DefaultSMSType"), "Promotional");
}

INSTANTIATE_TEST_SUITE_P(Payloads, TopicsTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "InEngine" : "InMemory"; });

}  // namespace
}  // namespace eb::sns::testing
