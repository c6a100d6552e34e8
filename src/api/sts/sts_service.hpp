#pragma once
// STS over the AWS query protocol (form in, XML out): GetCallerIdentity, AssumeRole,
// GetSessionToken and GetAccessKeyInfo. Each action: read the form, one call to Identity,
// write the XML AWS writes; errors in STS's ErrorResponse shape (api/aws/error_table).
// Any thread may call handle(); it answers before returning.
#include "api/aws/service.hpp"
#include "api/sts/identity.hpp"

namespace eb::api::sts {

class StsService final : public aws::Service {
 public:
  explicit StsService(Identity& identity) : identity_(identity) {}

  std::string_view signing_name() const override { return "sts"; }
  // STS has no JSON protocol; the prefix only keeps X-Amz-Target routing well-defined.
  std::string_view json_target_prefix() const override {
    return "AWSSecurityTokenServiceV20110615";
  }
  bool knows_action(std::string_view action) const override;
  void handle(aws::AwsRequest&& request, net::Respond respond) override;

 private:
  Identity& identity_;
};

}  // namespace eb::api::sts
