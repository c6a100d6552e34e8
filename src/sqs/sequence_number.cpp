#include "sqs/sequence_number.hpp"

#include <algorithm>

namespace eb::sqs {
namespace {

constexpr std::uint64_t kBase = 10'000'000'000'000'000'000ull;  // 10^19: the first 20-digit number

// 128-bit so the text stays exact (and increasing) for every 64-bit value.
std::string decimal(unsigned __int128 v) {
  std::string out;
  do {
    out.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

std::string sequence_number_text(std::uint64_t value) {
  return decimal(static_cast<unsigned __int128>(kBase) +
                 static_cast<unsigned __int128>(value) * SequenceCounter::kStride);
}

SequenceCounter::Issued SequenceCounter::next() {
  const std::uint64_t value = next_++;
  return {value, ceiling_of(value)};
}

}  // namespace eb::sqs
