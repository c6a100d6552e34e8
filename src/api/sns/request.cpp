#include "api/sns/request.hpp"

#include <fmt/format.h>

#include <cctype>
#include <utility>

#include "core/encoding.hpp"

namespace eb::api::sns {
namespace {

std::string lower_camel(std::string_view member) {
  std::string out(member);
  if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  return out;
}

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

// One structure of the form (the request, or one entry of a list of structures). `path_` is
// the structure's own path in AWS's validation messages, so a missing member inside the second
// batch entry reads "publishBatchRequestEntries.2.member.id".
class Reader {
 public:
  explicit Reader(const aws::FormNode& node, std::string path = {})
      : node_(node), path_(std::move(path)) {}

  bool has(std::string_view member) const { return node_.child(member) != nullptr; }

  std::optional<std::string> string(std::string_view member) const {
    const aws::FormNode* n = node_.child(member);
    if (n == nullptr || !n->value) return std::nullopt;
    return *n->value;
  }

  Result<std::string> required(std::string_view member) const {
    auto v = string(member);
    if (!v) return std::unexpected(missing(member));
    return std::move(*v);
  }

  Result<std::optional<bool>> boolean(std::string_view member) const {
    auto v = string(member);
    if (!v) return std::optional<bool>{};
    if (iequals(*v, "true")) return std::optional<bool>{true};
    if (iequals(*v, "false")) return std::optional<bool>{false};
    return fail(Errc::kValidationError,
                fmt::format("1 validation error detected: Value '{}' at '{}' failed to satisfy "
                            "constraint: Member must be a boolean",
                            *v, path_of(member)));
  }

  // `X.entry.N.key` / `X.entry.N.value`; a key without a value maps to "".
  Result<eb::AttributeMap> string_map(std::string_view member) const {
    eb::AttributeMap out;
    const aws::FormNode* n = node_.child(member);
    if (n == nullptr) return out;
    const aws::FormNode* entries = n->child("entry");
    if (entries == nullptr) return out;
    std::size_t index = 0;
    for (const aws::FormNode* entry : entries->indexed()) {
      ++index;
      const aws::FormNode* key = entry->child("key");
      if (key == nullptr || !key->value) {
        return std::unexpected(
            missing_member(fmt::format("{}.entry.{}.key", path_of(member), index)));
      }
      const aws::FormNode* value = entry->child("value");
      out[*key->value] = value != nullptr && value->value ? *value->value : std::string();
    }
    return out;
  }

  // `X.member.N`: the structures of a list, each with its own path for error messages.
  std::vector<Reader> structures(std::string_view member) const {
    std::vector<Reader> out;
    const aws::FormNode* n = node_.child(member);
    if (n == nullptr) return out;
    const aws::FormNode* items = n->child("member");
    if (items == nullptr) return out;
    std::size_t index = 0;
    for (const aws::FormNode* item : items->indexed()) {
      out.emplace_back(*item, fmt::format("{}.{}.member", path_of(member), ++index));
    }
    return out;
  }

  // `X.member.N` of strings.
  std::vector<std::string> strings(std::string_view member) const {
    std::vector<std::string> out;
    const aws::FormNode* n = node_.child(member);
    const aws::FormNode* items = n == nullptr ? nullptr : n->child("member");
    if (items == nullptr) return out;
    for (const aws::FormNode* item : items->indexed()) {
      if (item->value) out.push_back(*item->value);
    }
    return out;
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
    const aws::FormNode* n = node_.child(member);
    const aws::FormNode* entries = n == nullptr ? nullptr : n->child("entry");
    if (entries == nullptr) return out;
    std::size_t index = 0;
    for (const aws::FormNode* entry : entries->indexed()) {
      ++index;
      const aws::FormNode* name = entry->child("Name");
      if (name == nullptr || !name->value) {
        return std::unexpected(
            missing_member(fmt::format("{}.entry.{}.name", path_of(member), index)));
      }
      const aws::FormNode* value = entry->child("Value");
      Reader fields(value != nullptr ? *value : empty_node(),
                    fmt::format("{}.{}.member", path_of(member), *name->value));
      eb::MessageAttributeValue v;
      EB_ASSIGN_OR_RETURN(v.data_type, fields.required("DataType"));
      v.string_value = fields.string("StringValue").value_or("");
      if (auto binary = fields.string("BinaryValue")) {
        auto raw = base64_decode(*binary);
        if (!raw) {
          return fail(Errc::kInvalidParameterValue,
                      fmt::format("Invalid parameter: MessageAttributes: the binary value of "
                                  "'{}' is not valid base64",
                                  *name->value));
        }
        v.binary_value = std::move(*raw);
      }
      out[*name->value] = std::move(v);
    }
    return out;
  }

 private:
  static const aws::FormNode& empty_node() {
    static const aws::FormNode node;
    return node;
  }

  std::string path_of(std::string_view member) const {
    return path_.empty() ? lower_camel(member) : path_ + "." + lower_camel(member);
  }

  Error missing(std::string_view member) const { return missing_member(path_of(member)); }

  const aws::FormNode& node_;
  std::string path_;
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

}  // namespace eb::api::sns
