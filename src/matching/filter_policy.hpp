#pragma once
// SNS subscription filter policies: parsed and validated once, then matched against each
// published message without touching the policy's JSON again.
#include <memory>
#include <string_view>

#include "core/attributes.hpp"
#include "core/errors.hpp"

namespace eb::matching {

enum class FilterPolicyScope { kMessageAttributes, kMessageBody };

namespace filter_detail {
struct Node;
}  // namespace filter_detail

// An immutable compiled policy. Copies share the compiled tree, and `matches*` only read
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

  FilterPolicyScope scope() const { return scope_; }

 private:
  FilterPolicy(std::shared_ptr<const filter_detail::Node> root, FilterPolicyScope scope)
      : root_(std::move(root)), scope_(scope) {}

  std::shared_ptr<const filter_detail::Node> root_;
  FilterPolicyScope scope_;
};

}  // namespace eb::matching
