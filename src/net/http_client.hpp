#pragma once
// An asynchronous HTTP/1.1 client on Boost.Beast, for the daemon's own outbound requests
// (SNS deliveries to HTTP/S endpoints, EventBridge API destination invocations). One connection
// per request, closed afterwards: the endpoints are local development servers, where a pool
// would save little and add state.
//
// Thread-safe: post() and request() may be called from any thread and return at once; each
// request runs on its own strand of the io_context and its callback runs there, exactly once.
// Requests in flight keep themselves alive; the io_context must outlive them (it does: it is
// stopped last).
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace eb::net {

struct ParsedUrl {
  bool tls = false;    // https
  std::string host;    // without brackets for IPv6 literals
  std::string port;    // "80"/"443" when the URL has none
  std::string target;  // path and query, "/" when empty
};

// http://host[:port][/path][?query] and https://...; userinfo and fragments are refused.
std::expected<ParsedUrl, std::string> parse_url(std::string_view url);

struct HttpClientResult {
  int status = 0;     // 0: no response (see error)
  std::string error;  // "connection refused", "timed out after 15000 ms", ...
  std::string body;   // the response body, up to HttpClientOptions::body_limit
};

struct HttpClientOptions {
  std::chrono::milliseconds timeout{15'000};  // SNS waits 15 s for an endpoint
  std::size_t body_limit = std::size_t{1} << 20;
};

class HttpClient {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;
  using Callback = std::function<void(HttpClientResult)>;

  explicit HttpClient(boost::asio::io_context& io, HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POSTs `body` to `url`. `timeout` bounds everything from name resolution to the last byte
  // of the response (zero: the client's default). A URL that cannot be parsed is answered
  // through the callback too (posted, never called inside post()).
  void post(std::string_view url, Headers headers, std::string body,
            std::chrono::milliseconds timeout, Callback callback);
  // The same with any method ("GET", "PUT", "DELETE", ...).
  void request(std::string_view method, std::string_view url, Headers headers, std::string body,
               std::chrono::milliseconds timeout, Callback callback);

 private:
  boost::asio::io_context& io_;
  const HttpClientOptions options_;
  // Shared with the requests in flight (TLS ones keep using it).
  std::shared_ptr<boost::asio::ssl::context> tls_;
};

}  // namespace eb::net
