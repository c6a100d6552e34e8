#include "config/yaml_support.hpp"

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "core/utf8.hpp"

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

std::optional<ConfigError> check_utf8(std::string_view yaml, std::string_view source) {
  const std::size_t bad = invalid_utf8_at(yaml);
  if (bad == std::string_view::npos) return std::nullopt;
  YAML::Mark mark;
  mark.pos = static_cast<int>(bad);
  for (std::size_t i = 0; i < bad; ++i) {
    if (yaml[i] == '\n') {
      ++mark.line;
      mark.column = 0;
    } else {
      ++mark.column;
    }
  }
  char what[80];
  std::snprintf(what, sizeof what,
                "byte 0x%02X is not UTF-8 (the configuration must be UTF-8 text)",
                static_cast<unsigned>(static_cast<unsigned char>(yaml[bad])));
  return positioned(source, mark, what);
}

ConfigResult<std::string> read_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(ConfigError{path + ": cannot open the configuration file"});
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::unexpected(ConfigError{path + ": cannot read the configuration file"});
  return text.str();
}

// --- YAML -> JSON ----------------------------------------------------------------------------

namespace {

// A JSON number as RFC 8259 writes one.
bool is_json_number(std::string_view s) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

bool is_null_text(std::string_view s) {
  return s == "null" || s == "~" || s == "Null" || s == "NULL";
}

}  // namespace

bool is_json_literal(std::string_view s) {
  return s == "true" || s == "false" || is_null_text(s) || is_json_number(s);
}

namespace {

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void append_json(std::string& out, const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out += "null";
      return;
    case YAML::NodeType::Scalar: {
      const std::string& text = node.Scalar();
      if (node.Tag() != "!" && is_json_literal(text)) {
        out += is_null_text(text) ? "null" : text;
      } else {
        append_json_string(out, text);
      }
      return;
    }
    case YAML::NodeType::Sequence: {
      out += '[';
      bool first = true;
      for (const auto& item : node) {
        if (!first) out += ',';
        first = false;
        append_json(out, item);
      }
      out += ']';
      return;
    }
    case YAML::NodeType::Map: {
      out += '{';
      bool first = true;
      std::set<std::string> seen;
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) fail_at(entry.first, "a key must be a single value");
        const std::string& key = entry.first.Scalar();
        if (!seen.insert(key).second) fail_at(entry.first, "duplicate key '" + key + "'");
        if (!first) out += ',';
        first = false;
        append_json_string(out, key);
        out += ':';
        append_json(out, entry.second);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string to_json(const YAML::Node& node) {
  std::string out;
  append_json(out, node);
  return out;
}

// --- node readers ----------------------------------------------------------------------------

std::string where(const YAML::Node& node) { return "line " + std::to_string(node.Mark().line + 1); }

std::string scalar(const YAML::Node& node, std::string_view what) {
  if (!node.IsScalar()) fail_at(node, std::string(what) + " must be a single value");
  return node.Scalar();
}

std::string nonempty_scalar(const YAML::Node& node, std::string_view what) {
  std::string text = scalar(node, what);
  if (text.empty()) fail_at(node, std::string(what) + " must not be empty");
  return text;
}

bool parse_bool(const YAML::Node& node, std::string_view what) {
  const std::string text = scalar(node, what);
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  fail_at(node, std::string(what) + " must be true or false, not '" + text + "'");
}

void require_key(const YAML::Node& item, const std::string& value, std::string_view kind,
                 std::string_view key) {
  if (value.empty()) {
    fail_at(item, std::string(kind) + " needs '" + std::string(key) + "'");
  }
}

}  // namespace eb::config::detail
