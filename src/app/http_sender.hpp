#pragma once
// events::HttpSender over net::HttpClient: how the daemon's EventBridge API destination targets
// (and their OAuth token requests) reach their endpoints. Stateless beyond its references;
// thread-safe like the client it wraps.
#include <chrono>

#include "events/api_destination_delivery.hpp"
#include "faults/fault_rules.hpp"
#include "net/http_client.hpp"

namespace eb::app {

class NetHttpSender final : public events::HttpSender {
 public:
  // `client` must outlive this object. `timeout` bounds each request: AWS gives an API
  // destination 5 s to answer.
  explicit NetHttpSender(net::HttpClient& client,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5))
      : client_(client), timeout_(timeout) {}

  // Outbound faults of service "http" (app/outbound_faults.hpp); `rules` must outlive this.
  // Call before the first send.
  void set_faults(faults::FaultRules* rules) { faults_ = rules; }

  void send(events::HttpRequestSpec request, Done done) override;

 private:
  void deliver(events::HttpRequestSpec request, Done done);

  net::HttpClient& client_;
  const std::chrono::milliseconds timeout_;
  faults::FaultRules* faults_ = nullptr;
};

}  // namespace eb::app
