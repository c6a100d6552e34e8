#pragma once
// JSON string escaping, shared by the wire encoders (api/) and the few JSON documents the
// domain itself produces (queue policies).
#include <string>
#include <string_view>

namespace eb {

// Appends `text` as a JSON string body (no surrounding quotes): '"' and '\\' escaped, control
// characters below 0x20 as \n \r \t \b \f or \u00XX, every other byte (UTF-8) as is.
void append_json_escaped(std::string& out, std::string_view text);
std::string json_escape(std::string_view text);

}  // namespace eb
