#include "api/aws/form_tree.hpp"

#include <algorithm>
#include <charconv>

namespace eb::api::aws {

const FormNode* FormNode::child(std::string_view name) const {
  auto it = children.find(name);
  return it == children.end() ? nullptr : &it->second;
}

std::vector<const FormNode*> FormNode::indexed() const {
  std::vector<std::pair<long, const FormNode*>> items;
  for (const auto& [key, node] : children) {
    long n = 0;
    auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), n);
    if (ec == std::errc() && end == key.data() + key.size() && n > 0) items.emplace_back(n, &node);
  }
  std::sort(items.begin(), items.end(), [](auto& a, auto& b) { return a.first < b.first; });
  std::vector<const FormNode*> out;
  out.reserve(items.size());
  for (auto& [n, node] : items) out.push_back(node);
  return out;
}

std::shared_ptr<const FormNode> build_form_tree(const FormPairs& pairs) {
  auto root = std::make_shared<FormNode>();
  for (const auto& [key, value] : pairs) {
    FormNode* node = root.get();
    std::string_view rest = key;
    while (true) {
      auto dot = rest.find('.');
      node = &node->children[std::string(rest.substr(0, dot))];
      if (dot == std::string_view::npos) break;
      rest.remove_prefix(dot + 1);
    }
    node->value = value;
  }
  return root;
}

}  // namespace eb::api::aws
