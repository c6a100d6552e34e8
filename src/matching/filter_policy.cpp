#include "matching/filter_policy.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace eb::matching {
namespace filter_detail {

// A message value reduced to what patterns compare. Strings are views into the message
// (or into the parser that read it), valid only while one key is being matched.
struct Scalar {
  enum class Type { kString, kNumber, kBool, kNull };
  Type type = Type::kNull;
  std::string_view text;
  std::int64_t number = 0;  // fixed point, see quantize()
  bool boolean = false;
};

// A policy literal: owns its text, otherwise the same shape as Scalar.
struct Literal {
  Scalar::Type type = Scalar::Type::kNull;
  std::string text;
  std::int64_t number = 0;
  bool boolean = false;
};

enum class PatternKind {
  kExact,  // a literal string, number, true, false or null
  kPrefix,
  kSuffix,
  kEqualsIgnoreCase,
  kAnythingBut,  // none of `excluded`
  kAnythingButPrefix,
  kAnythingButSuffix,
  kNumeric,
  kExists,
  kCidr,
};

struct Pattern {
  PatternKind kind = PatternKind::kExact;
  Literal
      literal;  // kExact; the text of prefix/suffix/equals-ignore-case (lower-cased for the last)
  std::vector<Literal> excluded;
  bool has_lower = false;
  bool lower_inclusive = false;
  std::int64_t lower = 0;
  bool has_upper = false;
  bool upper_inclusive = false;
  std::int64_t upper = 0;
  bool exists = false;
  bool cidr_v6 = false;
  int cidr_bits = 0;
  std::array<std::uint8_t, 16> cidr_address{};
};

// One object level of the policy: its keys (AND) and its "$or" groups (each an OR of
// sub-policies evaluated against the same level of the message).
struct Entry;
struct Node {
  std::vector<Entry> entries;
  std::vector<std::vector<Node>> ors;
};

// A key either lists patterns (a leaf) or, in body scope, holds a nested policy.
struct Entry {
  std::string key;
  std::vector<Pattern> patterns;
  std::unique_ptr<Node> child;
};

}  // namespace filter_detail

