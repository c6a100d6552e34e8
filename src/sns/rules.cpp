#include "sns/rules.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>

#include "core/json_writer.hpp"
#include "sns/delivery_policy.hpp"
#include "sqs/message_rules.hpp"

namespace eb::sns {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

constexpr std::array kProtocols = {"http", "https",  "email",    "email-json", "sms",
                                   "sqs",  "lambda", "firehose", "application"};

Result<void> invalid(std::string message) {
  return fail(Errc::kInvalidParameterValue, std::move(message));
}

Result<void> invalid_value(std::string message) {
  return fail(Errc::kParameterValueInvalid, std::move(message));
}

// arn:aws:<service>:<region>:<account>:<resource>, every part non-empty.
bool is_arn_of(std::string_view arn, std::string_view service) {
  return !arn_resource(arn, service).empty();
}

bool is_phone_number(std::string_view number) {
  // E.164: '+', a non-zero digit, up to 15 digits in all.
  if (number.size() < 3 || number.size() > 16 || number[0] != '+' || number[1] == '0') {
    return false;
  }
  for (char c : number.substr(1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool is_email(std::string_view address) {
  const auto at = address.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < address.size() &&
         address.find('@', at + 1) == std::string_view::npos &&
         address.find_first_of(" \t\r\n") == std::string_view::npos;
}

// A String.Array value: a JSON array whose elements are strings, numbers, booleans or null.
bool is_string_array(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(text.data(), text.size()).get(doc)) return false;
  simdjson::dom::array array;
  if (doc.get_array().get(array)) return false;
  for (simdjson::dom::element e : array) {
    if (e.is_array() || e.is_object()) return false;
  }
  return true;
}

// The JSON object a policy attribute holds, or `failure` (each attribute has its own AWS
// wording). The object lives as long as `parser`.
Result<simdjson::dom::object> parse_policy_object(simdjson::dom::parser& parser,
                                                  std::string_view text, std::string_view failure) {
  simdjson::dom::object object;
  if (parser.parse(text.data(), text.size()).get_object().get(object)) {
    return fail(Errc::kInvalidParameterValue, std::string(failure));
  }
  return object;
}

// How AWS words what is wrong with the newer policies (ArchivePolicy, ReplayPolicy).
std::unexpected<Error> policy_error(std::string_view attribute, std::string_view why) {
  return fail(Errc::kInvalidParameterValue,
              fmt::format("Invalid parameter: {} Reason: {}", attribute, why));
}

bool is_bool_text(std::string_view v) { return v == "true" || v == "false"; }

bool is_feedback_attribute(std::string_view name) {
  for (std::string_view p : {"HTTP", "Firehose", "Lambda", "SQS", "Application"}) {
    if (!name.starts_with(p)) continue;
    std::string_view rest = name.substr(p.size());
    for (std::string_view kind : {"Success", "Failure"}) {
      if (rest == fmt::format("{}FeedbackRoleArn", kind)) return true;
    }
    if (rest == "SuccessFeedbackSampleRate") return true;
  }
  return false;
}

bool supports_raw_delivery(std::string_view protocol) {
  return protocol == "sqs" || protocol == "http" || protocol == "https" || protocol == "firehose";
}

}  // namespace

bool is_valid_topic_name(std::string_view name, bool fifo) {
  if (name.empty() || name.size() > 256) return false;
  std::string_view stem = name;
  if (fifo) {
    if (!name.ends_with(".fifo")) return false;
    stem.remove_suffix(5);
    if (stem.empty()) return false;
  }
  for (char c : stem) {
    if (!is_name_char(c)) return false;
  }
  return true;
}

bool is_known_protocol(std::string_view protocol) {
  for (std::string_view p : kProtocols) {
    if (p == protocol) return true;
  }
  return false;
}

bool needs_confirmation(std::string_view protocol) {
  return protocol == "http" || protocol == "https" || protocol == "email" ||
         protocol == "email-json";
}

Result<void> validate_endpoint(std::string_view protocol, std::string_view endpoint) {
  if (!is_known_protocol(protocol)) {
    return invalid(fmt::format(
        "Invalid parameter: Amazon SNS does not support this protocol string: {}", protocol));
  }
  bool ok = true;
  std::string_view what = "Endpoint";
  if (protocol == "http" || protocol == "https") {
    const std::string scheme = fmt::format("{}://", protocol);
    ok = endpoint.starts_with(scheme) && endpoint.size() > scheme.size();
    what = "Endpoint must match the specified protocol";
  } else if (protocol == "sqs") {
    ok = is_arn_of(endpoint, "sqs");
    what = "SQS endpoint ARN";
  } else if (protocol == "lambda") {
    ok = is_arn_of(endpoint, "lambda");
    what = "Lambda endpoint ARN";
  } else if (protocol == "firehose") {
    ok = is_arn_of(endpoint, "firehose");
    what = "Firehose endpoint ARN";
  } else if (protocol == "application") {
    ok = is_arn_of(endpoint, "sns") && arn_resource(endpoint, "sns").starts_with("endpoint/");
    what = "Application endpoint ARN";
  } else if (protocol == "email" || protocol == "email-json") {
    ok = is_email(endpoint);
    what = "Email address";
  } else if (protocol == "sms") {
    // SNS names the number here, unlike the other protocols' messages.
    if (!is_phone_number(endpoint)) {
      return invalid(fmt::format("Invalid SMS endpoint: {}", endpoint));
    }
  }
  if (!ok) return invalid(fmt::format("Invalid parameter: {}", what));
  return {};
}

Result<void> validate_subject(std::string_view subject) {
  bool ok = !subject.empty() && subject.size() < 100;
  for (std::size_t i = 0; ok && i < subject.size(); ++i) {
    const auto c = static_cast<unsigned char>(subject[i]);
    ok = c >= 0x20 && c < 0x7f && (i > 0 || c != ' ');
  }
  if (!ok) return invalid("Invalid parameter: Subject");
  return {};
}

Result<void> validate_publish_attributes(const MessageAttributes& attributes) {
  for (const auto& [name, value] : attributes) {
    if (!is_valid_attribute_name(name)) {
      return invalid_value(fmt::format(
          "The message attribute name '{}' is invalid. Message attribute name can only contain "
          "upper and lower case characters, numbers, underscores, hyphens, and periods, and "
          "must not start with 'AWS.' or 'Amazon.'.",
          name));
    }
    const std::string& type = value.data_type;
    const std::string_view base = type.starts_with("String.Array")
                                      ? std::string_view("String.Array")
                                      : std::string_view(type).substr(0, type.find('.'));
    const bool custom_ok =
        type.size() == base.size() || (type.size() > base.size() + 1 && type[base.size()] == '.');
    if ((base != "String" && base != "String.Array" && base != "Number" && base != "Binary") ||
        !custom_ok || type.size() > 256) {
      return invalid_value(
          fmt::format("The message attribute '{}' has an invalid message attribute type, the set "
                      "of supported type prefixes is Binary, Number, and String.",
                      name));
    }
    const bool empty = base == "Binary" ? value.binary_value.empty() : value.string_value.empty();
    if (empty) {
      return invalid_value(
          fmt::format("The message attribute '{}' must contain non-empty message attribute value "
                      "for message attribute type '{}'.",
                      name, base));
    }
    if (base == "Number" && !is_valid_number(value.string_value)) {
      return invalid_value(
          fmt::format("Could not cast message attribute '{}' value to number.", name));
    }
    if (base == "String.Array" && !is_string_array(value.string_value)) {
      return invalid_value(fmt::format(
          "The message attribute '{}' with type 'String.Array' has an invalid value: it must be "
          "a JSON array of strings, numbers, true, false or null.",
          name));
    }
    if (base != "Binary") {
      if (auto ok = validate_text(value.string_value, fmt::format("message attribute '{}'", name));
          !ok) {
        return invalid_value(ok.error().message);
      }
    }
  }
  return {};
}

const std::string& MessageVariants::for_protocol(std::string_view protocol) const {
  auto it = by_protocol.find(protocol);
  return it == by_protocol.end() ? default_message : it->second;
}

Result<MessageVariants> parse_message_structure(std::string_view message) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object object;
  if (parser.parse(message.data(), message.size()).get(doc) || doc.get_object().get(object)) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: Message Structure - JSON message body failed to parse");
  }
  MessageVariants variants;
  bool has_default = false;
  for (auto [key, value] : object) {
    std::string_view text;
    if (value.get_string().get(text)) {
      return fail(Errc::kInvalidParameterValue,
                  "Invalid parameter: Message Structure - JSON message body failed to parse");
    }
    if (key == "default") {
      variants.default_message = std::string(text);
      has_default = true;
    } else {
      variants.by_protocol.insert_or_assign(std::string(key), std::string(text));
    }
  }
  if (!has_default) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: Message Structure - No default entry in JSON message body");
  }
  return variants;
}

