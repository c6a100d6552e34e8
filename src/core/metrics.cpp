#include "core/metrics.hpp"

#include <fmt/format.h>

#include <bit>

namespace eb {

std::size_t LatencyHistogram::bucket_of(std::uint64_t us) {
  if (us <= kFirstBoundUs) return 0;
  // Bound i is 32 << i = 2^(5+i): the first bound >= us is at i = ceil(log2(us)) - 5.
  const auto ceil_log2 = static_cast<std::size_t>(std::bit_width(us - 1));
  const std::size_t i = ceil_log2 - 5;
  return i < kBounds ? i : kBounds;
}

LatencyHistogram::Snapshot& LatencyHistogram::Snapshot::operator+=(const Snapshot& other) {
  for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += other.counts[i];
  sum_us += other.sum_us;
  return *this;
}

LatencyHistogram::Snapshot LatencyHistogram::snapshot() const {
  Snapshot s;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    s.counts[i] = buckets_[i].load(std::memory_order_relaxed);
  }
  s.sum_us = sum_us_.load(std::memory_order_relaxed);
  return s;
}

void append_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

void MetricsWriter::family(std::string_view name, Type type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  for (char c : help) {
    if (c == '\\') {
      out_ += "\\\\";
    } else if (c == '\n') {
      out_ += "\\n";
    } else {
      out_ += c;
    }
  }
  out_ += "\n# TYPE ";
  out_ += name;
  switch (type) {
    case Type::kCounter:
      out_ += " counter\n";
      break;
    case Type::kGauge:
      out_ += " gauge\n";
      break;
    case Type::kHistogram:
      out_ += " histogram\n";
      break;
  }
}

void MetricsWriter::begin_sample(std::string_view name, Labels labels, std::string_view extra) {
  out_ += name;
  if (labels.size() != 0 || !extra.empty()) {
    out_ += '{';
    bool first = true;
    for (const auto& [key, value] : labels) {
      if (!first) out_ += ',';
      first = false;
      out_ += key;
      out_ += "=\"";
      append_label_value(out_, value);
      out_ += '"';
    }
    if (!extra.empty()) {
      if (!first) out_ += ',';
      out_ += extra;
    }
    out_ += '}';
  }
  out_ += ' ';
}

void MetricsWriter::sample(std::string_view name, Labels labels, double value) {
  begin_sample(name, labels);
  fmt::format_to(std::back_inserter(out_), "{}\n", value);
}

void MetricsWriter::sample(std::string_view name, Labels labels, std::uint64_t value) {
  begin_sample(name, labels);
  fmt::format_to(std::back_inserter(out_), "{}\n", value);
}

void MetricsWriter::histogram(std::string_view name, Labels labels,
                              const LatencyHistogram::Snapshot& h) {
  const std::string bucket = fmt::format("{}_bucket", name);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < h.counts.size(); ++i) {
    cumulative += h.counts[i];
    std::string le =
        i < LatencyHistogram::kBounds
            ? fmt::format("le=\"{}\"",
                          static_cast<double>(LatencyHistogram::kFirstBoundUs << i) / 1e6)
            : std::string("le=\"+Inf\"");
    begin_sample(bucket, labels, le);
    fmt::format_to(std::back_inserter(out_), "{}\n", cumulative);
  }
  begin_sample(fmt::format("{}_sum", name), labels);
  fmt::format_to(std::back_inserter(out_), "{}\n", static_cast<double>(h.sum_us) / 1e6);
  begin_sample(fmt::format("{}_count", name), labels);
  fmt::format_to(std::back_inserter(out_), "{}\n", cumulative);
}

}  // namespace eb
