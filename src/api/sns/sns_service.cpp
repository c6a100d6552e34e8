#include "api/sns/sns_service.hpp"

#include <fmt/format.h>

#include <memory>
#include <unordered_map>

#include "api/aws/error_table.hpp"
#include "api/aws/form_tree.hpp"
#include "api/aws/reply.hpp"
#include "api/sns/request.hpp"
#include "api/sns/response.hpp"
#include "sns/topics.hpp"

namespace eb::api::sns {
namespace {

// One SNS call: the request and the way to answer it. Every action answers before returning
// (Topics has no asynchronous operation), so this lives on the stack.
struct Call {
  const aws::AwsRequest& request;
  net::Respond& respond;
  eb::sns::Topics& topics;

  const std::string& id() const { return request.request_id; }
  const std::string& action() const { return request.action; }

  void reply(std::string&& body) {
    topics.when_durable(aws::success_reply(request, respond, std::move(body)));
  }

  void error(const Error& e) {
    respond(aws::sns_xml_error_response(e, request.request_id, request.http.version(),
                                        request.http.keep_alive()));
  }
};

// Each action decodes, makes one Topics call and encodes. An error from any step comes back
// to SnsService::handle, which answers it.
using ActionFn = Result<void> (*)(Call&, const aws::FormNode&);

Result<void> create_topic(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto in, decode_create_topic(form));
  EB_ASSIGN_OR_RETURN(auto arn, call.topics.create_topic(in));
  call.reply(encode_single(call.action(), call.id(), "TopicArn", arn));
  return {};
}

Result<void> delete_topic(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto arn, decode_arn(form, "TopicArn"));
  EB_TRY(call.topics.delete_topic(arn));
  call.reply(encode_no_result(call.action(), call.id()));
  return {};
}

Result<void> list_topics(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto page, decode_page(form));
  EB_ASSIGN_OR_RETURN(auto out, call.topics.list_topics(page));
  call.reply(encode_list_topics(call.id(), out));
  return {};
}

Result<void> get_topic_attributes(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto arn, decode_arn(form, "TopicArn"));
  EB_ASSIGN_OR_RETURN(auto attributes, call.topics.get_topic_attributes(arn));
  call.reply(encode_attributes(call.action(), call.id(), attributes));
  return {};
}

Result<void> set_topic_attributes(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto in, decode_set_attribute(form, "TopicArn"));
  EB_TRY(call.topics.set_topic_attributes(in.arn, in.name, in.value));
  call.reply(encode_no_result(call.action(), call.id()));
  return {};
}

Result<void> subscribe(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto in, decode_subscribe(form));
  EB_ASSIGN_OR_RETURN(auto arn, call.topics.subscribe(in));
  call.reply(encode_single(call.action(), call.id(), "SubscriptionArn", arn));
  return {};
}

Result<void> confirm_subscription(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto in, decode_confirm_subscription(form));
  EB_ASSIGN_OR_RETURN(auto arn, call.topics.confirm_subscription(in.topic_arn, in.token));
  call.reply(encode_single(call.action(), call.id(), "SubscriptionArn", arn));
  return {};
}

Result<void> unsubscribe(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto arn, decode_arn(form, "SubscriptionArn"));
  EB_TRY(call.topics.unsubscribe(arn));
  call.reply(encode_no_result(call.action(), call.id()));
  return {};
}

Result<void> list_subscriptions(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto page, decode_page(form));
  EB_ASSIGN_OR_RETURN(auto out, call.topics.list_subscriptions(page));
  call.reply(encode_list_subscriptions(call.action(), call.id(), out));
  return {};
}

Result<void> list_subscriptions_by_topic(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto in, decode_list_by_topic(form));
  EB_ASSIGN_OR_RETURN(auto out, call.topics.list_subscriptions_by_topic(in.topic_arn, in.page));
  call.reply(encode_list_subscriptions(call.action(), call.id(), out));
  return {};
}

Result<void> get_subscription_attributes(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto arn, decode_arn(form, "SubscriptionArn"));
  EB_ASSIGN_OR_RETURN(auto attributes, call.topics.get_subscription_attributes(arn));
  call.reply(encode_attributes(call.action(), call.id(), attributes));
  return {};
}

