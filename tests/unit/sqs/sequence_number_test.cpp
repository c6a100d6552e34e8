// SequenceNumber text and the crash-safe counter behind it.
#include "sqs/sequence_number.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

namespace eb::sqs {
namespace {

TEST(SequenceNumberTest, TextHasTwentyDigitsAndIncreases) {
  std::string previous;
  for (std::uint64_t v : {0ull, 1ull, 2ull, 4095ull, 4096ull, 1'000'000'000ull}) {
    const std::string text = sequence_number_text(v);
    EXPECT_EQ(text.size(), 20u) << text;
    EXPECT_TRUE(std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }));
    EXPECT_GT(text, previous);  // same width, so text order is number order
    previous = text;
  }
  EXPECT_EQ(sequence_number_text(0), "10000000000000000000");
  EXPECT_EQ(sequence_number_text(1), "10000000000000004096") << "not consecutive";
}

TEST(SequenceNumberTest, LargestValuesStayExactAndIncreasing) {
  const auto max = std::numeric_limits<std::uint64_t>::max();
  const std::string a = sequence_number_text(max - 1);
  const std::string b = sequence_number_text(max);
  EXPECT_EQ(b.size(), a.size());
  EXPECT_GT(b, a);
  // 10^19 + (2^64 - 1) * 4096
  EXPECT_EQ(b, "75567863725914323415040");
}

TEST(SequenceCounterTest, IssuesIncreasingValuesWithTheirBlockCeiling) {
  SequenceCounter c;
  auto first = c.next();
  EXPECT_EQ(first.value, 0u);
  EXPECT_EQ(first.ceiling, SequenceCounter::kBlock);
  for (std::uint64_t i = 1; i < SequenceCounter::kBlock; ++i) {
    auto issued = c.next();
    EXPECT_EQ(issued.value, i);
    EXPECT_EQ(issued.ceiling, SequenceCounter::kBlock);
  }
  EXPECT_EQ(c.next().ceiling, 2 * SequenceCounter::kBlock);
}

TEST(SequenceCounterTest, RecoveryFromTheLargestCeilingNeverRepeats) {
  SequenceCounter before;
  std::uint64_t largest_ceiling = 0;
  std::uint64_t last = 0;
  for (int i = 0; i < 5000; ++i) {
    auto issued = before.next();
    largest_ceiling = std::max(largest_ceiling, issued.ceiling);
    last = issued.value;
  }
  SequenceCounter after(largest_ceiling);  // kill -9, then recovery
  auto resumed = after.next();
  EXPECT_GT(resumed.value, last);
  EXPECT_GT(sequence_number_text(resumed.value), sequence_number_text(last));
  EXPECT_EQ(resumed.value, 2 * SequenceCounter::kBlock);
}

}  // namespace
}  // namespace eb::sqs
