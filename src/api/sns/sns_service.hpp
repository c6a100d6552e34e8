#pragma once
// SNS over the AWS query protocol (form in, XML out). Each action: decode the form
// (request.hpp), one call to eb::sns::Topics, encode the result (response.hpp) or the error
// (api/aws/error_table). No topic semantics live here. Stateless apart from the Topics it
// calls; any thread may call handle(), and it answers before returning.
#include "api/aws/service.hpp"

namespace eb::sns {
class Topics;
}

namespace eb::api::sns {

class SnsService final : public aws::Service {
 public:
  explicit SnsService(eb::sns::Topics& topics);
  std::string_view signing_name() const override { return "sns"; }
  // SNS has no JSON protocol; the prefix only keeps X-Amz-Target routing well-defined.
  std::string_view json_target_prefix() const override { return "AmazonSNS"; }
  bool knows_action(std::string_view action) const override;
  void handle(aws::AwsRequest&& request, net::Respond respond) override;

 private:
  eb::sns::Topics& topics_;
};

}  // namespace eb::api::sns
