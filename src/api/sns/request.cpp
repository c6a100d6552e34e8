#include "api/sns/request.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <utility>

#include "api/aws/form_reader.hpp"
#include "core/encoding.hpp"

namespace eb::api::sns {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// SNS's reading of one structure of the form: aws::FormReader with SNS's errors, which name
// the member's path ("publishBatchRequestEntries.2.member.id").
class Reader {
 public:
  explicit Reader(const aws::FormNode& node) : form_(node) {}
  explicit Reader(aws::FormReader form) : form_(std::move(form)) {}

  bool has(std::string_view member) const { return form_.has(member); }
  std::optional<std::string> string(std::string_view member) const { return form_.string(member); }

  Result<std::string> required(std::string_view member) const {
    auto v = form_.string(member);
    if (!v) return std::unexpected(missing_member(form_.path_of(member)));
    return std::move(*v);
  }

  Result<std::optional<bool>> boolean(std::string_view member) const {
    auto v = form_.string(member);
    if (!v) return std::optional<bool>{};
    if (iequals(*v, "true")) return std::optional<bool>{true};
    if (iequals(*v, "false")) return std::optional<bool>{false};
    return fail(Errc::kValidationError,
                fmt::format("1 validation error detected: Value '{}' at '{}' failed to satisfy "
                            "constraint: Member must be a boolean",
                            *v, form_.path_of(member)));
  }

  // `X.entry.N.key` / `X.entry.N.value`; a key without a value maps to "".
  Result<eb::AttributeMap> string_map(std::string_view member) const {
    eb::AttributeMap out;
    for (const aws::FormReader& entry : form_.entries(member)) {
      auto key = entry.string("key");
      if (!key) return std::unexpected(missing_member(entry.path() + ".key"));
      out[std::move(*key)] = entry.string("value").value_or("");
    }
    return out;
  }

  // `X.member.N`: the structures of a list, each with its own path for error messages.
  std::vector<Reader> structures(std::string_view member) const {
    std::vector<Reader> out;
    for (aws::FormReader& item : form_.members(member)) out.emplace_back(std::move(item));
    return out;
  }

  // `X.member.N` of strings.
  std::vector<std::string> strings(std::string_view member) const {
    return form_.member_strings(member);
  }

  // `Tags.member.N.Key` / `.Value`, both required by the model.
  Result<eb::TagMap> tags(std::string_view member) const {
    eb::TagMap out;
    for (const Reader& tag : structures(member)) {
      EB_ASSIGN_OR_RETURN(auto key, tag.required("Key"));
      EB_ASSIGN_OR_RETURN(out[std::move(key)], tag.required("Value"));
    }
    return out;
  }

  // `MessageAttributes.entry.N.Name` and `.Value.DataType` / `.StringValue` / `.BinaryValue`;
  // BinaryValue is base64 on the wire and raw bytes in the broker.
  Result<eb::MessageAttributes> message_attributes(std::string_view member) const {
    eb::MessageAttributes out;
    for (const aws::FormReader& entry : form_.entries(member)) {
      auto name = entry.string("Name");
      if (!name) return std::unexpected(missing_member(entry.path() + ".name"));
      // AWS names a value's members by the attribute: messageAttributes.<name>.member.dataType.
      const Reader fields(entry.structure("Value").renamed(
          fmt::format("{}.{}.member", form_.path_of(member), *name)));
      eb::MessageAttributeValue v;
      EB_ASSIGN_OR_RETURN(v.data_type, fields.required("DataType"));
      v.string_value = fields.string("StringValue").value_or("");
      if (auto binary = fields.string("BinaryValue")) {
        auto raw = base64_decode(*binary);
        if (!raw) {
          return fail(Errc::kInvalidParameterValue,
                      fmt::format("Invalid parameter: MessageAttributes: the binary value of "
                                  "'{}' is not valid base64",
                                  *name));
        }
        v.binary_value = std::move(*raw);
      }
      out[std::move(*name)] = std::move(v);
    }
    return out;
  }

 private:
  aws::FormReader form_;
};

// Publish and each PublishBatch entry share these members.
Result<eb::sns::PublishInput> decode_message(const Reader& r) {
  eb::sns::PublishInput in;
  EB_ASSIGN_OR_RETURN(auto message, r.required("Message"));
  EB_ASSIGN_OR_RETURN(auto attributes, r.message_attributes("MessageAttributes"));
  in.message = std::move(message);
  in.attributes = std::move(attributes);
  in.subject = r.string("Subject");
  in.message_structure = r.string("MessageStructure").value_or("");
  in.group_id = r.string("MessageGroupId");
  in.deduplication_id = r.string("MessageDeduplicationId");
  return in;
}

}  // namespace

Error missing_member(std::string_view path) {
  return Error{Errc::kValidationError,
               fmt::format("1 validation error detected: Value null at '{}' failed to satisfy "
                           "constraint: Member must not be null",
                           path)};
}

Result<std::string> decode_arn(const aws::FormNode& form, std::string_view member) {
  return Reader(form).required(member);
}