namespace {

using filter_detail::Entry;
using filter_detail::Literal;
using filter_detail::Node;
using filter_detail::Pattern;
using filter_detail::PatternKind;
using filter_detail::Scalar;
using simdjson::dom::element;
using simdjson::dom::element_type;

// AWS documents these limits (SNS developer guide, "Filter policy constraints").
constexpr std::size_t kMaxPolicyBytes = std::size_t{256} * 1024;
constexpr std::size_t kMaxKeys = 5;
constexpr std::uint64_t kMaxCombinations = 150;
constexpr double kMaxNumeric = 1e9;
// Numbers compare with five digits after the decimal point, as AWS documents, so 3 and
// 3.000001 are equal. Fixed point makes equality exact instead of a float epsilon.
constexpr double kNumericScale = 1e5;
// Message numbers beyond the policy range clamp here; every policy value (at most 1e14 in
// fixed point) stays strictly inside, so comparisons keep their order.
constexpr std::int64_t kNumericClamp = 1'000'000'000'000'000'000;

constexpr std::array<std::string_view, 7> kOperators = {
    "prefix", "suffix", "anything-but", "numeric", "exists", "equals-ignore-case", "cidr"};

std::int64_t quantize(double v) {
  double scaled = std::round(v * kNumericScale);
  if (scaled >= static_cast<double>(kNumericClamp)) return kNumericClamp;
  if (scaled <= -static_cast<double>(kNumericClamp)) return -kNumericClamp;
  return static_cast<std::int64_t>(scaled);
}

std::unexpected<Error> invalid(std::string_view reason) {
  return fail(Errc::kInvalidParameterValue,
              fmt::format("Invalid parameter: FilterPolicy: {}", reason));
}

simdjson::dom::parser& policy_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

// One parser per purpose: a parse reuses its parser's buffers, so views taken from a body
// must never be invalidated by parsing a policy or a String.Array.
simdjson::dom::parser& body_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

simdjson::dom::parser& array_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool equals_ascii_lower(std::string_view value, std::string_view lower) {
  if (value.size() != lower.size()) return false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// Parses an IPv4 or IPv6 address; false when it is neither.
bool parse_ip(std::string_view text, bool& v6, std::array<std::uint8_t, 16>& bytes) {
  if (text.size() > 64) return false;
  std::string z(text);  // inet_pton wants a terminated string
  bytes.fill(0);
  if (inet_pton(AF_INET, z.c_str(), bytes.data()) == 1) {
    v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, z.c_str(), bytes.data()) == 1) {
    v6 = true;
    return true;
  }
  return false;
}

// ---- Compilation -------------------------------------------------------------------------

Result<double> policy_number(element e) {
  double v = 0;
  if (e.get_double().get(v))
    return invalid("Match value must be String, number, true, false, or null");
  if (!(v >= -kMaxNumeric && v <= kMaxNumeric)) {
    return invalid("Numeric values must be between -1.0E9 and 1.0E9");
  }
  return v;
}

Result<Literal> literal_of(element e) {
  Literal lit;
  switch (e.type()) {
    case element_type::STRING:
      lit.type = Scalar::Type::kString;
      lit.text = std::string(e.get_string().value_unsafe());
      return lit;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: {
      auto v = policy_number(e);
      if (!v) return std::unexpected(v.error());
      lit.type = Scalar::Type::kNumber;
      lit.number = quantize(*v);
      return lit;
    }
    case element_type::BOOL:
      lit.type = Scalar::Type::kBool;
      lit.boolean = e.get_bool().value_unsafe();
      return lit;
    case element_type::NULL_VALUE:
      lit.type = Scalar::Type::kNull;
      return lit;
    default:
      return invalid("Match value must be String, number, true, false, or null");
  }
}

Result<std::string> string_operand(element value, std::string_view op) {
  std::string_view s;
  if (value.get_string().get(s))
    return invalid(fmt::format("{} match pattern must be a string", op));
  return std::string(s);
}

Result<Pattern> compile_anything_but(element value) {
  Pattern p;
  p.kind = PatternKind::kAnythingBut;
  switch (value.type()) {
    case element_type::STRING:
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: {
      auto lit = literal_of(value);
      if (!lit) return std::unexpected(lit.error());
      p.excluded.push_back(std::move(*lit));
      return p;
    }
    case element_type::ARRAY: {
      auto array = value.get_array().value_unsafe();
      if (array.size() == 0) return invalid("Empty arrays are not allowed");
      for (element item : array) {
        auto t = item.type();
        if (t != element_type::STRING && t != element_type::INT64 && t != element_type::UINT64 &&
            t != element_type::DOUBLE) {
          return invalid("Inside anything but list, start|null|boolean is not supported.");
        }
        auto lit = literal_of(item);
        if (!lit) return std::unexpected(lit.error());
        p.excluded.push_back(std::move(*lit));
      }
      return p;
    }
    case element_type::OBJECT: {
      auto object = value.get_object().value_unsafe();
      if (object.size() != 1) return invalid("Only one key allowed in match expression");
      auto [op, operand] = *object.begin();
      if (op != "prefix" && op != "suffix") {
        return invalid(fmt::format("Unsupported anything-but pattern: {}", op));
      }
      auto text = string_operand(operand, op);
      if (!text) return std::unexpected(text.error());
      p.kind = op == "prefix" ? PatternKind::kAnythingButPrefix : PatternKind::kAnythingButSuffix;
      p.literal.type = Scalar::Type::kString;
      p.literal.text = std::move(*text);
      return p;
    }
    default:
      return invalid("Value of anything-but must be an array or single string/number value.");
  }
}

bool is_number(element e) {
  auto t = e.type();
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

// ["=", 5], ["<", 5], [">", 0, "<=", 150]: one comparison, or a lower then an upper bound.
Result<Pattern> compile_numeric(element value) {
  simdjson::dom::array array;
  if (value.get_array().get(array)) return invalid("Value of numeric must be an array.");
  std::vector<element> terms(array.begin(), array.end());
  if (terms.empty()) return invalid("Invalid member in numeric match: ]");
  Pattern p;
  p.kind = PatternKind::kNumeric;
  std::string_view op;
  if (terms[0].get_string().get(op)) {
    return invalid(
        fmt::format("Invalid member in numeric match: {}", simdjson::to_string(terms[0])));
  }
  if (op != "=" && op != "<" && op != "<=" && op != ">" && op != ">=") {
    return invalid(fmt::format("Unrecognized numeric range operator: {}", op));
  }
  if (terms.size() < 2 || !is_number(terms[1])) {
    return invalid(fmt::format("Value of {} must be numeric", op == "=" ? "equals" : op));
  }
  auto first = policy_number(terms[1]);
  if (!first) return std::unexpected(first.error());
  std::int64_t v = quantize(*first);
  if (op == "=") {
    p.has_lower = p.has_upper = p.lower_inclusive = p.upper_inclusive = true;
    p.lower = p.upper = v;
  } else if (op[0] == '>') {
    p.has_lower = true;
    p.lower_inclusive = op.size() == 2;
    p.lower = v;
  } else {
    p.has_upper = true;
    p.upper_inclusive = op.size() == 2;
    p.upper = v;
  }
  if (terms.size() == 2) return p;
  if (!p.has_lower || p.has_upper) return invalid("Too many elements in numeric expression");
  std::string_view op2;
  if (terms[2].get_string().get(op2)) {
    return invalid(fmt::format("Bad value in numeric range: {}", simdjson::to_string(terms[2])));
  }
  if (op2 != "<" && op2 != "<=") return invalid(fmt::format("Bad numeric range operator: {}", op2));
  if (terms.size() < 4 || !is_number(terms[3])) {
    return invalid(fmt::format("Value of {} must be numeric", op2));
  }
  auto second = policy_number(terms[3]);
  if (!second) return std::unexpected(second.error());
  p.has_upper = true;
  p.upper_inclusive = op2.size() == 2;
  p.upper = quantize(*second);
  if (p.upper <= p.lower) return invalid("Bottom must be less than top");
  if (terms.size() > 4) return invalid("Too many terms in numeric range expression");
  return p;
}

Result<Pattern> compile_cidr(element value) {
  std::string_view text;
  // AWS answers a non-string cidr with the prefix wording; kept for clients that match on it.
  if (value.get_string().get(text)) return invalid("prefix match pattern must be a string");
  auto slash = text.find('/');
  if (slash == std::string_view::npos || text.find('/', slash + 1) != std::string_view::npos) {
    return invalid("Malformed CIDR, one '/' required");
  }
  std::string_view ip = text.substr(0, slash);
  std::string_view mask = text.substr(slash + 1);
  int bits = -1;
  auto [end, ec] = std::from_chars(mask.data(), mask.data() + mask.size(), bits);
  if (mask.empty() || ec != std::errc{} || end != mask.data() + mask.size()) {
    return invalid("Malformed CIDR, mask bits must be an integer");
  }
  Pattern p;
  p.kind = PatternKind::kCidr;
  if (!parse_ip(ip, p.cidr_v6, p.cidr_address)) {
    return invalid(fmt::format("Nonstandard IP address: {}", ip));
  }
  if (bits < 0 || bits > (p.cidr_v6 ? 128 : 32)) {
    return invalid(fmt::format("Malformed CIDR, mask bits out of range: {}", bits));
  }
  p.cidr_bits = bits;
  return p;
}

Result<Pattern> compile_pattern(element e) {
  if (e.type() != element_type::OBJECT) {
    auto lit = literal_of(e);
    if (!lit) return std::unexpected(lit.error());
    Pattern p;
    p.kind = PatternKind::kExact;
    p.literal = std::move(*lit);
    return p;
  }
  auto object = e.get_object().value_unsafe();
  if (object.size() != 1) return invalid("Only one key allowed in match expression");
  auto [op, value] = *object.begin();
  Pattern p;
  if (op == "prefix" || op == "suffix" || op == "equals-ignore-case") {
    auto text = string_operand(value, op);
    if (!text) return std::unexpected(text.error());
    p.kind = op == "prefix"   ? PatternKind::kPrefix
             : op == "suffix" ? PatternKind::kSuffix
                              : PatternKind::kEqualsIgnoreCase;
    p.literal.type = Scalar::Type::kString;
    p.literal.text =
        p.kind == PatternKind::kEqualsIgnoreCase ? ascii_lower(*text) : std::move(*text);
    return p;
  }
  if (op == "anything-but") return compile_anything_but(value);
  if (op == "numeric") return compile_numeric(value);
  if (op == "cidr") return compile_cidr(value);
  if (op == "exists") {
    bool b = false;
    if (value.get_bool().get(b))
      return invalid("exists match pattern must be either true or false.");
    p.kind = PatternKind::kExists;
    p.exists = b;
    return p;
  }
  return invalid(fmt::format("Unrecognized match type {}", op));
}

// AWS treats "$or" as an operator only when its value is an array of at least two objects
// none of which uses an operator name as a key; otherwise it is an ordinary key.
bool is_or_group(std::string_view key, element value) {
  if (key != "$or") return false;
  simdjson::dom::array array;
  if (value.get_array().get(array) || array.size() < 2) return false;
  for (element item : array) {
    simdjson::dom::object object;
    if (item.get_object().get(object)) return false;
    for (auto field : object) {
      if (std::find(kOperators.begin(), kOperators.end(), field.key) != kOperators.end()) {
        return false;
      }
    }
  }
  return true;
}

struct Stats {
  std::uint64_t combinations = 1;
  std::size_t keys = 0;  // keys that count toward the five-key limit
};

std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  constexpr std::uint64_t kCap = 1'000'000'000;  // anything above the limit is "too complex"
  return (a > kCap || b > kCap || a * b > kCap) ? kCap + 1 : a * b;
}

// Compiles one object level. `depth` is 1 at the root: AWS's combination count for body
// policies multiplies each array's length by the depth of its key.
Result<Stats> compile_object(simdjson::dom::object object, FilterPolicyScope scope, int depth,
                             Node& node) {
  Stats stats;
  for (auto [key, value] : object) {
    if (is_or_group(key, value)) {
      std::vector<Node> branches;
      std::uint64_t sum = 0;
      std::size_t max_keys = 0;
      const simdjson::dom::array items = value.get_array().value_unsafe();
      for (element item : items) {
        Node branch;
        auto s = compile_object(item.get_object().value_unsafe(), scope, depth, branch);
        if (!s) return s;
        sum = std::min<std::uint64_t>(sum + s->combinations, kMaxCombinations + 1);
        max_keys = std::max(max_keys, s->keys);
        branches.push_back(std::move(branch));
      }
      stats.combinations = saturating_mul(stats.combinations, sum);
      stats.keys += max_keys;
      node.ors.push_back(std::move(branches));
      continue;
    }
    Entry entry;
    entry.key = std::string(key);
    if (value.type() == element_type::OBJECT) {
      if (scope == FilterPolicyScope::kMessageAttributes) {
        return fail(Errc::kInvalidParameterValue,
                    "Invalid parameter: Filter policy scope MessageAttributes does not support "
                    "nested filter policy");
      }
      entry.child = std::make_unique<Node>();
      auto s = compile_object(value.get_object().value_unsafe(), scope, depth + 1, *entry.child);
      if (!s) return s;
      stats.combinations = saturating_mul(stats.combinations, s->combinations);
      stats.keys += 1;  // only top-level keys count for body policies
    } else if (value.type() == element_type::ARRAY) {
      auto array = value.get_array().value_unsafe();
      if (array.size() == 0) return invalid("Empty arrays are not allowed");
      for (element item : array) {
        auto p = compile_pattern(item);
        if (!p) return std::unexpected(p.error());
        entry.patterns.push_back(std::move(*p));
      }
      std::uint64_t weight = array.size();
      if (scope == FilterPolicyScope::kMessageBody) weight *= static_cast<std::uint64_t>(depth);
      stats.combinations = saturating_mul(stats.combinations, weight);
      stats.keys += 1;
    } else {
      return invalid(fmt::format("\"{}\" must be an object or an array", key));
    }
    node.entries.push_back(std::move(entry));
  }
  return stats;
}

// ---- Matching ----------------------------------------------------------------------------

bool literal_equals(const Literal& lit, const Scalar& v) {
  if (lit.type != v.type) return false;
  switch (v.type) {
    case Scalar::Type::kString:
      return lit.text == v.text;
    case Scalar::Type::kNumber:
      return lit.number == v.number;
    case Scalar::Type::kBool:
      return lit.boolean == v.boolean;
    case Scalar::Type::kNull:
      return true;
  }
  return false;
}

bool cidr_contains(const Pattern& p, std::string_view text) {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};
  if (!parse_ip(text, v6, bytes) || v6 != p.cidr_v6) return false;
  int full = p.cidr_bits / 8;
  if (!std::equal(bytes.begin(), bytes.begin() + full, p.cidr_address.begin())) return false;
  int rest = p.cidr_bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (bytes[full] & mask) == (p.cidr_address[full] & mask);
}

