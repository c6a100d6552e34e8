#include "sns/rules.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <array>

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
    ok = is_phone_number(endpoint);
    what = "SMS endpoint";
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

}  // namespace eb::sns