Result<eb::sns::CreateTopicInput> decode_create_topic(const aws::FormNode& form) {
  Reader r(form);
  eb::sns::CreateTopicInput in;
  EB_ASSIGN_OR_RETURN(auto name, r.required("Name"));
  EB_ASSIGN_OR_RETURN(auto attributes, r.string_map("Attributes"));
  EB_ASSIGN_OR_RETURN(auto tags, r.tags("Tags"));
  in.name = std::move(name);
  in.attributes = std::move(attributes);
  in.tags = std::move(tags);
  in.data_protection_policy = r.string("DataProtectionPolicy").value_or("");
  return in;
}

Result<eb::sns::PageInput> decode_page(const aws::FormNode& form) {
  return eb::sns::PageInput{Reader(form).string("NextToken").value_or("")};
}

Result<SetAttributeInput> decode_set_attribute(const aws::FormNode& form,
                                               std::string_view arn_member) {
  Reader r(form);
  EB_ASSIGN_OR_RETURN(auto arn, r.required(arn_member));
  EB_ASSIGN_OR_RETURN(auto name, r.required("AttributeName"));
  return SetAttributeInput{std::move(arn), std::move(name),
                           r.string("AttributeValue").value_or("")};
}

Result<eb::sns::SubscribeInput> decode_subscribe(const aws::FormNode& form) {
  Reader r(form);
  eb::sns::SubscribeInput in;
  EB_ASSIGN_OR_RETURN(auto topic_arn, r.required("TopicArn"));
  EB_ASSIGN_OR_RETURN(auto protocol, r.required("Protocol"));
  EB_ASSIGN_OR_RETURN(auto attributes, r.string_map("Attributes"));
  EB_ASSIGN_OR_RETURN(auto return_arn, r.boolean("ReturnSubscriptionArn"));
  in.topic_arn = std::move(topic_arn);
  in.protocol = std::move(protocol);
  in.endpoint = r.string("Endpoint").value_or("");
  in.attributes = std::move(attributes);
  in.return_subscription_arn = return_arn.value_or(false);
  return in;
}

Result<ConfirmSubscriptionInput> decode_confirm_subscription(const aws::FormNode& form) {
  Reader r(form);
  EB_ASSIGN_OR_RETURN(auto topic_arn, r.required("TopicArn"));
  EB_ASSIGN_OR_RETURN(auto token, r.required("Token"));
  return ConfirmSubscriptionInput{std::move(topic_arn), std::move(token),
                                  r.string("AuthenticateOnUnsubscribe")};
}

Result<ListByTopicInput> decode_list_by_topic(const aws::FormNode& form) {
  Reader r(form);
  EB_ASSIGN_OR_RETURN(auto topic_arn, r.required("TopicArn"));
  return ListByTopicInput{std::move(topic_arn), {r.string("NextToken").value_or("")}};
}

Result<eb::sns::PublishInput> decode_publish(const aws::FormNode& form) {
  Reader r(form);
  EB_ASSIGN_OR_RETURN(auto in, decode_message(r));
  // Which of the three addresses is set (exactly one must be) is the broker's rule.
  in.topic_arn = r.string("TopicArn").value_or("");
  in.target_arn = r.string("TargetArn").value_or("");
  in.phone_number = r.string("PhoneNumber").value_or("");
  return in;
}

Result<PublishBatchInput> decode_publish_batch(const aws::FormNode& form) {
  Reader r(form);
  PublishBatchInput out;
  EB_ASSIGN_OR_RETURN(auto topic_arn, r.required("TopicArn"));
  out.topic_arn = std::move(topic_arn);
  // "PublishBatchRequestEntries=" is how the query protocol sends an empty list: present, so
  // the broker answers EmptyBatchRequest; absent is a missing member.
  if (!r.has("PublishBatchRequestEntries")) {
    return std::unexpected(missing_member("publishBatchRequestEntries"));
  }
  for (const Reader& entry : r.structures("PublishBatchRequestEntries")) {
    EB_ASSIGN_OR_RETURN(auto id, entry.required("Id"));
    EB_ASSIGN_OR_RETURN(auto in, decode_message(entry));
    out.entries.push_back({std::move(id), std::move(in)});
  }
  return out;
}

Result<TagResourceInput> decode_tag_resource(const aws::FormNode& form) {
  Reader r(form);
  EB_ASSIGN_OR_RETURN(auto arn, r.required("ResourceArn"));
  if (!r.has("Tags")) return std::unexpected(missing_member("tags"));
  EB_ASSIGN_OR_RETURN(auto tags, r.tags("Tags"));
  return TagResourceInput{std::move(arn), std::move(tags)};
}

Result<UntagResourceInput> decode_untag_resource(const aws::FormNode& form) {
  Reader r(form);
  EB_ASSIGN_OR_RETURN(auto arn, r.required("ResourceArn"));
  if (!r.has("TagKeys")) return std::unexpected(missing_member("tagKeys"));
  return UntagResourceInput{std::move(arn), r.strings("TagKeys")};
}

// --- mobile push ----------------------------------------------------------------------------