bool matches_value(const Pattern& p, const Scalar& v) {
  bool is_string = v.type == Scalar::Type::kString;
  switch (p.kind) {
    case PatternKind::kExact:
      return literal_equals(p.literal, v);
    case PatternKind::kPrefix:
      return is_string && v.text.starts_with(p.literal.text);
    case PatternKind::kSuffix:
      return is_string && v.text.ends_with(p.literal.text);
    case PatternKind::kEqualsIgnoreCase:
      return is_string && equals_ascii_lower(v.text, p.literal.text);
    case PatternKind::kAnythingBut:
      if (!is_string && v.type != Scalar::Type::kNumber) return false;
      return std::none_of(p.excluded.begin(), p.excluded.end(),
                          [&](const Literal& lit) { return literal_equals(lit, v); });
    case PatternKind::kAnythingButPrefix:
      return is_string && !v.text.starts_with(p.literal.text);
    case PatternKind::kAnythingButSuffix:
      return is_string && !v.text.ends_with(p.literal.text);
    case PatternKind::kNumeric:
      if (v.type != Scalar::Type::kNumber) return false;
      if (p.has_lower && (p.lower_inclusive ? v.number < p.lower : v.number <= p.lower))
        return false;
      if (p.has_upper && (p.upper_inclusive ? v.number > p.upper : v.number >= p.upper))
        return false;
      return true;
    case PatternKind::kCidr:
      return is_string && cidr_contains(p, v.text);
    case PatternKind::kExists:
      return false;  // decided on presence, in matches_key
  }
  return false;
}

