// A saga's state as one JSON document and back: the saga engine's snapshot entry. Compact,
// written and read only by this file: {"i": id, "d": definition, "n": input, "s": status,
// "a": startedAt, "u": updatedAt, "l": lastEventId, "t": [step, ...]} with each step an array
// [status, attempt, requestId, deadline, retryAt, startedAt, completedAt, failedAt,
// compensatedAt, timedOut, error, result].
#include <simdjson.h>

#include <array>

#include "core/json_writer.hpp"
#include "plugins/json_read.hpp"
#include "plugins/saga.hpp"

namespace eb::plugins::saga {
namespace {

constexpr std::size_t kStepFields = 12;

template <typename Enum>
std::optional<Enum> enum_of(std::int64_t v, Enum last) {
  if (v < 0 || v > static_cast<std::int64_t>(last)) return std::nullopt;
  return static_cast<Enum>(v);
}

}  // namespace

std::string encode_state(const State& s) {
  std::string out;
  JsonWriter j(out);
  j.begin_object();
  j.member("i", s.id);
  j.member("d", s.definition);
  j.key("n").raw(s.input);
  j.member("s", static_cast<std::int64_t>(s.status));
  j.member("a", s.started_at);
  j.member("u", s.updated_at);
  j.member("l", s.last_event_id);
  j.key("t").begin_array();
  for (const StepState& t : s.steps) {
    j.begin_array();
    j.number(static_cast<std::int64_t>(t.status)).number(t.attempt).string(t.request_id);
    j.number(t.deadline).number(t.retry_at).number(t.started_at).number(t.completed_at);
    j.number(t.failed_at).number(t.compensated_at).boolean(t.timed_out).string(t.error);
    j.raw(t.result);
    j.end_array();
  }
  j.end_array();
  j.end_object();
  return out;
}

std::optional<State> decode_state(std::string_view text, std::size_t step_count) {
  thread_local simdjson::dom::parser parser;  // reused: a restart decodes every saga
  const auto o = json::object(parser, text);
  if (!o) return std::nullopt;
  State s;
  std::int64_t status = 0;
  simdjson::dom::array steps;
  if (o->at_key("s").get_int64().get(status) || o->at_key("t").get_array().get(steps) ||
      o->at_key("a").get_int64().get(s.started_at) ||
      o->at_key("u").get_int64().get(s.updated_at)) {
    return std::nullopt;
  }
  const auto saga_status = enum_of(status, Status::kStuck);
  if (!saga_status || steps.size() != step_count) return std::nullopt;
  s.status = *saga_status;
  s.id = json::string(*o, "i");
  s.definition = json::string(*o, "d");
  s.input = json::raw(*o, "n");
  s.last_event_id = json::string(*o, "l");
  for (simdjson::dom::element step : steps) {
    simdjson::dom::array fields;
    if (step.get_array().get(fields) || fields.size() != kStepFields) return std::nullopt;
    std::array<simdjson::dom::element, kStepFields> f;
    std::size_t n = 0;
    for (simdjson::dom::element e : fields) f[n++] = e;
    StepState t;
    std::int64_t step_status = 0;
    std::int64_t attempt = 0;
    std::string_view request_id;
    std::string_view error;
    if (f[0].get_int64().get(step_status) || f[1].get_int64().get(attempt) ||
        f[2].get_string().get(request_id) || f[3].get_int64().get(t.deadline) ||
        f[4].get_int64().get(t.retry_at) || f[5].get_int64().get(t.started_at) ||
        f[6].get_int64().get(t.completed_at) || f[7].get_int64().get(t.failed_at) ||
        f[8].get_int64().get(t.compensated_at) || f[9].get_bool().get(t.timed_out) ||
        f[10].get_string().get(error)) {
      return std::nullopt;
    }
    const auto parsed = enum_of(step_status, StepStatus::kCompensationFailed);
    if (!parsed) return std::nullopt;
    t.status = *parsed;
    t.attempt = static_cast<int>(attempt);
    t.request_id = request_id;
    t.error = error;
    t.result = simdjson::minify(f[11]);
    s.steps.push_back(std::move(t));
  }
  if (s.id.empty() || s.input.empty()) return std::nullopt;
  return s;
}

}  // namespace eb::plugins::saga
