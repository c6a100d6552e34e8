// The configuration file: the settings, topology, plugins and faults parsers over the same YAML
// text (each reads its keys and skips the others'), and the topology's round trip, which
// topology.hpp promises: parse(emit(t)) == t.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/faults.hpp"
#include "config/plugins.hpp"
#include "config/settings.hpp"
#include "config/topology.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace config = eb::config;
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  (void)config::parse_settings(yaml);
  (void)config::parse_plugins(yaml);
  (void)config::parse_faults(yaml);
  (void)config::canonical_json(yaml);
  auto topology = config::parse_topology(yaml);
  if (!topology) return 0;
  const std::string emitted = config::emit_topology(*topology);
  auto again = config::parse_topology(emitted, "<emitted>");
  if (!again || *again != *topology) {
    std::fprintf(stderr, "the emitted topology does not read back the same:\n%s\n%s\n",
                 emitted.c_str(), again ? "(different)" : again.error().message.c_str());
    std::abort();
  }
  return 0;
}
