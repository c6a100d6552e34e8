#include "api/aws/form.hpp"

#include <string>

namespace eb::api::aws {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the decoded form of `text` to `out`; `offset` is where `text` starts in the whole
// input, so the error can point at the byte the client got wrong.
Result<void> decode_into(std::string& out, std::string_view text, bool plus_is_space,
                         std::size_t offset) {
  out.reserve(out.size() + text.size());
  const auto special = [plus_is_space](char c) { return c == '%' || (c == '+' && plus_is_space); };
  for (std::size_t i = 0; i < text.size(); ++i) {
    // Copy the run up to the next escape in one go: most of a body needs no decoding.
    std::size_t next = i;
    while (next < text.size() && !special(text[next])) ++next;
    out.append(text.substr(i, next - i));
    i = next;
    if (i == text.size()) break;
    const char c = text[i];
    if (c == '%') {
      const int hi = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        // g++ 12 has no <format>; this path is cold.
        return fail(Errc::kMalformedRequest,
                    "Malformed percent-encoding '" + std::string(text.substr(i, 3)) +
                        "' at offset " + std::to_string(offset + i) +
                        ": '%' must be followed by two hexadecimal digits.");
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(' ');  // '+', and only when plus_is_space (else it is not special)
    }
  }
  return {};
}

}  // namespace

Result<FormPairs> parse_form(std::string_view body) {
  FormPairs pairs;
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view pair = body.substr(start, end - start);
    if (!pair.empty()) {
      const std::size_t eq = pair.find('=');
      const std::string_view raw_key = pair.substr(0, eq);
      const std::string_view raw_value =
          eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
      auto& [key, value] = pairs.emplace_back();
      EB_TRY(decode_into(key, raw_key, true, start));
      EB_TRY(decode_into(value, raw_value, true, start + eq + 1));
    }
    start = end + 1;
  }
  return pairs;
}

Result<std::string> url_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  EB_TRY(decode_into(out, text, plus_is_space, 0));
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 2);
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool unreserved = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
                            (u >= '0' && u <= '9') || u == '-' || u == '_' || u == '.' || u == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    }
  }
  return out;
}

}  // namespace eb::api::aws