std::string_view arn_resource(std::string_view arn, std::string_view service) {
  // arn : partition : service : region : account : resource
  std::array<std::string_view, 5> parts;
  std::size_t pos = 0;
  for (auto& part : parts) {
    const std::size_t colon = arn.find(':', pos);
    if (colon == std::string_view::npos) return {};
    part = arn.substr(pos, colon - pos);
    pos = colon + 1;
  }
  if (parts[0] != "arn" || parts[1].empty() || parts[2] != service || parts[3].empty() ||
      parts[4].empty() || pos >= arn.size()) {
    return {};
  }
  return arn.substr(pos);
}

Result<std::optional<int>> parse_archive_policy(std::string_view text) {
  const auto bad = [](std::string_view why) { return policy_error("ArchivePolicy", why); };
  simdjson::dom::parser parser;
  EB_ASSIGN_OR_RETURN(
      simdjson::dom::object object,
      parse_policy_object(parser, text,
                          "Invalid parameter: ArchivePolicy Reason: failed to parse JSON"));
  if (object.size() == 0) return std::optional<int>{};
  simdjson::dom::element period;
  if (object["MessageRetentionPeriod"].get(period) || object.size() != 1) {
    return bad("MessageRetentionPeriod is the only key, and it is required");
  }
  std::int64_t days = 0;
  if (period.is_int64()) {
    days = period.get_int64().value_unsafe();
  } else if (period.is_string()) {
    const std::string_view v = period.get_string().value_unsafe();
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), days);
    if (ec != std::errc() || end != v.data() + v.size()) days = 0;
  }
  if (days < 1 || days > 365) return bad("MessageRetentionPeriod must be between 1 and 365 days");
  return std::optional<int>(static_cast<int>(days));
}

