// The index over many event patterns must answer exactly what testing every pattern answers.
#include "matching/event_pattern_set.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

namespace eb::matching {
namespace {

EventPattern compiled(const char* json) {
  auto pattern = EventPattern::compile(json);
  EXPECT_TRUE(pattern.has_value()) << json;
  return std::move(*pattern);
}

// Indexed by detail-type, by source, by another top-level field, and not at all.
const std::vector<const char*> kRules = {
    R"({"source": ["shop"], "detail-type": ["OrderPlaced", "OrderPaid"]})",
    R"({"source": ["shop"]})",
    R"({"source": ["shop", "bank"], "detail": {"total": [{"numeric": [">", 100]}]}})",
    R"({"detail-type": ["OrderPlaced"], "detail": {"region": [{"prefix": "eu-"}]}})",
    R"({"source": [{"prefix": "sh"}]})",
    R"({"region": ["us-east-1"]})",
    R"({"$or": [{"source": ["bank"]}, {"detail-type": ["OrderPaid"]}]})",
    R"({"source": ["shop"], "$or": [{"detail-type": ["OrderPaid"]}, {"account": ["1"]}]})",
    R"({"detail": {"source": ["shop"]}})",
    R"({"source": [{"anything-but": "shop"}]})",
    R"({"resources": ["arn:a"], "source": [{"exists": true}]})",
    R"({"detail-type": [{"equals-ignore-case": "orderplaced"}]})",
    R"({"source": ["shop"], "source": ["bank"]})",
    R"({"source": ["shop"], "detail": {"items": {"sku": ["A"], "qty": [2]}}})",
};

const std::vector<const char*> kEvents = {
    R"({"source": "shop", "detail-type": "OrderPlaced", "detail": {"total": 150, "region": "eu-west-1"}})",
    R"({"source": "shop", "detail-type": "OrderPaid", "account": "1", "detail": {"total": 50}})",
    R"({"source": "bank", "detail-type": "Transfer", "region": "us-east-1", "detail": {"total": 101}})",
    R"({"source": ["shop", "bank", "shop"], "detail-type": "OrderPlaced"})",
    R"({"source": "shipping", "detail-type": "orderPLACED", "resources": ["arn:b", "arn:a"]})",
    R"({"source": 5, "detail": {"source": "shop"}})",
    R"({"detail-type": "OrderPaid"})",
    R"({"source": "shop", "detail": {"items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}]}})",
    R"({"source": "shop", "detail": {"items": [{"sku": "B", "qty": 1}, {"sku": "A", "qty": 2}]}})",
    R"({"source": {"name": "shop"}})",
    R"({})",
    R"(["source", "shop"])",
};

TEST(EventPatternSet, AnswersWhatEveryPatternAnswers) {
  EventPatternSet set;
  std::vector<EventPattern> patterns;
  for (std::size_t i = 0; i < kRules.size(); ++i) {
    patterns.push_back(compiled(kRules[i]));
    set.add(100 + i, patterns.back());
  }
  ASSERT_EQ(set.size(), kRules.size());
  simdjson::dom::parser parser;
  std::size_t total = 0;
  for (const char* json : kEvents) {
    simdjson::dom::element event;
    ASSERT_FALSE(parser.parse(std::string(json)).get(event)) << json;
    std::vector<EventPatternSet::Id> expected;
    for (std::size_t i = 0; i < patterns.size(); ++i) {
      if (patterns[i].matches(event)) expected.push_back(100 + i);
    }
    EXPECT_EQ(set.match(event), expected) << json;
    total += expected.size();
  }
  EXPECT_GT(total, kEvents.size());  // the table exercises matches, not only misses
}

TEST(EventPatternSet, ReplaceAndRemove) {
  EventPatternSet set;
  set.add(1, compiled(R"({"source": ["shop"]})"));
  set.add(2, compiled(R"({"source": ["bank"]})"));
  simdjson::dom::parser parser;
  simdjson::dom::element shop;
  ASSERT_FALSE(parser.parse(std::string(R"({"source": "shop"})")).get(shop));
  EXPECT_EQ(set.match(shop), std::vector<EventPatternSet::Id>{1});
  set.add(2, compiled(R"({"source": [{"prefix": "sh"}]})"));  // replaced, now unindexed
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(set.match(shop), (std::vector<EventPatternSet::Id>{1, 2}));
  EXPECT_TRUE(set.remove(1));
  EXPECT_FALSE(set.remove(1));
  EXPECT_EQ(set.match(shop), std::vector<EventPatternSet::Id>{2});
  // Appends without clearing.
  std::vector<EventPatternSet::Id> out = {7};
  set.match(shop, out);
  EXPECT_EQ(out, (std::vector<EventPatternSet::Id>{7, 2}));
}

}  // namespace
}  // namespace eb::matching
