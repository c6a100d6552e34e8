// SnsService driven in-process through the Dispatcher, with a real eb::sns::Topics on a
// MemoryEngine and a ManualClock: form bytes in, XML bytes out, no socket.
#include "api/sns/sns_service.hpp"

#include <gtest/gtest.h>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <sstream>

#include "api/aws/dispatcher.hpp"
#include "api/aws/form.hpp"
#include "core/manual_clock.hpp"
#include "sns/topics.hpp"
#include "sqs/queues.hpp"
#include "storage/memory_engine.hpp"

namespace eb::api::sns {
namespace {
namespace http = boost::beast::http;
using boost::property_tree::ptree;

constexpr std::string_view kSnsSignature =
    "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sns/aws4_request, "
    "SignedHeaders=host, Signature=00";

std::shared_ptr<const MessageSigner> test_signer() {
  static const auto signer =
      std::make_shared<const MessageSigner>(*MessageSigner::generate("sns.test"));
  return signer;
}

class NotFound final : public net::Handler {
 public:
  void handle(net::HttpRequest&&, const boost::asio::ip::tcp::endpoint&,
              net::Respond respond) override {
    respond(net::HttpResponse{http::status::not_found, 11});
  }
};

class RecordingEndpoints final : public eb::sns::EndpointDelivery {
 public:
  void deliver(eb::sns::EndpointMessage message) override {
    messages.push_back(std::move(message));
  }
  std::vector<eb::sns::EndpointMessage> messages;
};

ptree parse(const std::string& xml) {
  std::istringstream in(xml);
  ptree tree;
  boost::property_tree::read_xml(in, tree);
  return tree;
}

class SnsServiceTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  storage::MemoryEngine store_;
  eb::sqs::Queues queues_{clock_, clock_, store_};
  RecordingEndpoints endpoints_;
  eb::sns::Topics topics_{clock_, store_, queues_, test_signer(), endpoints_};
  SnsService sns_{topics_};
  NotFound native_;
  aws::Dispatcher dispatcher_{native_};

  void SetUp() override { dispatcher_.add_service(sns_); }

  // A query request signed for SNS, its form built from `pairs` (values percent-encoded).
  net::HttpResponse call(const aws::FormPairs& pairs, bool signed_for_sns = true) {
    std::string body;
    for (const auto& [k, v] : pairs) {
      if (!body.empty()) body += '&';
      body += aws::percent_encode(k) + "=" + aws::percent_encode(v);
    }
    return post(std::move(body), signed_for_sns);
  }

