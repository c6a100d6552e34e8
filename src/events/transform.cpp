#include "events/transform.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <array>
#include <string>
#include <vector>

#include "core/json_escape.hpp"
#include "core/json_writer.hpp"

// Rendering rules, from the EventBridge user guide "eb-transform-target-input" (the examples
// table, "Predefined variables" and "Common issues"), the API reference for InputTransformer,
// and where both are silent, LocalStack's AWS-validated target code (noted below):
//
// - A JSON template is one whose first non-blank character is `{` or `[` (the API reference:
//   "If InputTemplate is a JSON object (surrounded by curly braces)..."). It must stay valid JSON
//   with its placeholders filled, so placeholders cannot be object keys. Outside quotes a string
//   value is inserted as a JSON string ("instance" : <instance> gives "instance" : "i-01..."),
//   any other value as its JSON text, and a variable whose path selects nothing as `null`.
//   Inside quotes a value is inserted JSON-escaped (a string's characters, any other value's JSON
//   text) so the output stays valid JSON, and a missing one as nothing. The result is minified
//   ("The JSON that is passed to the target is minified").
// - Any other template (plain text, or a quoted string such as "instance <id> is <state>") is a
//   string template: values are inserted raw (strings unquoted, other values as JSON text,
//   missing ones as nothing) and the template's own characters, quotes included, are kept as
//   written: the guide renders "<aws.events.rule-name> triggered" as "example triggered".
// - <aws.events.rule-arn>, <aws.events.rule-name> and <aws.events.event.ingestion-time> are
//   strings. <aws.events.event.json> is the whole event as JSON. <aws.events.event> is the event
//   as JSON without its `detail` member (the current guide) and with `detail-type` spelled
//   `detailType` (LocalStack's target.py, written against AWS snapshots).

