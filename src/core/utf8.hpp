#pragma once
// UTF-8 decoding (RFC 3629), shared by the text rules of attributes.hpp and the config parser.
// Stateless; safe from any thread.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace eb {

// Decodes the character starting at text[i] into `cp`: its length in bytes, or 0 when the bytes
// there are not UTF-8 (a bad lead or continuation byte, a truncated sequence, an overlong form or
// a surrogate). Code points up to 0x1FFFFF are decoded; callers bound them.
std::size_t decode_utf8(std::string_view text, std::size_t i, std::uint32_t& cp);

// The offset of the first byte where `text` stops being UTF-8 (also past U+10FFFF), or
// std::string_view::npos when all of it is.
std::size_t invalid_utf8_at(std::string_view text);

}  // namespace eb
