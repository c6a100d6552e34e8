// Whole HTTP/1.1 requests as a client sends them: Beast's parser (the server's limits), then the
// dispatcher of an in-memory daemon, which routes each to SQS, SNS, EventBridge, Scheduler, STS
// or the admin routes. Several requests may follow one another in an input (a keep-alive
// connection), acting on the same state.
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "net/server.hpp"
#include "support/world.hpp"

namespace {

constexpr int kMaxRequests = 16;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace http = boost::beast::http;
  eb::fuzz::World world;
  const char* next = reinterpret_cast<const char*>(data);
  std::size_t left = size;
  for (int n = 0; n < kMaxRequests && left > 0; ++n) {
    http::request_parser<http::string_body> parser;
    parser.eager(true);
    parser.body_limit(eb::net::ServerOptions{}.body_limit);
    parser.header_limit(static_cast<std::uint32_t>(eb::net::ServerOptions{}.header_limit));
    boost::beast::error_code error;
    for (;;) {  // a chunked body takes one put() per chunk
      const std::size_t used = parser.put(boost::asio::buffer(next, left), error);
      next += used;
      left -= used;
      if (error || parser.is_done() || used == 0) break;
    }
    if (error == http::error::need_more) parser.put_eof(error);
    if (error || !parser.is_done()) break;
    world.handle(parser.release());
  }
  world.finish();
  return 0;
}