Result<void> set_subscription_attributes(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto in, decode_set_attribute(form, "SubscriptionArn"));
  EB_TRY(call.topics.set_subscription_attributes(in.arn, in.name, in.value));
  call.reply(encode_no_result(call.action(), call.id()));
  return {};
}

Result<void> publish(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto in, decode_publish(form));
  EB_ASSIGN_OR_RETURN(auto out, call.topics.publish(std::move(in)));
  call.reply(encode_publish(call.id(), out));
  return {};
}

Result<void> publish_batch(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto in, decode_publish_batch(form));
  EB_ASSIGN_OR_RETURN(auto out, call.topics.publish_batch(in.topic_arn, std::move(in.entries)));
  call.reply(encode_publish_batch(call.id(), out));
  return {};
}

Result<void> tag_resource(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto in, decode_tag_resource(form));
  EB_TRY(call.topics.tag_resource(in.arn, in.tags));
  call.reply(encode_empty_result(call.action(), call.id()));
  return {};
}

Result<void> untag_resource(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto in, decode_untag_resource(form));
  EB_TRY(call.topics.untag_resource(in.arn, in.keys));
  call.reply(encode_empty_result(call.action(), call.id()));
  return {};
}

Result<void> list_tags_for_resource(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto arn, decode_arn(form, "ResourceArn"));
  EB_ASSIGN_OR_RETURN(auto tags, call.topics.list_tags_for_resource(arn));
  call.reply(encode_list_tags(call.id(), tags));
  return {};
}

// --- permissions and data protection ----------------------------------------------------------

Result<void> add_permission(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto in, decode_add_permission(form));
  EB_TRY(call.topics.add_permission(in.topic_arn, in.label, in.accounts, in.actions));
  call.reply(encode_no_result(call.action(), call.id()));
  return {};
}

Result<void> remove_permission(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto in, decode_remove_permission(form));
  EB_TRY(call.topics.remove_permission(in.topic_arn, in.label));
  call.reply(encode_no_result(call.action(), call.id()));
  return {};
}

Result<void> put_data_protection_policy(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto in, decode_put_data_protection_policy(form));
  EB_TRY(call.topics.put_data_protection_policy(in.arn, in.policy));
  call.reply(encode_no_result(call.action(), call.id()));
  return {};
}

Result<void> get_data_protection_policy(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto arn, decode_arn(form, "ResourceArn"));
  EB_ASSIGN_OR_RETURN(auto policy, call.topics.get_data_protection_policy(arn));
  call.reply(encode_single(call.action(), call.id(), "DataProtectionPolicy", policy));
  return {};
}

// --- mobile push -------------------------------------------------------------------------------

Result<void> create_platform_application(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto in, decode_create_platform_application(form));
  EB_ASSIGN_OR_RETURN(
      auto arn, call.topics.platforms().create_application(in.name, in.platform, in.attributes));
  call.reply(encode_single(call.action(), call.id(), "PlatformApplicationArn", arn));
  return {};
}

Result<void> get_platform_application_attributes(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto arn, decode_arn(form, "PlatformApplicationArn"));
  EB_ASSIGN_OR_RETURN(auto attributes, call.topics.platforms().application_attributes(arn));
  call.reply(encode_attributes(call.action(), call.id(), attributes));
  return {};
}

Result<void> set_platform_application_attributes(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto in, decode_arn_attributes(form, "PlatformApplicationArn"));
  EB_TRY(call.topics.platforms().set_application_attributes(in.arn, in.attributes));
  call.reply(encode_no_result(call.action(), call.id()));
  return {};
}

Result<void> list_platform_applications(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto page, decode_page(form));
  EB_ASSIGN_OR_RETURN(auto out, call.topics.platforms().list_applications(page));
  call.reply(encode_list_platform_applications(call.id(), out));
  return {};
}

Result<void> delete_platform_application(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto arn, decode_arn(form, "PlatformApplicationArn"));
  EB_TRY(call.topics.platforms().delete_application(arn));
  call.reply(encode_no_result(call.action(), call.id()));
  return {};
}

