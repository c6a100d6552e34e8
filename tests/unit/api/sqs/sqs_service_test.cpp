// SqsService driven in-process through the Dispatcher: real request bytes in, real
// response bytes out, no socket.
#include "api/sqs/sqs_service.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "api/aws/dispatcher.hpp"
#include "core/encoding.hpp"
#include "core/manual_clock.hpp"
#include "sqs/queues.hpp"
#include "storage/memory_engine.hpp"

namespace eb::api::sqs {
namespace {
namespace http = boost::beast::http;

class NotFound final : public net::Handler {
 public:
  void handle(net::HttpRequest&&, const boost::asio::ip::tcp::endpoint&,
              net::Respond respond) override {
    respond(net::HttpResponse{http::status::not_found, 11});
  }
};

class SqsServiceTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  storage::MemoryEngine store_;
  eb::sqs::Queues queues_{clock_, clock_, store_};
  SqsService sqs_{queues_, nullptr};
  NotFound native_;
  aws::Dispatcher dispatcher_{native_};

  void SetUp() override { dispatcher_.add_service(sqs_); }

  net::HttpResponse send(net::HttpRequest req) {
    req.set(http::field::host, "localhost:4566");
    req.prepare_payload();
    std::optional<net::HttpResponse> out;
    dispatcher_.handle(std::move(req), {}, [&](net::HttpResponse&& r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value());
    return out ? std::move(*out) : net::HttpResponse{};
  }

  net::HttpResponse json(std::string_view action, std::string body) {
    net::HttpRequest req{http::verb::post, "/", 11};
    req.set("X-Amz-Target", std::string("AmazonSQS.") + std::string(action));
    req.set(http::field::content_type, "application/x-amz-json-1.0");
    req.body() = std::move(body);
    return send(std::move(req));
  }

  net::HttpResponse query(std::string body, std::string target = "/") {
    net::HttpRequest req{http::verb::post, target, 11};
    req.set(http::field::content_type, "application/x-www-form-urlencoded");
    req.body() = std::move(body);
    return send(std::move(req));
  }
};

TEST_F(SqsServiceTest, JsonCreateQueueBuildsUrlFromHost) {
  auto res =
      json("CreateQueue", R"({"QueueName":"orders","Attributes":{"VisibilityTimeout":"5"}})");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), R"({"QueueUrl":"http://localhost:4566/000000000000/orders"})");
  EXPECT_EQ(res[http::field::content_type], "application/x-amz-json-1.0");
  EXPECT_FALSE(res["x-amzn-RequestId"].empty());
  EXPECT_EQ(queues_.get_queue_attributes("orders", {"VisibilityTimeout"})->at("VisibilityTimeout"),
            "5");
}

TEST_F(SqsServiceTest, JsonErrorCarriesTypeAndQueryErrorHeader) {
  auto res = json("GetQueueUrl", R"({"QueueName":"missing"})");
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_NE(res.body().find(R"("__type":"com.amazonaws.sqs#QueueDoesNotExist")"),
            std::string::npos);
  EXPECT_EQ(res["x-amzn-query-error"], "AWS.SimpleQueueService.NonExistentQueue;Sender");
}

TEST_F(SqsServiceTest, JsonSendAndReceiveWithAttributes) {
  json("CreateQueue", R"({"QueueName":"q"})");
  auto sent = json("SendMessage", R"({"QueueUrl":"http://localhost:4566/000000000000/q",
      "MessageBody":"hello world",
      "MessageAttributes":{"b":{"DataType":"String","StringValue":"v"},
                           "a":{"DataType":"Number","StringValue":"42"},
                           "bin":{"DataType":"Binary","BinaryValue":"AAEC"}}})");
  ASSERT_EQ(sent.result(), http::status::ok) << sent.body();
  EXPECT_NE(sent.body().find(R"("MD5OfMessageBody":"5eb63bbbe01eeed093cb22bb8f5acdc3")"),
            std::string::npos);
  EXPECT_NE(sent.body().find(R"("MD5OfMessageAttributes":"dc494cc50313341565f298820dd2d73c")"),
            std::string::npos);

  auto got =
      json("ReceiveMessage", R"({"QueueUrl":"/000000000000/q","MessageAttributeNames":["All"],
      "MessageSystemAttributeNames":["ApproximateReceiveCount"]})");
  ASSERT_EQ(got.result(), http::status::ok);
  simdjson::dom::parser parser;
  auto doc = parser.parse(got.body());
  auto m = doc["Messages"].at(0);
  EXPECT_EQ(std::string_view(m["Body"]), "hello world");
  EXPECT_EQ(std::string_view(m["Attributes"]["ApproximateReceiveCount"]), "1");
  EXPECT_EQ(std::string_view(m["MessageAttributes"]["bin"]["BinaryValue"]), "AAEC");
  EXPECT_EQ(std::string_view(m["MessageAttributes"]["a"]["DataType"]), "Number");
  EXPECT_EQ(std::string_view(m["MD5OfMessageAttributes"]), "dc494cc50313341565f298820dd2d73c");
}

TEST_F(SqsServiceTest, EmptyReceiveIsAnEmptyObject) {
  json("CreateQueue", R"({"QueueName":"q"})");
  auto got = json("ReceiveMessage", R"({"QueueUrl":"/000000000000/q"})");
  EXPECT_EQ(got.body(), "{}");
}

