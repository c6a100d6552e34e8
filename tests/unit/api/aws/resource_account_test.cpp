#include "api/aws/resource_account.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "api/aws/dispatcher.hpp"

namespace eb::api::aws {
namespace {
namespace http = boost::beast::http;

AwsRequest query(std::vector<std::pair<std::string, std::string>> form, std::string target = "/") {
  AwsRequest r;
  r.protocol = Protocol::kQuery;
  r.form = std::move(form);
  r.http.method(http::verb::post);
  r.http.target(target);
  return r;
}

AwsRequest json(std::string body) {
  AwsRequest r;
  r.protocol = Protocol::kJson;
  r.http.body() = std::move(body);
  return r;
}

TEST(ResourceAccount, QueueUrlsArnsAndTheQueueOwner) {
  EXPECT_EQ(resource_account(query({{"Action", "SendMessage"},
                                    {"QueueUrl", "http://localhost:4566/111111111111/jobs"}})),
            "111111111111");
  EXPECT_EQ(resource_account(query({{"QueueUrl",
                                     "https://sqs.us-east-1.amazonaws.com/"
                                     "222222222222/jobs"}})),
            "222222222222");
  EXPECT_EQ(resource_account(query({{"Action", "SendMessage"}}, "/333333333333/jobs")),
            "333333333333");
  EXPECT_EQ(resource_account(query({{"TopicArn", "arn:aws:sns:us-east-1:444444444444:orders"}})),
            "444444444444");
  EXPECT_EQ(
      resource_account(query({{"QueueName", "jobs"}, {"QueueOwnerAWSAccountId", "555555555555"}})),
      "555555555555");
  EXPECT_EQ(resource_account(json(R"({"EventBusName":"arn:aws:events:us-east-1:666666666666:)"
                                  R"(event-bus/orders","Entries":[]})")),
            "666666666666");
  EXPECT_EQ(resource_account(json(R"({"Name":"arn:aws:events:us-east-1:777777777777:)"
                                  R"(event-bus/orders"})")),
            "777777777777");
}

TEST(ResourceAccount, NoneWhereTheRequestNamesNoAccount) {
  EXPECT_EQ(resource_account(query({{"Action", "ListQueues"}})), "");
  EXPECT_EQ(resource_account(query({{"Action", "CreateTopic"}, {"Name", "orders"}})), "");
  EXPECT_EQ(resource_account(query({{"QueueUrl", "http://localhost:4566/not-an-account/q"}})), "");
  EXPECT_EQ(resource_account(query({{"Endpoint", "arn:aws:sqs:us-east-1:111111111111:q"}})), "");
  // Nested members (PutEvents entries) do not name the call's account.
  EXPECT_EQ(resource_account(json(R"({"Entries":[{"EventBusName":)"
                                  R"("arn:aws:events:us-east-1:666666666666:event-bus/b"}]})")),
            "");
  EXPECT_EQ(resource_account(json("not json")), "");
}

class NoNative final : public net::Handler {
 public:
  void handle(net::HttpRequest&&, const boost::asio::ip::tcp::endpoint&, net::Respond) override {
    ADD_FAILURE() << "no native request expected";
  }
};

class NamedService final : public Service {
 public:
  explicit NamedService(std::string name) : name_(std::move(name)) {}
  std::string_view signing_name() const override { return "sqs"; }
  std::string_view json_target_prefix() const override { return "AmazonSQS"; }
  bool knows_action(std::string_view) const override { return true; }
  void handle(AwsRequest&& request, net::Respond respond) override {
    net::HttpResponse res{http::status::ok, request.http.version()};
    res.body() = name_ + " " + request.account_id;
    respond(std::move(res));
  }

 private:
  std::string name_;
};

TEST(DispatcherAccounts, TheRouterPicksTheInstanceAndAnswersItsErrors) {
  NoNative native;
  NamedService home("home");
  NamedService other("other");
  Dispatcher dispatcher(native);
  dispatcher.add_service(home);
  dispatcher.route_accounts([&](Service& service, AwsRequest& request) -> Result<Service*> {
    EXPECT_EQ(&service, &home);
    if (request.access_key == "broken") return fail(Errc::kServiceUnavailable, "store refused");
    request.account_id = request.access_key;
    return request.access_key == "111111111111" ? &other : &service;
  });
  auto send = [&](std::string key) {
    net::HttpRequest req{http::verb::post, "/", 11};
    req.set("X-Amz-Target", "AmazonSQS.ListQueues");
    req.set("Authorization", "AWS4-HMAC-SHA256 Credential=" + key +
                                 "/20261204/us-east-1/sqs/aws4_request, SignedHeaders=host, "
                                 "Signature=00");
    req.body() = "{}";
    std::optional<net::HttpResponse> answer;
    dispatcher.handle(std::move(req), {}, [&](net::HttpResponse&& res) { answer = res; });
    return answer;
  };
  auto answer = send("111111111111");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->body(), "other 111111111111");
  answer = send("test");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->body(), "home test");
  answer = send("broken");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->result_int(), 503);
  EXPECT_NE(answer->body().find("store refused"), std::string::npos);
}

}  // namespace
}  // namespace eb::api::aws
