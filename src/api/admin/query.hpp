#pragma once
// The query string of a native /v1 route: parameters by name (the last one wins), and the
// checks every route applies to the common ones (docs/eventlog-api.md "Conventions").
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/errors.hpp"

namespace eb::api::admin {

// A request target of the routes under `prefix`: `{prefix}[/{name}[{rest}]][?{query}]`, as
// /v1/queues/{name}/messages and /v1/topics/{name}/publish are.
struct ResourceTarget {
  std::string_view path;  // without the query
  std::string_view query;
  std::optional<std::string> name;  // percent-decoded; none for `{prefix}` or `{prefix}/`
  std::string_view rest;            // after the name: "", "/", "/messages"...
};
// Fails with kInvalidParameterValue ("the {what} name is not validly percent-encoded") when the
// name is empty or its %-escapes are broken.
Result<ResourceTarget> parse_resource_target(std::string_view target, std::string_view prefix,
                                             std::string_view what);

class Query {
 public:
  // Fails with kInvalidParameterValue on a broken %-escape.
  static Result<Query> parse(std::string_view text);

  std::string get(const std::string& name) const;
  bool has(const std::string& name) const { return values_.contains(name); }

  // A non-negative integer parameter; `fallback` when absent.
  Result<std::uint64_t> non_negative(const std::string& name, std::uint64_t fallback) const;
  // `limit`: `fallback` when absent, 0 (or anything but a non-negative integer) an error,
  // larger than `max` taken as `max`.
  Result<std::size_t> limit(std::size_t fallback, std::size_t max) const;

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace eb::api::admin
