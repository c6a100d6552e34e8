#include "api/admin/json_members.hpp"

#include <fmt/format.h>

namespace eb::api::admin {

Result<std::string> string_member(std::string_view name, simdjson::dom::element value) {
  std::string_view text;
  if (value.get(text) != simdjson::SUCCESS) {
    return fail(Errc::kInvalidParameterValue, fmt::format(R"("{}" must be a string)", name));
  }
  return std::string(text);
}

Result<std::int64_t> integer_member(std::string_view name, simdjson::dom::element value) {
  std::int64_t number = 0;
  if (value.get(number) != simdjson::SUCCESS) {
    return fail(Errc::kInvalidParameterValue, fmt::format(R"("{}" must be an integer)", name));
  }
  return number;
}

}  // namespace eb::api::admin
