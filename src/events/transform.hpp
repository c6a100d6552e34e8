#pragma once
// Target input shaping (PutTargets' Input, InputPath and InputTransformer): validated and
// compiled once when a target is put, then rendered for every event the rule delivers to it.
// Pure: no storage, no clock (the ingestion time comes in the RenderContext).
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/errors.hpp"

namespace simdjson::dom {
class element;
}  // namespace simdjson::dom

namespace eb::events {

// A target's shaping members as PutTargets carries them; an absent member is nullopt.
struct TargetInputSpec {
  struct Transformer {
    // InputPathsMap in request order: variable name -> JSONPath.
    std::vector<std::pair<std::string, std::string>> input_paths_map;
    std::string input_template;
  };
  std::optional<std::string> input;       // Input: constant JSON text
  std::optional<std::string> input_path;  // InputPath: a JSONPath into the event
  std::optional<Transformer> input_transformer;
};

// Where a target sits in its PutTargets request, for AWS's error texts.
struct TargetRef {
  std::string_view id;
  int position = 1;  // 1-based, as in "targets.1.member.input"
};

// What the predefined placeholders <aws.events.*> render to.
struct RenderContext {
  std::string_view rule_arn;
  std::string_view rule_name;
  std::string_view ingestion_time;  // ISO-8601, e.g. "2026-11-27T06:40:00Z"
};

// The JSONPath subset EventBridge documents (eb-transform-target-input, "Supported syntax"):
// `$` then any of `.name` (letters, digits, `_`, `-`, `/`), `[index]`, `.*` and `[*]`. Bracket
// notation with quoted names (`$['a']`) is refused, as PutTargets refuses it. A path with a
// wildcard selects a list (rendered as a JSON array); one without selects at most one value.
class JsonPath {
 public:
  // nullopt when `text` is outside the subset.
  static std::optional<JsonPath> parse(std::string_view text);

  // Appends the selected elements of `root` to `out`.
  void select(const simdjson::dom::element& root, std::vector<simdjson::dom::element>& out) const;
  bool definite() const { return definite_; }

 private:
  struct Step {
    enum class Kind { kMember, kIndex, kWildcard } kind;
    std::string name;
    std::size_t index = 0;
  };
  void select_from(const simdjson::dom::element& at, std::size_t step,
                   std::vector<simdjson::dom::element>& out) const;

  std::vector<Step> steps_;
  bool definite_ = true;
};

// One target's compiled input shaping. Immutable once compiled, so any thread may render.
// Copies share the compiled template.
class TargetInput {
 public:
  enum class Kind { kEvent, kConstant, kPath, kTransformer };

  // Validates by PutTargets' rules: at most one of the three members; Input <= 8192 chars and
  // JSON; InputPath <= 256 chars and in the JsonPath subset; InputPathsMap <= 100 entries, keys
  // of [A-Za-z0-9_-] (1-256 chars, not starting with "AWS"), values JsonPaths; InputTemplate
  // 1-8192 chars, its placeholders defined, and valid JSON when it is a JSON template. Every
  // failure is Errc::kValidationError worded as AWS words it.
  static Result<TargetInput> compile(const TargetInputSpec& spec, TargetRef target);

  // What the target receives for `event` (parsed) whose text is `event_json`:
  // - no shaping: `event_json` as is;  - Input: the constant;
  // - InputPath: the selected value as minified JSON ("null" when nothing is selected);
  // - InputTransformer: the template with its placeholders replaced (see transform.cpp).
  std::string render(const simdjson::dom::element& event, std::string_view event_json,
                     const RenderContext& ctx) const;

  Kind kind() const { return kind_; }

  struct Template;  // the compiled InputTransformer, defined in transform.cpp

 private:
  TargetInput() = default;

  Kind kind_ = Kind::kEvent;
  std::string constant_;
  std::optional<JsonPath> path_;
  std::shared_ptr<const Template> template_;
};

}  // namespace eb::events
