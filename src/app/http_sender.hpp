#pragma once
// events::HttpSender over net::HttpClient: how the daemon's EventBridge API destination targets
// (and their OAuth token requests) reach their endpoints. Stateless beyond its references;
// thread-safe like the client it wraps.
#include <chrono>

#include "events/api_destination_delivery.hpp"
#include "net/http_client.hpp"

namespace eb::app {

class NetHttpSender final : public events::HttpSender {
 public:
  // `client` must outlive this object. `timeout` bounds each request: AWS gives an API
  // destination 5 s to answer.
  explicit NetHttpSender(net::HttpClient& client,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5))
      : client_(client), timeout_(timeout) {}

  void send(events::HttpRequestSpec request, Done done) override;

 private:
  net::HttpClient& client_;
  const std::chrono::milliseconds timeout_;
};

}  // namespace eb::app
