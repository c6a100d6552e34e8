#pragma once
// Tests on eight bytes at once (one 64-bit word), for scanners that pass long runs of plain
// text: a message body is checked or escaped a word at a time until a word needs a closer look.
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace eb::word_scan {

inline constexpr std::size_t kWord = sizeof(std::uint64_t);
inline constexpr std::uint64_t kOnes = 0x0101010101010101ull;
inline constexpr std::uint64_t kHighBits = kOnes * 0x80;

// The eight bytes at `p` (any alignment).
inline std::uint64_t load(const char* p) {
  std::uint64_t w = 0;
  std::memcpy(&w, p, sizeof w);
  return w;
}

// Whether a byte of `w` has its high bit set (is not ASCII).
inline bool any_high(std::uint64_t w) { return (w & kHighBits) != 0; }

// Whether a byte of `w` is below `n` (n at most 0x80). Exact as a yes or no: a borrow only
// crosses from a byte that is itself below `n`.
inline bool any_below(std::uint64_t w, std::uint8_t n) {
  return ((w - kOnes * n) & ~w & kHighBits) != 0;
}

// Whether a byte of `w` is `c`.
inline bool any_equal(std::uint64_t w, std::uint8_t c) { return any_below(w ^ (kOnes * c), 1); }

}  // namespace eb::word_scan
