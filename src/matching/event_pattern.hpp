#pragma once
// The EventBridge front end of the pattern matcher (pattern.hpp): a rule's event pattern is
// validated once by the rules of AWS's event-ruler (JsonRuleCompiler), with its wording, and
// compiled into a Pattern that matches each event without touching the pattern's JSON again.
#include <memory>
#include <string_view>
#include <utility>

#include "core/errors.hpp"

namespace simdjson::dom {
class element;
}  // namespace simdjson::dom

namespace eb::matching {

class Pattern;

// An immutable compiled event pattern. Copies share the compiled Pattern and `matches*` only
// read it, so any thread may match concurrently once the pattern is built.
//
// Semantics (EventBridge / Ruler): keys AND together, a key's array of values ORs, `$or` ORs
// whole sub-patterns at any depth, nested objects (or dotted keys) address nested fields. Values
// are typed (the string "5" never matches the number 5); an event array matches when any
// element does, and fields under one array of objects must match within the same element.
// Numbers compare to six decimal places.
class EventPattern {
 public:
  // Every failure is Errc::kInvalidEventPattern, "Event pattern is not valid. Reason: <reason>"
  // with Ruler's reason (without the parser location Jackson appends on AWS). The EventPattern
  // API field's 4096-character limit is the API layer's to check.
  static Result<EventPattern> compile(std::string_view json);

  // `event` is parsed once by the caller for every pattern; anything but an object matches
  // nothing.
  bool matches(const simdjson::dom::element& event) const;
  // Parses with a thread-local parser; invalid JSON matches nothing.
  bool matches_json(std::string_view event) const;

  // For indexes over many patterns (EventPatternSet).
  const Pattern& compiled() const { return *pattern_; }

 private:
  explicit EventPattern(std::shared_ptr<const Pattern> pattern) : pattern_(std::move(pattern)) {}

  std::shared_ptr<const Pattern> pattern_;
};

}  // namespace eb::matching