Result<ReplayWindow> parse_replay_policy(std::string_view text) {
  const auto bad = [](std::string_view why) { return policy_error("ReplayPolicy", why); };
  simdjson::dom::parser parser;
  EB_ASSIGN_OR_RETURN(
      simdjson::dom::object doc,
      parse_policy_object(parser, text,
                          "Invalid parameter: ReplayPolicy Reason: failed to parse JSON"));
  std::string_view type;
  if (doc["PointType"].get_string().get(type) || type != "Timestamp") {
    return bad("PointType must be Timestamp");
  }
  std::string_view start;
  if (doc["StartingPoint"].get_string().get(start)) return bad("StartingPoint is required");
  ReplayWindow window;
  auto from = parse_utc_timestamp(start);
  if (!from) return bad("StartingPoint must be a UTC timestamp such as 2026-01-01T00:00:00.000Z");
  window.from = *from;
  simdjson::dom::element end_element;
  if (!doc["EndingPoint"].get(end_element)) {
    std::string_view end;
    auto to = end_element.get_string().get(end) ? std::nullopt : parse_utc_timestamp(end);
    if (!to) return bad("EndingPoint must be a UTC timestamp such as 2026-01-01T00:00:00.000Z");
    if (*to < window.from) return bad("EndingPoint must not be before StartingPoint");
    window.to = *to;
  }
  return window;
}

Result<std::string> parse_redrive_policy(std::string_view text) {
  simdjson::dom::parser parser;
  EB_ASSIGN_OR_RETURN(
      simdjson::dom::object doc,
      parse_policy_object(parser, text, "Invalid parameter: RedrivePolicy: failed to parse JSON."));
  std::string_view arn;
  if (doc["deadLetterTargetArn"].get_string().get(arn)) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: RedrivePolicy: deadLetterTargetArn is missing");
  }
  if (arn_resource(arn, "sqs").empty()) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn");
  }
  return std::string(arn);
}

