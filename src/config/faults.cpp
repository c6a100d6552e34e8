#include "config/faults.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <optional>

#include "config/yaml_support.hpp"

namespace eb::config {
namespace {

using detail::fail_at;
using detail::for_each_entry;
using detail::for_each_item;
using detail::scalar;

std::int64_t parse_integer(const YAML::Node& node, const std::string& key) {
  const std::string text = scalar(node, "'" + key + "'");
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    fail_at(node, "'" + key + "' must be a whole number, not '" + text + "'");
  }
  return value;
}

double parse_probability(const YAML::Node& node) {
  const std::string text = scalar(node, "'probability'");
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    fail_at(node, "'probability' must be a number from 0 to 1, not '" + text + "'");
  }
  return value;
}

faults::FaultSpec parse_fault(const YAML::Node& item) {
  faults::FaultSpec spec;
  for_each_entry(item, "a fault",
                 {"service", "action", "resource", "error", "probability", "count", "latency_ms"},
                 [&](const std::string& key, const YAML::Node&, const YAML::Node& value) {
                   if (key == "service") {
                     spec.service = detail::nonempty_scalar(value, "'service'");
                   } else if (key == "action") {
                     spec.action = scalar(value, "'action'");
                   } else if (key == "resource") {
                     spec.resource = scalar(value, "'resource'");
                   } else if (key == "error") {
                     spec.error = scalar(value, "'error'");
                   } else if (key == "probability") {
                     spec.probability = parse_probability(value);
                   } else if (key == "count") {
                     spec.count = parse_integer(value, key);
                   } else {
                     spec.latency_ms = parse_integer(value, key);
                   }
                 });
  detail::require_key(item, spec.service, "a fault", "service");
  if (auto ok = faults::validate(spec); !ok) fail_at(item, ok.error().message);
  return spec;
}

std::vector<faults::FaultSpec> parse_root(const YAML::Node& root) {
  std::vector<faults::FaultSpec> out;
  if (!root || root.IsNull() || !root.IsMap()) return out;  // parse_settings reports a non-map
  for (const auto& entry : root) {
    if (!entry.first.IsScalar() || entry.first.Scalar() != "faults") continue;
    for_each_item(entry.second, "faults", "faults",
                  [&](const YAML::Node& item) { out.push_back(parse_fault(item)); });
  }
  return out;
}

}  // namespace

ConfigResult<std::vector<faults::FaultSpec>> parse_faults(std::string_view yaml,
                                                          std::string_view source) {
  return detail::parse_yaml(yaml, source, [](const YAML::Node& root) { return parse_root(root); });
}

ConfigResult<std::vector<faults::FaultSpec>> load_faults_file(const std::string& path) {
  EB_ASSIGN_OR_RETURN(const std::string text, detail::read_config_file(path));
  return parse_faults(text, path);
}

}  // namespace eb::config