namespace eb::events {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// PutTargets' limits (the API reference's Target and InputTransformer shapes).
constexpr std::size_t kMaxInputChars = 8192;
constexpr std::size_t kMaxPathChars = 256;
constexpr std::size_t kMaxTemplateChars = 8192;
constexpr std::size_t kMaxPathsMapEntries = 100;
constexpr std::size_t kMaxPathsMapKeyChars = 256;

constexpr std::string_view kRuleArn = "aws.events.rule-arn";
constexpr std::string_view kRuleName = "aws.events.rule-name";
constexpr std::string_view kIngestionTime = "aws.events.event.ingestion-time";
constexpr std::string_view kEvent = "aws.events.event";
constexpr std::string_view kEventJson = "aws.events.event.json";

simdjson::dom::parser& local_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

std::unexpected<Error> invalid(std::string message) {
  return fail(Errc::kValidationError, std::move(message));
}

// The wording of AWS's request-model checks (length, pattern, map size), which name the member
// by its position in the request.
std::unexpected<Error> constraint(std::string_view value, TargetRef target, std::string_view member,
                                  std::string_view rule) {
  return invalid(fmt::format(
      "1 validation error detected: Value '{}' at 'targets.{}.member.{}' failed to satisfy "
      "constraint: {}",
      value, target.position, member, rule));
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool is_path_name_char(char c) { return is_name_char(c) || c == '/'; }

// Placeholder names: InputPathsMap keys plus the dots of the predefined aws.events.* names.
bool is_placeholder_char(char c) { return is_name_char(c) || c == '.'; }

bool is_json(std::string_view text) {
  element ignored;
  return !local_parser().parse(text.data(), text.size()).get(ignored);
}

// The `{k=v, ...}` form Java's Map.toString gives, as AWS quotes a map in constraint errors.
std::string java_map_text(const std::vector<std::pair<std::string, std::string>>& map) {
  std::string text = "{";
  for (const auto& [key, value] : map) {
    if (text.size() > 1) text += ", ";
    text += fmt::format("{}={}", key, value);
  }
  return text + "}";
}

// A value a placeholder or InputPath selected: a string's characters, or JSON text.
struct Selected {
  enum class Kind { kMissing, kString, kJson } kind = Kind::kMissing;
  std::string text;
};

Selected select_value(const JsonPath& path, const element& event) {
  std::vector<element> found;
  path.select(event, found);
  if (!path.definite()) {
    std::string array = "[";
    for (const element& e : found) {
      if (array.size() > 1) array += ',';
      array += simdjson::to_string(e);
    }
    return {Selected::Kind::kJson, array + "]"};
  }
  if (found.empty()) return {};
  std::string_view s;
  if (!found.front().get_string().get(s)) return {Selected::Kind::kString, std::string(s)};
  return {Selected::Kind::kJson, simdjson::to_string(found.front())};
}

// The event without `detail`, `detail-type` renamed: what <aws.events.event> stands for.
std::string event_without_detail(const element& event) {
  simdjson::dom::object object;
  if (event.get_object().get(object)) return simdjson::to_string(event);
  std::string out;
  JsonWriter writer(out);
  writer.begin_object();
  for (auto [key, value] : object) {
    if (key == "detail") continue;
    writer.key(key == "detail-type" ? std::string_view("detailType") : key)
        .raw(simdjson::to_string(value));
  }
  writer.end_object();
  return out;
}

}  // namespace

// ---- JsonPath ----

std::optional<JsonPath> JsonPath::parse(std::string_view text) {
  if (text.empty() || text.front() != '$') return std::nullopt;
  JsonPath path;
  std::size_t i = 1;
  while (i < text.size()) {
    Step step{};
    if (text[i] == '.') {
      ++i;
      if (i < text.size() && text[i] == '*') {
        step.kind = Step::Kind::kWildcard;
        ++i;
      } else {
        const std::size_t start = i;
        while (i < text.size() && is_path_name_char(text[i])) ++i;
        if (i == start) return std::nullopt;
        step.kind = Step::Kind::kMember;
        step.name = std::string(text.substr(start, i - start));
      }
    } else if (text[i] == '[') {
      const std::size_t close = text.find(']', i);
      if (close == std::string_view::npos) return std::nullopt;
      const std::string_view inside = text.substr(i + 1, close - i - 1);
      if (inside == "*") {
        step.kind = Step::Kind::kWildcard;
      } else {
        if (inside.empty() || inside.size() > 9) return std::nullopt;
        for (char c : inside) {
          if (c < '0' || c > '9') return std::nullopt;
          step.index = step.index * 10 + static_cast<std::size_t>(c - '0');
        }
        step.kind = Step::Kind::kIndex;
      }
      i = close + 1;
    } else {
      return std::nullopt;
    }
    if (step.kind == Step::Kind::kWildcard) path.definite_ = false;
    path.steps_.push_back(std::move(step));
  }
  return path;
}

void JsonPath::select(const element& root, std::vector<element>& out) const {
  select_from(root, 0, out);
}

void JsonPath::select_from(const element& at, std::size_t step, std::vector<element>& out) const {
  if (step == steps_.size()) {
    out.push_back(at);
    return;
  }
  const Step& s = steps_[step];
  element next;
  switch (s.kind) {
    case Step::Kind::kMember:
      if (at.type() == element_type::OBJECT && !at.at_key(s.name).get(next)) {
        select_from(next, step + 1, out);
      }
      return;
    case Step::Kind::kIndex:
      if (at.type() == element_type::ARRAY && !at.at(s.index).get(next)) {
        select_from(next, step + 1, out);
      }
      return;
    case Step::Kind::kWildcard:
      if (simdjson::dom::object object; !at.get_object().get(object)) {
        for (auto field : object) select_from(field.value, step + 1, out);
      } else if (simdjson::dom::array array; !at.get_array().get(array)) {
        for (element item : array) select_from(item, step + 1, out);
      }
      return;
  }
}

// ---- the compiled InputTransformer ----

struct TargetInput::Template {
  enum class Source {
    kLiteral,
    kVariable,
    kRuleArn,
    kRuleName,
    kIngestionTime,
    kEvent,
    kEventJson
  };
  struct Piece {
    Source source = Source::kLiteral;
    std::string literal;       // kLiteral
    std::size_t variable = 0;  // kVariable: index into paths
    bool quoted = false;       // inside a JSON string of a JSON template
  };

  std::vector<Piece> pieces;
  std::vector<JsonPath> paths;
  bool json = false;

