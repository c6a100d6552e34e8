#include "api/aws/form_reader.hpp"

#include <gtest/gtest.h>

namespace eb::api::aws {
namespace {

std::shared_ptr<const FormNode> tree(const FormPairs& pairs) { return build_form_tree(pairs); }

TEST(FormReaderTest, ReadsValuesAndStructures) {
  auto root = tree(
      {{"QueueName", "q"}, {"Value.DataType", "String"}, {"Parent", "p"}, {"Parent.Child", "c"}});
  FormReader r(*root);
  EXPECT_EQ(r.string("QueueName"), "q");
  EXPECT_FALSE(r.string("Missing"));
  EXPECT_TRUE(r.has("Value"));
  EXPECT_FALSE(r.string("Value"));  // only members of its own
  EXPECT_EQ(r.structure("Value").string("DataType"), "String");
  EXPECT_EQ(r.structure("Parent").string("Child"), "c");
  EXPECT_EQ(r.string("Parent"), "p");
  const FormReader absent = r.structure("Nothing");
  EXPECT_FALSE(absent.has("DataType"));
  EXPECT_EQ(absent.path(), "nothing");
  EXPECT_FALSE(FormReader().has("x"));
}

TEST(FormReaderTest, ListsInTheThreeShapesInNumericOrder) {
  auto root = tree({{"AttributeName.10", "j"},
                    {"AttributeName.2", "b"},
                    {"AttributeName.1", "a"},
                    {"AttributeName.x", "ignored"},
                    {"TagKeys.member.2", "k2"},
                    {"TagKeys.member.1", "k1"},
                    {"Attributes.entry.1.key", "Policy"},
                    {"Attributes.entry.1.value", "{}"}});
  FormReader r(*root);
  EXPECT_EQ(r.strings("AttributeName"), (std::vector<std::string>{"a", "b", "j"}));
  EXPECT_EQ(r.member_strings("TagKeys"), (std::vector<std::string>{"k1", "k2"}));
  EXPECT_TRUE(r.strings("TagKeys").empty());  // numbered children under "member" only
  auto entries = r.entries("Attributes");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].string("key"), "Policy");
  EXPECT_EQ(entries[0].string("value"), "{}");
  EXPECT_TRUE(r.items("Missing").empty());
  EXPECT_TRUE(r.members("Missing").empty());
}

// The paths AWS's "1 validation error detected" messages use.
TEST(FormReaderTest, ItemsKnowTheirPath) {
  auto root = tree({{"PublishBatchRequestEntries.member.1.Id", "a"},
                    {"PublishBatchRequestEntries.member.2.Message", "m"},
                    {"Attributes.entry.1.value", "v"},
                    {"Entry.1.Id", "e"}});
  FormReader r(*root);
  auto batch = r.members("PublishBatchRequestEntries");
  ASSERT_EQ(batch.size(), 2U);
  EXPECT_EQ(batch[1].path_of("Id"), "publishBatchRequestEntries.2.member.id");
  EXPECT_EQ(r.entries("Attributes")[0].path(), "attributes.entry.1");
  EXPECT_EQ(r.items("Entry")[0].path(), "entry.1");
  EXPECT_EQ(r.path_of("TopicArn"), "topicArn");
  EXPECT_EQ(batch[0].structure("MessageAttributes").path(),
            "publishBatchRequestEntries.1.member.messageAttributes");
  EXPECT_EQ(r.renamed("messageAttributes.color.member").path_of("DataType"),
            "messageAttributes.color.member.dataType");
}

}  // namespace
}  // namespace eb::api::aws
