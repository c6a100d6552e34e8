// EventBridge Scheduler's REST-JSON requests, decoded and run against an in-memory account: one
// call per line, "<METHOD> <path?query> <JSON body>" (/schedules/{Name},
// /schedule-groups/{Name}, /tags/{ResourceArn}).
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/aws/service.hpp"
#include "support/lines.hpp"
#include "support/world.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  eb::fuzz::World world;
  eb::fuzz::for_each_line(data, size, 64, [&](std::string_view line) {
    const auto [method, rest] = eb::fuzz::split_word(line);
    const auto [target, body] = eb::fuzz::split_word(rest);
    const boost::beast::http::verb verb = boost::beast::http::string_to_verb(method);
    if (verb == boost::beast::http::verb::unknown || target.empty()) return;
    world.handle("scheduler", eb::fuzz::World::aws_request(eb::api::aws::Protocol::kRestJson, verb,
                                                           target, body));
  });
  world.finish();
  return 0;
}
