#pragma once
// Request decoding for SNS over the query protocol: the flattened form of one call, read into
// the broker's input types. Member names and serializations follow the SNS model: maps are
// `X.entry.N.key` / `.value` (message attributes `.Name` / `.Value.*`), lists `X.member.N`.
// A required member that is absent is answered as AWS does, with a ValidationError naming the
// member in lowerCamel case. Stateless functions; safe from any thread.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/aws/form_tree.hpp"
#include "core/errors.hpp"
#include "sns/platform.hpp"
#include "sns/sms.hpp"
#include "sns/types.hpp"
#include "sqs/types.hpp"

namespace eb::api::sns {

// AWS's wording for an absent required member: `path` is the member's path in lowerCamel
// case ("topicArn", "publishBatchRequestEntries.1.member.id").
Error missing_member(std::string_view path);

// Inputs of the actions that have no broker input type of their own.
struct SetAttributeInput {
  std::string arn;  // TopicArn or SubscriptionArn
  std::string name;
  std::string value;  // AttributeValue is optional: absent reads as ""
};

struct ConfirmSubscriptionInput {
  std::string topic_arn;
  std::string token;
  std::optional<std::string> authenticate_on_unsubscribe;  // decoded; the domain ignores it
};

struct ListByTopicInput {
  std::string topic_arn;
  eb::sns::PageInput page;
};

struct TagResourceInput {
  std::string arn;
  eb::TagMap tags;
};

struct UntagResourceInput {
  std::string arn;
  std::vector<std::string> keys;
};

struct PublishBatchInput {
  std::string topic_arn;
  std::vector<BatchEntry<eb::sns::PublishInput>> entries;
};

struct ArnAttributesInput {
  std::string arn;  // PlatformApplicationArn or EndpointArn
  eb::AttributeMap attributes;
};

struct CreatePlatformApplicationInput {
  std::string name;
  std::string platform;
  eb::AttributeMap attributes;
};

struct SandboxNumberInput {
  std::string phone_number;
  std::optional<std::string> language_code;  // CreateSMSSandboxPhoneNumber
};

struct VerifySandboxNumberInput {
  std::string phone_number;
  std::string one_time_password;
};

struct AddPermissionInput {
  std::string topic_arn;
  std::string label;
  std::vector<std::string> accounts;
  std::vector<std::string> actions;
};

struct RemovePermissionInput {
  std::string topic_arn;
  std::string label;
};

struct DataProtectionPolicyInput {
  std::string arn;
  std::string policy;
};

// One required string member (TopicArn, SubscriptionArn, ResourceArn, EndpointArn,
// phoneNumber, ...) and nothing else.
Result<std::string> decode_arn(const aws::FormNode& form, std::string_view member);

Result<eb::sns::CreateTopicInput> decode_create_topic(const aws::FormNode& form);
Result<eb::sns::PageInput> decode_page(const aws::FormNode& form);
// SetTopicAttributes (`arn_member` "TopicArn") and SetSubscriptionAttributes ("SubscriptionArn").
Result<SetAttributeInput> decode_set_attribute(const aws::FormNode& form,
                                               std::string_view arn_member);
Result<eb::sns::SubscribeInput> decode_subscribe(const aws::FormNode& form);
Result<ConfirmSubscriptionInput> decode_confirm_subscription(const aws::FormNode& form);
Result<ListByTopicInput> decode_list_by_topic(const aws::FormNode& form);
Result<eb::sns::PublishInput> decode_publish(const aws::FormNode& form);
// Only decodes the entries: their count, ids and sizes are the broker's to judge.
Result<PublishBatchInput> decode_publish_batch(const aws::FormNode& form);
Result<TagResourceInput> decode_tag_resource(const aws::FormNode& form);
Result<UntagResourceInput> decode_untag_resource(const aws::FormNode& form);

// Mobile push.
Result<CreatePlatformApplicationInput> decode_create_platform_application(
    const aws::FormNode& form);
// Set{PlatformApplication,Endpoint}Attributes: `arn_member` and the required Attributes map.
Result<ArnAttributesInput> decode_arn_attributes(const aws::FormNode& form,
                                                 std::string_view arn_member);
Result<eb::sns::CreatePlatformEndpointInput> decode_create_platform_endpoint(
    const aws::FormNode& form);
// ListEndpointsByPlatformApplication: PlatformApplicationArn and NextToken.
Result<ListByTopicInput> decode_list_endpoints(const aws::FormNode& form);

// SMS.
Result<eb::AttributeMap> decode_set_sms_attributes(const aws::FormNode& form);
Result<std::vector<std::string>> decode_get_sms_attributes(const aws::FormNode& form);
// ListPhoneNumbersOptedOut's lowerCamel nextToken.
Result<eb::sns::PageInput> decode_opted_out_page(const aws::FormNode& form);
Result<SandboxNumberInput> decode_sandbox_number(const aws::FormNode& form);
Result<VerifySandboxNumberInput> decode_verify_sandbox_number(const aws::FormNode& form);
// NextToken and MaxResults (ListSMSSandboxPhoneNumbers, ListOriginationNumbers).
Result<eb::sns::LimitedPageInput> decode_limited_page(const aws::FormNode& form);

// Permissions and data protection.
Result<AddPermissionInput> decode_add_permission(const aws::FormNode& form);
Result<RemovePermissionInput> decode_remove_permission(const aws::FormNode& form);
Result<DataProtectionPolicyInput> decode_put_data_protection_policy(const aws::FormNode& form);

}  // namespace eb::api::sns
