#include "plugins/saga.hpp"

#include <algorithm>
#include <cmath>

namespace eb::plugins::saga {
namespace {

using Kind = Event::Kind;

constexpr std::pair<Kind, std::string_view> kEventTypes[] = {
    {Kind::kStarted, "saga.started"},
    {Kind::kRequested, "saga.requested"},
    {Kind::kRetryScheduled, "saga.retry-scheduled"},
    {Kind::kStepSucceeded, "saga.step-succeeded"},
    {Kind::kStepFailed, "saga.step-failed"},
    {Kind::kStepCompensated, "saga.step-compensated"},
    {Kind::kCompensationFailed, "saga.compensation-failed"},
    {Kind::kRedriven, "saga.redriven"},
    {Kind::kCompleted, "saga.completed"},
    {Kind::kCompensated, "saga.compensated"},
};

Millis seconds_to_ms(double seconds) { return static_cast<Millis>(std::llround(seconds * 1000)); }

bool listed(const std::vector<std::string>& types, const std::string& type) {
  return std::find(types.begin(), types.end(), type) != types.end();
}

// The step the action phase waits on: the first one not completed.
std::optional<std::size_t> active_action(const State& s) {
  for (std::size_t i = 0; i < s.steps.size(); ++i) {
    if (s.steps[i].status != StepStatus::kCompleted) return i;
  }
  return std::nullopt;
}

// Whether step `i` is still to be compensated: it has a compensation and completed (or timed
// out, so its effect is unknown), and its compensation has not succeeded.
bool owes_compensation(const config::SagaPluginSpec& d, const State& s, std::size_t i) {
  if (!d.steps[i].compensation) return false;
  switch (s.steps[i].status) {
    case StepStatus::kCompleted:
    case StepStatus::kCompensating:
    case StepStatus::kCompensationFailed:
      return true;
    case StepStatus::kFailed:
      return s.steps[i].timed_out;
    case StepStatus::kPending:
    case StepStatus::kStarted:
    case StepStatus::kCompensated:
      return false;
  }
  return false;
}

// The step the compensation phase works on: the last one that owes a compensation.
std::optional<std::size_t> active_compensation(const config::SagaPluginSpec& d, const State& s) {
  for (std::size_t i = s.steps.size(); i-- > 0;) {
    if (owes_compensation(d, s, i)) return i;
  }
  return std::nullopt;
}

Event make(Kind kind, Millis now, std::size_t step, Phase phase) {
  Event e;
  e.kind = kind;
  e.at = now;
  e.step = step;
  e.phase = phase;
  return e;
}

// Step `i` in `phase`: what is due for it at `now`.
Next next_for_step(const config::SagaStepSpec& spec, const StepState& st, std::size_t i,
                   Phase phase, Millis now) {
  Next out;
  if (!st.request_id.empty()) {
    if (now < st.deadline) {
      out.wake_at = st.deadline;
      return out;
    }
    // The outstanding request timed out.
    if (st.attempt < spec.retry.max_attempts) {
      Event e = make(Kind::kRetryScheduled, now, i, phase);
      e.attempt = st.attempt + 1;
      e.retry_at = now + backoff_ms(spec.retry, st.attempt);
      out.event = std::move(e);
      return out;
    }
    const std::string reason =
        "timed out after " + std::to_string(st.attempt) +
        (st.attempt == 1 ? std::string(" attempt") : std::string(" attempts"));
    Event e = make(phase == Phase::kAction ? Kind::kStepFailed : Kind::kCompensationFailed, now, i,
                   phase);
    e.reason = reason;
    e.timeout = true;
    out.event = std::move(e);
    return out;
  }
  if (st.retry_at != 0 && now < st.retry_at) {
    out.wake_at = st.retry_at;
    return out;
  }
  // Not requested yet in this phase, or a retry is due.
  const bool fresh = phase == Phase::kAction ? st.status == StepStatus::kPending
                                             : st.status != StepStatus::kCompensating;
  Event e = make(Kind::kRequested, now, i, phase);
  e.attempt = fresh ? 1 : st.attempt + 1;
  e.deadline = now + seconds_to_ms(spec.timeout_seconds);
  out.event = std::move(e);
  return out;
}

}  // namespace

std::string_view to_string(Status status) {
  switch (status) {
    case Status::kStarted:
      return "started";
    case Status::kCompensating:
      return "compensating";
    case Status::kCompleted:
      return "completed";
    case Status::kCompensated:
      return "compensated";
    case Status::kStuck:
      return "stuck";
  }
  return "started";
}

std::optional<Status> parse_status(std::string_view text) {
  for (Status s : {Status::kStarted, Status::kCompensating, Status::kCompleted,
                   Status::kCompensated, Status::kStuck}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

std::string_view to_string(StepStatus status) {
  switch (status) {
    case StepStatus::kPending:
      return "pending";
    case StepStatus::kStarted:
      return "started";
    case StepStatus::kCompleted:
      return "completed";
    case StepStatus::kFailed:
      return "failed";
    case StepStatus::kCompensating:
      return "compensating";
    case StepStatus::kCompensated:
      return "compensated";
    case StepStatus::kCompensationFailed:
      return "compensation-failed";
  }
  return "pending";
}

std::string_view event_type(Event::Kind kind) {
  for (const auto& [k, type] : kEventTypes) {
    if (k == kind) return type;
  }
  return {};
}

std::optional<Event::Kind> parse_event_type(std::string_view type) {
  for (const auto& [k, name] : kEventTypes) {
    if (name == type) return k;
  }
  return std::nullopt;
}

std::optional<Millis> requested_at(const config::SagaPluginSpec& d, const State& s,
                                   std::size_t step) {
  if (step >= s.steps.size() || step >= d.steps.size() || s.steps[step].request_id.empty()) {
    return std::nullopt;
  }
  return s.steps[step].deadline - seconds_to_ms(d.steps[step].timeout_seconds);
}

Millis backoff_ms(const config::SagaRetrySpec& retry, int attempt) {
  const double seconds = retry.backoff_seconds * std::pow(retry.multiplier, attempt - 1);
  return seconds_to_ms(std::min(seconds, 86'400.0));
}

void apply(const config::SagaPluginSpec& d, State& s, const Event& e) {
  s.updated_at = e.at;
  // What the saga does next is caused by the latest request it made or reply it took.
  if (e.kind == Kind::kStarted || e.kind == Kind::kRequested) s.last_event_id = e.id;
  if (!e.reply_id.empty()) s.last_event_id = e.reply_id;
  if (e.kind == Kind::kStarted) {
    s.definition = e.definition;
    s.input = e.input;
    s.status = Status::kStarted;
    s.started_at = e.at;
    s.steps.assign(d.steps.size(), StepState{});
    return;
  }
  if (e.step >= s.steps.size()) {
    if (e.kind == Kind::kCompleted) s.status = Status::kCompleted;
    if (e.kind == Kind::kCompensated) s.status = Status::kCompensated;
    if (e.kind == Kind::kRedriven && s.status == Status::kStuck) {
      s.status = Status::kCompensating;
      for (StepState& st : s.steps) {
        if (st.status != StepStatus::kCompensationFailed) continue;
        // Owes its compensation again, from attempt 1.
        st.status = st.timed_out ? StepStatus::kFailed : StepStatus::kCompleted;
        st.attempt = 0;
        st.retry_at = 0;
        if (!st.timed_out) st.error.clear();
      }
    }
    return;
  }
  StepState& st = s.steps[e.step];
  switch (e.kind) {
    case Kind::kRequested:
      st.attempt = e.attempt;
      st.request_id = e.id;
      st.deadline = e.deadline;
      st.retry_at = 0;
      if (e.phase == Phase::kAction) {
        st.status = StepStatus::kStarted;
        if (st.started_at == 0) st.started_at = e.at;
      } else {
        st.status = StepStatus::kCompensating;
      }
      return;
    case Kind::kRetryScheduled:
      st.request_id.clear();
      st.retry_at = e.retry_at;
      return;
    case Kind::kStepSucceeded:
      st.status = StepStatus::kCompleted;
      st.request_id.clear();
      st.completed_at = e.at;
      st.result = e.result;
      return;
    case Kind::kStepFailed:
      st.status = StepStatus::kFailed;
      st.request_id.clear();
      st.failed_at = e.at;
      st.timed_out = e.timeout;
      st.error = e.reason;
      s.status = Status::kCompensating;
      return;
    case Kind::kStepCompensated:
      st.status = StepStatus::kCompensated;
      st.request_id.clear();
      st.compensated_at = e.at;
      return;
    case Kind::kCompensationFailed:
      st.status = StepStatus::kCompensationFailed;
      st.request_id.clear();
      st.error = e.reason;
      s.status = Status::kStuck;
      return;
    case Kind::kStarted:
    case Kind::kRedriven:
    case Kind::kCompleted:
    case Kind::kCompensated:
      return;
  }
}

Next advance(const config::SagaPluginSpec& d, const State& s, Millis now) {
  switch (s.status) {
    case Status::kStarted: {
      const auto i = active_action(s);
      if (!i) return {make(Kind::kCompleted, now, s.steps.size(), Phase::kAction), std::nullopt};
      return next_for_step(d.steps[*i], s.steps[*i], *i, Phase::kAction, now);
    }
    case Status::kCompensating: {
      const auto i = active_compensation(d, s);
      if (!i) {
        return {make(Kind::kCompensated, now, s.steps.size(), Phase::kCompensation), std::nullopt};
      }
      return next_for_step(d.steps[*i], s.steps[*i], *i, Phase::kCompensation, now);
    }
    case Status::kCompleted:
    case Status::kCompensated:
    case Status::kStuck:
      return {};
  }
  return {};
}

std::optional<Event> reply(const config::SagaPluginSpec& d, const State& s, const Reply& r,
                           Millis now) {
  std::optional<std::size_t> i;
  if (s.status == Status::kStarted) i = active_action(s);
  if (s.status == Status::kCompensating) i = active_compensation(d, s);
  if (!i) return std::nullopt;
  const StepState& st = s.steps[*i];
  if (st.request_id.empty()) return std::nullopt;  // nothing outstanding: late or duplicate
  if (!r.causation_id.empty() && r.causation_id != st.request_id) return std::nullopt;
  const config::SagaStepSpec& spec = d.steps[*i];
  if (s.status == Status::kStarted) {
    if (listed(spec.success, r.type)) {
      Event e = make(Kind::kStepSucceeded, now, *i, Phase::kAction);
      e.reply_id = r.id;
      e.result = r.data;
      return e;
    }
    if (listed(spec.failure, r.type)) {
      Event e = make(Kind::kStepFailed, now, *i, Phase::kAction);
      e.reply_id = r.id;
      e.reason = r.reason.empty() ? r.type : r.reason;
      return e;
    }
    return std::nullopt;
  }
  if (st.status == StepStatus::kCompensating && listed(spec.compensation_success, r.type)) {
    Event e = make(Kind::kStepCompensated, now, *i, Phase::kCompensation);
    e.reply_id = r.id;
    return e;
  }
  return std::nullopt;
}

std::optional<Event> redrive(const State& s, Millis now) {
  if (s.status != Status::kStuck) return std::nullopt;
  return make(Kind::kRedriven, now, s.steps.size(), Phase::kCompensation);
}

}  // namespace eb::plugins::saga
