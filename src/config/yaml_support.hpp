#pragma once
// Internal to config/: how parsers report a problem at a node's position, and the node readers
// they share. Errors travel as a PositionedError exception inside a parser (yaml-cpp reports its
// own that way too) and become a ConfigError at the public boundary, through parse_yaml.
#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <set>
#include <span>
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

// YAML text is Unicode: a byte that is not UTF-8 is an error at its line and column. yaml-cpp
// would read it as U+FFFD instead, so a file would mean something else than it says, and an
// exported topology would not read back the same.
std::optional<ConfigError> check_utf8(std::string_view yaml, std::string_view source);

// Loads `yaml` and runs `parse` on its root, turning either kind of error into a ConfigError.
template <class Parse>
auto parse_yaml(std::string_view yaml, std::string_view source, Parse&& parse)
    -> ConfigResult<decltype(parse(YAML::Node()))> {
  if (auto error = check_utf8(yaml, source)) return std::unexpected(std::move(*error));
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

// --- YAML -> JSON ----------------------------------------------------------------------------

// A plain (unquoted) scalar that is not a string in JSON terms: true, false, null (or ~, Null,
// NULL) or a number as RFC 8259 writes one.
bool is_json_literal(std::string_view s);

// The node as compact JSON text: plain scalars true/false/null (~, Null, NULL) and numbers
// become JSON literals; quoted scalars (yaml-cpp tags them "!") and every other plain scalar are
// strings; mappings and lists convert recursively. A duplicate or non-scalar key is an error.
std::string to_json(const YAML::Node& node);

// --- node readers (they throw PositionedError) -------------------------------------------------
// `what` names the value in messages, quoted as it should appear ("'name'", "a key").

// "line N" (1-based) of the node, for "first declared at" notes.
std::string where(const YAML::Node& node);

// The node's text; "WHAT must be a single value" when it is not a scalar (null included).
std::string scalar(const YAML::Node& node, std::string_view what);
// As scalar, and "WHAT must not be empty".
std::string nonempty_scalar(const YAML::Node& node, std::string_view what);
// true/yes/on or false/no/off; "WHAT must be true or false, not 'X'" otherwise.
bool parse_bool(const YAML::Node& node, std::string_view what);

// "KIND needs 'KEY'" at `item` when `value` (a required key's) is empty.
void require_key(const YAML::Node& item, const std::string& value, std::string_view kind,
                 std::string_view key);

// Iterates a mapping (null counts as empty), rejecting duplicate keys and, when `known` is
// not empty, keys not in it ("unknown key 'X' in WHAT (known: a, b)"). f(key, key_node, value).
template <class F>
void for_each_entry(const YAML::Node& node, std::string_view what,
                    std::span<const std::string_view> known, F&& f) {
  if (!node || node.IsNull()) return;
  if (!node.IsMap()) fail_at(node, std::string(what) + " must be a mapping of keys to values");
  std::set<std::string> seen;
  for (const auto& entry : node) {
    const std::string key = scalar(entry.first, "a key");
    if (!seen.insert(key).second) fail_at(entry.first, "duplicate key '" + key + "'");
    if (!known.empty()) {
      bool ok = false;
      std::string list;
      for (std::string_view k : known) {
        ok = ok || k == key;
        list += (list.empty() ? "" : ", ") + std::string(k);
      }
      if (!ok) {
        fail_at(entry.first,
                "unknown key '" + key + "' in " + std::string(what) + " (known: " + list + ")");
      }
    }
    f(key, entry.first, entry.second);
  }
}

template <class F>
void for_each_entry(const YAML::Node& node, std::string_view what,
                    std::initializer_list<std::string_view> known, F&& f) {
  for_each_entry(node, what, std::span<const std::string_view>(known.begin(), known.size()),
                 std::forward<F>(f));
}

// Iterates the list under `key` (null counts as empty), each entry a mapping:
// "'KEY' must be a list of ITEM_KIND", "each entry of 'KEY' must be a mapping (a ITEM_KIND
// without its final s)".
template <class F>
void for_each_item(const YAML::Node& node, std::string_view key, std::string_view item_kind,
                   F&& f) {
  if (!node || node.IsNull()) return;
  if (!node.IsSequence()) {
    fail_at(node, "'" + std::string(key) + "' must be a list of " + std::string(item_kind));
  }
  for (const auto& item : node) {
    if (!item.IsMap()) {
      fail_at(item, "each entry of '" + std::string(key) + "' must be a mapping (a " +
                        std::string(item_kind).substr(0, item_kind.size() - 1) + ")");
    }
    f(item);
  }
}

}  // namespace eb::config::detail
