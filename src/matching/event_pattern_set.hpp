#pragma once
// Many compiled event patterns (a bus's rules) matched against one event parsed once, without
// evaluating every pattern: patterns are indexed by the exact strings they require of one or
// two top-level fields (detail-type and source when they pin both), so an event only meets the
// patterns its own values name, plus the patterns no index can hold.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "matching/event_pattern.hpp"

namespace simdjson::dom {
class element;
}  // namespace simdjson::dom

namespace eb::matching {

// Owns copies of its patterns (cheap: they share their compiled form) and the index over them.
// Not synchronized: `match` only reads, so threads may match concurrently while nobody adds or
// removes; an owner that changes rules builds a new set (or locks) around `add`/`remove`.
class EventPatternSet {
 public:
  using Id = std::uint64_t;

  // Adds a pattern under `id`; an id already present is replaced.
  void add(Id id, EventPattern pattern);
  // False when `id` is not present.
  bool remove(Id id);
  std::size_t size() const { return entries_.size(); }

  // Appends to `out` (not cleared) the ids of the patterns `event` matches, in the order they
  // were added; each id at most once. Equal to testing every pattern.
  void match(const simdjson::dom::element& event, std::vector<Id>& out) const;
  std::vector<Id> match(const simdjson::dom::element& event) const;

 private:
  struct Entry {
    Id id;
    EventPattern pattern;
  };
  // Lookup by string_view without building a std::string per event value.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Postings =
      std::unordered_map<std::string, std::vector<std::uint32_t>, Hash, std::equal_to<>>;
  struct Index {
    std::vector<std::string> fields;  // one or two top-level keys
    Postings by_value;                // the fields' exact values, joined -> entry slots
  };

  void index(std::uint32_t slot);
  void reindex();

  std::vector<Entry> entries_;
  std::vector<Index> indexes_;
  std::vector<std::uint32_t> unindexed_;  // slots always evaluated
};

}  // namespace eb::matching
