#include "faults/fault_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace eb::faults {

namespace {

bool is_code_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

std::optional<int> parse_status(std::string_view text) {
  int status = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), status);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (status < 100 || status > 599) return std::nullopt;
  return status;
}

}  // namespace

Result<void> validate(const FaultSpec& spec) {
  if (std::ranges::find(kServices, spec.service) == std::end(kServices)) {
    std::string names;
    for (std::string_view s : kServices) names += (names.empty() ? "" : "|") + std::string(s);
    return fail(Errc::kInvalidParameterValue,
                fmt::format("service must be one of {}, not '{}'", names, spec.service));
  }
  if (!(spec.probability >= 0.0 && spec.probability <= 1.0)) {
    return fail(Errc::kInvalidParameterValue, "probability must be between 0 and 1");
  }
  if (spec.count && *spec.count < 1) {
    return fail(Errc::kInvalidParameterValue, "count must be at least 1 (omit it for no limit)");
  }
  if (spec.latency_ms < 0 || spec.latency_ms > kMaxLatencyMs) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("latencyMs must be between 0 and {}", kMaxLatencyMs));
  }
  if (spec.service == kHttpService) {
    if (!spec.error.empty() && spec.error != kDrop && !parse_status(spec.error)) {
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("error of an http fault must be \"drop\" or an HTTP status "
                              "100-599, not '{}'",
                              spec.error));
    }
  } else if (spec.error.size() > 128 || !std::ranges::all_of(spec.error, is_code_char)) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("error must be an AWS error code (letters, digits, '.', '_', '-'), "
                            "not '{}'",
                            spec.error));
  }
  if (spec.error.empty() && spec.latency_ms == 0) {
    return fail(Errc::kInvalidParameterValue, "a fault needs an error, a latencyMs or both");
  }
  return {};
}

int http_fault_status(std::string_view error) {
  if (error.empty() || error == kDrop) return 0;
  return parse_status(error).value_or(0);
}

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matching with one backtrack point (the last `*`): linear in practice, no
  // recursion however many stars a pattern has.
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace eb::faults
