#pragma once
// Internal to config/: how parsers report a problem at a node's position. Errors travel as a
// PositionedError exception inside a parser (yaml-cpp reports its own that way too) and
// become a ConfigError at the public boundary, through parse_yaml.
#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

#include "config/settings.hpp"

namespace eb::config::detail {

struct PositionedError {
  YAML::Mark mark;
  std::string message;
};

[[noreturn]] inline void fail_at(const YAML::Node& node, std::string message) {
  throw PositionedError{node.Mark(), std::move(message)};
}

// "source:LINE:COLUMN: what" (1-based), or "source: what" without a position.
ConfigError positioned(std::string_view source, const YAML::Mark& mark, std::string_view what);

// Loads `yaml` and runs `parse` on its root, turning either kind of error into a ConfigError.
template <class Parse>
auto parse_yaml(std::string_view yaml, std::string_view source, Parse&& parse)
    -> ConfigResult<decltype(parse(YAML::Node()))> {
  try {
    return parse(YAML::Load(std::string(yaml)));
  } catch (const PositionedError& e) {
    return std::unexpected(positioned(source, e.mark, e.message));
  } catch (const YAML::Exception& e) {
    // e.msg is the bare reason; what() repeats the position in yaml-cpp's own format.
    return std::unexpected(positioned(source, e.mark, e.msg));
  }
}

// The whole file, or "path: cannot open/read the configuration file".
[[nodiscard]] ConfigResult<std::string> read_config_file(const std::string& path);

}  // namespace eb::config::detail