  static Result<std::shared_ptr<const Template>> compile(const TargetInputSpec::Transformer& spec,
                                                         TargetRef target);
  std::string render(const element& event, std::string_view event_json,
                     const RenderContext& ctx) const;
};

namespace {

using Source = TargetInput::Template::Source;

std::optional<Source> predefined(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, Source>, 5> kNames = {{
      {kRuleArn, Source::kRuleArn},
      {kRuleName, Source::kRuleName},
      {kIngestionTime, Source::kIngestionTime},
      {kEvent, Source::kEvent},
      {kEventJson, Source::kEventJson},
  }};
  for (const auto& [n, source] : kNames) {
    if (n == name) return source;
  }
  return std::nullopt;
}

bool starts_json(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && (text[first] == '{' || text[first] == '[');
}

Result<void> check_paths_map(const TargetInputSpec::Transformer& spec, TargetRef target) {
  const auto& map = spec.input_paths_map;
  if (map.size() > kMaxPathsMapEntries) {
    return constraint(java_map_text(map), target, "inputTransformer.inputPathsMap",
                      "Member must have length less than or equal to 100");
  }
  for (const auto& [key, path] : map) {
    bool key_ok = !key.empty() && key.size() <= kMaxPathsMapKeyChars;
    for (char c : key) key_ok = key_ok && is_name_char(c);
    if (!key_ok) {
      return constraint(java_map_text(map), target, "inputTransformer.inputPathsMap",
                        "Map keys must satisfy constraint: [Member must have length less than or "
                        "equal to 256, Member must have length greater than or equal to 1, Member "
                        "must satisfy regular expression pattern: [A-Za-z0-9\\_\\-]+]");
    }
    if (key.starts_with("AWS")) {
      return invalid(fmt::format(
          "InputPathsMap for target {} contains the reserved key {}: keys cannot start with AWS.",
          target.id, key));
    }
    if (path.size() > kMaxPathChars) {
      return constraint(java_map_text(map), target, "inputTransformer.inputPathsMap",
                        "Map value must satisfy constraint: [Member must have length less than or "
                        "equal to 256]");
    }
    if (!JsonPath::parse(path)) {
      return invalid(fmt::format("InputPath for target {} is invalid.", target.id));
    }
  }
  return {};
}

}  // namespace

Result<std::shared_ptr<const TargetInput::Template>> TargetInput::Template::compile(
    const TargetInputSpec::Transformer& spec, TargetRef target) {
  EB_TRY(check_paths_map(spec, target));
  const std::string_view text = spec.input_template;
  if (text.empty()) {
    return constraint(text, target, "inputTransformer.inputTemplate",
                      "Member must have length greater than or equal to 1");
  }
  if (text.size() > kMaxTemplateChars) {
    return constraint(text, target, "inputTransformer.inputTemplate",
                      "Member must have length less than or equal to 8192");
  }

  auto compiled = std::make_shared<Template>();
  compiled->json = starts_json(text);
  for (const auto& entry : spec.input_paths_map) {
    compiled->paths.push_back(*JsonPath::parse(entry.second));
  }
  // Split the template into literals and placeholders, noting for each placeholder whether it
  // sits inside a JSON string (only meaningful for JSON templates).
  std::string literal;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && in_string && i + 1 < text.size()) {
      literal.append(text.substr(i, 2));
      ++i;
      continue;
    }
    if (c == '"') in_string = !in_string;
    if (c == '<') {
      std::size_t end = i + 1;
      while (end < text.size() && is_placeholder_char(text[end])) ++end;
      if (end > i + 1 && end < text.size() && text[end] == '>') {
        const std::string_view name = text.substr(i + 1, end - i - 1);
        Piece piece{.quoted = in_string};
        if (auto source = predefined(name)) {
          piece.source = *source;
        } else {
          std::size_t v = 0;
          while (v < spec.input_paths_map.size() && spec.input_paths_map[v].first != name) ++v;
          if (v == spec.input_paths_map.size()) {
            return invalid(fmt::format(
                "InputTemplate for target {} contains invalid placeholder {}.", target.id, name));
          }
          piece.source = Source::kVariable;
          piece.variable = v;
        }
        if (!literal.empty()) compiled->pieces.push_back({.literal = std::exchange(literal, {})});
        compiled->pieces.push_back(std::move(piece));
        i = end;
        continue;
      }
    }
    literal += c;
  }
  if (!literal.empty()) compiled->pieces.push_back({.literal = std::move(literal)});

  if (compiled->json) {
    // Probe with the neutral fill (null outside quotes, nothing inside): a template that is
    // not JSON then, such as one with a placeholder as an object key, never will be.
    std::string probe;
    for (const Piece& piece : compiled->pieces) {
      if (piece.source == Source::kLiteral) {
        probe += piece.literal;
      } else if (!piece.quoted) {
        probe += "null";
      }
    }
    element ignored;
    if (auto error = local_parser().parse(probe).get(ignored)) {
      return invalid(fmt::format("Invalid InputTemplate for target {} : {}", target.id,
                                 simdjson::error_message(error)));
    }
  }
  return std::shared_ptr<const Template>(std::move(compiled));
}

