#pragma once
// SQS over AWS JSON 1.0 and the query protocol. Each action: decode into the broker's
// input type, one broker call, encode the result. No queue semantics live here.
#include <functional>
#include <string>

#include "api/aws/service.hpp"

namespace eb::sqs {
class Queues;
}

namespace eb::api::sqs {

class SqsService final : public aws::Service {
 public:
  // Fills in the signature of an SNS notification whose signing its SQS copy deferred
  // (ReceivedMessage::signature_deferred); SNS's DocumentSigner::complete.
  using SignEnvelope = std::function<void(std::string& body)>;

  SqsService(eb::sqs::Queues& broker, SignEnvelope sign_envelope);
  std::string_view signing_name() const override { return "sqs"; }
  std::string_view json_target_prefix() const override { return "AmazonSQS"; }
  bool knows_action(std::string_view action) const override;
  void handle(aws::AwsRequest&& request, net::Respond respond) override;

 private:
  eb::sqs::Queues& queues_;
  SignEnvelope sign_envelope_;
};

}  // namespace eb::api::sqs
