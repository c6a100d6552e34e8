#pragma once
// How the targets that make several calls per input read it: one call per line, its first words
// naming the call and the rest of the line its body (the SDKs send JSON bodies on one line).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

namespace eb::fuzz {

// Calls `visit(line)` for each '\n'-separated line of the input, at most `max_lines` of them
// (a bound on the work one input can ask for).
template <class Visit>
void for_each_line(const std::uint8_t* data, std::size_t size, std::size_t max_lines,
                   Visit&& visit) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  for (std::size_t n = 0; n < max_lines && !rest.empty(); ++n) {
    const std::size_t end = rest.find('\n');
    visit(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
  }
}

// The line's first word and what follows the space after it.
inline std::pair<std::string_view, std::string_view> split_word(std::string_view line) {
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) return {line, {}};
  return {line.substr(0, space), line.substr(space + 1)};
}

}  // namespace eb::fuzz
