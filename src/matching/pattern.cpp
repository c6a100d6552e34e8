#include "matching/pattern.hpp"

#include <arpa/inet.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <span>

namespace eb::matching {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Every literal a front end may write stays strictly inside (see NumericScale).
constexpr double kNumericClamp = 1e18;

// One parser per purpose: a parse reuses its parser's buffers, so views into a document must
// never be invalidated by parsing a String.Array attribute while it is being matched.
simdjson::dom::parser& document_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

simdjson::dom::parser& array_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

// Extension point (Unicode case folding): ignore-case operators fold ASCII letters only.
// EventBridge folds Unicode; folding both the literal and the value here is the one place to
// change.
char fold_case(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string folded(std::string text) {
  for (char& c : text) c = fold_case(c);
  return text;
}

// `folded_literal` is already folded.
bool equals_folded(std::string_view value, std::string_view folded_literal) {
  return value.size() == folded_literal.size() &&
         std::equal(value.begin(), value.end(), folded_literal.begin(),
                    [](char v, char l) { return fold_case(v) == l; });
}

bool literal_equals(const Literal& literal, const Value& value) {
  if (literal.type != value.type) return false;
  switch (value.type) {
    case ValueType::kString:
      return literal.text == value.text;
    case ValueType::kNumber:
      return literal.number == value.number;
    case ValueType::kBool:
      return literal.boolean == value.boolean;
    case ValueType::kNull:
      return true;
  }
  return false;
}

// With `*` as the only metacharacter, placing each inner piece at its leftmost occurrence
// never loses a match, so no backtracking is needed.
bool wildcard_matches(const std::vector<std::string>& pieces, std::string_view text) {
  if (pieces.size() == 1) return text == pieces.front();
  const std::string& first = pieces.front();
  const std::string& last = pieces.back();
  if (text.size() < first.size() + last.size() || !text.starts_with(first) ||
      !text.ends_with(last)) {
    return false;
  }
  std::string_view middle = text.substr(first.size(), text.size() - first.size() - last.size());
  for (std::size_t i = 1; i + 1 < pieces.size(); ++i) {
    auto at = middle.find(pieces[i]);
    if (at == std::string_view::npos) return false;
    middle.remove_prefix(at + pieces[i].size());
  }
  return true;
}

bool in_range(const NumericRange& range, std::int64_t v) {
  if (range.lower && (range.lower->inclusive ? v < range.lower->value : v <= range.lower->value))
    return false;
  if (range.upper && (range.upper->inclusive ? v > range.upper->value : v >= range.upper->value))
    return false;
  return true;
}

bool cidr_contains(const IpAddress& network, int bits, std::string_view text) {
  auto address = parse_ip(text);
  if (!address || address->v6 != network.v6) return false;
  const int full = bits / 8;
  if (!std::equal(address->bytes.begin(), address->bytes.begin() + full, network.bytes.begin()))
    return false;
  const int rest = bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (address->bytes[full] & mask) == (network.bytes[full] & mask);
}

// ---- Documents ---------------------------------------------------------------------------

std::optional<Value> value_of(element e, const NumericScale& scale) {
  switch (e.type()) {
    case element_type::STRING:
      return Value{ValueType::kString, e.get_string().value_unsafe(), 0, false};
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return Value{ValueType::kNumber, {}, scale.fixed(e.get_double().value_unsafe()), false};
    case element_type::BOOL:
      return Value{ValueType::kBool, {}, 0, e.get_bool().value_unsafe()};
    case element_type::NULL_VALUE:
      return Value{ValueType::kNull, {}, 0, false};
    default:
      return std::nullopt;
  }
}

// One field's verdict, accumulated while the document's values under its path stream by.
class FieldProbe {
 public:
  explicit FieldProbe(const Field& field) : field_(field) {}

  void mark_present() { present_ = true; }
  // True once the field has matched, so the caller can stop offering values.
  bool offer(const Value& value) {
    present_ = true;
    matched_ = std::any_of(field_.any_of.begin(), field_.any_of.end(),
                           [&](const Condition& c) { return c.accepts(value); });
    return matched_;
  }
  bool verdict() const {
    return matched_ ||
           std::any_of(field_.any_of.begin(), field_.any_of.end(),
                       [&](const Condition& c) { return c.accepts_presence(present_); });
  }

 private:
  const Field& field_;
  bool present_ = false;
  bool matched_ = false;
};

// Offers the leaf values under `path` from `e`. Arrays are flattened at every level, objects
// are never values, and a path through a non-object ends. True once the probe has matched.
bool visit(element e, std::span<const std::string> path, const NumericScale& scale,
           FieldProbe& probe) {
  if (e.type() == element_type::ARRAY) {
    const simdjson::dom::array items = e.get_array().value_unsafe();
    for (element item : items) {
      if (visit(item, path, scale, probe)) return true;
    }
    return false;
  }
  if (e.type() == element_type::OBJECT) {
    element child;
    if (path.empty() || e.get_object().value_unsafe().at_key(path.front()).get(child)) {
      return false;
    }
    return visit(child, path.subspan(1), scale, probe);
  }
  if (!path.empty()) return false;
  auto value = value_of(e, scale);
  return value && probe.offer(*value);
}

bool probe_attribute(const Field& field, const MessageAttributes& attributes,
                     const NumericScale& scale) {
  FieldProbe probe(field);
  auto it = field.path.size() == 1 ? attributes.find(field.path.front()) : attributes.end();
  if (it == attributes.end() || it->second.is_binary()) return probe.verdict();
  probe.mark_present();
  const MessageAttributeValue& attribute = it->second;
  if (attribute.data_type.starts_with("String.Array")) {
    // Elements count one by one; a value that is not a JSON array holds none.
    element doc;
    if (!array_parser().parse(attribute.string_value).get(doc) && doc.is_array()) {
      const simdjson::dom::array items = doc.get_array().value_unsafe();
      for (element item : items) {
        auto value = value_of(item, scale);
        if (value && probe.offer(*value)) break;
      }
    }
  } else if (attribute.data_type.starts_with("Number")) {
    const std::string& text = attribute.string_value;
    double d = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ec == std::errc{} && end == text.data() + text.size() && std::isfinite(d)) {
      probe.offer(Value{ValueType::kNumber, {}, scale.fixed(d), false});
    }
  } else {
    probe.offer(Value{ValueType::kString, attribute.string_value, 0, false});
  }
  return probe.verdict();
}

// ---- Array consistency (ArrayConsistency::kSameElement) ---------------------------------

// One array element a walk entered: the array sits after `depth` keys of the field's path.
struct ArrayStep {
  std::uint32_t depth = 0;
  std::uint32_t index = 0;
  bool operator==(const ArrayStep&) const = default;
};
using Trail = std::vector<ArrayStep>;

// A field's values that satisfy it, each with the array elements the walk took to reach it.
struct Candidates {
  std::vector<Trail> trails;
  bool present = false;
};

void collect(element e, const Field& field, std::size_t depth, Trail& trail,
             const NumericScale& scale, Candidates& out) {
  if (e.type() == element_type::ARRAY) {
    std::uint32_t index = 0;
    const simdjson::dom::array items = e.get_array().value_unsafe();
    for (element item : items) {
      trail.push_back({static_cast<std::uint32_t>(depth), index++});
      collect(item, field, depth, trail, scale, out);
      trail.pop_back();
    }
    return;
  }
  if (e.type() == element_type::OBJECT) {
    element child;
    if (depth == field.path.size() ||
        e.get_object().value_unsafe().at_key(field.path[depth]).get(child)) {
      return;
    }
    collect(child, field, depth + 1, trail, scale, out);
    return;
  }
  if (depth != field.path.size()) return;
  auto value = value_of(e, scale);
  if (!value) return;
  out.present = true;
  if (std::any_of(field.any_of.begin(), field.any_of.end(),
                  [&](const Condition& c) { return c.accepts_any_value() || c.accepts(*value); })) {
    out.trails.push_back(trail);
  }
}

std::size_t shared_keys(const Field& a, const Field& b) {
  const auto [end_a, end_b] =
      std::mismatch(a.path.begin(), a.path.end(), b.path.begin(), b.path.end());
  return static_cast<std::size_t>(end_a - a.path.begin());
}

// Two values agree unless, along the keys their fields share, they took different elements of
// one array. Steps are in walk order, so the shared arrays are a common prefix of both trails
// until the first difference.
bool same_elements(const Trail& a, const Trail& b, std::size_t shared) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i].depth > shared || b[i].depth > shared) return true;
    if (!(a[i] == b[i])) return false;
  }
  return true;
}

