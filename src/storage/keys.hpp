#pragma once
// Key building blocks: fixed-width big-endian integers sort in numeric order under the
// engine's byte-wise comparator, so (queue uid, seq) and event sequence numbers scan in order.
#include <cstdint>
#include <string>
#include <string_view>

namespace eb::storage {

inline void append_u64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

inline std::uint64_t read_u64(std::string_view in, std::size_t offset = 0) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    v = (v << 8) | static_cast<unsigned char>(in[offset + i]);
  }
  return v;
}

inline std::string u64_key(std::uint64_t v) {
  std::string k;
  k.reserve(8);
  append_u64(k, v);
  return k;
}

inline std::string u64_pair_key(std::uint64_t a, std::uint64_t b) {
  std::string k;
  k.reserve(16);
  append_u64(k, a);
  append_u64(k, b);
  return k;
}

}  // namespace eb::storage