std::string TargetInput::Template::render(const element& event, std::string_view event_json,
                                          const RenderContext& ctx) const {
  std::string out;
  out.reserve(event_json.size());
  for (const Piece& piece : pieces) {
    Selected value;
    switch (piece.source) {
      case Source::kLiteral:
        out += piece.literal;
        continue;
      case Source::kVariable:
        value = select_value(paths[piece.variable], event);
        break;
      case Source::kRuleArn:
        value = {Selected::Kind::kString, std::string(ctx.rule_arn)};
        break;
      case Source::kRuleName:
        value = {Selected::Kind::kString, std::string(ctx.rule_name)};
        break;
      case Source::kIngestionTime:
        value = {Selected::Kind::kString, std::string(ctx.ingestion_time)};
        break;
      case Source::kEvent:
        value = {Selected::Kind::kJson, event_without_detail(event)};
        break;
      case Source::kEventJson:
        value = {Selected::Kind::kJson, std::string(event_json)};
        break;
    }
    if (!json) {
      out += value.text;
    } else if (piece.quoted) {
      append_json_escaped(out, value.text);
    } else if (value.kind == Selected::Kind::kMissing) {
      out += "null";
    } else if (value.kind == Selected::Kind::kString) {
      out += '"';
      append_json_escaped(out, value.text);
      out += '"';
    } else {
      out += value.text;
    }
  }
  if (!json) return out;
  std::string minified(out.size(), '\0');
  std::size_t length = 0;
  if (simdjson::minify(out.data(), out.size(), minified.data(), length)) return out;
  minified.resize(length);
  return minified;
}

// ---- TargetInput ----

Result<TargetInput> TargetInput::compile(const TargetInputSpec& spec, TargetRef target) {
  const int members = int{spec.input.has_value()} + int{spec.input_path.has_value()} +
                      int{spec.input_transformer.has_value()};
  if (members > 1) {
    return invalid(fmt::format(
        "Only one of Input, InputPath, or InputTransformer must be provided for target {}.",
        target.id));
  }
  TargetInput compiled;
  if (spec.input) {
    if (spec.input->size() > kMaxInputChars) {
      return constraint(*spec.input, target, "input",
                        "Member must have length less than or equal to 8192");
    }
    if (!is_json(*spec.input)) {
      return invalid(fmt::format("Input for target {} is not valid JSON text.", target.id));
    }
    compiled.kind_ = Kind::kConstant;
    compiled.constant_ = *spec.input;
  } else if (spec.input_path) {
    if (spec.input_path->size() > kMaxPathChars) {
      return constraint(*spec.input_path, target, "inputPath",
                        "Member must have length less than or equal to 256");
    }
    compiled.path_ = JsonPath::parse(*spec.input_path);
    if (!compiled.path_) {
      return invalid(fmt::format("InputPath for target {} is invalid.", target.id));
    }
    compiled.kind_ = Kind::kPath;
  } else if (spec.input_transformer) {
    EB_ASSIGN_OR_RETURN(compiled.template_, Template::compile(*spec.input_transformer, target));
    compiled.kind_ = Kind::kTransformer;
  }
  return compiled;
}

std::string TargetInput::render(const element& event, std::string_view event_json,
                                const RenderContext& ctx) const {
  switch (kind_) {
    case Kind::kEvent:
      return std::string(event_json);
    case Kind::kConstant:
      return constant_;
    case Kind::kPath: {
      Selected value = select_value(*path_, event);
      if (value.kind == Selected::Kind::kMissing) return "null";
      if (value.kind == Selected::Kind::kJson) return std::move(value.text);
      return "\"" + json_escape(value.text) + "\"";
    }
    case Kind::kTransformer:
      return template_->render(event, event_json, ctx);
  }
  return std::string(event_json);
}

}  // namespace eb::events
