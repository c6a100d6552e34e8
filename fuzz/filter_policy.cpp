// SNS filter policies: compiled in both scopes, then matched against a message. Input: the
// policy on the first line, the message body on the second, then one message attribute per
// line, "<Name> <DataType> <value>".
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/attributes.hpp"
#include "matching/filter_policy.hpp"
#include "support/lines.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace matching = eb::matching;
  // Never a null view: the daemon's strings never are, and simdjson copies from it.
  std::string_view policy = "";
  std::string_view body = "";
  eb::MessageAttributes attributes;
  int line_number = 0;
  eb::fuzz::for_each_line(data, size, 64, [&](std::string_view line) {
    switch (line_number++) {
      case 0:
        policy = line;
        return;
      case 1:
        body = line;
        return;
      default:
        const auto [name, rest] = eb::fuzz::split_word(line);
        const auto [type, value] = eb::fuzz::split_word(rest);
        eb::MessageAttributeValue& attribute = attributes[std::string(name)];
        attribute.data_type = std::string(type);
        (attribute.is_binary() ? attribute.binary_value : attribute.string_value) =
            std::string(value);
    }
  });
  for (const auto scope : {matching::FilterPolicyScope::kMessageAttributes,
                           matching::FilterPolicyScope::kMessageBody}) {
    auto compiled = matching::FilterPolicy::compile(policy, scope);
    if (!compiled) continue;
    (void)compiled->matches(attributes);
    (void)compiled->matches_body(body);
  }
  return 0;
}
