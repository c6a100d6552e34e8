#include "broker/message_rules.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/encoding.hpp"

namespace eb::broker {
namespace {

bool allowed_code_point(std::uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

// Decodes one UTF-8 sequence at text[i]; returns its length, 0 when malformed.
std::size_t decode_utf8(std::string_view text, std::size_t i, std::uint32_t& cp) {
  auto b = static_cast<unsigned char>(text[i]);
  std::size_t len;
  if (b < 0x80) {
    cp = b;
    return 1;
  }
  if ((b & 0xE0) == 0xC0) {
    cp = b & 0x1F;
    len = 2;
  } else if ((b & 0xF0) == 0xE0) {
    cp = b & 0x0F;
    len = 3;
  } else if ((b & 0xF8) == 0xF0) {
    cp = b & 0x07;
    len = 4;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    auto c = static_cast<unsigned char>(text[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  // Overlong forms and surrogates are not valid UTF-8.
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return len;
}

void append_length_prefixed(std::string& out, std::string_view bytes) {
  auto n = static_cast<std::uint32_t>(bytes.size());
  out.push_back(static_cast<char>(n >> 24));
  out.push_back(static_cast<char>(n >> 16));
  out.push_back(static_cast<char>(n >> 8));
  out.push_back(static_cast<char>(n));
  out.append(bytes);
}

}  // namespace

bool is_valid_attribute_name(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  if (name.front() == '.' || name.back() == '.') return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return false;
    if (c == '.' && i + 1 < name.size() && name[i + 1] == '.') return false;
  }
  auto lower_starts = [&](std::string_view prefix) {
    if (name.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
      char c = name[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != prefix[i]) return false;
    }
    return true;
  };
  return !lower_starts("aws.") && !lower_starts("amazon.");
}

// SQS numbers: an optional sign, digits with an optional fraction or exponent; up to 38
// significant digits.
bool is_valid_number(std::string_view v) {
  if (v.empty()) return false;
  double d = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (ec != std::errc() || end != v.data() + v.size()) return false;
  int digits = 0;
  bool leading = true;
  for (char c : v) {
    if (c == 'e' || c == 'E') break;
    if (c >= '0' && c <= '9') {
      if (c != '0') leading = false;
      if (!leading) ++digits;
    }
  }
  return digits <= 38 && d >= -1e128 && d <= 1e126;
}

Result<Empty> validate_text(std::string_view text, std::string_view what) {
  for (std::size_t i = 0; i < text.size();) {
    std::uint32_t cp = 0;
    std::size_t len = decode_utf8(text, i, cp);
    if (len == 0 || !allowed_code_point(cp)) {
      if (len == 0) cp = static_cast<unsigned char>(text[i]);
      return fail(Errc::kInvalidMessageContents,
                  fmt::format("Invalid binary character '#x{:X}' was found in the {}, the set of "
                              "allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to "
                              "#xFFFD | #x10000 to #x10FFFF",
                              cp, what));
    }
    i += len;
  }
  return Empty{};
}

Result<Empty> validate_attributes(const MessageAttributes& attributes, bool system) {
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
    if (auto ok = validate_text(value.string_value, fmt::format("message attribute '{}'", name));
        !ok) {
      return ok;
    }
  }
  return Empty{};
}

std::size_t message_size(std::string_view body, const MessageAttributes& attributes) {
  std::size_t n = body.size();
  for (const auto& [name, value] : attributes) {
    n += name.size() + value.data_type.size() +
         (value.is_binary() ? value.binary_value.size() : value.string_value.size());
  }
  return n;
}

std::string md5_of_attributes(const MessageAttributes& attributes) {
  if (attributes.empty()) return {};
  std::string buf;
  for (const auto& [name, value] : attributes) {
    append_length_prefixed(buf, name);
    append_length_prefixed(buf, value.data_type);
    if (value.is_binary()) {
      buf.push_back(2);
      append_length_prefixed(buf, value.binary_value);
    } else {
      buf.push_back(1);
      append_length_prefixed(buf, value.string_value);
    }
  }
  return md5_hex(buf);
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

bool is_valid_fifo_token(std::string_view token) {
  return !token.empty() && token.size() <= 128 &&
         std::all_of(token.begin(), token.end(), [](char c) {
           const auto u = static_cast<unsigned char>(c);
           return std::isalnum(u) || std::ispunct(u);
         });
}

Error invalid_fifo_token(std::string_view parameter, std::string_view value) {
  return Error{Errc::kInvalidParameterValue,
               fmt::format("Value {} for parameter {} is invalid. Reason: {} can only include "
                           "alphanumeric and punctuation characters. 1 to 128 in length.",
                           value, parameter, parameter)};
}

}  // namespace eb::broker
