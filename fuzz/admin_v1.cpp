// The native /v1 API's JSON bodies (event-log streams, replays, queues, topics, buses, filter
// policies, event patterns) through the admin routes of an in-memory daemon that has the queues
// "orders" and "orders-dlq" (its dead-letter queue) and the topic "orders" subscribed to it: one
// call per line, "<METHOD> <target> <JSON body>", so later lines find what earlier ones made.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "support/lines.hpp"
#include "support/world.hpp"

namespace {

namespace http = boost::beast::http;

void aws_call(eb::fuzz::World& world, std::string_view amz_target, std::string_view body) {
  eb::net::HttpRequest request{http::verb::post, "/", 11};
  request.set(http::field::host, "localhost:4566");
  if (amz_target.empty()) {
    request.set(http::field::content_type, "application/x-www-form-urlencoded");
  } else {
    request.set("X-Amz-Target", amz_target);
    request.set(http::field::content_type, "application/x-amz-json-1.0");
  }
  request.body() = std::string(body);
  request.prepare_payload();
  world.handle(std::move(request));
}

void declare_resources(eb::fuzz::World& world) {
  aws_call(world, "AmazonSQS.CreateQueue", R"({"QueueName":"orders-dlq"})");
  aws_call(world, "AmazonSQS.CreateQueue",
           R"({"QueueName":"orders","Attributes":{"RedrivePolicy":)"
           R"("{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:orders-dlq\",)"
           R"(\"maxReceiveCount\":2}"}})");
  aws_call(world, {}, "Action=CreateTopic&Name=orders");
  aws_call(world, {},
           "Action=Subscribe&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3Aorders"
           "&Protocol=sqs&Endpoint=arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Aorders");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  eb::fuzz::World world;
  declare_resources(world);
  eb::fuzz::for_each_line(data, size, 64, [&](std::string_view line) {
    const auto [method, rest] = eb::fuzz::split_word(line);
    const auto [target, body] = eb::fuzz::split_word(rest);
    const http::verb verb = http::string_to_verb(method);
    if (verb == http::verb::unknown || !target.starts_with('/')) return;
    eb::net::HttpRequest request{verb, target, 11};
    request.set(http::field::host, "localhost:4566");
    if (!body.empty()) request.set(http::field::content_type, "application/json");
    request.body() = std::string(body);
    request.prepare_payload();
    world.handle(std::move(request));
  });
  world.finish();
  return 0;
}
