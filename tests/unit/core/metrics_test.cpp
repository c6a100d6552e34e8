#include "core/metrics.hpp"

#include <gtest/gtest.h>

namespace eb {
namespace {

TEST(LatencyHistogram, BucketsAreLog2From32Microseconds) {
  EXPECT_EQ(LatencyHistogram::bucket_of(0), 0u);
  EXPECT_EQ(LatencyHistogram::bucket_of(32), 0u);
  EXPECT_EQ(LatencyHistogram::bucket_of(33), 1u);
  EXPECT_EQ(LatencyHistogram::bucket_of(64), 1u);
  EXPECT_EQ(LatencyHistogram::bucket_of(65), 2u);
  EXPECT_EQ(LatencyHistogram::bucket_of(std::uint64_t{32} << 18), 18u);  // about 8.4 s
  EXPECT_EQ(LatencyHistogram::bucket_of((std::uint64_t{32} << 18) + 1), LatencyHistogram::kBounds);
  EXPECT_EQ(LatencyHistogram::bucket_of(~std::uint64_t{0}), LatencyHistogram::kBounds);
}

TEST(MetricsWriter, WritesFamiliesSamplesAndEscapes) {
  MetricsWriter out;
  out.family("x_total", MetricsWriter::Type::kCounter, "Help with \\ and\nnewline.");
  out.sample("x_total", {}, std::uint64_t{7});
  out.sample("x_total", {{"queue", "a\"b\\c\nd"}, {"state", "visible"}}, std::uint64_t{0});
  out.family("y", MetricsWriter::Type::kGauge, "A gauge.");
  out.sample("y", {{"k", "v"}}, 0.25);
  EXPECT_EQ(out.text(),
            "# HELP x_total Help with \\\\ and\\nnewline.\n"
            "# TYPE x_total counter\n"
            "x_total 7\n"
            "x_total{queue=\"a\\\"b\\\\c\\nd\",state=\"visible\"} 0\n"
            "# HELP y A gauge.\n"
            "# TYPE y gauge\n"
            "y{k=\"v\"} 0.25\n");
}

TEST(MetricsWriter, HistogramsAreCumulativeInSeconds) {
  LatencyHistogram h;
  h.observe_us(10);
  h.observe_us(50);
  h.observe_us(50);
  h.observe_us(100'000'000);  // past the last bound: +Inf only
  MetricsWriter out;
  out.histogram("d_seconds", {{"api", "sqs"}}, h.snapshot());
  const std::string& text = out.text();
  EXPECT_NE(text.find("d_seconds_bucket{api=\"sqs\",le=\"3.2e-05\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("d_seconds_bucket{api=\"sqs\",le=\"6.4e-05\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("d_seconds_bucket{api=\"sqs\",le=\"8.388608\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("d_seconds_bucket{api=\"sqs\",le=\"+Inf\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("d_seconds_sum{api=\"sqs\"} 100.00011\n"), std::string::npos);
  EXPECT_NE(text.find("d_seconds_count{api=\"sqs\"} 4\n"), std::string::npos);
}

enum class Things : std::uint8_t { kA, kB, kEnd };

TEST(CounterSet, ReadsAndSums) {
  CounterSet<Things> set;
  set.add(Things::kA);
  set.add(Things::kB, 5);
  set.add(Things::kB, 0);
  Counts<Things> total = set.read();
  total += set.read();
  EXPECT_EQ(total[Things::kA], 2u);
  EXPECT_EQ(total[Things::kB], 10u);
}

}  // namespace
}  // namespace eb
