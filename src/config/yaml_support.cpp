#include "config/yaml_support.hpp"

#include <fstream>
#include <sstream>

namespace eb::config::detail {

ConfigError positioned(std::string_view source, const YAML::Mark& mark, std::string_view what) {
  ConfigError error;
  if (mark.is_null()) {
    error.message = std::string(source) + ": " + std::string(what);
    return error;
  }
  error.line = mark.line + 1;
  error.column = mark.column + 1;
  error.message = std::string(source) + ":" + std::to_string(error.line) + ":" +
                  std::to_string(error.column) + ": " + std::string(what);
  return error;
}

ConfigResult<std::string> read_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(ConfigError{path + ": cannot open the configuration file"});
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::unexpected(ConfigError{path + ": cannot read the configuration file"});
  return text.str();
}

}  // namespace eb::config::detail
