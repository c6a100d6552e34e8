#pragma once
// A saga step's data template (config/plugins.hpp, SagaRequestSpec::data) filled in from a
// saga: every JSON string "$.input", "$.input.a.b", "$.sagaId", "$.steps.NAME.result" or
// "$.steps.NAME.result.a.b" becomes that value (null when absent); everything else is copied.
// Pure; any thread.
#include <string>
#include <string_view>

#include "config/plugins.hpp"
#include "plugins/saga.hpp"

namespace eb::plugins::saga {

// The request data for `state` from `template_json` (valid JSON; "null" if it is not).
std::string fill_template(std::string_view template_json, const config::SagaPluginSpec& definition,
                          const State& state);

}  // namespace eb::plugins::saga
