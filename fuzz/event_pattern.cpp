// EventBridge event patterns: each compiled alone and into one EventPatternSet, then matched
// against an event. Input: the event on the first line, then one pattern per line. The set must
// match exactly the patterns that match one by one (event_pattern_set.hpp).
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "matching/event_pattern.hpp"
#include "matching/event_pattern_set.hpp"
#include "support/lines.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace matching = eb::matching;
  std::string event;
  std::vector<matching::EventPattern> patterns;
  matching::EventPatternSet set;
  eb::fuzz::for_each_line(data, size, 32, [&](std::string_view line) {
    if (event.empty() && patterns.empty()) {
      event = line;
      if (event.empty()) event = "{}";
      return;
    }
    auto compiled = matching::EventPattern::compile(line);
    if (!compiled) return;
    set.add(patterns.size(), *compiled);
    patterns.push_back(std::move(*compiled));
  });
  simdjson::dom::parser parser;
  simdjson::dom::element document;
  if (parser.parse(event).get(document) != simdjson::SUCCESS) {
    for (const auto& pattern : patterns) (void)pattern.matches_json(event);
    return 0;
  }
  std::vector<matching::EventPatternSet::Id> one_by_one;
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    if (patterns[i].matches(document)) one_by_one.push_back(i);
  }
  if (set.match(document) != one_by_one) {
    std::fprintf(stderr, "EventPatternSet matched other patterns than each pattern alone\n");
    std::abort();
  }
  return 0;
}