bool matches_key(const std::vector<Pattern>& patterns, std::span<const Scalar> values,
                 bool present) {
  for (const Pattern& p : patterns) {
    if (p.kind == PatternKind::kExists) {
      if (p.exists == present) return true;
      continue;
    }
    for (const Scalar& v : values) {
      if (matches_value(p, v)) return true;
    }
  }
  return false;
}

std::optional<Scalar> scalar_of(element e) {
  Scalar s;
  switch (e.type()) {
    case element_type::STRING:
      s.type = Scalar::Type::kString;
      s.text = e.get_string().value_unsafe();
      return s;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      s.type = Scalar::Type::kNumber;
      s.number = quantize(e.get_double().value_unsafe());
      return s;
    case element_type::BOOL:
      s.type = Scalar::Type::kBool;
      s.boolean = e.get_bool().value_unsafe();
      return s;
    case element_type::NULL_VALUE:
      s.type = Scalar::Type::kNull;
      return s;
    default:
      return std::nullopt;
  }
}

// --- MessageAttributes scope ---

bool evaluate_key(const Entry& entry, const MessageAttributes& attributes) {
  auto it = attributes.find(entry.key);
  if (it == attributes.end() || it->second.is_binary()) {
    return matches_key(entry.patterns, {}, false);
  }
  const MessageAttributeValue& attr = it->second;
  std::vector<Scalar> values;
  if (attr.data_type.starts_with("String.Array")) {
    // Each element counts on its own; a value that is not a JSON array holds no elements.
    element doc;
    if (!array_parser().parse(attr.string_value).get(doc) && doc.is_array()) {
      const simdjson::dom::array items = doc.get_array().value_unsafe();
      for (element item : items) {
        if (auto s = scalar_of(item)) values.push_back(*s);
      }
    }
  } else if (attr.data_type.starts_with("Number")) {
    double d = 0;
    const std::string& text = attr.string_value;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ec == std::errc{} && end == text.data() + text.size() && std::isfinite(d)) {
      values.push_back(Scalar{Scalar::Type::kNumber, {}, quantize(d), false});
    }
  } else {
    values.push_back(Scalar{Scalar::Type::kString, attr.string_value, 0, false});
  }
  return matches_key(entry.patterns, values, true);
}

