// The compiled matcher on its own, built by hand as a front end would build it: every operator
// EventBridge's pattern language needs, including those no SNS filter policy reaches yet.
#include "matching/pattern.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <utility>
#include <vector>

namespace eb::matching {
namespace {

// EventBridge's precision; SNS's is exercised through filter_policy_test.
const NumericScale kScale(6);

Literal number(double v) { return Literal::of_number(kScale.fixed(v)); }

Condition wildcard(std::string_view text) {
  auto condition = Condition::wildcard(text);
  EXPECT_TRUE(condition.has_value()) << text;
  return condition.has_value() ? std::move(*condition) : Condition::exists(false);
}

Pattern pattern(std::vector<Field> fields, std::vector<std::vector<Clause>> any_of = {}) {
  return Pattern(Clause{std::move(fields), std::move(any_of)}, kScale);
}

// A pattern with the single field "v", matched against the document {"v": <value_json>}.
bool field_matches(std::vector<Condition> any_of, const std::string& value_json) {
  return pattern({Field{{"v"}, std::move(any_of)}}).matches_json(R"({"v": )" + value_json + "}");
}

bool matches(const Condition& condition, const std::string& value_json) {
  return field_matches({condition}, value_json);
}

TEST(Pattern, EqualsIsTypedAndComparesNumbersByValue) {
  EXPECT_TRUE(matches(Condition::equals(Literal::of_string("5")), R"("5")"));
  EXPECT_FALSE(matches(Condition::equals(Literal::of_string("5")), "5"));
  EXPECT_FALSE(matches(Condition::equals(number(5)), R"("5")"));
  EXPECT_TRUE(matches(Condition::equals(number(300)), "3.0e2"));
  EXPECT_TRUE(matches(Condition::equals(number(300)), "300.0000001"));  // beyond six digits
  EXPECT_FALSE(matches(Condition::equals(number(300)), "300.000001"));
  EXPECT_TRUE(matches(Condition::equals(number(-1.5)), "-15e-1"));
  EXPECT_TRUE(matches(Condition::equals(Literal::of_string("")), R"("")"));
  EXPECT_FALSE(matches(Condition::equals(Literal::of_string("")), "null"));
  EXPECT_TRUE(matches(Condition::equals(Literal::null()), "null"));
  EXPECT_FALSE(matches(Condition::equals(Literal::null()), R"("null")"));
  EXPECT_TRUE(matches(Condition::equals(Literal::of_bool(true)), "true"));
  EXPECT_FALSE(matches(Condition::equals(Literal::of_bool(true)), R"("true")"));
  EXPECT_FALSE(matches(Condition::equals(Literal::of_bool(false)), "true"));
}

TEST(Pattern, NumericScaleIsTheDialects) {
  EXPECT_EQ(NumericScale(5).fixed(3), NumericScale(5).fixed(3.000001));
  EXPECT_NE(NumericScale(6).fixed(3), NumericScale(6).fixed(3.000001));
  // Saturated values keep their order against any literal a front end may write.
  EXPECT_GT(kScale.fixed(1e300), kScale.fixed(5e9));
  EXPECT_LT(kScale.fixed(-1e300), kScale.fixed(-5e9));
}

TEST(Pattern, ArraysOnEitherSideMatchByAnyElement) {
  const std::vector<Condition> either = {Condition::equals(Literal::of_string("a")),
                                         Condition::equals(number(1))};
  EXPECT_TRUE(field_matches(either, R"("a")"));
  EXPECT_TRUE(field_matches(either, "1"));
  EXPECT_FALSE(field_matches(either, R"("b")"));
  EXPECT_TRUE(field_matches(either, R"(["x", "a"])"));
  EXPECT_TRUE(field_matches(either, R"([["x"], [1]])"));
  EXPECT_FALSE(field_matches(either, "[]"));
  EXPECT_FALSE(field_matches(either, R"({"a": "a"})"));  // objects are never values

  // Arrays of objects on the way down a path: each element is looked into.
  const auto sku = pattern({Field{{"items", "sku"}, {Condition::equals(Literal::of_string("A"))}}});
  EXPECT_TRUE(sku.matches_json(R"({"items": [{"sku": "B"}, {"sku": "A"}]})"));
  EXPECT_TRUE(sku.matches_json(R"({"items": [[{"sku": "A"}]]})"));
  EXPECT_FALSE(sku.matches_json(R"({"items": [{"sku": "B"}, "A"]})"));
  EXPECT_FALSE(sku.matches_json(R"({"sku": "A"})"));
}

TEST(Pattern, ArrayConsistencyIsPerPattern) {
  const auto anna_jones = [](ArrayConsistency arrays) {
    return Pattern(Clause{{Field{{"e", "first"}, {Condition::equals(Literal::of_string("Anna"))}},
                           Field{{"e", "last"}, {Condition::equals(Literal::of_string("Jones"))}}},
                          {}},
                   kScale, arrays);
  };
  const std::string split =
      R"({"e": [{"first": "Anna", "last": "Smith"}, {"first": "Pe", "last": "Jones"}]})";
  const std::string together =
      R"({"e": [{"first": "Bo", "last": "Smith"}, {"first": "Anna", "last": "Jones"}]})";
  // SNS: each field may match in any element.
  EXPECT_TRUE(anna_jones(ArrayConsistency::kAnyElement).matches_json(split));
  EXPECT_TRUE(anna_jones(ArrayConsistency::kAnyElement).matches_json(together));
  // Ruler: both in one element.
  EXPECT_FALSE(anna_jones(ArrayConsistency::kSameElement).matches_json(split));
  EXPECT_TRUE(anna_jones(ArrayConsistency::kSameElement).matches_json(together));
  EXPECT_FALSE(anna_jones(ArrayConsistency::kSameElement).matches_json(R"({"e": []})"));

  // Within one $or branch, across the root's fields and the branch's.
  const Clause with_or{
      {Field{{"e", "first"}, {Condition::equals(Literal::of_string("Anna"))}}},
      {{Clause{{Field{{"e", "last"}, {Condition::equals(Literal::of_string("Jones"))}}}, {}},
        Clause{{Field{{"other"}, {Condition::exists(true)}}}, {}}}}};
  EXPECT_FALSE(Pattern(with_or, kScale, ArrayConsistency::kSameElement).matches_json(split));
  EXPECT_TRUE(Pattern(with_or, kScale, ArrayConsistency::kSameElement).matches_json(together));
  EXPECT_TRUE(Pattern(with_or, kScale, ArrayConsistency::kAnyElement).matches_json(split));
}

TEST(Pattern, FieldsAndTogetherAcrossNestedPaths) {
  const auto p = pattern({Field{{"source"}, {Condition::equals(Literal::of_string("shop"))}},
                          Field{{"detail", "order", "total"},
                                {Condition::numeric({Bound{number(100).number, false}, {}})}}});
  EXPECT_TRUE(p.matches_json(R"({"source": "shop", "detail": {"order": {"total": 150}}})"));
  EXPECT_FALSE(p.matches_json(R"({"source": "shop", "detail": {"order": {"total": 50}}})"));
  EXPECT_FALSE(p.matches_json(R"({"source": "bank", "detail": {"order": {"total": 150}}})"));
  EXPECT_FALSE(p.matches_json(R"({"source": "shop"})"));
  // The empty pattern matches every object, and nothing that is not an object.
  EXPECT_TRUE(pattern({}).matches_json(R"({"any": 1})"));
  EXPECT_FALSE(pattern({}).matches_json("[1]"));
  EXPECT_FALSE(pattern({}).matches_json("not json"));
}

TEST(Pattern, PrefixSuffixAndIgnoreCase) {
  EXPECT_TRUE(matches(Condition::prefix("ord"), R"("order")"));
  EXPECT_FALSE(matches(Condition::prefix("ord"), R"("Order")"));
  EXPECT_TRUE(matches(Condition::prefix(""), R"("")"));
  EXPECT_FALSE(matches(Condition::prefix("1"), "12"));  // strings only
  EXPECT_TRUE(matches(Condition::prefix_ignore_case("ORD"), R"("oRder")"));
  EXPECT_FALSE(matches(Condition::prefix_ignore_case("ORDERS"), R"("order")"));
  EXPECT_TRUE(matches(Condition::suffix(".png"), R"("a.png")"));
  EXPECT_FALSE(matches(Condition::suffix(".png"), R"("a.PNG")"));
  EXPECT_TRUE(matches(Condition::suffix_ignore_case(".PnG"), R"("a.pNg")"));
  EXPECT_FALSE(matches(Condition::suffix_ignore_case(".png"), R"("png")"));
  EXPECT_TRUE(matches(Condition::equals_ignore_case("AlIcE"), R"("aLiCe")"));
  EXPECT_FALSE(matches(Condition::equals_ignore_case("alice"), R"("alice1")"));
  EXPECT_FALSE(matches(Condition::equals_ignore_case("true"), "true"));
}

TEST(Pattern, WildcardWithEscapes) {
  EXPECT_TRUE(matches(wildcard("*"), R"("")"));
  EXPECT_TRUE(matches(wildcard("*"), R"("anything")"));
  EXPECT_FALSE(matches(wildcard("*"), "1"));
  EXPECT_TRUE(matches(wildcard("dir/*/file"), R"("dir/a/b/file")"));
  EXPECT_FALSE(matches(wildcard("dir/*/file"), R"("dir/file")"));
  EXPECT_TRUE(matches(wildcard("*a*b"), R"("xaybab")"));
  EXPECT_FALSE(matches(wildcard("*a*b"), R"("xbya")"));
  EXPECT_TRUE(matches(wildcard("a*a"), R"("aa")"));
  EXPECT_FALSE(matches(wildcard("a*a"), R"("a")"));
  EXPECT_TRUE(matches(wildcard("exact"), R"("exact")"));
  EXPECT_FALSE(matches(wildcard("exact"), R"("exactly")"));
  // \* is a literal star, \\ a literal backslash.
  EXPECT_TRUE(matches(wildcard(R"(a\*b)"), R"("a*b")"));
  EXPECT_FALSE(matches(wildcard(R"(a\*b)"), R"("axxb")"));
  EXPECT_TRUE(matches(wildcard(R"(a\\*)"), R"("a\\tail")"));
  EXPECT_TRUE(matches(wildcard(R"(\**)"), R"("*x")"));
  EXPECT_FALSE(matches(wildcard(R"(\**)"), R"("x*")"));

  EXPECT_EQ(Condition::wildcard("a**b").error(), WildcardError::kConsecutiveStars);
  EXPECT_EQ(Condition::wildcard(R"(a\b)").error(), WildcardError::kBadEscape);
  EXPECT_EQ(Condition::wildcard(R"(a\)").error(), WildcardError::kBadEscape);
  EXPECT_TRUE(Condition::wildcard(R"(a\**b)").has_value());  // an escaped star, then a star
}

TEST(Pattern, AnythingBut) {
  auto but = [](std::vector<Condition> excluded) {
    return Condition::anything_but(std::move(excluded));
  };
  const auto not_a = but({Condition::equals(Literal::of_string("a"))});
  EXPECT_TRUE(matches(not_a, R"("b")"));
  EXPECT_FALSE(matches(not_a, R"("a")"));
  EXPECT_TRUE(matches(not_a, "5"));  // numbers qualify for a list of values
  EXPECT_FALSE(matches(not_a, "null"));
  EXPECT_FALSE(matches(not_a, "true"));
  EXPECT_TRUE(matches(not_a, R"(["a", "b"])"));
  EXPECT_FALSE(matches(not_a, R"(["a"])"));
  EXPECT_FALSE(pattern({Field{{"v"}, {not_a}}}).matches_json("{}"));  // absent never matches

  const auto not_numbers = but({Condition::equals(number(100)), Condition::equals(number(5))});
  EXPECT_FALSE(matches(not_numbers, "1e2"));
  EXPECT_TRUE(matches(not_numbers, "101"));
  EXPECT_TRUE(matches(not_numbers, R"("100")"));

  // String operators as exclusions: only strings qualify.
  const auto not_prefix = but({Condition::prefix("init")});
  EXPECT_TRUE(matches(not_prefix, R"("running")"));
  EXPECT_FALSE(matches(not_prefix, R"("initialising")"));
  EXPECT_FALSE(matches(not_prefix, "5"));
  EXPECT_FALSE(matches(but({Condition::suffix(".tmp")}), R"("x.tmp")"));
  const auto not_ci =
      but({Condition::equals_ignore_case("Alice"), Condition::equals_ignore_case("bob")});
  EXPECT_FALSE(matches(not_ci, R"("ALICE")"));
  EXPECT_FALSE(matches(not_ci, R"("Bob")"));
  EXPECT_TRUE(matches(not_ci, R"("carol")"));
  const auto not_wild = but({wildcard("*/lib/*"), wildcard("*/bin/*")});
  EXPECT_FALSE(matches(not_wild, R"("/usr/lib/x")"));
  EXPECT_TRUE(matches(not_wild, R"("/usr/share/x")"));
  EXPECT_FALSE(matches(but({Condition::prefix_ignore_case("INIT")}), R"("initial")"));
}

TEST(Pattern, NumericRanges) {
  const std::int64_t zero = kScale.fixed(0);
  const std::int64_t five = kScale.fixed(5);
  const auto open_closed = Condition::numeric({Bound{zero, false}, Bound{five, true}});
  EXPECT_FALSE(matches(open_closed, "0"));
  EXPECT_TRUE(matches(open_closed, "0.000001"));
  EXPECT_TRUE(matches(open_closed, "5"));
  EXPECT_FALSE(matches(open_closed, "5.000001"));
  EXPECT_FALSE(matches(open_closed, R"("3")"));
  EXPECT_TRUE(matches(open_closed, "[9, 3]"));
  const auto equals_five = Condition::numeric({Bound{five, true}, Bound{five, true}});
  EXPECT_TRUE(matches(equals_five, "5.0"));
  EXPECT_FALSE(matches(equals_five, "4.9"));
  const auto at_least = Condition::numeric({Bound{five, true}, {}});
  EXPECT_TRUE(matches(at_least, "1e300"));
  EXPECT_FALSE(matches(at_least, "-1e300"));
  EXPECT_TRUE(matches(Condition::numeric({}), "-7"));  // unbounded: any number
}

TEST(Pattern, ExistsIsDecidedOnLeafPresence) {
  const auto present = pattern({Field{{"a", "b"}, {Condition::exists(true)}}});
  const auto absent = pattern({Field{{"a", "b"}, {Condition::exists(false)}}});
  EXPECT_TRUE(present.matches_json(R"({"a": {"b": null}})"));
  EXPECT_TRUE(present.matches_json(R"({"a": [{"c": 1}, {"b": 0}]})"));
  EXPECT_FALSE(present.matches_json(R"({"a": {"c": 1}})"));
  EXPECT_FALSE(present.matches_json(R"({"a": {"b": {"c": 1}}})"));  // an object is no leaf
  EXPECT_FALSE(present.matches_json(R"({"a": {"b": []}})"));
  EXPECT_TRUE(absent.matches_json(R"({"a": "b"})"));
  EXPECT_TRUE(absent.matches_json("{}"));
  EXPECT_FALSE(absent.matches_json(R"({"a": {"b": ""}})"));
  // exists(false) next to a value condition: absent or matching.
  const auto optional_a = pattern(
      {Field{{"v"}, {Condition::equals(Literal::of_string("a")), Condition::exists(false)}}});
  EXPECT_TRUE(optional_a.matches_json("{}"));
  EXPECT_TRUE(optional_a.matches_json(R"({"v": "a"})"));
  EXPECT_FALSE(optional_a.matches_json(R"({"v": "b"})"));
}

TEST(Pattern, CidrV4AndV6) {
  auto cidr = [](const char* network, int bits) {
    auto ip = parse_ip(network);
    EXPECT_TRUE(ip.has_value()) << network;
    return Condition::cidr(ip.value_or(IpAddress{}), bits);
  };
  EXPECT_TRUE(matches(cidr("10.0.0.0", 24), R"("10.0.0.255")"));
  EXPECT_FALSE(matches(cidr("10.0.0.0", 24), R"("10.0.1.0")"));
  EXPECT_TRUE(matches(cidr("10.0.0.0", 23), R"("10.0.1.9")"));
  EXPECT_TRUE(matches(cidr("10.1.2.3", 32), R"("10.1.2.3")"));
  EXPECT_FALSE(matches(cidr("10.1.2.3", 32), R"("10.1.2.4")"));
  EXPECT_TRUE(matches(cidr("0.0.0.0", 0), R"("255.1.1.1")"));
  EXPECT_FALSE(matches(cidr("0.0.0.0", 0), R"("::1")"));  // families never mix
  EXPECT_TRUE(matches(cidr("2001:db8::", 33), R"("2001:db8:7fff::1")"));
  EXPECT_FALSE(matches(cidr("2001:db8::", 33), R"("2001:db8:8000::1")"));
  EXPECT_FALSE(matches(cidr("10.0.0.0", 8), R"("10.0.0")"));
  EXPECT_FALSE(parse_ip("10.0.0.256").has_value());
  EXPECT_FALSE(parse_ip("").has_value());
}

TEST(Pattern, OrGroupsAtAnyLevel) {
  const auto eq = [](const char* s) { return Condition::equals(Literal::of_string(s)); };
  // source = "s" AND (a.x = 1 OR (a.y = 2 AND (b = 3 OR c = 4)))
  Clause inner{{Field{{"a", "y"}, {eq("2")}}},
               {{Clause{{Field{{"b"}, {eq("3")}}}, {}}, Clause{{Field{{"c"}, {eq("4")}}}, {}}}}};
  const auto p = pattern({Field{{"source"}, {eq("s")}}},
                         {{Clause{{Field{{"a", "x"}, {eq("1")}}}, {}}, std::move(inner)}});
  EXPECT_TRUE(p.matches_json(R"({"source": "s", "a": {"x": "1"}})"));
  EXPECT_TRUE(p.matches_json(R"({"source": "s", "a": {"y": "2"}, "c": "4"})"));
  EXPECT_FALSE(p.matches_json(R"({"source": "s", "a": {"y": "2"}})"));
  EXPECT_FALSE(p.matches_json(R"({"source": "t", "a": {"x": "1"}})"));
  EXPECT_FALSE(p.matches_json(R"({"source": "s", "b": "3"})"));
}

TEST(Pattern, MessageAttributes) {
  const auto p =
      pattern({Field{{"kind"}, {Condition::prefix("order.")}},
               Field{{"total"}, {Condition::numeric({Bound{kScale.fixed(10), false}, {}})}}});
  EXPECT_TRUE(p.matches({{"kind", {"String", "order.paid", ""}}, {"total", {"Number", "11", ""}}}));
  EXPECT_FALSE(p.matches({{"kind", {"String", "order.paid", ""}}, {"total", {"Number", "9", ""}}}));
  EXPECT_FALSE(
      p.matches({{"kind", {"String", "order.paid", ""}}, {"total", {"String", "11", ""}}}));
  EXPECT_TRUE(p.matches({{"kind", {"String.Array", R"(["x", "order.new"])", ""}},
                         {"total", {"Number.float", "1.1e1", ""}}}));

  const auto exists = pattern({Field{{"n"}, {Condition::exists(true)}}});
  EXPECT_TRUE(exists.matches({{"n", {"Number", "not a number", ""}}}));  // present, no value
  EXPECT_FALSE(exists.matches({{"n", {"Binary", "", "\x01"}}}));         // binary is absent
  // Attributes are flat: a longer path finds nothing.
  EXPECT_FALSE(pattern({Field{{"n", "m"}, {Condition::exists(true)}}})
                   .matches({{"n", {"String", "x", ""}}}));
}

TEST(Pattern, OneParsedDocumentServesManyPatterns) {
  simdjson::dom::parser parser;
  simdjson::dom::element event;
  ASSERT_FALSE(parser.parse(std::string(R"({"source": "shop", "detail": {"n": 2}})")).get(event));
  const auto by_source =
      pattern({Field{{"source"}, {Condition::equals(Literal::of_string("shop"))}}});
  const auto by_n = pattern({Field{{"detail", "n"}, {Condition::equals(number(3))}}});
  EXPECT_TRUE(by_source.matches(event));
  EXPECT_FALSE(by_n.matches(event));
}

}  // namespace
}  // namespace eb::matching
