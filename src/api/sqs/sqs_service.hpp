#pragma once
// SQS over AWS JSON 1.0 and the query protocol. Each action: decode into the broker's
// input type, one broker call, encode the result. No queue semantics live here.
#include "api/aws/service.hpp"

namespace eb::broker {
class Broker;
}

namespace eb::api::sqs {

class SqsService final : public aws::Service {
 public:
  explicit SqsService(broker::Broker& broker);
  std::string_view signing_name() const override { return "sqs"; }
  std::string_view json_target_prefix() const override { return "AmazonSQS"; }
  bool knows_action(std::string_view action) const override;
  void handle(aws::AwsRequest&& request, net::Respond respond) override;

 private:
  broker::Broker& broker_;
};

}  // namespace eb::api::sqs
