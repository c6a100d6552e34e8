#pragma once
// Response encoding for SNS over the query protocol: each action's result as the XML document
// SDKs parse, <ActionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"> holding
// <ActionResult> (for actions whose output has members or a result wrapper) and
// <ResponseMetadata><RequestId>. Lists are <member> elements inside the list's element, maps
// <entry><key/><value/></entry>, as the SNS model (not flattened) says. Stateless functions.
#include <string>
#include <string_view>

#include "sns/platform.hpp"
#include "sns/sms.hpp"
#include "sns/types.hpp"
#include "sqs/types.hpp"

namespace eb::api::sns {

inline constexpr std::string_view kXmlNamespace = "http://sns.amazonaws.com/doc/2010-03-31/";

// Actions without output (DeleteTopic, SetTopicAttributes, Unsubscribe, ...): metadata only.
std::string encode_no_result(std::string_view action, std::string_view request_id);
// Actions whose output is an empty structure (TagResource, UntagResource): <ActionResult/>.
std::string encode_empty_result(std::string_view action, std::string_view request_id);
// One string member: CreateTopic's TopicArn, Subscribe's and ConfirmSubscription's
// SubscriptionArn.
std::string encode_single(std::string_view action, std::string_view request_id,
                          std::string_view member, std::string_view value);

std::string encode_list_topics(std::string_view request_id, const eb::sns::ListTopicsOutput& out);
// ListSubscriptions and ListSubscriptionsByTopic.
std::string encode_list_subscriptions(std::string_view action, std::string_view request_id,
                                      const eb::sns::ListSubscriptionsOutput& out);
// GetTopicAttributes and GetSubscriptionAttributes.
std::string encode_attributes(std::string_view action, std::string_view request_id,
                              const eb::AttributeMap& attributes);
std::string encode_publish(std::string_view request_id, const eb::sns::PublishOutput& out);
// Failed entries carry SNS's error code for their Errc (api/aws/error_table).
std::string encode_publish_batch(std::string_view request_id,
                                 const BatchOutput<eb::sns::PublishOutput>& out);
std::string encode_list_tags(std::string_view request_id, const eb::TagMap& tags);

// A map under `member` ("attributes" for GetSMSAttributes).
std::string encode_map(std::string_view action, std::string_view request_id,
                       std::string_view member, const eb::AttributeMap& map);
std::string encode_list_platform_applications(std::string_view request_id,
                                              const eb::sns::ListPlatformApplicationsOutput& out);
std::string encode_list_endpoints(std::string_view request_id,
                                  const eb::sns::ListEndpointsOutput& out);
std::string encode_list_phone_numbers_opted_out(std::string_view request_id,
                                                const eb::sns::ListPhoneNumbersOutput& out);
std::string encode_list_sandbox_numbers(std::string_view request_id,
                                        const eb::sns::ListSandboxPhoneNumbersOutput& out);
// No origination numbers are ever provisioned: an empty PhoneNumbers list.
std::string encode_list_origination_numbers(std::string_view request_id);

}  // namespace eb::api::sns
