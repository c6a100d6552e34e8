// The query protocol's form bodies (SQS and SNS, older SDKs): form decoding, the key tree, and
// every SQS and SNS action's decoder over it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/aws/form.hpp"
#include "api/aws/form_tree.hpp"
#include "api/sns/request.hpp"
#include "support/sqs_decoders.hpp"

namespace {

void decode_every_sns_action(const eb::api::aws::FormNode& f) {
  namespace sns = eb::api::sns;
  eb::fuzz::discard(
      sns::decode_arn(f, "TopicArn"), sns::decode_create_topic(f), sns::decode_page(f),
      sns::decode_set_attribute(f, "TopicArn"), sns::decode_set_attribute(f, "SubscriptionArn"),
      sns::decode_subscribe(f), sns::decode_confirm_subscription(f), sns::decode_list_by_topic(f),
      sns::decode_publish(f), sns::decode_publish_batch(f), sns::decode_tag_resource(f),
      sns::decode_untag_resource(f), sns::decode_create_platform_application(f),
      sns::decode_arn_attributes(f, "EndpointArn"), sns::decode_create_platform_endpoint(f),
      sns::decode_list_endpoints(f), sns::decode_set_sms_attributes(f),
      sns::decode_get_sms_attributes(f), sns::decode_opted_out_page(f),
      sns::decode_sandbox_number(f), sns::decode_verify_sandbox_number(f),
      sns::decode_limited_page(f), sns::decode_add_permission(f), sns::decode_remove_permission(f),
      sns::decode_put_data_protection_policy(f));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto pairs = eb::api::aws::parse_form(body);
  if (!pairs) return 0;
  eb::fuzz::decode_every_sqs_action(eb::api::sqs::Params::from_form(*pairs));
  decode_every_sns_action(*eb::api::aws::build_form_tree(*pairs));
  return 0;
}
