// EventBridge event patterns: the language as AWS documents it, Ruler's validation with its
// reasons, and array consistency.
#include "matching/event_pattern.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace eb::matching {
namespace {

struct MatchCase {
  const char* pattern;
  const char* event;
  bool expected;
};

void expect_cases(const std::vector<MatchCase>& cases) {
  for (const auto& c : cases) {
    auto pattern = EventPattern::compile(c.pattern);
    ASSERT_TRUE(pattern.has_value()) << c.pattern << ": " << pattern.error().message;
    EXPECT_EQ(pattern->matches_json(c.event), c.expected) << c.pattern << " with " << c.event;
  }
}

TEST(EventPattern, ExactValuesAreTyped) {
  expect_cases({
      {R"({"source": ["aws.ec2"]})", R"({"source": "aws.ec2"})", true},
      {R"({"source": ["aws.ec2"]})", R"({"source": "aws.s3"})", false},
      {R"({"source": ["aws.ec2"]})", R"({"source": "AWS.EC2"})", false},
      {R"({"source": ["aws.ec2"]})", R"({"other": "aws.ec2"})", false},
      {R"({"source": ["aws.ec2", "aws.s3"]})", R"({"source": "aws.s3"})", true},
      {R"({"n": ["5"]})", R"({"n": 5})", false},
      {R"({"n": [5]})", R"({"n": "5"})", false},
      {R"({"n": [5]})", R"({"n": 5.0})", true},
      {R"({"n": [300]})", R"({"n": 3.0e2})", true},
      {R"({"n": [3.0e2]})", R"({"n": 300})", true},
      {R"({"n": [1.5]})", R"({"n": 1.500001})", false},
      {R"({"n": [123456789012]})", R"({"n": 123456789012})", true},
      {R"({"n": [123456789012]})", R"({"n": 123456789013})", false},
      {R"({"s": [""]})", R"({"s": ""})", true},
      {R"({"s": [""]})", R"({"s": null})", false},
      {R"({"s": [null]})", R"({"s": null})", true},
      {R"({"s": [null]})", R"({"s": "null"})", false},
      {R"({"s": [null]})", R"({})", false},
      {R"({"b": [true]})", R"({"b": true})", true},
      {R"({"b": [true]})", R"({"b": "true"})", false},
      {R"({"b": [false]})", R"({"b": true})", false},
      {R"({"s": [{"exactly": "x"}]})", R"({"s": "x"})", true},
      {R"({"s": [{"exactly": "x"}]})", R"({"s": "X"})", false},
      // The event must be a JSON object.
      {R"({"s": ["x"]})", R"(["x"])", false},
      {R"({"s": ["x"]})", "not json", false},
  });
}

TEST(EventPattern, ArraysAndNestedKeys) {
  expect_cases({
      // An event array matches when any element does, at any depth.
      {R"({"resources": ["arn:a"]})", R"({"resources": ["arn:b", "arn:a"]})", true},
      {R"({"resources": ["arn:a"]})", R"({"resources": ["arn:b"]})", false},
      {R"({"resources": ["arn:a"]})", R"({"resources": []})", false},
      {R"({"resources": ["arn:a"]})", R"({"resources": [["arn:a"]]})", true},
      {R"({"n": [{"numeric": [">", 10]}]})", R"({"n": [1, 20]})", true},
      {R"({"n": [{"numeric": [">", 10]}]})", R"({"n": [1, 2]})", false},
      // Nested objects and dotted keys address the same field.
      {R"({"detail": {"state": ["running"]}})", R"({"detail": {"state": "running"}})", true},
      {R"({"detail": {"state": ["running"]}})", R"({"detail": {"state": "stopped"}})", false},
      {R"({"detail": {"state": ["running"]}})", R"({"state": "running"})", false},
      {R"({"detail": {"state": ["running"]}})", R"({"detail": "running"})", false},
      {R"({"detail.state": ["running"]})", R"({"detail": {"state": "running"}})", true},
      {R"({"a": {"b.c": ["x"]}})", R"({"a": {"b": {"c": "x"}}})", true},
      // An object is never a value.
      {R"({"detail": ["x"]})", R"({"detail": {"x": 1}})", false},
      // Arrays of objects: the array is crushed out of the path.
      {R"({"items": {"sku": ["A1"]}})", R"({"items": [{"sku": "B2"}, {"sku": "A1"}]})", true},
      {R"({"items": {"sku": ["A1"]}})", R"({"items": [{"sku": "B2"}]})", false},
      // A later duplicate key replaces the earlier one, as Ruler's compiler does.
      {R"({"s": ["a"], "s": ["b"]})", R"({"s": "b"})", true},
      {R"({"s": ["a"], "s": ["b"]})", R"({"s": "a"})", false},
  });
}

TEST(EventPattern, FieldsUnderOneArrayMatchInTheSameElement) {
  const char* employees =
      R"({"employees": [{"first": "John", "last": "Doe"}, {"first": "Anna", "last": "Smith"},)"
      R"( {"first": "Peter", "last": "Jones"}]})";
  const char* nested =
      R"({"employees": [[{"first": "John", "last": "Doe"}, {"first": "Anna", "last": "Smith"}],)"
      R"( [{"first": "Peter", "last": "Jones"}]]})";
  expect_cases({
      {R"({"employees": {"first": ["Anna"]}})", employees, true},
      {R"({"employees": {"first": ["Anna"], "last": ["Smith"]}})", employees, true},
      {R"({"employees": {"first": ["Anna"], "last": ["Jones"]}})", employees, false},
      {R"({"employees": {"first": ["Anna"], "last": ["Smith"]}})", nested, true},
      {R"({"employees": {"first": ["Anna"], "last": ["Jones"]}})", nested, false},
      {R"({"employees": {"first": ["John"], "last": ["Doe"]}})", nested, true},
      // Operators, and fields at different depths under the same array.
      {R"({"o": {"sku": [{"prefix": "A"}], "q": {"n": [{"numeric": [">", 2]}]}}})",
       R"({"o": [{"sku": "A1", "q": {"n": 1}}, {"sku": "B1", "q": {"n": 5}}]})", false},
      {R"({"o": {"sku": [{"prefix": "A"}], "q": {"n": [{"numeric": [">", 2]}]}}})",
       R"({"o": [{"sku": "B1", "q": {"n": 5}}, {"sku": "A1", "q": {"n": 3}}]})", true},
      // Fields under different keys never constrain each other.
      {R"({"a": {"x": ["1"]}, "b": {"y": ["2"]}})", R"({"a": [{"x": "1"}], "b": [{"y": "2"}]})",
       true},
      // Inner arrays: siblings in one outer element, different inner arrays, still agree.
      {R"({"o": {"tags": ["t"], "id": ["1"]}})", R"({"o": [{"id": "1", "tags": ["u", "t"]}]})",
       true},
      // exists true takes part; exists false (absence) is exempt.
      {R"({"e": {"first": ["Anna"], "nick": [{"exists": true}]}})",
       R"({"e": [{"first": "Anna"}, {"first": "Bo", "nick": "b"}]})", false},
      {R"({"e": {"first": ["Anna"], "nick": [{"exists": false}]}})",
       R"({"e": [{"first": "Anna"}, {"first": "Bo"}]})", true},
      // $or branches are checked one by one.
      {R"({"employees": {"first": ["Anna"], "$or": [{"last": ["Jones"]}, {"last": ["Smith"]}]}})",
       employees, true},
      {R"({"e": {"first": ["Anna"], "$or": [{"last": ["Jones"]}, {"last": ["Doe"]}]}})",
       R"({"e": [{"first": "John", "last": "Doe"}, {"first": "Anna", "last": "Smith"}]})", false},
  });
}

TEST(EventPattern, StringOperators) {
  expect_cases({
      {R"({"t": [{"prefix": "2017-10-02"}]})", R"({"t": "2017-10-02T18:43:48Z"})", true},
      {R"({"t": [{"prefix": "2017-10-02"}]})", R"({"t": "2017-10-03T18:43:48Z"})", false},
      {R"({"t": [{"prefix": "1"}]})", R"({"t": 12})", false},
      {R"({"t": [{"prefix": {"equals-ignore-case": "EventB"}}]})", R"({"t": "eventbridge"})", true},
      {R"({"t": [{"prefix": {"equals-ignore-case": "EventB"}}]})", R"({"t": "xeventb"})", false},
      {R"({"f": [{"suffix": ".png"}]})", R"({"f": "a.png"})", true},
      {R"({"f": [{"suffix": ".png"}]})", R"({"f": "a.PNG"})", false},
      {R"({"f": [{"suffix": {"equals-ignore-case": ".PNG"}}]})", R"({"f": "a.png"})", true},
      {R"({"f": [{"suffix": {"equals-ignore-case": ".PNG"}}]})", R"({"f": "a.jpg"})", false},
      {R"({"n": [{"equals-ignore-case": "alice"}]})", R"({"n": "ALICE"})", true},
      {R"({"n": [{"equals-ignore-case": "alice"}]})", R"({"n": "alicia"})", false},
      {R"({"p": [{"wildcard": "dir/*.png"}]})", R"({"p": "dir/a/b.png"})", true},
      {R"({"p": [{"wildcard": "dir/*.png"}]})", R"({"p": "dir/a.jpg"})", false},
      {R"({"p": [{"wildcard": "a\\*b"}]})", R"({"p": "a*b"})", true},
      {R"({"p": [{"wildcard": "a\\*b"}]})", R"({"p": "axb"})", false},
      {R"({"p": [{"wildcard": "a\\\\*"}]})", R"({"p": "a\\tail"})", true},
      {R"({"p": [{"wildcard": "*"}]})", R"({"p": 5})", false},
  });
}

TEST(EventPattern, AnythingBut) {
  expect_cases({
      {R"({"s": [{"anything-but": "init"}]})", R"({"s": "running"})", true},
      {R"({"s": [{"anything-but": "init"}]})", R"({"s": "init"})", false},
      {R"({"s": [{"anything-but": "init"}]})", R"({})", false},
      {R"({"s": [{"anything-but": "init"}]})", R"({"s": null})", false},
      {R"({"s": [{"anything-but": ["stopped", "overloaded"]}]})", R"({"s": "ok"})", true},
      {R"({"s": [{"anything-but": ["stopped", "overloaded"]}]})", R"({"s": "stopped"})", false},
      {R"({"s": [{"anything-but": ["stopped"]}]})", R"({"s": ["stopped", "ok"]})", true},
      {R"({"x": [{"anything-but": 123}]})", R"({"x": 124})", true},
      {R"({"x": [{"anything-but": 123}]})", R"({"x": 1.23e2})", false},
      {R"({"x": [{"anything-but": [100, 200]}]})", R"({"x": 200})", false},
      {R"({"x": [{"anything-but": [100, 200]}]})", R"({"x": 150})", true},
      {R"({"s": [{"anything-but": {"prefix": "init"}}]})", R"({"s": "running"})", true},
      {R"({"s": [{"anything-but": {"prefix": "init"}}]})", R"({"s": "initializing"})", false},
      {R"({"s": [{"anything-but": {"prefix": "init"}}]})", R"({"s": 5})", false},
      {R"({"s": [{"anything-but": {"prefix": ["a", "b"]}}]})", R"({"s": "bx"})", false},
      {R"({"s": [{"anything-but": {"prefix": ["a", "b"]}}]})", R"({"s": "cx"})", true},
      {R"({"f": [{"anything-but": {"suffix": ".png"}}]})", R"({"f": "a.jpg"})", true},
      {R"({"f": [{"anything-but": {"suffix": ".png"}}]})", R"({"f": "a.png"})", false},
      {R"({"s": [{"anything-but": {"equals-ignore-case": "INIT"}}]})", R"({"s": "init"})", false},
      {R"({"s": [{"anything-but": {"equals-ignore-case": ["a", "B"]}}]})", R"({"s": "b"})", false},
      {R"({"s": [{"anything-but": {"equals-ignore-case": ["a", "B"]}}]})", R"({"s": "c"})", true},
      {R"({"p": [{"anything-but": {"wildcard": "*/lib/*"}}]})", R"({"p": "/usr/lib/x"})", false},
      {R"({"p": [{"anything-but": {"wildcard": "*/lib/*"}}]})", R"({"p": "/usr/bin/x"})", true},
      {R"({"p": [{"anything-but": {"wildcard": ["*/lib/*", "*/bin/*"]}}]})",
       R"({"p": "/usr/bin/x"})", false},
  });
}

TEST(EventPattern, NumericCidrExists) {
  expect_cases({
      {R"({"c": [{"numeric": [">", 0, "<=", 5]}]})", R"({"c": 5})", true},
      {R"({"c": [{"numeric": [">", 0, "<=", 5]}]})", R"({"c": 0})", false},
      {R"({"c": [{"numeric": [">", 0, "<=", 5]}]})", R"({"c": 5.000001})", false},
      {R"({"c": [{"numeric": [">=", 0, "<", 5]}]})", R"({"c": 0})", true},
      {R"({"c": [{"numeric": [">=", 0, "<", 5]}]})", R"({"c": 5})", false},
      {R"({"c": [{"numeric": ["<", 10]}]})", R"({"c": -3})", true},
      {R"({"c": [{"numeric": ["<=", 10]}]})", R"({"c": 10})", true},
      {R"({"c": [{"numeric": [">", 10]}]})", R"({"c": 10})", false},
      {R"({"c": [{"numeric": ["=", 3.018e2]}]})", R"({"c": 301.8})", true},
      {R"({"c": [{"numeric": ["=", 3.018e2]}]})", R"({"c": "301.8"})", false},
      {R"({"c": [{"numeric": [">", 0]}]})", R"({"c": 1e300})", true},
      {R"({"c": [{"numeric": [">=", -500000000000, "<=", 500000000000]}]})", R"({"c": 5e11})",
       true},
      {R"({"ip": [{"cidr": "10.0.0.0/24"}]})", R"({"ip": "10.0.0.255"})", true},
      {R"({"ip": [{"cidr": "10.0.0.0/24"}]})", R"({"ip": "10.0.1.0"})", false},
      {R"({"ip": [{"cidr": "10.0.0.0/24"}]})", R"({"ip": "host"})", false},
      {R"({"ip": [{"cidr": "2001:db8::/32"}]})", R"({"ip": "2001:db8:ffff::1"})", true},
      {R"({"ip": [{"cidr": "2001:db8::/32"}]})", R"({"ip": "2001:db9::1"})", false},
      {R"({"ip": [{"cidr": "2001:db8::/32"}]})", R"({"ip": "10.0.0.1"})", false},
      {R"({"s": [{"exists": true}]})", R"({"s": "x"})", true},
      {R"({"s": [{"exists": true}]})", R"({"s": null})", true},
      {R"({"s": [{"exists": true}]})", R"({"t": "x"})", false},
      {R"({"s": [{"exists": true}]})", R"({"s": {"nested": 1}})", false},  // leaves only
      {R"({"s": [{"exists": false}]})", R"({"t": "x"})", true},
      {R"({"s": [{"exists": false}]})", R"({"s": "x"})", false},
      {R"({"d": {"s": [{"exists": false}]}})", R"({"d": {"t": 1}})", true},
  });
}

TEST(EventPattern, OrAtAnyDepth) {
  const char* p = R"({"source": ["aws.cloudwatch"], "$or": [{"metricName": ["CPU", "Read"]},)"
                  R"( {"namespace": ["AWS/EC2"], "metricType": ["M"]}, {"scope": ["Service"]}]})";
  const char* nested =
      R"({"detail": {"$or": [{"c": [{"numeric": [">", 0, "<=", 5]}]}, {"d": [{"numeric": ["<", 10]}]},)"
      R"( {"$or": [{"x": ["1"]}, {"y": {"z": ["2"]}}]}]}})";
  expect_cases({
      {p, R"({"source": "aws.cloudwatch", "metricName": "Read"})", true},
      {p, R"({"source": "aws.cloudwatch", "namespace": "AWS/EC2", "metricType": "M"})", true},
      {p, R"({"source": "aws.cloudwatch", "namespace": "AWS/EC2"})", false},
      {p, R"({"source": "aws.cloudwatch", "scope": "Service"})", true},
      {p, R"({"source": "aws.other", "scope": "Service"})", false},
      {nested, R"({"detail": {"c": 3}})", true},
      {nested, R"({"detail": {"c": 7, "d": 11}})", false},
      {nested, R"({"detail": {"d": 9}})", true},
      {nested, R"({"detail": {"y": {"z": "2"}}})", true},
      {nested, R"({"detail": {"x": "2"}})", false},
      {nested, R"({"c": 3})", false},
  });
}

struct InvalidCase {
  const char* pattern;
  const char* reason;  // the whole reason after "Event pattern is not valid. Reason: "
};

TEST(EventPatternCompile, RejectsWhatRulerRejectsWithItsReason) {
  const std::vector<InvalidCase> cases = {
      {"not json", "Filter is not valid JSON"},
      {R"(["source"])", "Filter is not an object"},
      {R"("x")", "Filter is not an object"},
      {"{}", "Empty objects are not allowed"},
      {R"({"detail": {}})", "Empty objects are not allowed"},
      {R"({"source": "aws.ec2"})", R"("source" must be an object or an array)"},
      {R"({"source": 5})", R"("source" must be an object or an array)"},
      {R"({"source": []})", "Empty arrays are not allowed"},
      {R"({"source": [["a"]]})", "Match value must be String, number, true, false, or null"},
      {R"({"s": [{}]})", "Match expression name not found"},
      {R"({"s": [{"Prefix": "a"}]})", "Unrecognized match type Prefix"},
      {R"({"s": [{"contains": "a"}]})", "Unrecognized match type contains"},
      {R"({"s": [{"prefix": "a", "suffix": "b"}]})", "Only one key allowed in match expression"},
      {R"({"s": [{"prefix": 5}]})", "prefix match pattern must be a string"},
      {R"({"s": [{"prefix": {}}]})", "Prefix expression name not found"},
      {R"({"s": [{"prefix": {"suffix": "a"}}]})", "Unsupported prefix pattern: suffix"},
      {R"({"s": [{"prefix": {"equals-ignore-case": 1}}]})",
       "equals-ignore-case match pattern must be a string"},
      {R"({"s": [{"prefix": {"equals-ignore-case": "a", "x": 1}}]})",
       "Only one key allowed in match expression"},
      {R"({"s": [{"suffix": null}]})", "suffix match pattern must be a string"},
      {R"({"s": [{"suffix": {}}]})", "Suffix expression name not found"},
      {R"({"s": [{"suffix": {"prefix": "a"}}]})", "Unsupported suffix pattern: prefix"},
      {R"({"s": [{"equals-ignore-case": ["a"]}]})",
       "equals-ignore-case match pattern must be a string"},
      {R"({"s": [{"exactly": 1}]})", "exact match pattern must be a string"},
      {R"({"s": [{"wildcard": 1}]})", "wildcard match pattern must be a string"},
      {R"({"s": [{"wildcard": "a**b"}]})", "Consecutive wildcard characters at pos 2"},
      {R"({"s": [{"wildcard": "a\\b"}]})", "Invalid escape character at pos 2"},
      {R"({"s": [{"wildcard": "ab\\"}]})", "Invalid escape character at pos 3"},
      {R"({"s": [{"exists": "true"}]})", "exists match pattern must be either true or false."},
      {R"({"s": [{"exists": true, "prefix": "a"}]})", "Only one key allowed in match expression"},
      // numeric
      {R"({"n": [{"numeric": 5}]})", "Value of numeric must be an array."},
      {R"({"n": [{"numeric": []}]})", "Invalid member in numeric match: ]"},
      {R"({"n": [{"numeric": [5, "<"]}]})", "Invalid member in numeric match: 5"},
      {R"({"n": [{"numeric": ["!=", 5]}]})", "Unrecognized numeric range operator: !="},
      {R"({"n": [{"numeric": ["=", "5"]}]})", "Value of equals must be numeric"},
      {R"({"n": [{"numeric": ["<"]}]})", "Value of < must be numeric"},
      {R"({"n": [{"numeric": [">=", "a"]}]})", "Value of >= must be numeric"},
      {R"({"n": [{"numeric": ["=", 5, 6]}]})", "Too many elements in numeric expression"},
      {R"({"n": [{"numeric": ["<", 5, ">", 1]}]})", "Too many elements in numeric expression"},
      {R"({"n": [{"numeric": [">", 0, 5]}]})", "Bad value in numeric range: 5"},
      {R"({"n": [{"numeric": [">", 0, ">", 5]}]})", "Bad numeric range operator: >"},
      {R"({"n": [{"numeric": [">", 0, "<="]}]})", "Value of <= must be numeric"},
      {R"({"n": [{"numeric": [">", 0, "<", 5, 6]}]})",
       "Too many terms in numeric range expression"},
      {R"({"n": [{"numeric": [">", 5, "<", 5]}]})", "Bottom must be less than top"},
      {R"({"n": [{"numeric": [">", 5, "<", 1]}]})", "Bottom must be less than top"},
      {R"({"n": [{"numeric": [">", 0.1234567]}]})", "Only values upto 6 decimals are supported"},
      {R"({"n": [{"numeric": ["<", 5e12]}]})",
       "Value must be between -5.0E11 and 5.0E11, inclusive"},
      {R"({"n": [{"numeric": [">", -500000000001]}]})",
       "Value must be between -5.0E11 and 5.0E11, inclusive"},
      {R"({"n": [{"numeric": [">", 0], "x": 1}]})", "Too many elements in numeric expression"},
      // anything-but
      {R"({"s": [{"anything-but": null}]})",
       "Value of anything-but must be an array or single string/number value."},
      {R"({"s": [{"anything-but": true}]})",
       "Value of anything-but must be an array or single string/number value."},
      {R"({"s": [{"anything-but": [null]}]})",
       "Inside anything but list, start|null|boolean is not supported."},
      {R"({"s": [{"anything-but": ["a", 1]}]})",
       "Inside anything but list, either all values are number or string, mixed type is not "
       "supported"},
      {R"({"s": [{"anything-but": []}]})",
       "Inside anything but list, either all values are number or string, mixed type is not "
       "supported"},
      {R"({"s": [{"anything-but": [1.00000001]}]})", "Only values upto 6 decimals are supported"},
      {R"({"s": [{"anything-but": {}}]})", "Anything-But expression name not found"},
      {R"({"s": [{"anything-but": {"numeric": [">", 1]}}]})",
       "Unsupported anything-but pattern: numeric"},
      {R"({"s": [{"anything-but": {"prefix": {"a": 1}}}]})",
       "Value of anything-but must be an array or single string/number value."},
      {R"({"s": [{"anything-but": {"prefix": ""}}]})", "Null prefix/suffix not allowed"},
      {R"({"s": [{"anything-but": {"suffix": ["a", ""]}}]})", "Null prefix/suffix not allowed"},
      {R"({"s": [{"anything-but": {"prefix": 5}}]})",
       "prefix/suffix match pattern must be a string"},
      {R"({"s": [{"anything-but": {"equals-ignore-case": [5]}}]})",
       "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."},
      {R"({"s": [{"anything-but": {"wildcard": 5}}]})", "wildcard match pattern must be a string"},
      {R"({"s": [{"anything-but": {"wildcard": ["a", "b**"]}}]})",
       "Consecutive wildcard characters at pos 2"},
      {R"({"s": [{"anything-but": {"prefix": "a", "suffix": "b"}}]})",
       "Too many elements in numeric expression"},
      {R"({"s": [{"anything-but": "a", "prefix": "b"}]})",
       "Too many elements in numeric expression"},
      // cidr
      {R"({"ip": [{"cidr": 10}]})", "prefix match pattern must be a string"},
      {R"({"ip": [{"cidr": "10.0.0.0"}]})", "Malformed CIDR, one '/' required"},
      {R"({"ip": [{"cidr": "10.0.0.0/8/8"}]})", "Malformed CIDR, one '/' required"},
      {R"({"ip": [{"cidr": "10.0.0.0/x"}]})", "Malformed CIDR, mask bits must be an integer"},
      {R"({"ip": [{"cidr": "10.0.0.0/-1"}]})", "Malformed CIDR, mask bits must not be negative"},
      {R"({"ip": [{"cidr": "10.0.0.300/8"}]})", "Nonstandard IP address: 10.0.0.300"},
      {R"({"ip": [{"cidr": "10.0.0.0/32"}]})", "IPv4 mask bits must be < 32"},
      {R"({"ip": [{"cidr": "::/128"}]})", "IPv6 mask bits must be < 128"},
      // $or
      {R"({"$or": {"a": ["1"]}})", "It must be an Array followed with $or."},
      {R"({"$or": [{"a": ["1"]}]})", "There must have at least 2 Objects in $or relationship."},
      {R"({"$or": []})", "There must have at least 2 Objects in $or relationship."},
      {R"({"$or": [{"a": ["1"]}, "b"]})",
       "Only JSON object is allowed in array of $or relationship."},
      {R"({"$or": [{"a": ["1"]}, {}]})", "Empty objects are not allowed"},
      {R"({"$or": [{"a": ["1"]}, {"numeric": ["2"]}]})",
       "numeric is Ruler reserved fieldName which cannot be used inside $or."},
      {R"({"$or": [{"a": ["1"]}, {"b": {"prefix": ["2"]}}]})",
       "prefix is Ruler reserved fieldName which cannot be used inside $or."},
      {R"({"d": {"$or": [{"a": []}, {"b": ["2"]}]}})", "Empty arrays are not allowed"},
  };
  for (const auto& c : cases) {
    auto pattern = EventPattern::compile(c.pattern);
    ASSERT_FALSE(pattern.has_value()) << c.pattern;
    EXPECT_EQ(pattern.error().code, Errc::kInvalidEventPattern) << c.pattern;
    EXPECT_EQ(pattern.error().message,
              std::string("Event pattern is not valid. Reason: ") + c.reason)
        << c.pattern;
  }
}

TEST(EventPatternCompile, AcceptsReservedNamesOutsideOrAndLimitsAtTheEdge) {
  for (const char* ok : {
           R"({"prefix": ["a"]})",
           R"({"n": [{"numeric": [">=", -5e11, "<=", 5e11]}]})",
           R"({"n": [{"numeric": ["=", 0.000001]}]})",
           R"({"ip": [{"cidr": "10.0.0.0/31"}]})",
           R"({"ip": [{"cidr": "::/0"}]})",
           R"({"s": [{"anything-but": {"prefix": []}}]})",
           R"({"n": [1e300]})",
       }) {
    auto pattern = EventPattern::compile(ok);
    EXPECT_TRUE(pattern.has_value()) << ok << ": " << pattern.error().message;
  }
}

}  // namespace
}  // namespace eb::matching
