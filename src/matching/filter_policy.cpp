#include "matching/filter_policy.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "matching/pattern.hpp"

namespace eb::matching {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// AWS documents these limits (SNS developer guide, "Filter policy constraints").
constexpr std::size_t kMaxPolicyBytes = std::size_t{256} * 1024;
constexpr std::size_t kMaxKeys = 5;
constexpr std::uint64_t kMaxCombinations = 150;
constexpr double kMaxNumeric = 1e9;
// SNS compares numbers to five digits after the decimal point, so 3 and 3.000001 are equal.
constexpr int kNumericDigits = 5;

constexpr std::array<std::string_view, 7> kOperators = {
    "prefix", "suffix", "anything-but", "numeric", "exists", "equals-ignore-case", "cidr"};

const NumericScale& scale() {
  static const NumericScale kScale(kNumericDigits);
  return kScale;
}

std::unexpected<Error> invalid(std::string_view reason) {
  return fail(Errc::kInvalidParameterValue,
              fmt::format("Invalid parameter: FilterPolicy: {}", reason));
}

simdjson::dom::parser& policy_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

bool is_number(element e) {
  auto t = e.type();
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

Result<std::int64_t> policy_number(element e) {
  double v = 0;
  if (e.get_double().get(v))
    return invalid("Match value must be String, number, true, false, or null");
  if (!(v >= -kMaxNumeric && v <= kMaxNumeric)) {
    return invalid("Numeric values must be between -1.0E9 and 1.0E9");
  }
  return scale().fixed(v);
}

Result<Literal> literal_of(element e) {
  switch (e.type()) {
    case element_type::STRING:
      return Literal::of_string(std::string(e.get_string().value_unsafe()));
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: {
      EB_ASSIGN_OR_RETURN(const std::int64_t fixed, policy_number(e));
      return Literal::of_number(fixed);
    }
    case element_type::BOOL:
      return Literal::of_bool(e.get_bool().value_unsafe());
    case element_type::NULL_VALUE:
      return Literal::null();
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

// SNS's anything-but takes one string or number, a list of them, or {prefix} / {suffix}.
Result<Condition> compile_anything_but(element value) {
  std::vector<Condition> excluded;
  switch (value.type()) {
    case element_type::STRING:
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: {
      EB_ASSIGN_OR_RETURN(Literal literal, literal_of(value));
      excluded.push_back(Condition::equals(std::move(literal)));
      break;
    }
    case element_type::ARRAY: {
      auto array = value.get_array().value_unsafe();
      if (array.size() == 0) return invalid("Empty arrays are not allowed");
      for (element item : array) {
        if (item.type() != element_type::STRING && !is_number(item)) {
          return invalid("Inside anything but list, start|null|boolean is not supported.");
        }
        EB_ASSIGN_OR_RETURN(Literal literal, literal_of(item));
        excluded.push_back(Condition::equals(std::move(literal)));
      }
      break;
    }
    case element_type::OBJECT: {
      auto object = value.get_object().value_unsafe();
      if (object.size() != 1) return invalid("Only one key allowed in match expression");
      auto [op, operand] = *object.begin();
      if (op != "prefix" && op != "suffix") {
        return invalid(fmt::format("Unsupported anything-but pattern: {}", op));
      }
      EB_ASSIGN_OR_RETURN(std::string text, string_operand(operand, op));
      excluded.push_back(op == "prefix" ? Condition::prefix(std::move(text))
                                        : Condition::suffix(std::move(text)));
      break;
    }
    default:
      return invalid("Value of anything-but must be an array or single string/number value.");
  }
  return Condition::anything_but(std::move(excluded));
}

// ["=", 5], ["<", 5], [">", 0, "<=", 150]: one comparison, or a lower then an upper bound.
Result<Condition> compile_numeric(element value) {
  simdjson::dom::array array;
  if (value.get_array().get(array)) return invalid("Value of numeric must be an array.");
  std::vector<element> terms(array.begin(), array.end());
  if (terms.empty()) return invalid("Invalid member in numeric match: ]");
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
  EB_ASSIGN_OR_RETURN(const std::int64_t first, policy_number(terms[1]));
  NumericRange range;
  const bool inclusive = op.size() == 2;
  if (op == "=") {
    range.lower = range.upper = Bound{first, true};
  } else if (op[0] == '>') {
    range.lower = Bound{first, inclusive};
  } else {
    range.upper = Bound{first, inclusive};
  }
  if (terms.size() == 2) return Condition::numeric(range);
  if (!range.lower || range.upper) return invalid("Too many elements in numeric expression");
  std::string_view op2;
  if (terms[2].get_string().get(op2)) {
    return invalid(fmt::format("Bad value in numeric range: {}", simdjson::to_string(terms[2])));
  }
  if (op2 != "<" && op2 != "<=") return invalid(fmt::format("Bad numeric range operator: {}", op2));
  if (terms.size() < 4 || !is_number(terms[3])) {
    return invalid(fmt::format("Value of {} must be numeric", op2));
  }
  EB_ASSIGN_OR_RETURN(const std::int64_t second, policy_number(terms[3]));
  if (second <= first) return invalid("Bottom must be less than top");
  if (terms.size() > 4) return invalid("Too many terms in numeric range expression");
  range.upper = Bound{second, op2.size() == 2};
  return Condition::numeric(range);
}

Result<Condition> compile_cidr(element value) {
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
  auto network = parse_ip(ip);
  if (!network) return invalid(fmt::format("Nonstandard IP address: {}", ip));
  if (bits < 0 || bits > (network->v6 ? 128 : 32)) {
    return invalid(fmt::format("Malformed CIDR, mask bits out of range: {}", bits));
  }
  return Condition::cidr(*network, bits);
}

Result<Condition> compile_condition(element e) {
  if (e.type() != element_type::OBJECT) {
    EB_ASSIGN_OR_RETURN(Literal literal, literal_of(e));
    return Condition::equals(std::move(literal));
  }
  auto object = e.get_object().value_unsafe();
  if (object.size() != 1) return invalid("Only one key allowed in match expression");
  auto [op, value] = *object.begin();
  if (op == "prefix" || op == "suffix" || op == "equals-ignore-case") {
    EB_ASSIGN_OR_RETURN(std::string text, string_operand(value, op));
    if (op == "prefix") return Condition::prefix(std::move(text));
    if (op == "suffix") return Condition::suffix(std::move(text));
    return Condition::equals_ignore_case(std::move(text));
  }
  if (op == "anything-but") return compile_anything_but(value);
  if (op == "numeric") return compile_numeric(value);
  if (op == "cidr") return compile_cidr(value);
  if (op == "exists") {
    bool present = false;
    if (value.get_bool().get(present))
      return invalid("exists match pattern must be either true or false.");
    return Condition::exists(present);
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

std::vector<std::string> extended(const std::vector<std::string>& path, std::string_view key) {
  std::vector<std::string> out = path;
  out.emplace_back(key);
  return out;
}

// Compiles one object level found at `path` into `clause`: nested keys become longer field
// paths of the same clause, "$or" a group of clauses. `depth` is 1 at the root: AWS's
// combination count for body policies multiplies each array's length by the depth of its key.
Result<Stats> compile_object(simdjson::dom::object object, FilterPolicyScope scope, int depth,
                             const std::vector<std::string>& path, Clause& clause) {
  Stats stats;
  for (auto [key, value] : object) {
    if (is_or_group(key, value)) {
      std::vector<Clause> branches;
      std::uint64_t sum = 0;
      std::size_t max_keys = 0;
      const simdjson::dom::array items = value.get_array().value_unsafe();
      for (element item : items) {
        Clause branch;
        EB_ASSIGN_OR_RETURN(const Stats s, compile_object(item.get_object().value_unsafe(), scope,
                                                          depth, path, branch));
        sum = std::min<std::uint64_t>(sum + s.combinations, kMaxCombinations + 1);
        max_keys = std::max(max_keys, s.keys);
        branches.push_back(std::move(branch));
      }
      stats.combinations = saturating_mul(stats.combinations, sum);
      stats.keys += max_keys;
      clause.any_of.push_back(std::move(branches));
    } else if (value.type() == element_type::OBJECT) {
      if (scope == FilterPolicyScope::kMessageAttributes) {
        return fail(Errc::kInvalidParameterValue,
                    "Invalid parameter: Filter policy scope MessageAttributes does not support "
                    "nested filter policy");
      }
      EB_ASSIGN_OR_RETURN(const Stats s, compile_object(value.get_object().value_unsafe(), scope,
                                                        depth + 1, extended(path, key), clause));
      stats.combinations = saturating_mul(stats.combinations, s.combinations);
      stats.keys += 1;  // only top-level keys count for body policies
    } else if (value.type() == element_type::ARRAY) {
      auto array = value.get_array().value_unsafe();
      if (array.size() == 0) return invalid("Empty arrays are not allowed");
      Field field{extended(path, key), {}};
      for (element item : array) {
        EB_ASSIGN_OR_RETURN(Condition condition, compile_condition(item));
        field.any_of.push_back(std::move(condition));
      }
      std::uint64_t weight = array.size();
      if (scope == FilterPolicyScope::kMessageBody) weight *= static_cast<std::uint64_t>(depth);
      stats.combinations = saturating_mul(stats.combinations, weight);
      stats.keys += 1;
      clause.fields.push_back(std::move(field));
    } else {
      return invalid(fmt::format("\"{}\" must be an object or an array", key));
    }
  }
  return stats;
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
  Clause root;
  EB_ASSIGN_OR_RETURN(const Stats stats, compile_object(object, scope, 1, {}, root));
  if (stats.keys > kMaxKeys) return invalid("Filter policy can not have more than 5 keys");
  if (stats.combinations > kMaxCombinations) return invalid("Filter policy is too complex");
  return FilterPolicy(std::make_shared<const Pattern>(std::move(root), scale()), scope);
}

bool FilterPolicy::matches(const MessageAttributes& attributes) const {
  return pattern_->matches(attributes);
}

bool FilterPolicy::matches_body(std::string_view body) const {
  return pattern_->matches_json(body);
}

}  // namespace eb::matching
