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
  return values;
}

const Field* index_field(const Clause& root) {
  for (std::string_view preferred : kPreferredFields) {
    for (const Field& field : root.fields) {
      if (field.path.front() == preferred && exact_strings(field)) return &field;
    }
  }
  for (const Field& field : root.fields) {
    if (exact_strings(field)) return &field;
  }
  return nullptr;
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
  const Field* field = index_field(entries_[slot].pattern.compiled().clause());
  if (field == nullptr) {
    unindexed_.push_back(slot);
    return;
  }
  auto index = std::find_if(indexes_.begin(), indexes_.end(),
                            [&](const Index& i) { return i.field == field->path.front(); });
  if (index == indexes_.end()) {
    indexes_.push_back(Index{field->path.front(), {}});
    index = std::prev(indexes_.end());
  }
  auto values = *exact_strings(*field);
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  for (std::string_view value : values) {
    auto [postings, added] = index->by_value.try_emplace(std::string(value));
    postings->second.push_back(slot);
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
  for (const Index& index : indexes_) {
    element value;
    if (object.at_key(index.field).get(value)) continue;
    strings_at(value, [&](std::string_view text) {
      auto postings = index.by_value.find(text);
      if (postings != index.by_value.end()) {
        candidates.insert(candidates.end(), postings->second.begin(), postings->second.end());
      }
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
