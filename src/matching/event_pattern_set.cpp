#include "matching/event_pattern_set.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "matching/pattern.hpp"

namespace eb::matching {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Preferred index fields, most selective first: a detail type names one kind of event of a
// source. Any other top-level field a pattern pins to exact strings is used after these.
constexpr std::array<std::string_view, 2> kPreferredFields = {"detail-type", "source"};
// A pattern listing more value combinations than this over two fields is indexed by one.
constexpr std::size_t kMaxCombinations = 64;
// Joins a composite key's values. A value holding it can only make two keys collide, which
// adds a candidate (every candidate is evaluated in full), never loses one.
constexpr char kJoin = '\0';

// The exact strings a root-level, one-key field accepts, when they are all it accepts; a
// value outside them can never satisfy the pattern (root fields AND with everything else).
std::optional<std::vector<std::string_view>> exact_strings(const Field& field) {
  if (field.path.size() != 1) return std::nullopt;
  std::vector<std::string_view> values;
  for (const Condition& condition : field.any_of) {
    auto text = condition.exact_string();
    if (!text) return std::nullopt;
    values.push_back(*text);
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

// Up to two fields to index a pattern by, preferred ones first.
std::vector<const Field*> index_fields(const Clause& root) {
  std::vector<const Field*> out;
  auto take = [&](const Field& field) {
    if (out.size() < 2 && exact_strings(field) &&
        std::find(out.begin(), out.end(), &field) == out.end()) {
      out.push_back(&field);
    }
  };
  for (std::string_view preferred : kPreferredFields) {
    for (const Field& field : root.fields) {
      if (field.path.front() == preferred) take(field);
    }
  }
  for (const Field& field : root.fields) take(field);
  if (out.size() == 2 &&
      exact_strings(*out[0])->size() * exact_strings(*out[1])->size() > kMaxCombinations) {
    out.pop_back();
  }
  return out;
}

// Every string the event holds at a top-level key, arrays flattened as the matcher does.
template <class Visit>
void strings_at(element e, const Visit& visit) {
  if (e.type() == element_type::STRING) {
    visit(e.get_string().value_unsafe());
  } else if (e.type() == element_type::ARRAY) {
    const simdjson::dom::array items = e.get_array().value_unsafe();
    for (element item : items) strings_at(item, visit);
  }
}

}  // namespace

void EventPatternSet::add(Id id, EventPattern pattern) {
  auto same =
      std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.id == id; });
  if (same != entries_.end()) {
    same->pattern = std::move(pattern);
    reindex();
    return;
  }
  entries_.push_back(Entry{id, std::move(pattern)});
  index(static_cast<std::uint32_t>(entries_.size() - 1));
}

bool EventPatternSet::remove(Id id) {
  auto same =
      std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.id == id; });
  if (same == entries_.end()) return false;
  entries_.erase(same);
  reindex();
  return true;
}

void EventPatternSet::index(std::uint32_t slot) {
  const std::vector<const Field*> fields = index_fields(entries_[slot].pattern.compiled().clause());
  if (fields.empty()) {
    unindexed_.push_back(slot);
    return;
  }
  std::vector<std::string> names;
  for (const Field* field : fields) names.push_back(field->path.front());
  auto index = std::find_if(indexes_.begin(), indexes_.end(),
                            [&](const Index& i) { return i.fields == names; });
  if (index == indexes_.end()) {
    indexes_.push_back(Index{std::move(names), {}});
    index = std::prev(indexes_.end());
  }
  const auto first = *exact_strings(*fields[0]);
  const auto second = fields.size() == 2 ? *exact_strings(*fields[1])
                                         : std::vector<std::string_view>{std::string_view()};
  for (std::string_view a : first) {
    for (std::string_view b : second) {
      std::string key(a);
      if (fields.size() == 2) (key += kJoin) += b;
      index->by_value[std::move(key)].push_back(slot);
    }
  }
}

void EventPatternSet::reindex() {
  indexes_.clear();
  unindexed_.clear();
  for (std::uint32_t slot = 0; slot < entries_.size(); ++slot) index(slot);
}

void EventPatternSet::match(const simdjson::dom::element& event, std::vector<Id>& out) const {
  simdjson::dom::object object;
  if (event.get_object().get(object)) return;
  // Candidates from each index, then the unindexed; a slot may be named twice when the event
  // repeats a value in an array, so slots are sorted and deduplicated before evaluation.
  thread_local std::vector<std::uint32_t> candidates;
  candidates.assign(unindexed_.begin(), unindexed_.end());
  thread_local std::string key;
  for (const Index& index : indexes_) {
    auto add = [&](std::string_view k) {
      auto postings = index.by_value.find(k);
      if (postings != index.by_value.end()) {
        candidates.insert(candidates.end(), postings->second.begin(), postings->second.end());
      }
    };
    element first;
    if (object.at_key(index.fields[0]).get(first)) continue;
    if (index.fields.size() == 1) {
      strings_at(first, add);
      continue;
    }
    element second;
    if (object.at_key(index.fields[1]).get(second)) continue;
    strings_at(first, [&](std::string_view a) {
      strings_at(second, [&](std::string_view b) {
        key.assign(a);
        (key += kJoin) += b;
        add(key);
      });
    });
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  for (std::uint32_t slot : candidates) {
    if (entries_[slot].pattern.matches(event)) out.push_back(entries_[slot].id);
  }
}

std::vector<EventPatternSet::Id> EventPatternSet::match(const simdjson::dom::element& event) const {
  std::vector<Id> out;
  match(event, out);
  return out;
}

}  // namespace eb::matching
