#pragma once
// AWS account ids as they appear in requests and ARNs: twelve decimal digits, the fifth field
// of an ARN ("arn:aws:sqs:us-east-1:123456789012:orders").
#include <algorithm>
#include <string_view>

namespace eb {

inline bool is_account_id(std::string_view text) {
  return text.size() == 12 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The account field of an ARN; empty when `arn` has fewer than five fields.
inline std::string_view arn_account(std::string_view arn) {
  for (int field = 0; field < 4; ++field) {
    const auto colon = arn.find(':');
    if (colon == std::string_view::npos) return {};
    arn.remove_prefix(colon + 1);
  }
  return arn.substr(0, arn.find(':'));
}

}  // namespace eb
