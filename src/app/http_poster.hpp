#pragma once
// sns::HttpPoster over net::HttpClient: how the daemon's SNS deliveries reach HTTP/S
// endpoints. Stateless beyond its references; thread-safe like the client it wraps.
#include <chrono>

#include "net/http_client.hpp"
#include "sns/endpoint_delivery.hpp"

namespace eb::app {

class NetHttpPoster final : public sns::HttpPoster {
 public:
  // `client` must outlive this object. `timeout` bounds each POST, as SNS's 15 s does.
  explicit NetHttpPoster(net::HttpClient& client,
                         std::chrono::milliseconds timeout = std::chrono::seconds(15))
      : client_(client), timeout_(timeout) {}

  void post(const std::string& url, Headers headers, std::string body, Done done) override;

 private:
  net::HttpClient& client_;
  const std::chrono::milliseconds timeout_;
};

}  // namespace eb::app
