// EventBridge's AWS JSON 1.1 requests, decoded and run against an in-memory account: one call
// per line, "<Action> <JSON body>", so that buses, rules and targets made by earlier lines are
// there for PutEvents and TestEventPattern in later ones.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/aws/service.hpp"
#include "support/lines.hpp"
#include "support/world.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  eb::fuzz::World world;
  eb::fuzz::for_each_line(data, size, 64, [&](std::string_view line) {
    const auto [action, body] = eb::fuzz::split_word(line);
    auto request = eb::fuzz::World::aws_request(eb::api::aws::Protocol::kJson,
                                                boost::beast::http::verb::post, "/", body);
    request.action = std::string(action);
    request.http.set("X-Amz-Target", "AWSEvents." + request.action);
    world.handle("events", std::move(request));
  });
  world.finish();
  return 0;
}
