#include "core/attributes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>

#include "core/encoding.hpp"
#include "core/utf8.hpp"
#include "core/word_scan.hpp"

namespace eb {
namespace {

bool allowed_code_point(std::uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
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

Result<void> validate_text(std::string_view text, std::string_view what) {
  for (std::size_t i = 0; i < text.size();) {
    // Allowed ASCII (most bodies are nothing else) without decoding, eight bytes at a time
    // when they are all 0x20-0x7F: this runs over every byte of every message sent.
    if (i + word_scan::kWord <= text.size()) {
      const std::uint64_t w = word_scan::load(text.data() + i);
      if (!word_scan::any_high(w) && !word_scan::any_below(w, 0x20)) {
        i += word_scan::kWord;
        continue;
      }
    }
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte >= 0x20 && byte < 0x80) || byte == '\t' || byte == '\n' || byte == '\r') {
      ++i;
      continue;
    }
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
  return {};
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

bool is_valid_fifo_token(std::string_view token) {
  return !token.empty() && token.size() <= 128 &&
         std::all_of(token.begin(), token.end(), [](char c) {
           const auto u = static_cast<unsigned char>(c);
           return std::isalnum(u) || std::ispunct(u);
         });
}

}  // namespace eb