// Picks one value per field, backtracking, so that every pair agrees.
bool choose(const std::vector<Field>& fields, const std::vector<Candidates>& candidates,
            std::vector<const Trail*>& chosen, std::size_t next) {
  if (next == fields.size()) return true;
  if (candidates[next].trails.empty()) {  // satisfied by its absence
    chosen[next] = nullptr;
    return choose(fields, candidates, chosen, next + 1);
  }
  for (const Trail& trail : candidates[next].trails) {
    bool agrees = true;
    for (std::size_t i = 0; i < next && agrees; ++i) {
      agrees = chosen[i] == nullptr ||
               same_elements(*chosen[i], trail, shared_keys(fields[i], fields[next]));
    }
    if (!agrees) continue;
    chosen[next] = &trail;
    if (choose(fields, candidates, chosen, next + 1)) return true;
  }
  return false;
}

bool conjunction_matches(const std::vector<Field>& fields, element document,
                         const NumericScale& scale) {
  std::vector<Candidates> candidates(fields.size());
  Trail trail;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    collect(document, fields[i], 0, trail, scale, candidates[i]);
    const bool by_absence =
        !candidates[i].present &&
        std::any_of(fields[i].any_of.begin(), fields[i].any_of.end(),
                    [](const Condition& c) { return c.accepts_presence(false); });
    if (candidates[i].trails.empty() && !by_absence) return false;
  }
  std::vector<const Trail*> chosen(fields.size(), nullptr);
  return choose(fields, candidates, chosen, 0);
}