Result<void> create_platform_endpoint(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto in, decode_create_platform_endpoint(form));
  EB_ASSIGN_OR_RETURN(auto arn, call.topics.platforms().create_endpoint(in));
  call.reply(encode_single(call.action(), call.id(), "EndpointArn", arn));
  return {};
}

Result<void> get_endpoint_attributes(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto arn, decode_arn(form, "EndpointArn"));
  EB_ASSIGN_OR_RETURN(auto attributes, call.topics.platforms().endpoint_attributes(arn));
  call.reply(encode_attributes(call.action(), call.id(), attributes));
  return {};
}

Result<void> set_endpoint_attributes(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto in, decode_arn_attributes(form, "EndpointArn"));
  EB_TRY(call.topics.platforms().set_endpoint_attributes(in.arn, in.attributes));
  call.reply(encode_no_result(call.action(), call.id()));
  return {};
}

Result<void> list_endpoints_by_platform_application(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto in, decode_list_endpoints(form));
  EB_ASSIGN_OR_RETURN(auto out, call.topics.platforms().list_endpoints(in.topic_arn, in.page));
  call.reply(encode_list_endpoints(call.id(), out));
  return {};
}

Result<void> delete_endpoint(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto arn, decode_arn(form, "EndpointArn"));
  EB_TRY(call.topics.platforms().delete_endpoint(arn));
  call.reply(encode_no_result(call.action(), call.id()));
  return {};
}

// --- SMS ---------------------------------------------------------------------------------------

Result<void> set_sms_attributes(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto attributes, decode_set_sms_attributes(form));
  EB_TRY(call.topics.sms().set_attributes(attributes));
  call.reply(encode_empty_result(call.action(), call.id()));
  return {};
}

Result<void> get_sms_attributes(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto names, decode_get_sms_attributes(form));
  EB_ASSIGN_OR_RETURN(auto attributes, call.topics.sms().attributes(names));
  call.reply(encode_map(call.action(), call.id(), "attributes", attributes));
  return {};
}

Result<void> check_if_phone_number_is_opted_out(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto number, decode_arn(form, "phoneNumber"));
  EB_ASSIGN_OR_RETURN(bool opted_out, call.topics.sms().is_opted_out(number));
  call.reply(encode_single(call.action(), call.id(), "isOptedOut", opted_out ? "true" : "false"));
  return {};
}

Result<void> list_phone_numbers_opted_out(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto page, decode_opted_out_page(form));
  EB_ASSIGN_OR_RETURN(auto out, call.topics.sms().list_opted_out(page));
  call.reply(encode_list_phone_numbers_opted_out(call.id(), out));
  return {};
}

Result<void> opt_in_phone_number(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto number, decode_arn(form, "phoneNumber"));
  EB_TRY(call.topics.sms().opt_in(number));
  call.reply(encode_empty_result(call.action(), call.id()));
  return {};
}

Result<void> create_sms_sandbox_phone_number(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto in, decode_sandbox_number(form));
  EB_TRY(call.topics.sms().create_sandbox_number(in.phone_number, in.language_code));
  call.reply(encode_empty_result(call.action(), call.id()));
  return {};
}

Result<void> verify_sms_sandbox_phone_number(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto in, decode_verify_sandbox_number(form));
  EB_TRY(call.topics.sms().verify_sandbox_number(in.phone_number, in.one_time_password));
  call.reply(encode_empty_result(call.action(), call.id()));
  return {};
}

Result<void> delete_sms_sandbox_phone_number(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto number, decode_arn(form, "PhoneNumber"));
  EB_TRY(call.topics.sms().delete_sandbox_number(number));
  call.reply(encode_empty_result(call.action(), call.id()));
  return {};
}

Result<void> list_sms_sandbox_phone_numbers(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto page, decode_limited_page(form));
  EB_ASSIGN_OR_RETURN(auto out, call.topics.sms().list_sandbox_numbers(page));
  call.reply(encode_list_sandbox_numbers(call.id(), out));
  return {};
}

Result<void> get_sms_sandbox_account_status(Call& call, const aws::FormNode&) {
  call.reply(encode_single(call.action(), call.id(), "IsInSandbox",
                           call.topics.sms().in_sandbox() ? "true" : "false"));
  return {};
}

