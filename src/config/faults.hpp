#pragma once
// The config file's `faults:` list: fault-injection rules installed at start (the same rules
// POST /v1/faults takes; see faults/fault_spec.hpp), each entry
// {service, action?, resource?, error?, probability?, count?, latency_ms?}. The PRNG seed is
// the settings' `fault_seed`. Plain functions: no state.
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.hpp"
#include "faults/fault_spec.hpp"

namespace eb::config {

// Reads only the top-level `faults` key (the other keys are the settings' and the topology's
// to check); each entry is checked by faults::validate, its errors at the entry's position.
[[nodiscard]] ConfigResult<std::vector<faults::FaultSpec>> parse_faults(
    std::string_view yaml, std::string_view source = "<config>");
[[nodiscard]] ConfigResult<std::vector<faults::FaultSpec>> load_faults_file(
    const std::string& path);

}  // namespace eb::config
