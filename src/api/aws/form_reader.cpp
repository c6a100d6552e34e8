#include "api/aws/form_reader.hpp"

#include <cctype>

namespace eb::api::aws {
namespace {

const FormNode& empty_node() {
  static const FormNode node;
  return node;
}

}  // namespace

FormReader::FormReader() : node_(&empty_node()) {}

std::optional<std::string> FormReader::string(std::string_view member) const {
  const FormNode* n = node_->child(member);
  return n != nullptr ? n->value : std::nullopt;
}

FormReader FormReader::structure(std::string_view member) const {
  const FormNode* n = node_->child(member);
  return FormReader(n != nullptr ? *n : empty_node(), path_of(member));
}

const FormNode* FormReader::list_node(std::string_view member, Shape shape) const {
  const FormNode* n = node_->child(member);
  if (n == nullptr || shape == Shape::kFlat) return n;
  return n->child(shape == Shape::kMember ? "member" : "entry");
}

std::vector<FormReader> FormReader::list(std::string_view member, Shape shape) const {
  std::vector<FormReader> out;
  const FormNode* list = list_node(member, shape);
  if (list == nullptr) return out;
  const std::vector<const FormNode*> nodes = list->indexed();
  out.reserve(nodes.size());
  std::string base = path_of(member);
  if (shape == Shape::kEntry) base += ".entry";
  std::size_t index = 0;
  for (const FormNode* item : nodes) {
    std::string path = base;
    path += '.';
    path += std::to_string(++index);
    if (shape == Shape::kMember) path += ".member";
    out.emplace_back(*item, std::move(path));
  }
  return out;
}

std::vector<FormReader> FormReader::items(std::string_view member) const {
  return list(member, Shape::kFlat);
}

std::vector<FormReader> FormReader::members(std::string_view member) const {
  return list(member, Shape::kMember);
}

std::vector<FormReader> FormReader::entries(std::string_view member) const {
  return list(member, Shape::kEntry);
}

std::vector<std::string> FormReader::values(std::string_view member, Shape shape) const {
  std::vector<std::string> out;
  const FormNode* list = list_node(member, shape);
  if (list == nullptr) return out;
  for (const FormNode* item : list->indexed()) {
    if (item->value) out.push_back(*item->value);
  }
  return out;
}

std::vector<std::string> FormReader::strings(std::string_view member) const {
  return values(member, Shape::kFlat);
}

std::vector<std::string> FormReader::member_strings(std::string_view member) const {
  return values(member, Shape::kMember);
}

std::string FormReader::path_of(std::string_view member) const {
  std::string out;
  out.reserve(path_.size() + member.size() + 1);
  if (!path_.empty()) {
    out = path_;
    out += '.';
  }
  const std::size_t start = out.size();
  out += member;
  if (out.size() > start) {
    out[start] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[start])));
  }
  return out;
}

}  // namespace eb::api::aws