Result<void> validate_topic_attribute(const std::string& name, const std::string& value, bool fifo,
                                      bool creating) {
  if (name == "DisplayName") {
    if (value.size() > 100) return invalid("Invalid parameter: DisplayName");
  } else if (name == "Policy") {
    simdjson::dom::parser parser;
    EB_TRY(parse_policy_object(parser, value, "Invalid parameter: Policy Error: null"));
  } else if (name == "DeliveryPolicy") {
    if (!value.empty()) EB_TRY(parse_topic_delivery_policy(value));
  } else if (name == "SignatureVersion") {
    if (value != "1" && value != "2") return invalid("Invalid parameter: SignatureVersion");
  } else if (name == "TracingConfig") {
    if (value != "PassThrough" && value != "Active") {
      return invalid("Invalid parameter: TracingConfig");
    }
  } else if (name == "FifoTopic") {
    if (!creating) return invalid("Invalid parameter: AttributeName");
    if (!is_bool_text(value)) return invalid("Invalid parameter: FifoTopic");
  } else if (name == "ContentBasedDeduplication") {
    if (!fifo) {
      return invalid(
          "Invalid parameter: ContentBasedDeduplication Reason: Content-based deduplication can "
          "only be set for FIFO topics");
    }
    if (!is_bool_text(value)) return invalid("Invalid parameter: ContentBasedDeduplication");
  } else if (name == "FifoThroughputScope") {
    if (!fifo || (value != "Topic" && value != "MessageGroup")) {
      return invalid("Invalid parameter: FifoThroughputScope");
    }
  } else if (name == "ArchivePolicy") {
    if (!fifo) return invalid("Invalid parameter: ArchivePolicy Reason: only FIFO topics archive");
    EB_TRY(parse_archive_policy(value));
  } else if (name.ends_with("SuccessFeedbackSampleRate") && is_feedback_attribute(name)) {
    int rate = -1;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), rate);
    if (ec != std::errc() || end != value.data() + value.size() || rate < 0 || rate > 100) {
      return invalid(fmt::format("Invalid parameter: {}", name));
    }
  } else if (name == "KmsMasterKeyId" || is_feedback_attribute(name)) {
    // Stored and echoed; nothing is encrypted or logged to CloudWatch locally.
  } else {
    return invalid("Invalid parameter: AttributeName");
  }
  return {};
}

Result<void> validate_subscription_attribute(const std::string& name, const std::string& value,
                                             const std::string& protocol) {
  if (name == "RawMessageDelivery") {
    if (!is_bool_text(value)) return invalid("Invalid parameter: RawMessageDelivery");
    if (value == "true" && !supports_raw_delivery(protocol)) {
      return invalid(fmt::format(
          "Invalid parameter: Attributes Reason: Delivery protocol [{}] does not support raw "
          "message delivery.",
          protocol));
    }
  } else if (name == "FilterPolicyScope") {
    if (value != "MessageAttributes" && value != "MessageBody") {
      return invalid(
          fmt::format("Invalid parameter: FilterPolicyScope: Invalid value [{}]. Please use either "
                      "MessageBody or MessageAttributes",
                      value));
    }
  } else if (name == "FilterPolicy") {
    // Compiled with its scope when the subscription is built.
  } else if (name == "RedrivePolicy") {
    EB_TRY(parse_redrive_policy(value));
  } else if (name == "DeliveryPolicy") {
    if (protocol != "http" && protocol != "https") {
      return invalid(fmt::format(
          "Invalid parameter: DeliveryPolicy: Delivery protocol [{}] does not support delivery "
          "policies",
          protocol));
    }
    EB_TRY(parse_subscription_delivery_policy(value));
  } else if (name == "SubscriptionRoleArn") {
    if (protocol != "firehose") return invalid("Invalid parameter: SubscriptionRoleArn");
  } else if (name == "ReplayPolicy") {
    EB_TRY(parse_replay_policy(value));
  } else if (name == "ReplayStatus") {
    // Kept by the broker itself (SetSubscriptionAttributes refuses it).
  } else {
    return invalid("Invalid parameter: AttributeName");
  }
  return {};
}

Result<void> validate_tags(const TagMap& tags) {
  for (const auto& [key, value] : tags) {
    if (key.empty() || key.size() > 128 || value.size() > 256) {
      return invalid("Invalid parameter: Tags");
    }
    if (key.starts_with("aws:")) {
      return invalid("Invalid parameter: Tag keys starting with 'aws:' are reserved");
    }
  }
  return {};
}

std::string default_topic_policy(const std::string& arn, const std::string& account) {
  return fmt::format(
      R"({{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{{"AWS":"*"}},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":"{}","Condition":{{"StringEquals":{{"AWS:SourceOwner":"{}"}}}}}}]}})",
      arn, account);
}