bool evaluate(const Node& node, const MessageAttributes& attributes) {
  for (const Entry& entry : node.entries) {
    if (!evaluate_key(entry, attributes)) return false;
  }
  for (const auto& group : node.ors) {
    bool any = std::any_of(group.begin(), group.end(),
                           [&](const Node& branch) { return evaluate(branch, attributes); });
    if (!any) return false;
  }
  return true;
}

// --- MessageBody scope ---

// Leaf values under `e`, arrays flattened at any depth; objects are not leaf values.
void collect_scalars(element e, std::vector<Scalar>& out) {
  if (e.is_array()) {
    const simdjson::dom::array items = e.get_array().value_unsafe();
    for (element item : items) collect_scalars(item, out);
    return;
  }
  if (auto s = scalar_of(e)) out.push_back(*s);
}

void collect_objects(element e, std::vector<simdjson::dom::object>& out) {
  if (e.is_array()) {
    const simdjson::dom::array items = e.get_array().value_unsafe();
    for (element item : items) collect_objects(item, out);
    return;
  }
  simdjson::dom::object object;
  if (!e.get_object().get(object)) out.push_back(object);
}

// `contexts` are the body objects at this level of the policy; several when the body
// holds an array of objects there. Each key is matched across all of them.
bool evaluate(const Node& node, std::span<const simdjson::dom::object> contexts) {
  for (const Entry& entry : node.entries) {
    if (entry.child) {
      std::vector<simdjson::dom::object> children;
      for (auto object : contexts) {
        element e;
        if (!object.at_key(entry.key).get(e)) collect_objects(e, children);
      }
      if (!evaluate(*entry.child, children)) return false;
      continue;
    }
    std::vector<Scalar> values;
    for (auto object : contexts) {
      element e;
      if (!object.at_key(entry.key).get(e)) collect_scalars(e, values);
    }
    if (!matches_key(entry.patterns, values, !values.empty())) return false;
  }
  for (const auto& group : node.ors) {
    bool any = std::any_of(group.begin(), group.end(),
                           [&](const Node& branch) { return evaluate(branch, contexts); });
    if (!any) return false;
  }
  return true;
}

}  // namespace