Result<void> list_origination_numbers(Call& call, const aws::FormNode& form) {
  EB_ASSIGN_OR_RETURN(auto page, decode_limited_page(form));
  EB_TRY(call.topics.sms().list_origination_numbers(page));
  call.reply(encode_list_origination_numbers(call.id()));
  return {};
}

const std::unordered_map<std::string_view, ActionFn>& actions() {
  static const std::unordered_map<std::string_view, ActionFn> table = {
      {"AddPermission", &add_permission},
      {"CheckIfPhoneNumberIsOptedOut", &check_if_phone_number_is_opted_out},
      {"ConfirmSubscription", &confirm_subscription},
      {"CreatePlatformApplication", &create_platform_application},
      {"CreatePlatformEndpoint", &create_platform_endpoint},
      {"CreateSMSSandboxPhoneNumber", &create_sms_sandbox_phone_number},
      {"CreateTopic", &create_topic},
      {"DeleteEndpoint", &delete_endpoint},
      {"DeletePlatformApplication", &delete_platform_application},
      {"DeleteSMSSandboxPhoneNumber", &delete_sms_sandbox_phone_number},
      {"DeleteTopic", &delete_topic},
      {"GetDataProtectionPolicy", &get_data_protection_policy},
      {"GetEndpointAttributes", &get_endpoint_attributes},
      {"GetPlatformApplicationAttributes", &get_platform_application_attributes},
      {"GetSMSAttributes", &get_sms_attributes},
      {"GetSMSSandboxAccountStatus", &get_sms_sandbox_account_status},
      {"GetSubscriptionAttributes", &get_subscription_attributes},
      {"GetTopicAttributes", &get_topic_attributes},
      {"ListEndpointsByPlatformApplication", &list_endpoints_by_platform_application},
      {"ListOriginationNumbers", &list_origination_numbers},
      {"ListPhoneNumbersOptedOut", &list_phone_numbers_opted_out},
      {"ListPlatformApplications", &list_platform_applications},
      {"ListSMSSandboxPhoneNumbers", &list_sms_sandbox_phone_numbers},
      {"ListSubscriptions", &list_subscriptions},
      {"ListSubscriptionsByTopic", &list_subscriptions_by_topic},
      {"ListTagsForResource", &list_tags_for_resource},
      {"ListTopics", &list_topics},
      {"Publish", &publish},
      {"OptInPhoneNumber", &opt_in_phone_number},
      {"PublishBatch", &publish_batch},
      {"PutDataProtectionPolicy", &put_data_protection_policy},
      {"RemovePermission", &remove_permission},
      {"SetEndpointAttributes", &set_endpoint_attributes},
      {"SetPlatformApplicationAttributes", &set_platform_application_attributes},
      {"SetSMSAttributes", &set_sms_attributes},
      {"SetSubscriptionAttributes", &set_subscription_attributes},
      {"SetTopicAttributes", &set_topic_attributes},
      {"Subscribe", &subscribe},
      {"TagResource", &tag_resource},
      {"UntagResource", &untag_resource},
      {"Unsubscribe", &unsubscribe},
      {"VerifySMSSandboxPhoneNumber", &verify_sms_sandbox_phone_number},
  };
  return table;
}

}  // namespace

SnsService::SnsService(eb::sns::Topics& topics) : topics_(topics) {}

bool SnsService::knows_action(std::string_view action) const { return actions().contains(action); }

void SnsService::handle(aws::AwsRequest&& request, net::Respond respond) {
  Call call{request, respond, topics_};
  auto it = actions().find(request.action);
  // SNS speaks only the query protocol; a JSON request (X-Amz-Target: AmazonSNS.X) names an
  // operation that does not exist on this wire.
  if (it == actions().end() || request.protocol != aws::Protocol::kQuery) {
    call.error({Errc::kInvalidAction,
                fmt::format("The action {} is not valid for this endpoint.", request.action)});
    return;
  }
  const auto form = aws::build_form_tree(request.form);
  if (auto done = it->second(call, *form); !done) call.error(done.error());
}

}  // namespace eb::api::sns
