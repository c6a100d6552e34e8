#pragma once
// sns::HttpPoster over net::HttpClient: how the daemon's SNS deliveries reach HTTP/S
// endpoints (and the DLQ monitor's webhooks). Stateless beyond its references; thread-safe like the
// client it wraps.
#include <chrono>

#include "faults/fault_rules.hpp"
#include "net/http_client.hpp"
#include "sns/endpoint_delivery.hpp"

namespace eb::app {

class NetHttpPoster final : public sns::HttpPoster {
 public:
  // `client` must outlive this object. `timeout` bounds each POST, as SNS's 15 s does.
  explicit NetHttpPoster(net::HttpClient& client,
                         std::chrono::milliseconds timeout = std::chrono::seconds(15))
      : client_(client), timeout_(timeout) {}

  // Outbound faults of service "http" (app/outbound_faults.hpp); `rules` must outlive this.
  // Call before the first post.
  void set_faults(faults::FaultRules* rules) { faults_ = rules; }

  void post(const std::string& url, Headers headers, std::string body, Done done) override;

 private:
  void deliver(const std::string& url, Headers headers, std::string body, Done done);

  net::HttpClient& client_;
  const std::chrono::milliseconds timeout_;
  faults::FaultRules* faults_ = nullptr;
};

}  // namespace eb::app
