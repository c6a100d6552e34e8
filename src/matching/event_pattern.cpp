#include "matching/event_pattern.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "matching/pattern.hpp"

namespace eb::matching {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Ruler has widened its numbers over time: ±5e9 with six decimals (what EventBridge's guide
// still cites, as ±1e9), then ±5e11 with six decimals (Ruler 1.8), then any double (1.8.1+),
// which fixed point cannot hold. We take Ruler 1.8's range and precision: a superset of what
// the guide promises, exact at six decimals, and its operands reach at most 5e17 in fixed
// point, strictly inside NumericScale's clamp.
constexpr int kNumericDigits = 6;
constexpr double kNumericLimit = 5e11;

// Field names Ruler refuses inside `$or` branches, at any depth, so they cannot be mistaken
// for operators.
constexpr std::array<std::string_view, 14> kReservedInOr = {"exactly",
                                                            "equals-ignore-case",
                                                            "prefix",
                                                            "suffix",
                                                            "anything-but",
                                                            "exists",
                                                            "wildcard",
                                                            "numeric",
                                                            "cidr",
                                                            "=",
                                                            "<",
                                                            "<=",
                                                            ">",
                                                            ">="};

const NumericScale& scale() {
  static const NumericScale kScale(kNumericDigits);
  return kScale;
}

std::unexpected<Error> invalid(std::string_view reason) {
  return fail(Errc::kInvalidEventPattern,
              fmt::format("Event pattern is not valid. Reason: {}", reason));
}

simdjson::dom::parser& pattern_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

bool is_number(element e) {
  const auto t = e.type();
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

// What Ruler's messages quote for a token: containers by their opening bracket, as its
// streaming parser sees them.
std::string token_text(element e) {
  switch (e.type()) {
    case element_type::ARRAY:
      return "[";
    case element_type::OBJECT:
      return "{";
    case element_type::STRING:
      return std::string(e.get_string().value_unsafe());
    default:
      return simdjson::to_string(e);
  }
}

// A number Ruler can compare (numeric operands, anything-but numbers).
Result<std::int64_t> comparable_number(element e) {
  const double v = e.get_double().value_unsafe();
  const double scaled = v * std::pow(10.0, kNumericDigits);
  // The product carries the binary rounding of both factors; a seventh decimal is far above it.
  if (std::abs(scaled - std::round(scaled)) > std::abs(scaled) * 1e-15 + 1e-9) {
    return invalid("Only values upto 6 decimals are supported");
  }
  if (!(v >= -kNumericLimit && v <= kNumericLimit)) {
    return invalid("Value must be between -5.0E11 and 5.0E11, inclusive");
  }
  return scale().fixed(v);
}

Result<std::string> string_operand(element value, std::string_view what) {
  std::string_view s;
  if (value.get_string().get(s))
    return invalid(fmt::format("{} match pattern must be a string", what));
  return std::string(s);
}

// The object's single key and value; Ruler reports a missing name with `missing`.
Result<std::pair<std::string_view, element>> only_member(simdjson::dom::object object,
                                                         std::string_view missing) {
  if (object.size() == 0) return invalid(missing);
  auto [key, value] = *object.begin();
  return std::pair{key, value};
}

// Ruler checks for a second key only after compiling the first one's value.
Result<Condition> single_key(
    simdjson::dom::object object, Result<Condition> compiled,
    std::string_view too_many = "Only one key allowed in match expression") {
  if (!compiled) return compiled;
  if (object.size() > 1) return invalid(too_many);
  return compiled;
}

// "Consecutive wildcard characters at pos N" / "Invalid escape character at pos N", where N
// counts from the opening quote Ruler keeps in front of the text.
std::string wildcard_reason(std::string_view text, WildcardError error) {
  std::size_t at = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool next_star = i + 1 < text.size() && text[i + 1] == '*';
    if (text[i] == '*' && next_star && error == WildcardError::kConsecutiveStars) {
      at = i;
      break;
    }
    if (text[i] == '\\') {
      if (next_star || (i + 1 < text.size() && text[i + 1] == '\\')) {
        ++i;
        continue;
      }
      if (error == WildcardError::kBadEscape) {
        at = i;
        break;
      }
    }
  }
  return fmt::format("{} at pos {}",
                     error == WildcardError::kConsecutiveStars ? "Consecutive wildcard characters"
                                                               : "Invalid escape character",
                     at + 1);
}

Result<Condition> wildcard(std::string_view text) {
  auto condition = Condition::wildcard(text);
  if (!condition) return invalid(wildcard_reason(text, condition.error()));
  return std::move(*condition);
}

Result<Condition> compile_cidr(element value) {
  // Ruler answers a non-string cidr with the prefix wording.
  EB_ASSIGN_OR_RETURN(const std::string text, string_operand(value, "prefix"));
  const auto slash = text.find('/');
  if (slash == std::string::npos || slash + 1 == text.size() ||
      text.find('/', slash + 1) != std::string::npos) {
    return invalid("Malformed CIDR, one '/' required");
  }
  const std::string_view ip = std::string_view(text).substr(0, slash);
  const std::string_view mask = std::string_view(text).substr(slash + 1);
  int bits = 0;
  const char* begin = mask.data() + (mask.front() == '+' ? 1 : 0);
  auto [end, ec] = std::from_chars(begin, mask.data() + mask.size(), bits);
  if (begin == mask.data() + mask.size() || ec != std::errc{} || end != mask.data() + mask.size()) {
    return invalid("Malformed CIDR, mask bits must be an integer");
  }
  if (bits < 0) return invalid("Malformed CIDR, mask bits must not be negative");
  auto network = parse_ip(ip);
  if (!network) return invalid(fmt::format("Nonstandard IP address: {}", ip));
  // Ruler refuses a full-length mask (/32, /128); a single address is written without one.
  if (!network->v6 && bits > 31) return invalid("IPv4 mask bits must be < 32");
  if (network->v6 && bits > 127) return invalid("IPv6 mask bits must be < 128");
  return Condition::cidr(*network, bits);
}

// ["=", 5], ["<", 5], [">", 0, "<=", 150]: one comparison, or a lower then an upper bound.
// Ruler reads the whole expression before it converts the numbers, so shape errors come first.
Result<Condition> compile_numeric(element value) {
  simdjson::dom::array array;
  if (value.get_array().get(array)) return invalid("Value of numeric must be an array.");
  const std::vector<element> terms(array.begin(), array.end());
  std::string_view op;
  if (terms.empty()) return invalid("Invalid member in numeric match: ]");
  if (terms[0].get_string().get(op)) {
    return invalid(fmt::format("Invalid member in numeric match: {}", token_text(terms[0])));
  }
  if (op != "=" && op != "<" && op != "<=" && op != ">" && op != ">=") {
    return invalid(fmt::format("Unrecognized numeric range operator: {}", op));
  }
  if (terms.size() < 2 || !is_number(terms[1])) {
    return invalid(fmt::format("Value of {} must be numeric", op == "=" ? "equals" : op));
  }
  std::string_view op2;
  if (terms.size() > 2) {
    if (op[0] != '>') return invalid("Too many elements in numeric expression");
    if (terms[2].get_string().get(op2)) {
      return invalid(fmt::format("Bad value in numeric range: {}", token_text(terms[2])));
    }
    if (op2 != "<" && op2 != "<=") {
      return invalid(fmt::format("Bad numeric range operator: {}", op2));
    }
    if (terms.size() < 4 || !is_number(terms[3])) {
      return invalid(fmt::format("Value of {} must be numeric", op2));
    }
    if (terms.size() > 4) return invalid("Too many terms in numeric range expression");
  }
  EB_ASSIGN_OR_RETURN(const std::int64_t first, comparable_number(terms[1]));
  const Bound bound{first, op == "=" || op.size() == 2};
  NumericRange range;
  if (op == "=") {
    range.lower = range.upper = bound;
  } else if (op[0] == '>') {
    range.lower = bound;
  } else {
    range.upper = bound;
  }
  if (!op2.empty()) {
    EB_ASSIGN_OR_RETURN(const std::int64_t second, comparable_number(terms[3]));
    if (second <= first) return invalid("Bottom must be less than top");
    range.upper = Bound{second, op2.size() == 2};
  }
  return Condition::numeric(range);
}

// anything-but with a plain value or list: strings or numbers, one kind per list.
Result<Condition> anything_but_values(element value) {
  std::vector<Condition> excluded;
  bool strings = false;
  bool numbers = false;
  auto add = [&](element item) -> Result<void> {
    if (item.type() == element_type::STRING) {
      strings = true;
      excluded.push_back(
          Condition::equals(Literal::of_string(std::string(item.get_string().value_unsafe()))));
      return {};
    }
    if (!is_number(item)) {
      return invalid("Inside anything but list, start|null|boolean is not supported.");
    }
    numbers = true;
    EB_ASSIGN_OR_RETURN(const std::int64_t fixed, comparable_number(item));
    excluded.push_back(Condition::equals(Literal::of_number(fixed)));
    return {};
  };
  if (value.type() == element_type::ARRAY) {
    const simdjson::dom::array items = value.get_array().value_unsafe();
    for (element item : items) EB_TRY(add(item));
    if (strings == numbers) {
      return invalid(
          "Inside anything but list, either all values are number or string, mixed type is not "
          "supported");
    }
  } else {
    EB_TRY(add(value));
  }
  return Condition::anything_but(std::move(excluded));
}

// anything-but over {prefix | suffix | equals-ignore-case | wildcard}: one string or a list.
Result<Condition> anything_but_operator(std::string_view op, element value) {
  std::vector<Condition> excluded;
  auto add = [&](element item) -> Result<void> {
    std::string_view text;
    if (item.get_string().get(text)) {
      if (op == "equals-ignore-case") {
        return invalid(
            "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not "
            "supported.");
      }
      return invalid(op == "wildcard" ? "wildcard match pattern must be a string"
                                      : "prefix/suffix match pattern must be a string");
    }
    if ((op == "prefix" || op == "suffix") && text.empty()) {
      return invalid("Null prefix/suffix not allowed");
    }
    if (op == "prefix") {
      excluded.push_back(Condition::prefix(std::string(text)));
    } else if (op == "suffix") {
      excluded.push_back(Condition::suffix(std::string(text)));
    } else if (op == "equals-ignore-case") {
      excluded.push_back(Condition::equals_ignore_case(std::string(text)));
    } else {
      EB_ASSIGN_OR_RETURN(Condition condition, wildcard(text));
      excluded.push_back(std::move(condition));
    }
    return {};
  };
  if (value.type() == element_type::ARRAY) {
    const simdjson::dom::array items = value.get_array().value_unsafe();
    for (element item : items) EB_TRY(add(item));
  } else {
    EB_TRY(add(value));
  }
  return Condition::anything_but(std::move(excluded));
}

bool scalar_or_list(element value) {
  return value.type() == element_type::ARRAY || value.type() == element_type::STRING ||
         is_number(value);
}

Result<Condition> compile_anything_but(element value) {
  constexpr std::string_view kBadValue =
      "Value of anything-but must be an array or single string/number value.";
  constexpr std::string_view kTooMany = "Too many elements in numeric expression";
  simdjson::dom::object object;
  if (value.get_object().get(object)) {
    if (!scalar_or_list(value)) return invalid(kBadValue);
    return anything_but_values(value);
  }
  EB_ASSIGN_OR_RETURN(auto member, only_member(object, "Anything-But expression name not found"));
  auto [op, operand] = member;
  if (op != "equals-ignore-case" && op != "prefix" && op != "suffix" && op != "wildcard") {
    return invalid(fmt::format("Unsupported anything-but pattern: {}", op));
  }
  if (!scalar_or_list(operand)) return invalid(kBadValue);
  return single_key(object, anything_but_operator(op, operand), kTooMany);
}

// {"prefix": {"equals-ignore-case": "x"}} and its suffix twin.
Result<Condition> ignore_case_affix(std::string_view op, simdjson::dom::object object) {
  const std::string name = op == "prefix" ? "Prefix" : "Suffix";
  EB_ASSIGN_OR_RETURN(auto member, only_member(object, name + " expression name not found"));
  auto [inner, operand] = member;
  if (inner != "equals-ignore-case") {
    return invalid(fmt::format("Unsupported {} pattern: {}", op, inner));
  }
  EB_ASSIGN_OR_RETURN(std::string text, string_operand(operand, "equals-ignore-case"));
  return single_key(object, op == "prefix" ? Condition::prefix_ignore_case(std::move(text))
                                           : Condition::suffix_ignore_case(std::move(text)));
}

Result<Condition> compile_operator(std::string_view op, element value) {
  if (op == "prefix" || op == "suffix") {
    simdjson::dom::object inner;
    if (!value.get_object().get(inner)) return ignore_case_affix(op, inner);
    EB_ASSIGN_OR_RETURN(std::string text, string_operand(value, op));
    return op == "prefix" ? Condition::prefix(std::move(text)) : Condition::suffix(std::move(text));
  }
  if (op == "exactly") {
    EB_ASSIGN_OR_RETURN(std::string text, string_operand(value, "exact"));
    return Condition::equals(Literal::of_string(std::move(text)));
  }
  if (op == "equals-ignore-case") {
    EB_ASSIGN_OR_RETURN(std::string text, string_operand(value, op));
    return Condition::equals_ignore_case(std::move(text));
  }
  if (op == "wildcard") {
    EB_ASSIGN_OR_RETURN(std::string text, string_operand(value, op));
    return wildcard(text);
  }
  if (op == "numeric") return compile_numeric(value);
  if (op == "anything-but") return compile_anything_but(value);
  if (op == "cidr") return compile_cidr(value);
  if (op == "exists") {
    bool present = false;
    if (value.get_bool().get(present)) {
      return invalid("exists match pattern must be either true or false.");
    }
    return Condition::exists(present);
  }
  return invalid(fmt::format("Unrecognized match type {}", op));
}

Result<Condition> compile_match_expression(simdjson::dom::object object) {
  EB_ASSIGN_OR_RETURN(auto member, only_member(object, "Match expression name not found"));
  auto [op, value] = member;
  // Ruler words a second key after numeric and anything-but with the numeric wording.
  const std::string_view too_many = op == "numeric" || op == "anything-but"
                                        ? "Too many elements in numeric expression"
                                        : "Only one key allowed in match expression";
  return single_key(object, compile_operator(op, value), too_many);
}

Result<Condition> compile_value(element e) {
  switch (e.type()) {
    case element_type::OBJECT:
      return compile_match_expression(e.get_object().value_unsafe());
    case element_type::STRING:
      return Condition::equals(Literal::of_string(std::string(e.get_string().value_unsafe())));
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      // Ruler accepts any number here and compares it as text when it is beyond its numeric
      // range; we compare by value, saturating beyond NumericScale's clamp (about ±1e12).
      return Condition::equals(Literal::of_number(scale().fixed(e.get_double().value_unsafe())));
    case element_type::BOOL:
      return Condition::equals(Literal::of_bool(e.get_bool().value_unsafe()));
    case element_type::NULL_VALUE:
      return Condition::equals(Literal::null());
    default:
      return invalid("Match value must be String, number, true, false, or null");
  }
}

// Ruler joins keys with dots, so a dotted key names the same field as the nested keys.
std::vector<std::string> extended(const std::vector<std::string>& path, std::string_view key) {
  std::vector<std::string> out = path;
  std::size_t start = 0;
  for (std::size_t dot = key.find('.'); dot != std::string_view::npos; dot = key.find('.', start)) {
    out.emplace_back(key.substr(start, dot - start));
    start = dot + 1;
  }
  out.emplace_back(key.substr(start));
  return out;
}

// A key given twice: the later one replaces the earlier, as Ruler's compiler does.
void put_field(Clause& clause, Field field) {
  auto same = std::find_if(clause.fields.begin(), clause.fields.end(),
                           [&](const Field& f) { return f.path == field.path; });
  if (same == clause.fields.end()) {
    clause.fields.push_back(std::move(field));
  } else {
    *same = std::move(field);
  }
}

Result<void> compile_object(simdjson::dom::object object, bool in_or,
                            const std::vector<std::string>& path, Clause& clause);

Result<void> compile_or(element value, const std::vector<std::string>& path, Clause& clause) {
  simdjson::dom::array items;
  if (value.get_array().get(items)) return invalid("It must be an Array followed with $or.");
  std::vector<Clause> branches;
  for (element item : items) {
    simdjson::dom::object branch_object;
    if (item.get_object().get(branch_object)) {
      return invalid("Only JSON object is allowed in array of $or relationship.");
    }
    Clause branch;
    EB_TRY(compile_object(branch_object, true, path, branch));
    branches.push_back(std::move(branch));
  }
  if (branches.size() < 2)
    return invalid("There must have at least 2 Objects in $or relationship.");
  clause.any_of.push_back(std::move(branches));
  return {};
}

Result<void> compile_object(simdjson::dom::object object, bool in_or,
                            const std::vector<std::string>& path, Clause& clause) {
  if (object.size() == 0) return invalid("Empty objects are not allowed");
  for (auto [key, value] : object) {
    if (key == "$or") {
      EB_TRY(compile_or(value, path, clause));
      continue;
    }
    if (in_or &&
        std::find(kReservedInOr.begin(), kReservedInOr.end(), key) != kReservedInOr.end()) {
      return invalid(
          fmt::format("{} is Ruler reserved fieldName which cannot be used inside $or.", key));
    }
    if (value.type() == element_type::OBJECT) {
      EB_TRY(compile_object(value.get_object().value_unsafe(), in_or, extended(path, key), clause));
    } else if (value.type() == element_type::ARRAY) {
      const simdjson::dom::array items = value.get_array().value_unsafe();
      Field field{extended(path, key), {}};
      for (element item : items) {
        EB_ASSIGN_OR_RETURN(Condition condition, compile_value(item));
        field.any_of.push_back(std::move(condition));
      }
      if (field.any_of.empty()) return invalid("Empty arrays are not allowed");
      put_field(clause, std::move(field));
    } else {
      return invalid(fmt::format("\"{}\" must be an object or an array", key));
    }
  }
  return {};
}

}  // namespace

Result<EventPattern> EventPattern::compile(std::string_view json) {
  element doc;
  // Jackson's own parse errors are not reproduced; this reason is ours.
  if (pattern_parser().parse(json.data(), json.size()).get(doc)) {
    return invalid("Filter is not valid JSON");
  }
  simdjson::dom::object object;
  if (doc.get_object().get(object)) return invalid("Filter is not an object");
  Clause root;
  EB_TRY(compile_object(object, false, {}, root));
  return EventPattern(
      std::make_shared<const Pattern>(std::move(root), scale(), ArrayConsistency::kSameElement));
}

bool EventPattern::matches(const simdjson::dom::element& event) const {
  return pattern_->matches(event);
}

bool EventPattern::matches_json(std::string_view event) const {
  return pattern_->matches_json(event);
}

}  // namespace eb::matching
