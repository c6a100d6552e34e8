#include "sqs/message_rules.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/encoding.hpp"

namespace eb::sqs {
namespace {

// Decodes one UTF-8 sequence at text[i]; returns its length, 0 when malformed.

}  // namespace

Result<void> validate_attributes(const MessageAttributes& attributes, bool system) {
  std::string_view kind = system ? "system" : "user";
  if (!system && attributes.size() > static_cast<std::size_t>(kMaxMessageAttributes)) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("Number of message attributes [{}] exceeds the allowed maximum [10].",
                            attributes.size()));
  }
  for (const auto& [name, value] : attributes) {
    if (system) {
      if (name != "AWSTraceHeader") {
        return fail(Errc::kInvalidParameterValue,
                    fmt::format("Message system attribute name '{}' is invalid.", name));
      }
      if (value.data_type != "String") {
        return fail(Errc::kInvalidParameterValue,
                    "The message system attribute 'AWSTraceHeader' must be of type String.");
      }
    } else if (!is_valid_attribute_name(name)) {
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("Message ({}) attribute name '{}' is invalid. Attribute name can "
                              "contain A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) "
                              "characters.",
                              kind, name));
    }
    const std::string& type = value.data_type;
    if (type.empty()) {
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("The message attribute '{}' must contain non-empty message "
                              "attribute type.",
                              name));
    }
    std::string_view base = std::string_view(type).substr(0, type.find('.'));
    if ((base != "String" && base != "Number" && base != "Binary") || type.size() > 256 ||
        (type.size() > base.size() && type.size() == base.size() + 1)) {
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("The type of message ({}) attribute '{}' is invalid. You must use "
                              "only the following supported type prefixes: Binary, Number, "
                              "String.",
                              kind, name));
    }
    if (base == "Binary") {
      if (value.binary_value.empty()) {
        return fail(Errc::kInvalidParameterValue,
                    fmt::format("The message attribute '{}' must contain non-empty message "
                                "attribute value for message attribute type '{}'.",
                                name, type));
      }
      continue;
    }
    if (value.string_value.empty()) {
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("The message attribute '{}' must contain non-empty message "
                              "attribute value for message attribute type '{}'.",
                              name, type));
    }
    if (base == "Number" && !is_valid_number(value.string_value)) {
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("Can't cast the value of message ({}) attribute '{}' to a number.",
                              kind, name));
    }
    EB_TRY(validate_text(value.string_value, fmt::format("message attribute '{}'", name)));
  }
  return {};
}

std::size_t message_size(std::string_view body, const MessageAttributes& attributes) {
  std::size_t n = body.size();
  for (const auto& [name, value] : attributes) {
    n += name.size() + value.data_type.size() +
         (value.is_binary() ? value.binary_value.size() : value.string_value.size());
  }
  return n;
}

bool is_valid_batch_entry_id(std::string_view id) {
  if (id.empty() || id.size() > 80) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool is_valid_queue_name(std::string_view name) {
  std::string_view stem = name;
  if (stem.ends_with(".fifo")) stem.remove_suffix(5);
  if (name.empty() || name.size() > 80 || stem.empty()) return false;
  for (char c : stem) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Error invalid_fifo_token(std::string_view parameter, std::string_view value) {
  return Error{Errc::kInvalidParameterValue,
               fmt::format("Value {} for parameter {} is invalid. Reason: {} can only include "
                           "alphanumeric and punctuation characters. 1 to 128 in length.",
                           value, parameter, parameter)};
}

}  // namespace eb::sqs
