#include "api/aws/form_tree.hpp"

#include <gtest/gtest.h>

namespace eb::api::aws {
namespace {

TEST(FormTree, SplitsKeysOnDots) {
  const auto root = build_form_tree({{"Action", "Publish"},
                                     {"Attributes.entry.1.key", "DisplayName"},
                                     {"Attributes.entry.1.value", "a.b"}});
  ASSERT_NE(root->child("Action"), nullptr);
  EXPECT_EQ(root->child("Action")->value, "Publish");
  const FormNode* entry = root->child("Attributes")->child("entry")->child("1");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->child("key")->value, "DisplayName");
  EXPECT_EQ(entry->child("value")->value, "a.b");  // dots in values are data
  EXPECT_FALSE(root->child("Attributes")->value.has_value());
  EXPECT_EQ(root->child("Missing"), nullptr);
}

TEST(FormTree, IndexedChildrenInNumericOrderSkippingOtherNames) {
  const auto root = build_form_tree(
      {{"L.10", "ten"}, {"L.2", "two"}, {"L.1", "one"}, {"L.x", "no"}, {"L.0", "zero"}});
  std::vector<std::string> values;
  for (const FormNode* n : root->child("L")->indexed()) values.push_back(*n->value);
  EXPECT_EQ(values, (std::vector<std::string>{"one", "two", "ten"}));
}

TEST(FormTree, LaterDuplicateWins) {
  const auto root = build_form_tree({{"A", "1"}, {"A", "2"}});
  EXPECT_EQ(root->child("A")->value, "2");
}

}  // namespace
}  // namespace eb::api::aws
