#include "core/json_escape.hpp"

#include <cstdint>

#include "core/word_scan.hpp"

namespace eb {
namespace {

// Escape for each byte below 0x20; nullptr means "use \u00XX".
constexpr const char* short_escape(unsigned char c) {
  switch (c) {
    case '\b':
      return "\\b";
    case '\t':
      return "\\t";
    case '\n':
      return "\\n";
    case '\f':
      return "\\f";
    case '\r':
      return "\\r";
    default:
      return nullptr;
  }
}

}  // namespace

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Copy runs of plain bytes in one append: message bodies are mostly plain text.
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    // Eight bytes at a time while none is a control character, '"' or '\\'.
    while (i + word_scan::kWord <= text.size()) {
      const std::uint64_t w = word_scan::load(text.data() + i);
      if (word_scan::any_below(w, 0x20) || word_scan::any_equal(w, '"') ||
          word_scan::any_equal(w, '\\')) {
        break;
      }
      i += word_scan::kWord;
    }
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    if (c == '"') {
      out.append("\\\"");
    } else if (c == '\\') {
      out.append("\\\\");
    } else if (const char* esc = short_escape(c)) {
      out.append(esc);
    } else {
      const char u[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(u, sizeof u);
    }
  }
  out.append(text.data() + run, text.size() - run);
}

std::string json_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_json_escaped(out, text);
  return out;
}

}  // namespace eb