namespace {

constexpr std::array kPermissionActions = {"GetTopicAttributes",
                                           "SetTopicAttributes",
                                           "AddPermission",
                                           "RemovePermission",
                                           "DeleteTopic",
                                           "ListSubscriptionsByTopic",
                                           "Subscribe",
                                           "Publish",
                                           "Receive"};

std::unexpected<Error> invalid_parameter(std::string message) {
  return fail(Errc::kInvalidParameterValue, std::move(message));
}

// The policy with its statements filtered by `keep` and `added` (a statement's JSON) appended;
// every other member kept as it was.
template <class Keep>
Result<std::string> rewrite_statements(std::string_view policy, Keep&& keep,
                                       std::string_view added) {
  simdjson::dom::parser parser;
  EB_ASSIGN_OR_RETURN(auto object,
                      parse_policy_object(parser, policy, "Invalid parameter: Policy Error: null"));
  std::string out;
  JsonWriter json(out);
  json.begin_object();
  bool has_statements = false;
  for (auto [key, value] : object) {
    json.key(key);
    if (key != "Statement") {
      json.raw(simdjson::to_string(value));
      continue;
    }
    has_statements = true;
    json.begin_array();
    simdjson::dom::array statements;
    if (!value.get_array().get(statements)) {
      for (simdjson::dom::element statement : statements) {
        if (keep(statement)) json.raw(simdjson::to_string(statement));
      }
    } else if (keep(value)) {
      json.raw(simdjson::to_string(value));  // one statement, not in an array
    }
    if (!added.empty()) json.raw(added);
    json.end_array();
  }
  if (!has_statements && !added.empty()) json.key("Statement").begin_array().raw(added).end_array();
  json.end_object();
  return out;
}

bool has_sid(simdjson::dom::element statement, std::string_view sid) {
  std::string_view have;
  return !statement["Sid"].get_string().get(have) && have == sid;
}

}  // namespace

Result<std::string> policy_with_permission(std::string_view policy, std::string_view topic_arn,
                                           std::string_view label,
                                           const std::vector<std::string>& accounts,
                                           const std::vector<std::string>& actions) {
  if (label.empty() || label.size() > 80 ||
      !std::all_of(label.begin(), label.end(), [](char c) { return is_name_char(c); })) {
    return invalid_parameter(
        "Invalid parameter: Label Reason: must be 1 to 80 letters, digits, hyphens and "
        "underscores");
  }
  if (accounts.empty()) {
    return invalid_parameter("Invalid parameter: AWSAccountId Reason: at least one is required");
  }
  if (actions.empty()) {
    return invalid_parameter("Invalid parameter: ActionName Reason: at least one is required");
  }
  for (const auto& account : accounts) {
    if (account != "*" &&
        (account.size() != 12 || !std::all_of(account.begin(), account.end(),
                                              [](char c) { return c >= '0' && c <= '9'; }))) {
      return invalid_parameter(
          fmt::format("Invalid parameter: AWSAccountId Reason: {} is not an account id", account));
    }
  }
  for (const auto& action : actions) {
    if (action != "*" && std::find(kPermissionActions.begin(), kPermissionActions.end(),
                                   std::string_view(action)) == kPermissionActions.end()) {
      return invalid_parameter("Invalid parameter: Policy statement action out of service scope!");
    }
  }
  {
    simdjson::dom::parser parser;
    EB_ASSIGN_OR_RETURN(
        auto object, parse_policy_object(parser, policy, "Invalid parameter: Policy Error: null"));
    simdjson::dom::element statements;
    if (!object["Statement"].get(statements)) {
      simdjson::dom::array list;
      bool exists = false;
      if (!statements.get_array().get(list)) {
        for (simdjson::dom::element st : list) exists = exists || has_sid(st, label);
      } else {
        exists = has_sid(statements, label);
      }
      if (exists) return invalid_parameter("Invalid parameter: Statement already exists");
    }
  }
  std::string statement;
  JsonWriter json(statement);
  json.begin_object().member("Sid", label).member("Effect", "Allow").key("Principal");
  json.begin_object().key("AWS");
  const auto principal = [](const std::string& account) {
    return account == "*" ? account : fmt::format("arn:aws:iam::{}:root", account);
  };
  if (accounts.size() == 1) {
    json.string(principal(accounts.front()));
  } else {
    json.begin_array();
    for (const auto& account : accounts) json.string(principal(account));
    json.end_array();
  }
  json.end_object().key("Action");
  const auto action_name = [](const std::string& action) {
    return action == "*" ? std::string("SNS:*") : "SNS:" + action;
  };
  if (actions.size() == 1) {
    json.string(action_name(actions.front()));
  } else {
    json.begin_array();
    for (const auto& action : actions) json.string(action_name(action));
    json.end_array();
  }
  json.member("Resource", topic_arn).end_object();
  return rewrite_statements(
      policy, [](simdjson::dom::element) { return true; }, statement);
}

Result<void> validate_data_protection_policy(std::string_view policy) {
  simdjson::dom::parser parser;
  EB_TRY(parse_policy_object(parser, policy,
                             "Invalid parameter: DataProtectionPolicy Reason: failed to parse "
                             "JSON"));
  return {};
}

Result<std::string> policy_without_permission(std::string_view policy, std::string_view label) {
  return rewrite_statements(
      policy, [&](simdjson::dom::element st) { return !has_sid(st, label); }, "");
}

}  // namespace eb::sns
