#pragma once
// The compiled JSON pattern matcher that every pattern dialect compiles into: SNS filter
// policies (filter_policy.hpp) today, EventBridge event patterns next. A front end parses and
// validates its dialect with its own rules, limits and error texts, then builds a Clause from
// the Condition factories below; a Pattern owns that Clause and matches documents against it.
// Nothing here reads pattern JSON or knows a dialect's limits or wording.
#include <array>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/attributes.hpp"

namespace simdjson::dom {
class element;
}  // namespace simdjson::dom

namespace eb::matching {

// Patterns are typed: the string "5" and the number 5 never match each other.
enum class ValueType : std::uint8_t { kString, kNumber, kBool, kNull };

// Numbers compare as fixed point with a dialect's count of decimal digits (SNS: 5), so
// equality is exact rather than a float epsilon and 3.0e2 equals 300. Values beyond the
// clamp saturate; a front end keeps its literals strictly inside it (|v| * 10^digits < 1e18),
// so a saturated document value still orders correctly against every literal.
class NumericScale {
 public:
  explicit NumericScale(int decimal_digits);
  std::int64_t fixed(double value) const;

 private:
  double factor_;
};

// A pattern's literal value. Numbers are fixed point in the Pattern's NumericScale.
struct Literal {
  ValueType type = ValueType::kNull;
  std::string text;
  std::int64_t number = 0;
  bool boolean = false;

  static Literal of_string(std::string text);
  static Literal of_number(std::int64_t fixed);
  static Literal of_bool(bool value);
  static Literal null();
};

// A document's value as conditions see it: strings view into the document, valid only while
// the document is being matched.
struct Value {
  ValueType type = ValueType::kNull;
  std::string_view text;
  std::int64_t number = 0;
  bool boolean = false;
};

struct Bound {
  std::int64_t value = 0;  // fixed point
  bool inclusive = false;
};

struct NumericRange {
  std::optional<Bound> lower;
  std::optional<Bound> upper;
};

struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first four
};

// An IPv4 or IPv6 address in its standard text form; nullopt when it is neither.
std::optional<IpAddress> parse_ip(std::string_view text);

// Why a wildcard pattern text is not valid; each front end words it in its dialect.
enum class WildcardError { kConsecutiveStars, kBadEscape };

// One alternative of a field: what a single value must be. Built only by the factories, read
// only by the matcher; immutable afterwards.
class Condition {
 public:
  static Condition equals(Literal literal);  // typed: strings, numbers by value, bools, null
  static Condition prefix(std::string text);
  static Condition prefix_ignore_case(std::string text);
  static Condition suffix(std::string text);
  static Condition suffix_ignore_case(std::string text);
  static Condition equals_ignore_case(std::string text);
  // `*` matches any run of characters; `\*` is a literal star and `\\` a literal backslash.
  static std::expected<Condition, WildcardError> wildcard(std::string_view pattern);
  static Condition numeric(NumericRange range);
  static Condition cidr(IpAddress network, int prefix_bits);
  // Decided on the field's presence, not on a value: exists(false) matches an absent field.
  static Condition exists(bool present);
  // A string or number none of `excluded` accepts. When every exclusion is a string operator
  // (prefix, suffix, ignore-case, wildcard), only strings qualify, as both dialects define.
  static Condition anything_but(std::vector<Condition> excluded);

  bool accepts(const Value& value) const;
  // True only for an exists condition that agrees with the field's presence.
  bool accepts_presence(bool present) const;
  // True for exists(true): any value of the field satisfies it.
  bool accepts_any_value() const { return kind_ == Kind::kExists && exists_; }
  // The text of an exact string condition, for indexes over many patterns; nullopt otherwise.
  std::optional<std::string_view> exact_string() const;

 private:
  enum class Kind : std::uint8_t {
    kEquals,
    kPrefix,
    kPrefixIgnoreCase,
    kSuffix,
    kSuffixIgnoreCase,
    kEqualsIgnoreCase,
    kWildcard,
    kNumeric,
    kCidr,
    kExists,
    kAnythingBut,
  };
  explicit Condition(Kind kind) : kind_(kind) {}
  static Condition with_text(Kind kind, std::string text);
  bool is_string_operator() const;

  Kind kind_;
  bool exists_ = false;
  bool strings_only_ = false;
  int cidr_bits_ = 0;
  Literal literal_;  // kEquals; the (lower-cased when ignoring case) text of string operators
  std::vector<std::string> pieces_;  // kWildcard: the literal text between the stars
  NumericRange range_;
  IpAddress cidr_;
  std::vector<Condition> excluded_;  // kAnythingBut
};

// One field and the alternatives for it: the field matches when any condition accepts any of
// its values (an array's elements count one by one, at any depth), or an exists condition
// agrees with its presence.
struct Field {
  std::vector<std::string> path;  // object keys from the document root; one for attributes
  std::vector<Condition> any_of;
};

// A conjunction: every field matches and each group of `any_of` has a matching clause. A
// dialect's `$or`, at whatever depth, becomes a group, its branches' paths written from the
// root.
struct Clause {
  std::vector<Field> fields;
  std::vector<std::vector<Clause>> any_of;
};

// How fields that descend through the same array of objects in a document combine.
// kAnyElement (SNS): each field may match in any element, independently of the others.
// kSameElement (EventBridge's Ruler, "array consistency"): fields of one conjunction (one
// choice of branch for every `$or`) that pass through the same array must match within the
// same element of it. Fields matched by their absence (exists false) are exempt.
enum class ArrayConsistency : std::uint8_t { kAnyElement, kSameElement };

// An immutable compiled pattern; any thread may match concurrently. Documents are JSON
// objects (anything else matches nothing) or SNS message attributes (no arrays of objects,
// so ArrayConsistency does not apply to them).
class Pattern {
 public:
  Pattern(Clause root, NumericScale scale, ArrayConsistency arrays = ArrayConsistency::kAnyElement);

  // Parses `json` with a thread-local parser; invalid JSON matches nothing.
  bool matches_json(std::string_view json) const;
  // For callers that parse once and match many patterns.
  bool matches(const simdjson::dom::element& document) const;
  // Fields are attribute names (one-key paths). String.Array values count element by element;
  // Binary attributes are absent; a Number that does not parse is present with no value.
  bool matches(const MessageAttributes& attributes) const;

  const Clause& clause() const { return root_; }

  // The conjunctions kSameElement spells out ($or branches multiplied out) beyond this count
  // fall back to kAnyElement: the expansion is exponential in the number of `$or` groups.
  static constexpr std::size_t kMaxConjunctions = 256;

 private:
  Clause root_;
  NumericScale scale_;
  // kSameElement only, and only when some conjunction has two fields sharing a leading key
  // (fields that share none can never meet in an array): every conjunction of root_, for the
  // element-by-element check that runs after the cheaper independent one has matched.
  std::vector<std::vector<Field>> conjunctions_;
};

}  // namespace eb::matching
