#pragma once
// EventBridge's names, ARNs and the model's member constraints, with AWS's wording for a
// violated one ("1 validation error detected: Value 'x' at 'name' failed to satisfy constraint:
// ..."). Pure functions; any thread.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/errors.hpp"

namespace eb::events {

inline constexpr std::string_view kDefaultBus = "default";

// Character classes of the API model's patterns.
enum class NameChars {
  kName,          // [\.\-_A-Za-z0-9]+          rules, targets, archives, connections, destinations
  kBusName,       // [/\.\-_A-Za-z0-9]+         buses (a "/" only in partner bus names)
  kBusNameOrArn,  // (arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/\.\-_A-Za-z0-9]+
};

// The model's constraints on one member, checked in the order AWS reports them: length, then
// pattern. `member` is the model's member name as AWS quotes it ("name", "rule").
Result<void> check_member(std::string_view member, std::string_view value, std::size_t min_length,
                          std::size_t max_length, std::optional<NameChars> chars = std::nullopt);
// check_member's lengths, then the model's regular expression `pattern` (ECMAScript), quoted as
// given when it fails. For the members whose pattern NameChars does not cover.
Result<void> check_pattern(std::string_view member, const std::string& value,
                           std::size_t min_length, std::size_t max_length,
                           std::string_view pattern);
// "1 validation error detected: Value '<value>' at '<member>' failed to satisfy constraint:
// <constraint>"
Error constraint_error(std::string_view member, std::string_view value,
                       std::string_view constraint);

// ARNs in this daemon's region and account.
struct ArnContext {
  std::string region;
  std::string account_id;

  std::string bus_arn(std::string_view bus) const;
  // Rules of the default bus are rule/NAME; of another bus rule/BUS/NAME.
  std::string rule_arn(std::string_view bus, std::string_view rule) const;
};

// A bus named by name or by ARN: the name. Rejects another region's or account's ARN.
Result<std::string> bus_name_of(std::string_view name_or_arn, const ArnContext& arns);
// The name of the bus a rule ARN's rule is on (rule/NAME: the default bus, rule/BUS/NAME: BUS).
std::string bus_of_rule_arn(std::string_view rule_arn);

}  // namespace eb::events