Result<CreatePlatformApplicationInput> decode_create_platform_application(
    const aws::FormNode& form) {
  Reader r(form);
  CreatePlatformApplicationInput in;
  EB_ASSIGN_OR_RETURN(in.name, r.required("Name"));
  EB_ASSIGN_OR_RETURN(in.platform, r.required("Platform"));
  if (!r.has("Attributes")) return std::unexpected(missing_member("attributes"));
  EB_ASSIGN_OR_RETURN(in.attributes, r.string_map("Attributes"));
  return in;
}

Result<ArnAttributesInput> decode_arn_attributes(const aws::FormNode& form,
                                                 std::string_view arn_member) {
  Reader r(form);
  ArnAttributesInput in;
  EB_ASSIGN_OR_RETURN(in.arn, r.required(arn_member));
  if (!r.has("Attributes")) return std::unexpected(missing_member("attributes"));
  EB_ASSIGN_OR_RETURN(in.attributes, r.string_map("Attributes"));
  return in;
}

Result<eb::sns::CreatePlatformEndpointInput> decode_create_platform_endpoint(
    const aws::FormNode& form) {
  Reader r(form);
  eb::sns::CreatePlatformEndpointInput in;
  EB_ASSIGN_OR_RETURN(in.application_arn, r.required("PlatformApplicationArn"));
  EB_ASSIGN_OR_RETURN(in.token, r.required("Token"));
  in.custom_user_data = r.string("CustomUserData");
  EB_ASSIGN_OR_RETURN(in.attributes, r.string_map("Attributes"));
  return in;
}

Result<ListByTopicInput> decode_list_endpoints(const aws::FormNode& form) {
  Reader r(form);
  EB_ASSIGN_OR_RETURN(auto arn, r.required("PlatformApplicationArn"));
  return ListByTopicInput{std::move(arn), {r.string("NextToken").value_or("")}};
}

// --- SMS ---------------------------------------------------------------------------------------

Result<eb::AttributeMap> decode_set_sms_attributes(const aws::FormNode& form) {
  Reader r(form);
  if (!r.has("attributes")) return std::unexpected(missing_member("attributes"));
  return r.string_map("attributes");
}

Result<std::vector<std::string>> decode_get_sms_attributes(const aws::FormNode& form) {
  return Reader(form).strings("attributes");
}

Result<eb::sns::PageInput> decode_opted_out_page(const aws::FormNode& form) {
  return eb::sns::PageInput{Reader(form).string("nextToken").value_or("")};
}

Result<SandboxNumberInput> decode_sandbox_number(const aws::FormNode& form) {
  Reader r(form);
  SandboxNumberInput in;
  EB_ASSIGN_OR_RETURN(in.phone_number, r.required("PhoneNumber"));
  in.language_code = r.string("LanguageCode");
  return in;
}

Result<VerifySandboxNumberInput> decode_verify_sandbox_number(const aws::FormNode& form) {
  Reader r(form);
  VerifySandboxNumberInput in;
  EB_ASSIGN_OR_RETURN(in.phone_number, r.required("PhoneNumber"));
  EB_ASSIGN_OR_RETURN(in.one_time_password, r.required("OneTimePassword"));
  return in;
}

Result<eb::sns::LimitedPageInput> decode_limited_page(const aws::FormNode& form) {
  Reader r(form);
  eb::sns::LimitedPageInput in;
  in.next_token = r.string("NextToken").value_or("");
  if (auto text = r.string("MaxResults")) {
    int value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size()) {
      return fail(Errc::kValidationError,
                  fmt::format("1 validation error detected: Value '{}' at 'maxResults' failed to "
                              "satisfy constraint: Member must be an integer",
                              *text));
    }
    in.max_results = value;
  }
  return in;
}

// --- permissions and data protection ----------------------------------------------------------

Result<AddPermissionInput> decode_add_permission(const aws::FormNode& form) {
  Reader r(form);
  AddPermissionInput in;
  EB_ASSIGN_OR_RETURN(in.topic_arn, r.required("TopicArn"));
  EB_ASSIGN_OR_RETURN(in.label, r.required("Label"));
  if (!r.has("AWSAccountId")) return std::unexpected(missing_member("aWSAccountId"));
  if (!r.has("ActionName")) return std::unexpected(missing_member("actionName"));
  in.accounts = r.strings("AWSAccountId");
  in.actions = r.strings("ActionName");
  return in;
}

Result<RemovePermissionInput> decode_remove_permission(const aws::FormNode& form) {
  Reader r(form);
  RemovePermissionInput in;
  EB_ASSIGN_OR_RETURN(in.topic_arn, r.required("TopicArn"));
  EB_ASSIGN_OR_RETURN(in.label, r.required("Label"));
  return in;
}

Result<DataProtectionPolicyInput> decode_put_data_protection_policy(const aws::FormNode& form) {
  Reader r(form);
  DataProtectionPolicyInput in;
  EB_ASSIGN_OR_RETURN(in.arn, r.required("ResourceArn"));
  EB_ASSIGN_OR_RETURN(in.policy, r.required("DataProtectionPolicy"));
  return in;
}

}  // namespace eb::api::sns
