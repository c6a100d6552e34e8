#pragma once
// An EndpointDelivery that keeps what it is handed, for SNS domain tests to assert on.
#include <utility>
#include <vector>

#include "sns/endpoint_delivery.hpp"

namespace eb::sns::testing {

class RecordingEndpoints final : public EndpointDelivery {
 public:
  void deliver(EndpointMessage message) override { messages.push_back(std::move(message)); }
  std::vector<EndpointMessage> messages;
};

}  // namespace eb::sns::testing
