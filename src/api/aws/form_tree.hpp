#pragma once
// The query protocol's flattened form keys as a tree, shared by the services that speak it:
// "Attribute.1.Name=K" becomes Attribute -> 1 -> Name with value K, so lists ("X.member.N"),
// maps ("X.entry.N.key") and nested structures are read by walking children. Immutable once
// built; safe to read from any thread.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/aws/form.hpp"

namespace eb::api::aws {

struct FormNode {
  std::optional<std::string> value;
  std::map<std::string, FormNode, std::less<>> children;

  const FormNode* child(std::string_view name) const;
  // Children named 1, 2, 3... in numeric order (other names are skipped).
  std::vector<const FormNode*> indexed() const;
};

// Splits every key on '.'; a later duplicate key overwrites an earlier value.
std::shared_ptr<const FormNode> build_form_tree(const FormPairs& pairs);

}  // namespace eb::api::aws
