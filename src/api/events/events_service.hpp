#pragma once
// EventBridge over AWS JSON 1.1 (X-Amz-Target: AWSEvents.<Action>). Each action decodes the
// request, makes one EventBuses call and encodes the answer; no EventBridge semantics live here.
#include <string_view>

#include "api/aws/service.hpp"
#include "api/events/call.hpp"

namespace eb::api::events {

class EventsService final : public aws::Service {
 public:
  explicit EventsService(Domains domains) : domains_(domains) {}
  std::string_view signing_name() const override { return "events"; }
  std::string_view json_target_prefix() const override { return "AWSEvents"; }
  bool knows_action(std::string_view action) const override;
  void handle(aws::AwsRequest&& request, net::Respond respond) override;

 private:
  const Domains domains_;
};

}  // namespace eb::api::events
