#pragma once
// SQS over AWS JSON 1.0 and the query protocol. Each action: decode into the broker's
// input type, one broker call, encode the result. No queue semantics live here.
#include "api/aws/service.hpp"

namespace eb::sqs {
class Queues;
}

namespace eb::api::sqs {

class SqsService final : public aws::Service {
 public:
  explicit SqsService(eb::sqs::Queues& broker);
  std::string_view signing_name() const override { return "sqs"; }
  std::string_view json_target_prefix() const override { return "AmazonSQS"; }
  bool knows_action(std::string_view action) const override;
  void handle(aws::AwsRequest&& request, net::Respond respond) override;

 private:
  eb::sqs::Queues& queues_;
};

}  // namespace eb::api::sqs