TEST_F(SqsServiceTest, QueryProtocolPostedToQueueUrl) {
  auto created =
      query("Action=CreateQueue&QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=0");
  ASSERT_EQ(created.result(), http::status::ok) << created.body();
  EXPECT_NE(created.body().find(
                "<CreateQueueResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">"),
            std::string::npos);
  EXPECT_NE(created.body().find("<QueueUrl>http://localhost:4566/000000000000/q</QueueUrl>"),
            std::string::npos);
  EXPECT_EQ(created[http::field::content_type], "text/xml");

  auto sent = query(
      "Action=SendMessage&MessageBody=a%0D%0Ab%3C%26&MessageAttribute.1.Name=k&"
      "MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v",
      "/000000000000/q");
  ASSERT_EQ(sent.result(), http::status::ok) << sent.body();
  EXPECT_NE(sent.body().find("<MD5OfMessageBody>" + md5_hex("a\r\nb<&") + "</MD5OfMessageBody>"),
            std::string::npos);
  EXPECT_NE(sent.body().find("<RequestId>"), std::string::npos);

  auto got = query(
      "Action=ReceiveMessage&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq&"
      "AttributeName.1=All&MessageAttributeName.1=All");
  ASSERT_EQ(got.result(), http::status::ok);
  EXPECT_NE(got.body().find("<Body>a&#xD;\nb&lt;&amp;</Body>"), std::string::npos) << got.body();
  EXPECT_NE(got.body().find("<MessageAttribute><Name>k</Name><Value><StringValue>v</StringValue>"
                            "<DataType>String</DataType></Value></MessageAttribute>"),
            std::string::npos)
      << got.body();
  EXPECT_NE(got.body().find(
                "<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>"),
            std::string::npos);
}

TEST_F(SqsServiceTest, QueryBatchEntriesInNumericOrder) {
  query("Action=CreateQueue&QueueName=q");
  std::string body = "Action=SendMessageBatch&QueueUrl=%2F000000000000%2Fq";
  for (int i = 1; i <= 10; ++i) {
    body += "&SendMessageBatchRequestEntry." + std::to_string(i) + ".Id=e" + std::to_string(i) +
            "&SendMessageBatchRequestEntry." + std::to_string(i) + ".MessageBody=m" +
            std::to_string(i);
  }
  auto res = query(body);
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  auto e2 = res.body().find("<Id>e2</Id>");
  auto e10 = res.body().find("<Id>e10</Id>");
  ASSERT_NE(e2, std::string::npos);
  ASSERT_NE(e10, std::string::npos);
  EXPECT_LT(e2, e10);
  EXPECT_NE(res.body().find("<SendMessageBatchResultEntry>"), std::string::npos);
}

TEST_F(SqsServiceTest, QueryErrorsAreXml) {
  auto res = query("Action=GetQueueUrl&QueueName=missing");
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_NE(res.body().find("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"),
            std::string::npos);
  EXPECT_NE(res.body().find("<Type>Sender</Type>"), std::string::npos);
  auto unknown = query("Action=Nope");
  EXPECT_EQ(unknown.result(), http::status::bad_request);
  EXPECT_NE(unknown.body().find("<Code>InvalidAction</Code>"), std::string::npos);
  auto missing = query("QueueName=x");
  EXPECT_NE(missing.body().find("<Code>MissingAction</Code>"), std::string::npos);
  auto broken = query("Action=ListQueues&QueueNamePrefix=%G1");
  EXPECT_EQ(broken.result(), http::status::bad_request);
}

TEST_F(SqsServiceTest, MalformedJsonAndMissingParameters) {
  auto bad = json("SendMessage", "{not json");
  EXPECT_EQ(bad.result(), http::status::bad_request);
  auto wrong_type =
      json("ReceiveMessage", R"({"QueueUrl":"/000000000000/q","MaxNumberOfMessages":"ten"})");
  EXPECT_EQ(wrong_type.result(), http::status::bad_request);
  auto missing = json("SendMessage", R"({"MessageBody":"x"})");
  EXPECT_EQ(missing.result(), http::status::bad_request);
  EXPECT_NE(missing.body().find("QueueUrl"), std::string::npos);
  auto unknown = json("Nope", "{}");
  EXPECT_EQ(unknown.result(), http::status::bad_request);
}

TEST_F(SqsServiceTest, BatchFailuresListed) {
  json("CreateQueue", R"({"QueueName":"q"})");
  auto res = json("DeleteMessageBatch", R"({"QueueUrl":"/000000000000/q",
      "Entries":[{"Id":"a","ReceiptHandle":"garbage"}]})");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_NE(res.body().find(R"("Successful":[])"), std::string::npos) << res.body();
  EXPECT_NE(res.body().find(R"("Code":"ReceiptHandleIsInvalid")"), std::string::npos) << res.body();
  EXPECT_NE(res.body().find(R"("SenderFault":true)"), std::string::npos);
}

TEST_F(SqsServiceTest, WrongAccountInUrlIsMissingQueue) {
  json("CreateQueue", R"({"QueueName":"q"})");
  auto res = json("SendMessage",
                  R"({"QueueUrl":"http://localhost:4566/123456789012/q","MessageBody":"x"})");
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_EQ(res["x-amzn-query-error"], "AWS.SimpleQueueService.NonExistentQueue;Sender");
}

TEST_F(SqsServiceTest, NativePathsGoToNativeHandler) {
  net::HttpRequest req{http::verb::get, "/health", 11};
  EXPECT_EQ(send(std::move(req)).result(), http::status::not_found);
}

}  // namespace
}  // namespace eb::api::sqs
