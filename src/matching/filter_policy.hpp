#pragma once
// The SNS front end of the pattern matcher (pattern.hpp): a subscription's filter policy is
// validated once by SNS's rules, limits and error texts, compiled into a Pattern, then matched
// against each published message without touching the policy's JSON again. Called by sns/.
#include <memory>
#include <string_view>
#include <utility>

#include "core/attributes.hpp"
#include "core/errors.hpp"

namespace eb::matching {

enum class FilterPolicyScope { kMessageAttributes, kMessageBody };

class Pattern;

// An immutable compiled policy. Copies share the compiled Pattern, and `matches*` only read
// it, so any thread may match concurrently once the policy is built.
//
// Semantics (AWS SNS): keys of an object AND together, the entries of a key's array OR
// together, "$or" ORs whole sub-policies at any level. A message value that is an array
// (a String.Array attribute, a JSON array in the body) matches when any element does.
class FilterPolicy {
 public:
  // Validates the policy by AWS's rules and limits. Every failure is
  // Errc::kInvalidParameterValue with AWS's wording ("Invalid parameter: FilterPolicy: ...").
  static Result<FilterPolicy> compile(std::string_view json, FilterPolicyScope scope);

  // MessageAttributes scope. Binary attributes are ignored, as SNS does.
  bool matches(const MessageAttributes& attributes) const;
  // MessageBody scope; a body that is not a JSON object matches nothing.
  bool matches_body(std::string_view body) const;
  // Whichever of the two the policy's scope says: what SNS decides for a subscription.
  bool matches_message(const MessageAttributes& attributes, std::string_view body) const {
    return scope_ == FilterPolicyScope::kMessageBody ? matches_body(body) : matches(attributes);
  }

  FilterPolicyScope scope() const { return scope_; }

 private:
  FilterPolicy(std::shared_ptr<const Pattern> pattern, FilterPolicyScope scope)
      : pattern_(std::move(pattern)), scope_(scope) {}

  std::shared_ptr<const Pattern> pattern_;
  FilterPolicyScope scope_;
};

}  // namespace eb::matching
