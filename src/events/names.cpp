#include "events/names.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>

namespace eb::events {
namespace {

bool name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

bool all_of(std::string_view text, bool (*ok)(char)) {
  return std::all_of(text.begin(), text.end(), ok);
}

std::string_view pattern_text(NameChars chars) {
  switch (chars) {
    case NameChars::kName:
      return "[\\.\\-_A-Za-z0-9]+";
    case NameChars::kBusName:
      return "[/\\.\\-_A-Za-z0-9]+";
    case NameChars::kBusNameOrArn:
      return "(arn:aws[\\w-]*:events:[a-z]+-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?"
             "[/\\.\\-_A-Za-z0-9]+";
  }
  return {};
}

bool bus_char(char c) { return name_char(c) || c == '/'; }

constexpr std::string_view kBusArnMarker = ":event-bus/";

bool matches(NameChars chars, std::string_view value) {
  switch (chars) {
    case NameChars::kName:
      return all_of(value, name_char);
    case NameChars::kBusName:
      return all_of(value, bus_char);
    case NameChars::kBusNameOrArn: {
      if (value.starts_with("arn:")) {
        const auto at = value.find(kBusArnMarker);
        if (at == std::string_view::npos) return false;
        value.remove_prefix(at + kBusArnMarker.size());
      }
      return !value.empty() && all_of(value, bus_char);
    }
  }
  return false;
}

}  // namespace

Error constraint_error(std::string_view member, std::string_view value,
                       std::string_view constraint) {
  return Error{Errc::kValidationError,
               fmt::format("1 validation error detected: Value '{}' at '{}' failed to satisfy "
                           "constraint: {}",
                           value, member, constraint)};
}

Result<void> check_member(std::string_view member, std::string_view value, std::size_t min_length,
                          std::size_t max_length, std::optional<NameChars> chars) {
  if (value.size() < min_length) {
    return std::unexpected(constraint_error(
        member, value,
        fmt::format("Member must have length greater than or equal to {}", min_length)));
  }
  if (value.size() > max_length) {
    return std::unexpected(constraint_error(
        member, value,
        fmt::format("Member must have length less than or equal to {}", max_length)));
  }
  if (chars && !matches(*chars, value)) {
    return std::unexpected(constraint_error(
        member, value,
        fmt::format("Member must satisfy regular expression pattern: {}", pattern_text(*chars))));
  }
  return {};
}

Result<void> check_pattern(std::string_view member, const std::string& value,
                           std::size_t min_length, std::size_t max_length,
                           std::string_view pattern) {
  EB_TRY(check_member(member, value, min_length, max_length));
  const std::regex re{std::string(pattern)};
  if (!std::regex_match(value, re)) {
    return std::unexpected(constraint_error(
        member, value, fmt::format("Member must satisfy regular expression pattern: {}", pattern)));
  }
  return {};
}

std::string ArnContext::bus_arn(std::string_view bus) const {
  return fmt::format("arn:aws:events:{}:{}:event-bus/{}", region, account_id, bus);
}

std::string ArnContext::rule_arn(std::string_view bus, std::string_view rule) const {
  if (bus == kDefaultBus)
    return fmt::format("arn:aws:events:{}:{}:rule/{}", region, account_id, rule);
  return fmt::format("arn:aws:events:{}:{}:rule/{}/{}", region, account_id, bus, rule);
}

Result<std::string> bus_name_of(std::string_view name_or_arn, const ArnContext& arns) {
  if (!name_or_arn.starts_with("arn:")) return std::string(name_or_arn);
  const auto at = name_or_arn.find(kBusArnMarker);
  std::string_view name =
      at == std::string_view::npos ? name_or_arn : name_or_arn.substr(at + kBusArnMarker.size());
  if (at == std::string_view::npos ||
      name_or_arn.substr(0, at + kBusArnMarker.size()) != arns.bus_arn("")) {
    return fail(Errc::kResourceNotFound, fmt::format("Event bus {} does not exist.", name));
  }
  return std::string(name);
}

std::string bus_of_rule_arn(std::string_view rule_arn) {
  constexpr std::string_view kRule = ":rule/";
  const auto at = rule_arn.find(kRule);
  const std::string_view path =
      at == std::string_view::npos ? std::string_view() : rule_arn.substr(at + kRule.size());
  // Rule names hold no '/'; a partner bus's name does.
  const auto last = path.rfind('/');
  return std::string(last == std::string_view::npos ? kDefaultBus : path.substr(0, last));
}

}  // namespace eb::events
