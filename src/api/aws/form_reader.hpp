#pragma once
// Reads one structure of a query-protocol request (the request itself, or one item of a list or
// map) by member name: the one form reader of every service that speaks the protocol. It knows
// the structure's path in the request as AWS's validation messages write it
// ("publishBatchRequestEntries.2.member"); what a missing or malformed member is called is each
// service's own error. A view of a FormNode tree, which must outlive it; cheap to copy.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/aws/form_tree.hpp"

namespace eb::api::aws {

class FormReader {
 public:
  FormReader();  // an empty structure: every member is absent
  explicit FormReader(const FormNode& node, std::string path = {})
      : node_(&node), path_(std::move(path)) {}

  bool has(std::string_view member) const { return node_->child(member) != nullptr; }
  // The member's value; nullopt when absent or when it only has members of its own.
  std::optional<std::string> string(std::string_view member) const;
  // A member that is a structure (an empty one when absent), with its path.
  FormReader structure(std::string_view member) const;
  // This structure under another path (where a service's messages name it differently).
  FormReader renamed(std::string path) const { return FormReader(*node_, std::move(path)); }
  // The items of a list or map, in numeric order, in the query protocol's three shapes:
  //   items(X)    X.N         (flattened lists, SQS)  item path x.N
  //   members(X)  X.member.N  (lists, SNS)            item path x.N.member
  //   entries(X)  X.entry.N   (maps, SNS)             item path x.entry.N
  // Children that are not numbered are ignored.
  std::vector<FormReader> items(std::string_view member) const;
  std::vector<FormReader> members(std::string_view member) const;
  std::vector<FormReader> entries(std::string_view member) const;
  // The values of a list's items (items without a value are skipped): X.N, or X.member.N.
  std::vector<std::string> strings(std::string_view member) const;
  std::vector<std::string> member_strings(std::string_view member) const;

  // This structure's path, and the path of one of its members: member names in lower camel
  // case joined by '.', as AWS's "1 validation error detected" messages name them.
  const std::string& path() const { return path_; }
  std::string path_of(std::string_view member) const;

 private:
  enum class Shape : std::uint8_t { kFlat, kMember, kEntry };
  const FormNode* list_node(std::string_view member, Shape shape) const;
  std::vector<FormReader> list(std::string_view member, Shape shape) const;
  std::vector<std::string> values(std::string_view member, Shape shape) const;

  const FormNode* node_;
  std::string path_;
};

}  // namespace eb::api::aws
