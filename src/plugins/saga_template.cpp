#include "plugins/saga_template.hpp"

#include <simdjson.h>

#include "core/json_writer.hpp"

namespace eb::plugins::saga {
namespace {

// The value at `path` ("a.b.c"; empty: the whole document) of the JSON `document`, as JSON
// text; "null" when absent.
std::string select(std::string_view document, std::string_view path) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parser.parse(document.data(), document.size()).get(e)) return "null";
  while (!path.empty()) {
    const std::size_t dot = path.find('.');
    const std::string_view key = path.substr(0, dot);
    simdjson::dom::object object;
    if (e.get_object().get(object) || object.at_key(key).get(e)) return "null";
    path.remove_prefix(dot == std::string_view::npos ? path.size() : dot + 1);
  }
  return simdjson::minify(e);
}

// "rest" after "prefix" when `text` is "prefix" or starts with "prefix.".
std::optional<std::string_view> after(std::string_view text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return std::nullopt;
  text.remove_prefix(prefix.size());
  if (text.empty()) return text;
  if (text.front() != '.') return std::nullopt;
  text.remove_prefix(1);
  return text;
}

std::string reference(std::string_view ref, const config::SagaPluginSpec& d, const State& s) {
  if (ref == "$.sagaId") {
    std::string out;
    JsonWriter(out).string(s.id);
    return out;
  }
  if (auto path = after(ref, "$.input")) return select(s.input, *path);
  if (auto rest = after(ref, "$.steps")) {
    const std::size_t dot = rest->find('.');
    const std::string_view name = rest->substr(0, dot);
    const std::string_view tail =
        dot == std::string_view::npos ? std::string_view() : rest->substr(dot + 1);
    for (std::size_t i = 0; i < d.steps.size() && i < s.steps.size(); ++i) {
      if (d.steps[i].name != name) continue;
      if (auto path = after(tail, "result")) return select(s.steps[i].result, *path);
    }
  }
  return "null";
}

void fill(JsonWriter& out, simdjson::dom::element e, const config::SagaPluginSpec& d,
          const State& s) {
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT:
      out.begin_object();
      for (auto [key, value] : simdjson::dom::object(e)) {
        out.key(key);
        fill(out, value, d, s);
      }
      out.end_object();
      return;
    case simdjson::dom::element_type::ARRAY:
      out.begin_array();
      for (simdjson::dom::element value : simdjson::dom::array(e)) fill(out, value, d, s);
      out.end_array();
      return;
    case simdjson::dom::element_type::STRING: {
      const std::string_view text(e);
      if (text.starts_with("$.")) {
        out.raw(reference(text, d, s));
      } else {
        out.string(text);
      }
      return;
    }
    default:
      out.raw(simdjson::minify(e));
      return;
  }
}

}  // namespace

std::string fill_template(std::string_view template_json, const config::SagaPluginSpec& d,
                          const State& s) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(template_json.data(), template_json.size()).get(root)) return "null";
  std::string out;
  JsonWriter writer(out);
  fill(writer, root, d, s);
  return out;
}

}  // namespace eb::plugins::saga