// The clause as a disjunction of plain field lists; false when there would be more than
// Pattern::kMaxConjunctions.
bool expand(const Clause& clause, std::vector<std::vector<Field>>& out) {
  out.assign(1, clause.fields);
  for (const auto& group : clause.any_of) {
    std::vector<std::vector<Field>> branches;
    for (const Clause& branch : group) {
      std::vector<std::vector<Field>> expanded;
      if (!expand(branch, expanded)) return false;
      branches.insert(branches.end(), expanded.begin(), expanded.end());
    }
    if (out.size() * branches.size() > Pattern::kMaxConjunctions) return false;
    std::vector<std::vector<Field>> product;
    for (const auto& left : out) {
      for (const auto& right : branches) {
        product.push_back(left);
        product.back().insert(product.back().end(), right.begin(), right.end());
      }
    }
    out = std::move(product);
  }
  return true;
}

bool shares_keys(const std::vector<Field>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    for (std::size_t j = i + 1; j < fields.size(); ++j) {
      if (shared_keys(fields[i], fields[j]) > 0) return true;
    }
  }
  return false;
}

template <class ProbeField>
bool evaluate(const Clause& clause, const ProbeField& probe_field) {
  for (const Field& field : clause.fields) {
    if (!probe_field(field)) return false;
  }
  for (const auto& group : clause.any_of) {
    if (std::none_of(group.begin(), group.end(),
                     [&](const Clause& branch) { return evaluate(branch, probe_field); })) {
      return false;
    }
  }
  return true;
}

}  // namespace

NumericScale::NumericScale(int decimal_digits) : factor_(std::pow(10.0, decimal_digits)) {}

std::int64_t NumericScale::fixed(double value) const {
  const double scaled = std::round(value * factor_);
  if (scaled >= kNumericClamp) return static_cast<std::int64_t>(kNumericClamp);
  if (scaled <= -kNumericClamp) return -static_cast<std::int64_t>(kNumericClamp);
  return static_cast<std::int64_t>(scaled);
}

Literal Literal::of_string(std::string text) {
  return Literal{ValueType::kString, std::move(text), 0, false};
}
Literal Literal::of_number(std::int64_t fixed) {
  return Literal{ValueType::kNumber, {}, fixed, false};
}
Literal Literal::of_bool(bool value) { return Literal{ValueType::kBool, {}, 0, value}; }
Literal Literal::null() { return Literal{}; }

std::optional<IpAddress> parse_ip(std::string_view text) {
  if (text.size() > 64) return std::nullopt;
  const std::string terminated(text);  // inet_pton wants a C string
  IpAddress ip;
  if (inet_pton(AF_INET, terminated.c_str(), ip.bytes.data()) == 1) return ip;
  ip.v6 = true;
  if (inet_pton(AF_INET6, terminated.c_str(), ip.bytes.data()) == 1) return ip;
  return std::nullopt;
}

Condition Condition::equals(Literal literal) {
  Condition c(Kind::kEquals);
  c.literal_ = std::move(literal);
  return c;
}

Condition Condition::with_text(Kind kind, std::string text) {
  Condition c(kind);
  c.literal_ = Literal::of_string(std::move(text));
  return c;
}

Condition Condition::prefix(std::string text) { return with_text(Kind::kPrefix, std::move(text)); }

Condition Condition::prefix_ignore_case(std::string text) {
  return with_text(Kind::kPrefixIgnoreCase, folded(std::move(text)));
}

Condition Condition::suffix(std::string text) { return with_text(Kind::kSuffix, std::move(text)); }

Condition Condition::suffix_ignore_case(std::string text) {
  return with_text(Kind::kSuffixIgnoreCase, folded(std::move(text)));
}

Condition Condition::equals_ignore_case(std::string text) {
  return with_text(Kind::kEqualsIgnoreCase, folded(std::move(text)));
}