  net::HttpResponse post(std::string body, bool signed_for_sns = true) {
    net::HttpRequest req{http::verb::post, "/", 11};
    req.set(http::field::host, "localhost:4566");
    req.set(http::field::content_type, "application/x-www-form-urlencoded; charset=utf-8");
    if (signed_for_sns) req.set(http::field::authorization, kSnsSignature);
    req.body() = std::move(body);
    req.prepare_payload();
    std::optional<net::HttpResponse> out;
    dispatcher_.handle(std::move(req), {}, [&](net::HttpResponse&& r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value());
    return out ? std::move(*out) : net::HttpResponse{};
  }

  // Calls an action that must succeed and returns its <ActionResult> (or the response root
  // when the action has none).
  ptree ok(const std::string& action, aws::FormPairs pairs) {
    pairs.insert(pairs.begin(), {"Action", action});
    auto res = call(pairs);
    EXPECT_EQ(res.result(), http::status::ok) << action << ": " << res.body();
    EXPECT_EQ(res[http::field::content_type], "text/xml");
    EXPECT_FALSE(res["x-amzn-RequestId"].empty());
    auto tree = parse(res.body());
    const ptree& root = tree.get_child(action + "Response");
    EXPECT_EQ(root.get<std::string>("<xmlattr>.xmlns"), "http://sns.amazonaws.com/doc/2010-03-31/");
    EXPECT_EQ(root.get<std::string>("ResponseMetadata.RequestId"), res["x-amzn-RequestId"]);
    return root.get_child_optional(action + "Result").value_or(root);
  }

  // Calls an action that must fail; returns (status, code, message).
  std::tuple<int, std::string, std::string> error(const std::string& action, aws::FormPairs pairs) {
    pairs.insert(pairs.begin(), {"Action", action});
    auto res = call(pairs);
    auto tree = parse(res.body());
    EXPECT_EQ(tree.get<std::string>("ErrorResponse.<xmlattr>.xmlns"),
              "http://sns.amazonaws.com/doc/2010-03-31/");
    EXPECT_EQ(tree.get<std::string>("ErrorResponse.RequestId"), res["x-amzn-RequestId"]);
    return {res.result_int(), tree.get<std::string>("ErrorResponse.Error.Code", ""),
            tree.get<std::string>("ErrorResponse.Error.Message", "")};
  }

  std::string create_topic(const std::string& name) {
    return ok("CreateTopic", {{"Name", name}}).get<std::string>("TopicArn");
  }
};

TEST_F(SnsServiceTest, TopicLifecycle) {
  const std::string arn = create_topic("orders");
  EXPECT_EQ(arn, topics_.topic_arn("orders"));
  EXPECT_EQ(create_topic("payments"), topics_.topic_arn("payments"));

  auto listed = ok("ListTopics", {});
  std::vector<std::string> arns;
  for (const auto& [name, member] : listed.get_child("Topics")) {
    arns.push_back(member.get<std::string>("TopicArn"));
  }
  EXPECT_EQ(arns.size(), 2u);
  EXPECT_NE(std::find(arns.begin(), arns.end(), arn), arns.end());

  ok("SetTopicAttributes",
     {{"TopicArn", arn}, {"AttributeName", "DisplayName"}, {"AttributeValue", "Orders & co"}});
  auto attributes = ok("GetTopicAttributes", {{"TopicArn", arn}});
  std::map<std::string, std::string> got;
  for (const auto& [name, entry] : attributes.get_child("Attributes")) {
    got[entry.get<std::string>("key")] = entry.get<std::string>("value");
  }
  EXPECT_EQ(got["DisplayName"], "Orders & co");
  EXPECT_EQ(got["TopicArn"], arn);

  ok("DeleteTopic", {{"TopicArn", arn}});
  auto [status, code, message] = error("GetTopicAttributes", {{"TopicArn", arn}});
  EXPECT_EQ(status, 404);
  EXPECT_EQ(code, "NotFound");
}

TEST_F(SnsServiceTest, CreateTopicWithAttributesAndTags) {
  auto created = ok("CreateTopic", {{"Name", "t"},
                                    {"Attributes.entry.1.key", "DisplayName"},
                                    {"Attributes.entry.1.value", "T"},
                                    {"Tags.member.1.Key", "team"},
                                    {"Tags.member.1.Value", "core"}});
  const std::string arn = created.get<std::string>("TopicArn");
  EXPECT_EQ(topics_.get_topic_attributes(arn)->at("DisplayName"), "T");
  EXPECT_EQ(topics_.list_tags_for_resource(arn)->at("team"), "core");
}

TEST_F(SnsServiceTest, Tags) {
  const std::string arn = create_topic("t");
  ok("TagResource", {{"ResourceArn", arn},
                     {"Tags.member.1.Key", "a"},
                     {"Tags.member.1.Value", "1"},
                     {"Tags.member.2.Key", "b"},
                     {"Tags.member.2.Value", "2"}});
  ok("UntagResource", {{"ResourceArn", arn}, {"TagKeys.member.1", "a"}});
  auto tags = ok("ListTagsForResource", {{"ResourceArn", arn}});
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& [name, tag] : tags.get_child("Tags")) {
    got.emplace_back(tag.get<std::string>("Key"), tag.get<std::string>("Value"));
  }
  EXPECT_EQ(got, (std::vector<std::pair<std::string, std::string>>{{"b", "2"}}));
}

TEST_F(SnsServiceTest, SubscribeQueuePublishAndReceive) {
  const std::string topic = create_topic("events");
  ASSERT_TRUE(queues_.create_queue({"inbox", {}, {}}).has_value());
  auto subscribed = ok("Subscribe", {{"TopicArn", topic},
                                     {"Protocol", "sqs"},
                                     {"Endpoint", queues_.queue_arn("inbox")},
                                     {"Attributes.entry.1.key", "RawMessageDelivery"},
                                     {"Attributes.entry.1.value", "true"},
                                     {"ReturnSubscriptionArn", "true"}});
  const std::string subscription = subscribed.get<std::string>("SubscriptionArn");
  EXPECT_TRUE(subscription.starts_with(topic + ":")) << subscription;

  auto attributes = ok("GetSubscriptionAttributes", {{"SubscriptionArn", subscription}});
  std::map<std::string, std::string> got;
  for (const auto& [name, entry] : attributes.get_child("Attributes")) {
    got[entry.get<std::string>("key")] = entry.get<std::string>("value");
  }
  EXPECT_EQ(got["RawMessageDelivery"], "true");
  EXPECT_EQ(got["Protocol"], "sqs");

  auto listed = ok("ListSubscriptionsByTopic", {{"TopicArn", topic}});
  const ptree& member = listed.get_child("Subscriptions").front().second;
  EXPECT_EQ(member.get<std::string>("SubscriptionArn"), subscription);
  EXPECT_EQ(member.get<std::string>("Protocol"), "sqs");
  EXPECT_EQ(member.get<std::string>("Endpoint"), queues_.queue_arn("inbox"));
  EXPECT_EQ(member.get<std::string>("TopicArn"), topic);
  EXPECT_EQ(ok("ListSubscriptions", {}).get_child("Subscriptions").size(), 1u);

  auto published = ok("Publish", {{"TopicArn", topic},
                                  {"Message", "hello <world>"},
                                  {"MessageAttributes.entry.1.Name", "bin"},
                                  {"MessageAttributes.entry.1.Value.DataType", "Binary"},
                                  {"MessageAttributes.entry.1.Value.BinaryValue", "AAEC"},
                                  {"MessageAttributes.entry.2.Name", "color"},
                                  {"MessageAttributes.entry.2.Value.DataType", "String"},
                                  {"MessageAttributes.entry.2.Value.StringValue", "red"}});
  EXPECT_FALSE(published.get<std::string>("MessageId").empty());

  eb::sqs::ReceiveInput receive;
  receive.wait_seconds = 0;
  receive.message_attribute_names = {"All"};
  bool done = false;
  std::vector<eb::sqs::ReceivedMessage> received;
  queues_.receive_message("inbox", receive, [&](auto&& r) {
    done = true;
    if (r) received = std::move(*r);
  });
  ASSERT_TRUE(done);
  ASSERT_EQ(received.size(), 1u);
  const eb::sqs::ReceivedMessage& m = received[0];
  EXPECT_EQ(m.body, "hello <world>");  // raw delivery
  EXPECT_EQ(m.message_attributes.at("bin").binary_value, std::string("\x00\x01\x02", 3));
  EXPECT_EQ(m.message_attributes.at("color").string_value, "red");

  ok("SetSubscriptionAttributes", {{"SubscriptionArn", subscription},
                                   {"AttributeName", "RawMessageDelivery"},
                                   {"AttributeValue", "false"}});
  ok("Unsubscribe", {{"SubscriptionArn", subscription}});
  EXPECT_EQ(ok("ListSubscriptions", {}).get_child("Subscriptions").size(), 0u);
}

TEST_F(SnsServiceTest, HttpSubscriptionNeedsConfirmation) {
  const std::string topic = create_topic("hooks");
  auto subscribed =
      ok("Subscribe", {{"TopicArn", topic}, {"Protocol", "http"}, {"Endpoint", "http://x/hook"}});
  EXPECT_EQ(subscribed.get<std::string>("SubscriptionArn"), "pending confirmation");
  ASSERT_EQ(endpoints_.messages.size(), 1u);
  EXPECT_EQ(endpoints_.messages[0].message_type, "SubscriptionConfirmation");
  auto listed = ok("ListSubscriptionsByTopic", {{"TopicArn", topic}});
  EXPECT_EQ(listed.get_child("Subscriptions").front().second.get<std::string>("SubscriptionArn"),
            "PendingConfirmation");

  auto [status, code, message] =
      error("ConfirmSubscription", {{"TopicArn", topic}, {"Token", "nope"}});
  EXPECT_EQ(status, 400);
  EXPECT_EQ(code, "InvalidParameter");
}

TEST_F(SnsServiceTest, PublishBatchReportsSuccessesAndFailures) {
  const std::string topic = create_topic("batch");
  auto out = ok("PublishBatch", {{"TopicArn", topic},
                                 {"PublishBatchRequestEntries.member.1.Id", "a"},
                                 {"PublishBatchRequestEntries.member.1.Message", "one"},
                                 {"PublishBatchRequestEntries.member.2.Id", "b"},
                                 {"PublishBatchRequestEntries.member.2.Message", ""}});
  ASSERT_EQ(out.get_child("Successful").size(), 1u);
  EXPECT_EQ(out.get_child("Successful").front().second.get<std::string>("Id"), "a");
  EXPECT_FALSE(out.get_child("Successful").front().second.get<std::string>("MessageId").empty());
  ASSERT_EQ(out.get_child("Failed").size(), 1u);
  const ptree& failed = out.get_child("Failed").front().second;
  EXPECT_EQ(failed.get<std::string>("Id"), "b");
  EXPECT_EQ(failed.get<std::string>("Code"), "InvalidParameter");
  EXPECT_EQ(failed.get<std::string>("SenderFault"), "true");
  EXPECT_FALSE(failed.get<std::string>("Message").empty());
}

TEST_F(SnsServiceTest, PublishBatchRequestErrors) {
  const std::string topic = create_topic("batch");
  EXPECT_EQ(
      std::get<1>(error("PublishBatch", {{"TopicArn", topic}, {"PublishBatchRequestEntries", ""}})),
      "EmptyBatchRequest");
  EXPECT_EQ(
      std::get<1>(error("PublishBatch", {{"TopicArn", topic},
                                         {"PublishBatchRequestEntries.member.1.Id", "a"},
                                         {"PublishBatchRequestEntries.member.1.Message", "x"},
                                         {"PublishBatchRequestEntries.member.2.Id", "a"},
                                         {"PublishBatchRequestEntries.member.2.Message", "y"}})),
      "BatchEntryIdsNotDistinct");
}

TEST_F(SnsServiceTest, MissingRequiredMembersAreValidationErrors) {
  const std::pair<const char*, const char*> cases[] = {
      {"CreateTopic", "name"},
      {"DeleteTopic", "topicArn"},
      {"GetTopicAttributes", "topicArn"},
      {"SetTopicAttributes", "topicArn"},
      {"Subscribe", "topicArn"},
      {"ConfirmSubscription", "topicArn"},
      {"Unsubscribe", "subscriptionArn"},
      {"ListSubscriptionsByTopic", "topicArn"},
      {"GetSubscriptionAttributes", "subscriptionArn"},
      {"SetSubscriptionAttributes", "subscriptionArn"},
      {"Publish", "message"},
      {"PublishBatch", "topicArn"},
      {"TagResource", "resourceArn"},
      {"UntagResource", "resourceArn"},
      {"ListTagsForResource", "resourceArn"},
  };
  for (auto [action, member] : cases) {
    SCOPED_TRACE(action);
    auto [status, code, message] = error(action, {});
    EXPECT_EQ(status, 400);
    EXPECT_EQ(code, "ValidationError");
    EXPECT_EQ(message, std::string("1 validation error detected: Value null at '") + member +
                           "' failed to satisfy constraint: Member must not be null");
  }
}

TEST_F(SnsServiceTest, DomainErrorsUseSnsCodes) {
  auto [status, code, message] =
      error("Publish", {{"TopicArn", topics_.topic_arn("missing")}, {"Message", "m"}});
  EXPECT_EQ(status, 404);
  EXPECT_EQ(code, "NotFound");
  auto bad_name = error("CreateTopic", {{"Name", "no spaces allowed"}});
  EXPECT_EQ(std::get<0>(bad_name), 400);
  EXPECT_EQ(std::get<1>(bad_name), "InvalidParameter");
}

TEST_F(SnsServiceTest, DispatcherErrorsSignedForSnsUseTheSnsNamespace) {
  auto unknown = post("Action=NoSuchAction");
  EXPECT_EQ(unknown.result(), http::status::bad_request);
  auto tree = parse(unknown.body());
  EXPECT_EQ(tree.get<std::string>("ErrorResponse.<xmlattr>.xmlns"),
            "http://sns.amazonaws.com/doc/2010-03-31/");
  EXPECT_EQ(tree.get<std::string>("ErrorResponse.Error.Code"), "InvalidAction");
  EXPECT_FALSE(tree.get_child_optional("ErrorResponse.Error.Detail"));

  auto missing = post("TopicArn=x");
  EXPECT_EQ(parse(missing.body()).get<std::string>("ErrorResponse.Error.Code"), "MissingAction");
  auto malformed = post("Action=Publish&Message=%G1");
  EXPECT_EQ(malformed.result(), http::status::bad_request);
  EXPECT_EQ(parse(malformed.body()).get<std::string>("ErrorResponse.Error.Code"),
            "MalformedQueryString");

  // Unsigned requests keep SQS's rendering.
  auto unsigned_unknown = post("Action=NoSuchAction", false);
  EXPECT_NE(unsigned_unknown.body().find("http://queue.amazonaws.com/doc/2012-11-05/"),
            std::string::npos);
}

TEST_F(SnsServiceTest, UnsignedSnsActionsRouteByName) {
  auto res = call({{"Action", "CreateTopic"}, {"Name", "by-name"}}, false);
  EXPECT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_NE(
      res.body().find("<CreateTopicResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"),
      std::string::npos);
}

TEST_F(SnsServiceTest, PlatformApplicationsAndEndpoints) {
  const std::string app =
      ok("CreatePlatformApplication", {{"Name", "app"},
                                       {"Platform", "GCM"},
                                       {"Attributes.entry.1.key", "PlatformCredential"},
                                       {"Attributes.entry.1.value", "k"}})
          .get<std::string>("PlatformApplicationArn");
  EXPECT_EQ(app, "arn:aws:sns:us-east-1:000000000000:app/GCM/app");
  auto apps = ok("ListPlatformApplications", {});
  ASSERT_EQ(apps.get_child("PlatformApplications").size(), 1u);
  EXPECT_EQ(apps.get<std::string>("PlatformApplications.member.PlatformApplicationArn"), app);
  EXPECT_EQ(apps.get<std::string>("PlatformApplications.member.Attributes.entry.key"), "Enabled");
  const std::string endpoint =
      ok("CreatePlatformEndpoint",
         {{"PlatformApplicationArn", app}, {"Token", "t"}, {"CustomUserData", "u"}})
          .get<std::string>("EndpointArn");
  auto listed = ok("ListEndpointsByPlatformApplication", {{"PlatformApplicationArn", app}});
  EXPECT_EQ(listed.get<std::string>("Endpoints.member.EndpointArn"), endpoint);
  ok("SetEndpointAttributes", {{"EndpointArn", endpoint},
                               {"Attributes.entry.1.key", "Enabled"},
                               {"Attributes.entry.1.value", "false"}});
  auto [status, code, message] = error("Publish", {{"TargetArn", endpoint}, {"Message", "m"}});
  EXPECT_EQ(status, 400);
  EXPECT_EQ(code, "EndpointDisabled");
  ok("DeleteEndpoint", {{"EndpointArn", endpoint}});
  ok("DeletePlatformApplication", {{"PlatformApplicationArn", app}});
  auto [s2, c2, m2] = error("CreatePlatformApplication", {{"Name", "a"}, {"Platform", "GCM"}});
  EXPECT_EQ(c2, "ValidationError");
  EXPECT_NE(m2.find("'attributes'"), std::string::npos);
}

TEST_F(SnsServiceTest, SmsActions) {
  ok("SetSMSAttributes",
     {{"attributes.entry.1.key", "DefaultSMSType"}, {"attributes.entry.1.value", "Promotional"}});
  auto got = ok("GetSMSAttributes", {{"attributes.member.1", "DefaultSMSType"}});
  EXPECT_EQ(got.get<std::string>("attributes.entry.value"), "Promotional");
  EXPECT_EQ(ok("CheckIfPhoneNumberIsOptedOut", {{"phoneNumber", "+15555550100"}})
                .get<std::string>("isOptedOut"),
            "false");
  EXPECT_EQ(ok("ListPhoneNumbersOptedOut", {}).get_child("phoneNumbers").size(), 0u);
  ok("OptInPhoneNumber", {{"phoneNumber", "+15555550100"}});
  EXPECT_EQ(ok("GetSMSSandboxAccountStatus", {}).get<std::string>("IsInSandbox"), "true");
  ok("CreateSMSSandboxPhoneNumber", {{"PhoneNumber", "+15555550100"}});
  auto numbers = ok("ListSMSSandboxPhoneNumbers", {{"MaxResults", "5"}});
  EXPECT_EQ(numbers.get<std::string>("PhoneNumbers.member.Status"), "Pending");
  auto [status, code, message] = error("VerifySMSSandboxPhoneNumber",
                                       {{"PhoneNumber", "+15555550100"}, {"OneTimePassword", "x"}});
  EXPECT_EQ(code, "VerificationException");
  auto [s2, c2, m2] = error("DeleteSMSSandboxPhoneNumber", {{"PhoneNumber", "+15555550199"}});
  EXPECT_EQ(s2, 404);
  EXPECT_EQ(c2, "ResourceNotFound");
  auto [s3, c3, m3] = error("ListOriginationNumbers", {{"MaxResults", "many"}});
  EXPECT_EQ(c3, "ValidationError");
  EXPECT_EQ(ok("ListOriginationNumbers", {}).get_child("PhoneNumbers").size(), 0u);
}

TEST_F(SnsServiceTest, PermissionsAndDataProtection) {
  const std::string arn = create_topic("t");
  ok("AddPermission", {{"TopicArn", arn},
                       {"Label", "l"},
                       {"AWSAccountId.member.1", "111122223333"},
                       {"ActionName.member.1", "Publish"}});
  ok("RemovePermission", {{"TopicArn", arn}, {"Label", "l"}});
  ok("PutDataProtectionPolicy", {{"ResourceArn", arn}, {"DataProtectionPolicy", "{}"}});
  EXPECT_EQ(ok("GetDataProtectionPolicy", {{"ResourceArn", arn}})
                .get<std::string>("DataProtectionPolicy"),
            "{}");
  auto [status, code, message] = error("AddPermission", {{"TopicArn", arn}, {"Label", "l"}});
  EXPECT_EQ(code, "ValidationError");
}

TEST_F(SnsServiceTest, KnowsOnlyItsActions) {
  EXPECT_TRUE(sns_.knows_action("Publish"));
  EXPECT_TRUE(sns_.knows_action("ListTagsForResource"));
  EXPECT_FALSE(sns_.knows_action("SendMessage"));
  EXPECT_TRUE(sns_.knows_action("CreatePlatformApplication"));
  EXPECT_TRUE(sns_.knows_action("VerifySMSSandboxPhoneNumber"));
  EXPECT_FALSE(sns_.knows_action("ChangeMessageVisibility"));
  EXPECT_EQ(sns_.signing_name(), "sns");
}

TEST_F(SnsServiceTest, JsonProtocolIsNotSpoken) {
  net::HttpRequest req{http::verb::post, "/", 11};
  req.set("X-Amz-Target", "AmazonSNS.Publish");
  req.body() = "{}";
  req.prepare_payload();
  std::optional<net::HttpResponse> out;
  dispatcher_.handle(std::move(req), {}, [&](net::HttpResponse&& r) { out = std::move(r); });
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->result(), http::status::bad_request);
  EXPECT_NE(out->body().find("<Code>InvalidAction</Code>"), std::string::npos);
}

}  // namespace
}  // namespace eb::api::sns
