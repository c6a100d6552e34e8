#include "api/admin/query.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "api/aws/form.hpp"

namespace eb::api::admin {

Result<ResourceTarget> parse_resource_target(std::string_view target, std::string_view prefix,
                                             std::string_view what) {
  ResourceTarget out;
  const std::size_t q = target.find('?');
  out.path = target.substr(0, q);
  if (q != std::string_view::npos) out.query = target.substr(q + 1);
  std::string_view path = out.path.substr(std::min(out.path.size(), prefix.size()));
  if (path.empty() || path == "/") return out;
  path.remove_prefix(1);
  const std::size_t slash = path.find('/');
  auto name = aws::url_decode(path.substr(0, slash), false);
  if (!name || name->empty()) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("the {} name is not validly percent-encoded", what));
  }
  out.name = std::move(*name);
  if (slash != std::string_view::npos) out.rest = path.substr(slash);
  return out;
}

Result<Query> Query::parse(std::string_view text) {
  auto pairs = aws::parse_form(text);
  if (!pairs) return fail(Errc::kInvalidParameterValue, pairs.error().message);
  Query q;
  for (auto& [k, v] : *pairs) q.values_[k] = std::move(v);
  return q;
}

std::string Query::get(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::string() : it->second;
}

Result<std::uint64_t> Query::non_negative(const std::string& name, std::uint64_t fallback) const {
  if (!has(name)) return fallback;
  const std::string text = get(name);
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("{} must be a non-negative integer, not '{}'", name, text));
  }
  return v;
}

Result<std::size_t> Query::limit(std::size_t fallback, std::size_t max) const {
  EB_ASSIGN_OR_RETURN(const std::uint64_t v, non_negative("limit", fallback));
  if (v == 0) return fail(Errc::kInvalidParameterValue, "limit must be at least 1");
  return static_cast<std::size_t>(std::min<std::uint64_t>(v, max));
}

}  // namespace eb::api::admin