std::expected<Condition, WildcardError> Condition::wildcard(std::string_view pattern) {
  Condition c(Kind::kWildcard);
  c.pieces_.emplace_back();
  bool after_star = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char ch = pattern[i];
    if (ch == '*') {
      if (after_star) return std::unexpected(WildcardError::kConsecutiveStars);
      c.pieces_.emplace_back();
      after_star = true;
      continue;
    }
    after_star = false;
    if (ch == '\\') {
      if (i + 1 == pattern.size() || (pattern[i + 1] != '*' && pattern[i + 1] != '\\')) {
        return std::unexpected(WildcardError::kBadEscape);
      }
      ++i;
    }
    c.pieces_.back() += pattern[i];
  }
  return c;
}

Condition Condition::numeric(NumericRange range) {
  Condition c(Kind::kNumeric);
  c.range_ = range;
  return c;
}

Condition Condition::cidr(IpAddress network, int prefix_bits) {
  Condition c(Kind::kCidr);
  c.cidr_ = network;
  c.cidr_bits_ = std::clamp(prefix_bits, 0, network.v6 ? 128 : 32);
  return c;
}

Condition Condition::exists(bool present) {
  Condition c(Kind::kExists);
  c.exists_ = present;
  return c;
}

Condition Condition::anything_but(std::vector<Condition> excluded) {
  Condition c(Kind::kAnythingBut);
  c.strings_only_ =
      !excluded.empty() && std::all_of(excluded.begin(), excluded.end(),
                                       [](const Condition& e) { return e.is_string_operator(); });
  c.excluded_ = std::move(excluded);
  return c;
}

bool Condition::is_string_operator() const {
  return kind_ != Kind::kEquals && kind_ != Kind::kNumeric && kind_ != Kind::kExists &&
         kind_ != Kind::kAnythingBut;
}

bool Condition::accepts(const Value& value) const {
  const bool is_string = value.type == ValueType::kString;
  const std::string_view text = literal_.text;
  switch (kind_) {
    case Kind::kEquals:
      return literal_equals(literal_, value);
    case Kind::kPrefix:
      return is_string && value.text.starts_with(text);
    case Kind::kPrefixIgnoreCase:
      return is_string && value.text.size() >= text.size() &&
             equals_folded(value.text.substr(0, text.size()), text);
    case Kind::kSuffix:
      return is_string && value.text.ends_with(text);
    case Kind::kSuffixIgnoreCase:
      return is_string && value.text.size() >= text.size() &&
             equals_folded(value.text.substr(value.text.size() - text.size()), text);
    case Kind::kEqualsIgnoreCase:
      return is_string && equals_folded(value.text, text);
    case Kind::kWildcard:
      return is_string && wildcard_matches(pieces_, value.text);
    case Kind::kNumeric:
      return value.type == ValueType::kNumber && in_range(range_, value.number);
    case Kind::kCidr:
      return is_string && cidr_contains(cidr_, cidr_bits_, value.text);
    case Kind::kExists:
      return false;
    case Kind::kAnythingBut:
      if (!is_string && (strings_only_ || value.type != ValueType::kNumber)) return false;
      return std::none_of(excluded_.begin(), excluded_.end(),
                          [&](const Condition& e) { return e.accepts(value); });
  }
  return false;
}

bool Condition::accepts_presence(bool present) const {
  return kind_ == Kind::kExists && exists_ == present;
}

Pattern::Pattern(Clause root, NumericScale scale, ArrayConsistency arrays)
    : root_(std::move(root)), scale_(scale) {
  if (arrays != ArrayConsistency::kSameElement) return;
  std::vector<std::vector<Field>> conjunctions;
  if (expand(root_, conjunctions) &&
      std::any_of(conjunctions.begin(), conjunctions.end(),
                  [](const std::vector<Field>& fields) { return shares_keys(fields); })) {
    conjunctions_ = std::move(conjunctions);
  }
}

std::optional<std::string_view> Condition::exact_string() const {
  if (kind_ != Kind::kEquals || literal_.type != ValueType::kString) return std::nullopt;
  return literal_.text;
}

bool Pattern::matches_json(std::string_view json) const {
  element doc;
  if (document_parser().parse(json.data(), json.size()).get(doc)) return false;
  return matches(doc);
}

bool Pattern::matches(const simdjson::dom::element& document) const {
  if (document.type() != element_type::OBJECT) return false;
  const bool independently = evaluate(root_, [&](const Field& field) {
    FieldProbe probe(field);
    visit(document, field.path, scale_, probe);
    return probe.verdict();
  });
  // Matching in the same elements implies matching independently, which is far cheaper, so
  // the element-by-element check runs only to confirm a match.
  if (!independently || conjunctions_.empty()) return independently;
  return std::any_of(conjunctions_.begin(), conjunctions_.end(),
                     [&](const std::vector<Field>& fields) {
                       return conjunction_matches(fields, document, scale_);
                     });
}

bool Pattern::matches(const MessageAttributes& attributes) const {
  return evaluate(root_,
                  [&](const Field& field) { return probe_attribute(field, attributes, scale_); });
}

}  // namespace eb::matching
