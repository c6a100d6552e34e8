#pragma once
// Metrics in the Prometheus text format (exposition format 0.0.4), written directly.
// Counters and histograms are relaxed atomics that the code being measured bumps: one
// uncontended increment on the hot path, read without locks at scrape. Gauges are not stored
// anywhere: a scrape computes them from the state they describe (queue depths, sizes).
// MetricsWriter turns a scrape's values into text, one family at a time.
#include <array>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace eb {

// A monotonic count; copies read its value (for snapshots).
class Counter {
 public:
  void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// Counts read from a CounterSet at one moment; `Enum` lists them and ends with kEnd.
template <class Enum>
struct Counts {
  static constexpr std::size_t kSize = static_cast<std::size_t>(Enum::kEnd);
  std::array<std::uint64_t, kSize> values{};
  std::uint64_t operator[](Enum e) const { return values[static_cast<std::size_t>(e)]; }
  Counts& operator+=(const Counts& other) {
    for (std::size_t i = 0; i < kSize; ++i) values[i] += other.values[i];
    return *this;
  }
};

// One counter per enumerator of `Enum` (which ends with kEnd): what an object counts of its work.
template <class Enum>
class CounterSet {
 public:
  void add(Enum e, std::uint64_t n = 1) {
    if (n != 0) counters_[static_cast<std::size_t>(e)].add(n);
  }
  Counts<Enum> read() const {
    Counts<Enum> out;
    for (std::size_t i = 0; i < out.kSize; ++i) out.values[i] = counters_[i].value();
    return out;
  }

 private:
  std::array<Counter, Counts<Enum>::kSize> counters_;
};

// A latency histogram in microseconds with log2 buckets: upper bounds 32 µs, 64 µs, ... up to
// 2^23 µs (about 8.4 s), then +Inf. Values are observed as integers; the text shows seconds.
class LatencyHistogram {
 public:
  static constexpr std::size_t kBounds = 19;  // 32 µs << 0 .. 32 µs << 18
  static constexpr std::uint64_t kFirstBoundUs = 32;

  void observe_us(std::uint64_t us) {
    buckets_[bucket_of(us)].fetch_add(1, std::memory_order_relaxed);
    sum_us_.fetch_add(us, std::memory_order_relaxed);
  }
  // The index of the first bucket whose bound is >= us (kBounds: +Inf).
  static std::size_t bucket_of(std::uint64_t us);
  // Per-bucket (not cumulative) counts, the last one +Inf's; and the sum in microseconds.
  struct Snapshot {
    std::array<std::uint64_t, kBounds + 1> counts{};
    std::uint64_t sum_us = 0;
    Snapshot& operator+=(const Snapshot& other);
  };
  Snapshot snapshot() const;

 private:
  std::array<std::atomic<std::uint64_t>, kBounds + 1> buckets_{};
  std::atomic<std::uint64_t> sum_us_{0};
};

using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Appends families to a text body. Call family() once per metric name, then its samples; the
// writer checks nothing the caller can get right by construction (names are literals), but
// escapes label values and HELP text as the format requires.
class MetricsWriter {
 public:
  enum class Type : std::uint8_t { kCounter, kGauge, kHistogram };

  // `# HELP name help` and `# TYPE name type`.
  void family(std::string_view name, Type type, std::string_view help);
  void sample(std::string_view name, Labels labels, double value);
  void sample(std::string_view name, Labels labels, std::uint64_t value);
  // The histogram's _bucket (cumulative, le in seconds), _sum (seconds) and _count lines.
  void histogram(std::string_view name, Labels labels, const LatencyHistogram::Snapshot& h);

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  // `name{a="x",b="y"` plus `extra` (already formatted, e.g. le="0.5") and `} `.
  void begin_sample(std::string_view name, Labels labels, std::string_view extra = {});

  std::string out_;
};

// A label value with '\\', '"' and newlines escaped.
void append_label_value(std::string& out, std::string_view value);

}  // namespace eb