Result<FilterPolicy> FilterPolicy::compile(std::string_view json, FilterPolicyScope scope) {
  if (json.size() > kMaxPolicyBytes) return invalid("Filter policy is too large");
  element doc;
  if (policy_parser().parse(json.data(), json.size()).get(doc)) {
    return invalid("failed to parse JSON.");
  }
  simdjson::dom::object object;
  if (doc.get_object().get(object)) return invalid("Filter policy must be a JSON object");
  auto root = std::make_shared<Node>();
  auto stats = compile_object(object, scope, 1, *root);
  if (!stats) return std::unexpected(stats.error());
  if (stats->keys > kMaxKeys) return invalid("Filter policy can not have more than 5 keys");
  if (stats->combinations > kMaxCombinations) return invalid("Filter policy is too complex");
  return FilterPolicy(std::move(root), scope);
}

bool FilterPolicy::matches(const MessageAttributes& attributes) const {
  return evaluate(*root_, attributes);
}

bool FilterPolicy::matches_body(std::string_view body) const {
  element doc;
  if (body_parser().parse(body.data(), body.size()).get(doc)) return false;
  simdjson::dom::object object;
  if (doc.get_object().get(object)) return false;
  std::array<simdjson::dom::object, 1> contexts{object};
  return evaluate(*root_, contexts);
}

}  // namespace eb::matching
