#include "matching/filter_policy.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace eb::matching {
namespace {

MessageAttributeValue str(std::string v) { return {"String", std::move(v), {}}; }
MessageAttributeValue num(std::string v) { return {"Number", std::move(v), {}}; }
MessageAttributeValue arr(std::string v) { return {"String.Array", std::move(v), {}}; }
MessageAttributeValue bin(std::string v) { return {"Binary", {}, std::move(v)}; }

struct AttributeCase {
  const char* policy;
  MessageAttributes attributes;
  bool expected;
};

TEST(FilterPolicyAttributes, MatchesAsAwsDocuments) {
  const std::vector<AttributeCase> cases = {
      // Exact strings; values in a key's array OR together.
      {R"({"sport": ["rugby", "tennis"]})", {{"sport", str("rugby")}}, true},
      {R"({"sport": ["rugby", "tennis"]})", {{"sport", str("tennis")}}, true},
      {R"({"sport": ["rugby", "tennis"]})", {{"sport", str("baseball")}}, false},
      {R"({"sport": ["rugby"]})", {{"sport", str("Rugby")}}, false},  // case-sensitive
      {R"({"sport": ["rugby"]})", {}, false},
      // String.Array: any element matches.
      {R"({"sport": ["rugby", "tennis"]})", {{"sport", arr(R"(["rugby", "tennis"])")}}, true},
      {R"({"sport": ["tennis"]})", {{"sport", arr(R"(["golf", "tennis"])")}}, true},
      {R"({"sport": ["rugby"]})", {{"sport", arr(R"(["baseball"])")}}, false},
      {R"({"sport": ["rugby"]})", {{"sport", arr("not json")}}, false},
      {R"({"n": [5]})", {{"n", arr("[1, 5.0]")}}, true},
      {R"({"flag": [true]})", {{"flag", arr("[true]")}}, true},
      {R"({"flag": [null]})", {{"flag", arr("[null]")}}, true},
      // Numbers compare numerically, to five decimals; strings never equal numbers.
      {R"({"price": [3]})", {{"price", num("3.0")}}, true},
      {R"({"price": [301.5]})", {{"price", num("3.015e2")}}, true},
      {R"({"price": [3]})", {{"price", num("3.000001")}}, true},
      {R"({"price": [3]})", {{"price", num("3.0001")}}, false},
      {R"({"price": [3]})", {{"price", str("3")}}, false},
      {R"({"price": ["3"]})", {{"price", num("3")}}, false},
      {R"({"price": [3]})", {{"price", num("abc")}}, false},
      // prefix / suffix / equals-ignore-case.
      {R"({"sport": [{"prefix": "bas"}]})", {{"sport", str("baseball")}}, true},
      {R"({"sport": [{"prefix": "bas"}]})", {{"sport", str("rugby")}}, false},
      {R"({"sport": [{"prefix": "bas"}]})", {{"sport", arr(R"(["rugby","basketball"])")}}, true},
      {R"({"sport": [{"suffix": "ball"}]})", {{"sport", str("football")}}, true},
      {R"({"sport": [{"suffix": "ball"}]})", {{"sport", str("rugby")}}, false},
      {R"({"sport": [{"equals-ignore-case": "RuGbY"}]})", {{"sport", str("rUGby")}}, true},
      {R"({"sport": [{"equals-ignore-case": "rugby"}]})", {{"sport", str("rugby7")}}, false},
      // anything-but: list, single value, prefix, suffix, numbers; absent never matches.
      {R"({"s": [{"anything-but": ["rugby", "tennis"]}]})", {{"s", str("baseball")}}, true},
      {R"({"s": [{"anything-but": ["rugby", "tennis"]}]})", {{"s", str("rugby")}}, false},
      {R"({"s": [{"anything-but": ["rugby", "tennis"]}]})", {}, false},
      {R"({"s": [{"anything-but": ["rugby", "tennis"]}]})",
       {{"s", arr(R"(["rugby", "baseball"])")}},
       true},
      {R"({"s": [{"anything-but": ["rugby"]}]})", {{"s", arr(R"(["rugby"])")}}, false},
      {R"({"s": [{"anything-but": "rugby"}]})", {{"s", str("golf")}}, true},
      {R"({"s": [{"anything-but": "rugby"}]})", {{"s", str("rugby")}}, false},
      {R"({"e": [{"anything-but": {"prefix": "order-"}}]})", {{"e", str("data-entry")}}, true},
      {R"({"e": [{"anything-but": {"prefix": "order-"}}]})",
       {{"e", str("order-cancelled")}},
       false},
      {R"({"e": [{"anything-but": {"suffix": "-test"}}]})", {{"e", str("prod")}}, true},
      {R"({"e": [{"anything-but": {"suffix": "-test"}}]})", {{"e", str("a-test")}}, false},
      {R"({"p": [{"anything-but": [100, 500]}]})", {{"p", num("101")}}, true},
      {R"({"p": [{"anything-but": [100, 500]}]})", {{"p", num("100.0")}}, false},
      {R"({"p": [{"anything-but": 100}]})", {{"p", num("1e2")}}, false},
      // numeric.
      {R"({"p": [{"numeric": ["=", 301.5]}]})", {{"p", num("301.5")}}, true},
      {R"({"p": [{"numeric": ["=", 301.5]}]})", {{"p", num("301.6")}}, false},
      {R"({"p": [{"numeric": ["<", 0]}]})", {{"p", num("-0.5")}}, true},
      {R"({"p": [{"numeric": ["<", 0]}]})", {{"p", num("0")}}, false},
      {R"({"p": [{"numeric": ["<=", 0]}]})", {{"p", num("0")}}, true},
      {R"({"p": [{"numeric": [">=", 10]}]})", {{"p", num("10")}}, true},
      {R"({"p": [{"numeric": [">", 10]}]})", {{"p", num("10")}}, false},
      {R"({"p": [{"numeric": [">", 0, "<=", 150]}]})", {{"p", num("150")}}, true},
      {R"({"p": [{"numeric": [">", 0, "<=", 150]}]})", {{"p", num("0")}}, false},
      {R"({"p": [{"numeric": [">", 0, "<=", 150]}]})", {{"p", num("150.00001")}}, false},
      {R"({"p": [{"numeric": [">=", 0, "<", 1]}]})", {{"p", num("0.99999")}}, true},
      {R"({"p": [{"numeric": [">", 0]}]})", {{"p", num("5e20")}}, true},  // beyond policy range
      {R"({"p": [{"numeric": ["<", 0]}]})", {{"p", num("-5e20")}}, true},
      {R"({"p": [{"numeric": [">", 0]}]})", {{"p", str("5")}}, false},
      {R"({"p": [{"numeric": [">", 0]}]})", {{"p", arr("[-1, 3]")}}, true},
      // exists.
      {R"({"store": [{"exists": true}]})", {{"store", str("fans")}}, true},
      {R"({"store": [{"exists": true}]})", {{"other", str("x")}}, false},
      {R"({"store": [{"exists": false}]})", {{"other", str("x")}}, true},
      {R"({"store": [{"exists": false}]})", {{"store", str("fans")}}, false},
      {R"({"s": [{"anything-but": "x"}, {"exists": false}]})", {}, true},
      // Binary attributes are ignored.
      {R"({"b": [{"exists": true}]})", {{"b", bin("\x01")}}, false},
      {R"({"b": [{"exists": false}]})", {{"b", bin("\x01")}}, true},
      // cidr.
      {R"({"ip": [{"cidr": "10.0.0.0/24"}]})", {{"ip", str("10.0.0.255")}}, true},
      {R"({"ip": [{"cidr": "10.0.0.0/24"}]})", {{"ip", str("10.0.1.0")}}, false},
      {R"({"ip": [{"cidr": "10.0.0.0/20"}]})", {{"ip", str("10.0.15.1")}}, true},
      {R"({"ip": [{"cidr": "10.0.0.0/20"}]})", {{"ip", str("10.0.16.1")}}, false},
      {R"({"ip": [{"cidr": "0.0.0.0/0"}]})", {{"ip", str("1.2.3.4")}}, true},
      {R"({"ip": [{"cidr": "10.0.0.0/24"}]})", {{"ip", str("not-an-ip")}}, false},
      {R"({"ip": [{"cidr": "2001:db8::/32"}]})", {{"ip", str("2001:db8:1::5")}}, true},
      {R"({"ip": [{"cidr": "2001:db8::/32"}]})", {{"ip", str("2001:db9::5")}}, false},
      {R"({"ip": [{"cidr": "2001:db8::/32"}]})", {{"ip", str("10.0.0.1")}}, false},
      // AND across keys.
      {R"({"sport": ["rugby"], "price": [{"numeric": [">", 100]}]})",
       {{"sport", str("rugby")}, {"price", num("150")}},
       true},
      {R"({"sport": ["rugby"], "price": [{"numeric": [">", 100]}]})",
       {{"sport", str("rugby")}, {"price", num("50")}},
       false},
      {R"({"sport": ["rugby"], "price": [{"numeric": [">", 100]}]})",
       {{"sport", str("rugby")}},
       false},
      // $or across keys.
      {R"({"source": ["aws.cloudwatch"], "$or": [{"metric": ["CPU"]}, {"ns": ["EC2"]}]})",
       {{"source", str("aws.cloudwatch")}, {"ns", str("EC2")}},
       true},
      {R"({"source": ["aws.cloudwatch"], "$or": [{"metric": ["CPU"]}, {"ns": ["EC2"]}]})",
       {{"source", str("aws.cloudwatch")}, {"ns", str("S3")}},
       false},
      {R"({"$or": [{"a": ["1"]}, {"$or": [{"b": ["2"]}, {"c": ["3"]}]}]})",
       {{"c", str("3")}},
       true},
      {R"({"$or": [{"a": ["1"]}, {"$or": [{"b": ["2"]}, {"c": ["3"]}]}]})",
       {{"d", str("3")}},
       false},
      // "$or" that does not meet AWS's conditions is an ordinary key.
      {R"({"$or": ["x"]})", {{"$or", str("x")}}, true},
      // The empty policy matches everything.
      {R"({})", {}, true},
  };
  for (const auto& c : cases) {
    auto policy = FilterPolicy::compile(c.policy, FilterPolicyScope::kMessageAttributes);
    ASSERT_TRUE(policy.has_value()) << c.policy << ": " << policy.error().message;
    std::string attrs;
    for (const auto& [k, v] : c.attributes) attrs += k + "=" + v.string_value + " ";
    EXPECT_EQ(policy->matches(c.attributes), c.expected) << c.policy << " with " << attrs;
  }
}

struct BodyCase {
  const char* policy;
  const char* body;
  bool expected;
};

TEST(FilterPolicyBody, MatchesAsAwsDocuments) {
  const std::vector<BodyCase> cases = {
      {R"({"sport": ["rugby", "tennis"]})", R"({"sport": "rugby"})", true},
      {R"({"sport": ["rugby", "tennis"]})", R"({"sport": "baseball"})", false},
      {R"({"sport": ["rugby"]})", R"({"sport": ["golf", "rugby"]})", true},
      {R"({"sport": ["rugby"]})", R"({"sport": [["rugby"]]})", true},
      {R"({"sport": ["rugby"]})", R"({"sport": {"rugby": 1}})", false},
      {R"({"sport": ["rugby"]})", "not json", false},
      {R"({"sport": ["rugby"]})", R"(["rugby"])", false},
      {R"({})", "not json", false},
      {R"({})", R"({"anything": 1})", true},
      // Numbers, booleans and null.
      {R"({"price": [301.5]})", R"({"price": 3.015e2})", true},
      {R"({"price": [3]})", R"({"price": 3.0})", true},
      {R"({"price": [3]})", R"({"price": "3"})", false},
      {R"({"ok": [true]})", R"({"ok": true})", true},
      {R"({"ok": [true]})", R"({"ok": "true"})", false},
      {R"({"v": [null]})", R"({"v": null})", true},
      {R"({"v": [null]})", R"({})", false},
      {R"({"v": [null]})", R"({"v": "null"})", false},
      // Operators.
      {R"({"s": [{"prefix": "bas"}]})", R"({"s": "basketball"})", true},
      {R"({"s": [{"suffix": "ball"}]})", R"({"s": "rugby"})", false},
      {R"({"s": [{"equals-ignore-case": "RUGBY"}]})", R"({"s": "rugby"})", true},
      {R"({"s": [{"anything-but": ["rugby", "tennis"]}]})", R"({"s": "golf"})", true},
      {R"({"s": [{"anything-but": ["rugby", "tennis"]}]})", R"({"s": "tennis"})", false},
      {R"({"p": [{"anything-but": [100, 500]}]})", R"({"p": [100, 50]})", true},
      {R"({"p": [{"anything-but": [100, 500]}]})", R"({"p": 100})", false},
      {R"({"p": [{"anything-but": "x"}]})", R"({"p": null})", false},
      {R"({"e": [{"anything-but": {"prefix": "order-"}}]})", R"({"e": "order-1"})", false},
      {R"({"p": [{"numeric": [">", 0, "<=", 150]}]})", R"({"p": 150})", true},
      {R"({"p": [{"numeric": [">", 0, "<=", 150]}]})", R"({"p": 151})", false},
      {R"({"p": [{"numeric": ["<", 0]}]})", R"({"p": [5, -1]})", true},
      {R"({"p": [{"numeric": [">=", 1000000000]}]})", R"({"p": 18446744073709551615})", true},
      {R"({"ip": [{"cidr": "10.0.0.0/24"}]})", R"({"ip": "10.0.0.7"})", true},
      {R"({"ip": [{"cidr": "::1/128"}]})", R"({"ip": "::1"})", true},
      {R"({"store": [{"exists": true}]})", R"({"store": "fans"})", true},
      {R"({"store": [{"exists": true}]})", R"({"store": null})", true},
      {R"({"store": [{"exists": true}]})", R"({"other": 1})", false},
      {R"({"store": [{"exists": false}]})", R"({"other": 1})", true},
      {R"({"store": [{"exists": false}]})", R"({"store": "fans"})", false},
      // Nested keys are nested objects.
      {R"({"a": {"b": {"c": ["x"]}}})", R"({"a": {"b": {"c": "x"}}})", true},
      {R"({"a": {"b": {"c": ["x"]}}})", R"({"a": {"b": {"c": "y"}}})", false},
      {R"({"a": {"b": {"c": ["x"]}}})", R"({"a": {"b": "x"}})", false},
      {R"({"a": {"b": {"c": ["x"]}}})", R"({"c": "x"})", false},
      {R"({"a": {"b": [{"exists": false}]}})", R"({"x": 1})", true},
      {R"({"a": {"b": [{"exists": false}]}})", R"({"a": {"b": 1}})", false},
      // Arrays of objects: each key may match in any element.
      {R"({"items": {"sku": ["A1"]}})", R"({"items": [{"sku": "B2"}, {"sku": "A1"}]})", true},
      {R"({"items": {"sku": ["A1"]}})", R"({"items": [{"sku": "B2"}, {"sku": "C3"}]})", false},
      {R"({"items": {"sku": [{"prefix": "A"}], "qty": [{"numeric": [">", 2]}]}})",
       R"({"items": [{"sku": "A1", "qty": 3}]})", true},
      // AND and $or, including $or below the top level.
      {R"({"s": ["rugby"], "p": [{"numeric": [">", 100]}]})", R"({"s": "rugby", "p": 101})", true},
      {R"({"s": ["rugby"], "p": [{"numeric": [">", 100]}]})", R"({"s": "rugby", "p": 99})", false},
      {R"({"$or": [{"a": ["1"]}, {"b": ["2"]}]})", R"({"b": "2"})", true},
      {R"({"$or": [{"a": ["1"]}, {"b": ["2"]}]})", R"({"b": "1"})", false},
      {R"({"d": {"$or": [{"x": ["1"]}, {"y": {"z": ["2"]}}]}})", R"({"d": {"y": {"z": "2"}}})",
       true},
      {R"({"d": {"$or": [{"x": ["1"]}, {"y": {"z": ["2"]}}]}})", R"({"d": {"y": {"z": "3"}}})",
       false},
  };
  for (const auto& c : cases) {
    auto policy = FilterPolicy::compile(c.policy, FilterPolicyScope::kMessageBody);
    ASSERT_TRUE(policy.has_value()) << c.policy << ": " << policy.error().message;
    EXPECT_EQ(policy->matches_body(c.body), c.expected) << c.policy << " with " << c.body;
  }
}

struct InvalidCase {
  const char* policy;
  FilterPolicyScope scope;
  const char* reason;  // a fragment of the expected message
};

std::string five_keys_and(const char* extra) {
  return std::string(R"({"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"])") + extra + "}";
}

TEST(FilterPolicyCompile, RejectsWhatAwsRejects) {
  constexpr auto kAttr = FilterPolicyScope::kMessageAttributes;
  constexpr auto kBody = FilterPolicyScope::kMessageBody;
  const std::string six_keys = five_keys_and(R"(,"f":["1"])");
  const std::string too_complex =
      R"({"a":["1","2","3","4","5","6"],"b":["1","2","3","4","5"],"c":["1","2","3","4","5","6"]})";
  const std::vector<InvalidCase> cases = {
      {"not json", kAttr, "failed to parse JSON"},
      {"[]", kAttr, "JSON object"},
      {R"({"a": "x"})", kAttr, "must be an object or an array"},
      {R"({"a": 5})", kBody, "must be an object or an array"},
      {R"({"a": []})", kAttr, "Empty arrays are not allowed"},
      {R"({"a": {"b": ["x"]}})", kAttr, "does not support nested filter policy"},
      {R"({"a": [["x"]]})", kAttr, "Match value must be"},
      {R"({"a": [{}]})", kAttr, "Only one key allowed"},
      {R"({"a": [{"prefix": "x", "suffix": "y"}]})", kAttr, "Only one key allowed"},
      {R"({"a": [{"regex": "x"}]})", kAttr, "Unrecognized match type regex"},
      {R"({"a": [{"prefix": 5}]})", kAttr, "prefix match pattern must be a string"},
      {R"({"a": [{"suffix": null}]})", kAttr, "suffix match pattern must be a string"},
      {R"({"a": [{"equals-ignore-case": 1}]})", kBody, "equals-ignore-case match pattern must be"},
      {R"({"a": [{"exists": "true"}]})", kAttr,
       "exists match pattern must be either true or false"},
      {R"({"a": [{"anything-but": []}]})", kAttr, "Empty arrays are not allowed"},
      {R"({"a": [{"anything-but": [true]}]})", kAttr, "anything but list"},
      {R"({"a": [{"anything-but": [{"prefix": "x"}]}]})", kAttr, "anything but list"},
      {R"({"a": [{"anything-but": true}]})", kAttr, "anything-but"},
      {R"({"a": [{"anything-but": {"equals-ignore-case": "x"}}]})", kAttr,
       "Unsupported anything-but pattern: equals-ignore-case"},
      {R"({"a": [{"anything-but": {"prefix": 1}}]})", kAttr,
       "prefix match pattern must be a string"},
      {R"({"a": [{"numeric": []}]})", kAttr, "Invalid member in numeric match"},
      {R"({"a": [{"numeric": 5}]})", kAttr, "numeric must be an array"},
      {R"({"a": [{"numeric": [5]}]})", kAttr, "Invalid member in numeric match: 5"},
      {R"({"a": [{"numeric": ["!=", 5]}]})", kAttr, "Unrecognized numeric range operator: !="},
      {R"({"a": [{"numeric": ["=", "5"]}]})", kAttr, "Value of equals must be numeric"},
      {R"({"a": [{"numeric": [">"]}]})", kAttr, "Value of > must be numeric"},
      {R"({"a": [{"numeric": ["<", 5, ">", 1]}]})", kAttr, "Too many elements"},
      {R"({"a": [{"numeric": [">", 5, 6]}]})", kAttr, "Bad value in numeric range"},
      {R"({"a": [{"numeric": [">", 5, ">", 6]}]})", kAttr, "Bad numeric range operator: >"},
      {R"({"a": [{"numeric": [">", 5, "<", "6"]}]})", kAttr, "Value of < must be numeric"},
      {R"({"a": [{"numeric": [">", 5, "<", 5]}]})", kAttr, "Bottom must be less than top"},
      {R"({"a": [{"numeric": [">", 0, "<", 5, "<", 6]}]})", kAttr, "Too many terms"},
      {R"({"a": [{"numeric": [">", 1000000001]}]})", kAttr, "between"},
      {R"({"a": [-1000000000.5]})", kBody, "between"},
      {R"({"a": [{"anything-but": [2e9]}]})", kAttr, "between"},
      {R"({"a": [{"cidr": 10}]})", kAttr, "prefix match pattern must be a string"},
      {R"({"a": [{"cidr": "10.0.0.0"}]})", kAttr, "one '/' required"},
      {R"({"a": [{"cidr": "10.0.0.0/x"}]})", kAttr, "mask bits must be an integer"},
      {R"({"a": [{"cidr": "10.0.0/24"}]})", kAttr, "Nonstandard IP address: 10.0.0"},
      {R"({"a": [{"cidr": "10.0.0.0/33"}]})", kAttr, "mask bits"},
      {R"({"a": [{"cidr": "::/129"}]})", kAttr, "mask bits"},
      {R"({"$or": [{"a": ["1"]}, {"b": []}]})", kAttr, "Empty arrays are not allowed"},
      {R"({"$or": [{"a": ["1"]}]})", kAttr, "Unrecognized match type a"},
      {six_keys.c_str(), kAttr, "more than 5 keys"},
      {six_keys.c_str(), kBody, "more than 5 keys"},
      {R"({"a":["1"],"b":["1"],"c":["1"],"d":["1"],"$or":[{"e":["1"],"f":["1"]},{"g":["1"]}]})",
       kAttr, "more than 5 keys"},
      {too_complex.c_str(), kAttr, "too complex"},
      // Body policies weigh each array by the depth of its key: AWS's example (4*3 * 3*2 = 72)
      // passes, the same values deeper (4*5 * 3*3 = 180) exceed 150.
      {R"({"a":{"b":{"c":{"d":{"g":["1","2","3","4"]}}}},"e":{"f":{"h":["1","2","3"]}}})", kBody,
       "too complex"},
      {R"({"$or":[{"a":["1","2","3","4","5","6","7","8"]},{"b":["1"]}],"c":["1","2","3","4","5","6","7","8","9","10","11","12","13","14","15","16","17"]})",
       kAttr, "too complex"},
  };
  for (const auto& c : cases) {
    auto policy = FilterPolicy::compile(c.policy, c.scope);
    ASSERT_FALSE(policy.has_value()) << c.policy;
    EXPECT_EQ(policy.error().code, Errc::kInvalidParameterValue) << c.policy;
    EXPECT_NE(policy.error().message.find(c.reason), std::string::npos)
        << c.policy << " -> " << policy.error().message;
    EXPECT_TRUE(policy.error().message.starts_with("Invalid parameter: ")) << c.policy;
  }
}

TEST(FilterPolicyCompile, AcceptsAwsExamplesAtTheLimits) {
  // 3 x 1 x 2 = 6 combinations (AWS's example).
  EXPECT_TRUE(FilterPolicy::compile(
      R"({"key_a": ["value_one", "value_two", "value_three"], "key_b": ["value_one"],
          "key_c": ["value_one", "value_two"]})",
      FilterPolicyScope::kMessageAttributes));
  // 4 x 3 x 2 x 3 = 72: nested keys weigh their depth.
  EXPECT_TRUE(FilterPolicy::compile(
      R"({"key_a": {"key_b": {"key_c": ["1", "2", "3", "4"]}}, "key_d": {"key_e": ["1", "2", "3"]}})",
      FilterPolicyScope::kMessageBody));
  // Only top-level keys count toward five in body scope (AWS's example has 6 leaf keys).
  EXPECT_TRUE(FilterPolicy::compile(
      R"({"state": ["SUCCESS"], "severity": [{"exists": true}], "message": [{"exists": true}],
          "finding": {"standard_control": [{"exists": true}], "region": [{"exists": true}],
                      "account": [{"exists": true}]}})",
      FilterPolicyScope::kMessageBody));
  // 5 x 5 x 6 = 150 exactly.
  EXPECT_TRUE(FilterPolicy::compile(
      R"({"a":["1","2","3","4","5"],"b":["1","2","3","4","5"],"c":["1","2","3","4","5","6"]})",
      FilterPolicyScope::kMessageAttributes));
  EXPECT_TRUE(FilterPolicy::compile(five_keys_and(""), FilterPolicyScope::kMessageAttributes));
  EXPECT_TRUE(FilterPolicy::compile(R"({"a": [{"numeric": ["=", 1000000000]}]})",
                                    FilterPolicyScope::kMessageAttributes));
  // Over 256 KB is rejected before parsing.
  std::string huge = R"({"a": [")" + std::string(256 * 1024, 'x') + R"("]})";
  auto r = FilterPolicy::compile(huge, FilterPolicyScope::kMessageBody);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kInvalidParameterValue);
}

TEST(FilterPolicyCompile, CopiesShareTheCompiledPolicy) {
  auto policy = FilterPolicy::compile(R"({"a": ["x"]})", FilterPolicyScope::kMessageAttributes);
  ASSERT_TRUE(policy);
  FilterPolicy copy = *policy;
  EXPECT_TRUE(copy.matches({{"a", str("x")}}));
  EXPECT_EQ(copy.scope(), FilterPolicyScope::kMessageAttributes);
}

}  // namespace
}  // namespace eb::matching
