#include "plugins/saga_engine.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/encoding.hpp"
#include "core/log.hpp"
#include "eventlog/event_log.hpp"
#include "plugins/json_read.hpp"
#include "plugins/saga_template.hpp"

namespace eb::plugins {
namespace {

using saga::Event;
using Kind = saga::Event::Kind;

// After a failed write (the topic is gone, the disk is full) the saga tries again this much later.
constexpr Millis kRetryAfterErrorMs = 1000;

std::string_view phase_name(saga::Phase phase) {
  return phase == saga::Phase::kAction ? "action" : "compensation";
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > SagaEngine::kMaxIdLength) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == ':';
  });
}

std::int64_t int_member(simdjson::dom::object o, std::string_view key) {
  simdjson::dom::element e;
  if (o.at_key(key).get(e)) return 0;
  return json::integer(e).value_or(0);
}

}  // namespace

struct SagaEngine::Alive {
  explicit Alive(SagaEngine* e) : engine(e) {}
  std::mutex mu;
  SagaEngine* engine;  // null once stopped
};

SagaEngine::SagaEngine(config::PluginSpec spec, const Services& services)
    : Worker(std::move(spec), services),
      definition_(std::get<config::SagaPluginSpec>(this->spec().settings)),
      alive_(std::make_shared<Alive>(this)),
      step_latency_(definition_.steps.size() * 2) {}

SagaEngine::~SagaEngine() { stop(); }

std::vector<std::string> SagaEngine::handled_types() const {
  std::vector<std::string> out;
  const auto add = [&](const std::string& type) {
    if (std::find(out.begin(), out.end(), type) == out.end()) out.push_back(type);
  };
  if (!definition_.start_on.empty()) add(definition_.start_on);
  for (const config::SagaStepSpec& step : definition_.steps) {
    for (const auto& type : step.success) add(type);
    for (const auto& type : step.failure) add(type);
    for (const auto& type : step.compensation_success) add(type);
  }
  return out;
}

// --- starting ----------------------------------------------------------------------------------

Result<SagaEngine::Started> SagaEngine::start(const std::string& id, const std::string& input_json,
                                              const std::string& causation_id) {
  const std::lock_guard lock(mu());
  auto started = start_locked(id, input_json, causation_id);
  maybe_snapshot();
  return started;
}

Result<SagaEngine::Started> SagaEngine::start_locked(const std::string& id,
                                                     const std::string& input_json,
                                                     const std::string& causation_id) {
  if (!valid_id(id)) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("a saga id is 1 to {} of A-Z a-z 0-9 - _ . :", kMaxIdLength));
  }
  simdjson::dom::parser parser;
  simdjson::dom::element parsed;
  if (parser.parse(input_json.data(), input_json.size()).get(parsed)) {
    return fail(Errc::kInvalidParameterValue, "the saga input is not valid JSON");
  }
  const std::string input = simdjson::minify(parsed);
  std::string out;
  JsonWriter j(out);
  if (auto known = sagas_.find(id); known != sagas_.end()) {
    if (known->second.input != input) {
      return fail(Errc::kInvalidState, fmt::format("saga {} was started with another input", id));
    }
    write_saga(j, known->second);
    return Started{false, std::move(out)};
  }

  saga::State state;
  state.id = id;
  Event started;
  started.kind = Kind::kStarted;
  started.at = services().clock.now_ms();
  started.id = random_uuid();
  started.step = definition_.steps.size();
  started.definition = spec().name;
  started.input = input;
  const Envelope e = envelope({.type = std::string(saga::event_type(Kind::kStarted)),
                               .data = encode_data(started),
                               .correlation_id = id,
                               .causation_id = causation_id,
                               .id = started.id});
  EB_ASSIGN_OR_RETURN(
      const eventlog::AppendResult appended,
      services().events.append(stream_of(id), eventlog::ExpectedVersion::no_stream(), {encode(e)}));
  if (appended.outcome != eventlog::AppendResult::Outcome::kAppended) {
    return fail(Errc::kInvalidState,
                fmt::format("saga {} exists already (the stream {} is in use)", id, stream_of(id)));
  }
  saga::apply(definition_, state, started);
  counters_.add(Count::kStarted);
  saga::State& stored = sagas_.emplace(id, std::move(state)).first->second;
  changed(id);
  run_or_retry(id, stored);
  write_saga(j, stored);
  return Started{true, std::move(out)};
}

// --- moving on ---------------------------------------------------------------------------------

void SagaEngine::run_or_retry(const std::string& id, saga::State& state) {
  if (auto moved = run(state); !moved) {
    log::warn("saga step failed; retrying",
              {{"saga", spec().name}, {"sagaId", id}, {"error", moved.error().message}});
  }
}

Result<void> SagaEngine::run(saga::State& state, std::optional<Event> outcome) {
  // Events are folded as they happen and written together: those before a request in the same
  // write as its publish, the rest in one append. Until then `before` keeps the state as
  // written, which a failed write restores.
  std::optional<saga::State> before;
  std::vector<std::string> unwritten;
  const saga::Status from = state.status;
  const auto fold = [&](const Event& event) {
    if (!before) before = state;
    unwritten.push_back(encode_event(state, event));
    saga::apply(definition_, state, event);
  };
  const auto failed = [&](Error error) -> Result<void> {
    // What happened is kept even when the request it leads to cannot go out (the topic is
    // gone): written alone, and the request is sent again on the timer.
    if (!unwritten.empty() && append(state.id, unwritten)) {
      changed(state.id);
    } else if (before) {
      state = std::move(*before);
    }
    arm(state.id, services().clock.now_ms() + kRetryAfterErrorMs);
    return std::unexpected(std::move(error));
  };
  if (outcome) {
    outcome->id = random_uuid();
    fold(*outcome);
  }
  for (int i = 0; i < 1000; ++i) {
    saga::Next next = saga::advance(definition_, state, services().clock.now_ms());
    if (!next.event) {
      if (!unwritten.empty()) {
        if (auto written = append(state.id, unwritten); !written) return failed(written.error());
        changed(state.id);
      }
      arm(state.id, next.wake_at);
      if (state.status != from) count_status(state.status);
      return {};
    }
    Event event = std::move(*next.event);
    event.id = random_uuid();
    if (event.kind != Kind::kRequested) {
      fold(event);
      continue;
    }
    if (auto sent = request(state, event, unwritten); !sent) return failed(sent.error());
    unwritten.clear();
    before.reset();
    saga::apply(definition_, state, event);
    changed(state.id);
  }
  return failed(Error{Errc::kInternalError, "saga " + state.id + " did not settle"});
}

Result<void> SagaEngine::request(const saga::State& state, const Event& event,
                                 const std::vector<std::string>& first) {
  const config::SagaStepSpec& step = definition_.steps[event.step];
  const bool action = event.phase == saga::Phase::kAction;
  const config::SagaRequestSpec& request = action ? step.request : *step.compensation;
  std::string metadata;
  JsonWriter m(metadata);
  m.begin_object();
  m.member("idempotencyKey", state.id + ":" + step.name + (action ? "" : ":compensation"));
  m.key("saga").begin_object();
  m.member("definition", spec().name);
  m.member("step", step.name);
  m.member("phase", phase_name(event.phase));
  m.member("attempt", std::int64_t{event.attempt});
  m.member("deadline", event.deadline);
  m.member("at", event.at);
  m.end_object();
  m.end_object();
  EB_TRY(publish({.type = request.type,
                  .data = saga::fill_template(request.data, definition_, state),
                  .correlation_id = state.id,
                  .causation_id = state.last_event_id,
                  .metadata = std::move(metadata),
                  .id = event.id,
                  .stream = stream_of(state.id),
                  .stream_first = first}));
  return {};
}

std::string SagaEngine::encode_event(const saga::State& state, const Event& event) const {
  // A reply's outcome is caused by the reply; anything else by what the saga did last.
  return encode(
      envelope({.type = std::string(saga::event_type(event.kind)),
                .data = encode_data(event),
                .correlation_id = state.id,
                .causation_id = event.reply_id.empty() ? state.last_event_id : event.reply_id,
                .id = event.id}));
}

Result<void> SagaEngine::append(const std::string& id, const std::vector<std::string>& events) {
  EB_ASSIGN_OR_RETURN(
      const eventlog::AppendResult appended,
      services().events.append(stream_of(id), eventlog::ExpectedVersion::any(), events));
  if (appended.outcome != eventlog::AppendResult::Outcome::kAppended) {
    return fail(Errc::kInternalError, "the event log did not append to " + stream_of(id));
  }
  return {};
}

void SagaEngine::arm(const std::string& id, std::optional<Millis> at) {
  if (auto old = wake_at_.find(id); old != wake_at_.end()) {
    if (at && *at == old->second) return;
    wakeups_.erase({old->second, id});
    wake_at_.erase(old);
  }
  if (!at) return;
  wake_at_.emplace(id, *at);
  wakeups_.emplace(*at, id);
  // on_timer() sets the timer once it has moved every due saga on.
  if (!waking_ && (timer_ == 0 || *at < timer_at_)) set_timer(wakeups_.begin()->first);
}

void SagaEngine::set_timer(Millis at) {
  if (timer_ != 0) services().timers.cancel(timer_);
  timer_at_ = at;
  const std::uint64_t generation = ++timer_generation_;
  std::weak_ptr<Alive> weak = alive_;
  timer_ = services().timers.schedule_at(at, [weak, generation] {
    const auto alive = weak.lock();
    if (!alive) return;
    const std::lock_guard lock(alive->mu);
    if (alive->engine) alive->engine->on_timer(generation);
  });
}

void SagaEngine::on_timer(std::uint64_t generation) {
  const std::lock_guard lock(mu());
  // A timer replaced by an earlier one may still fire (a cancel cannot stop a callback already
  // under way): the newer timer does the work.
  if (generation != timer_generation_) return;
  timer_ = 0;
  const Millis now = services().clock.now_ms();
  std::vector<std::string> due;
  while (!wakeups_.empty() && wakeups_.begin()->first <= now) {
    auto node = wakeups_.extract(wakeups_.begin());
    wake_at_.erase(node.value().second);
    due.push_back(std::move(node.value().second));
  }
  waking_ = true;
  for (const std::string& id : due) {
    auto it = sagas_.find(id);
    if (it == sagas_.end()) continue;
    run_or_retry(id, it->second);
  }
  waking_ = false;
  if (!wakeups_.empty()) set_timer(wakeups_.begin()->first);
  maybe_snapshot();
}

void SagaEngine::on_stop() {
  {
    const std::lock_guard lock(alive_->mu);
    alive_->engine = nullptr;
  }
  const std::lock_guard lock(mu());
  if (timer_ != 0) services().timers.cancel(timer_);
  timer_ = 0;
  wake_at_.clear();
  wakeups_.clear();
}

// --- consuming ---------------------------------------------------------------------------------

Result<void> SagaEngine::on_event(const Envelope& event) {
  if (!definition_.start_on.empty() && event.type == definition_.start_on) {
    std::string id = event.id;
    if (!definition_.saga_id.empty()) {
      simdjson::dom::parser parser;
      const auto data = json::object(parser, event.data);
      simdjson::dom::element member;
      if (!data || data->at_key(definition_.saga_id).get(member)) {
        log::warn("saga start event has no saga id; ignored",
                  {{"saga", spec().name},
                   {"eventType", event.type},
                   {"sagaIdField", definition_.saga_id}},
                  log::MessageRef{event.id, {}, nullptr, event.correlation_id});
        return ignored();
      }
      std::string_view text;
      id = member.get_string().get(text) ? simdjson::minify(member) : std::string(text);
    }
    auto started = start_locked(id, event.data, event.id);
    if (!started) {
      log::warn("saga not started",
                {{"saga", spec().name},
                 {"sagaId", id},
                 {"eventType", event.type},
                 {"error", started.error().message}},
                log::MessageRef{event.id, {}, nullptr, event.correlation_id});
    }
    return {};
  }
  return on_reply(event);
}

Result<void> SagaEngine::on_reply(const Envelope& event) {
  auto it = sagas_.find(event.correlation_id);
  if (it == sagas_.end() || it->second.terminal()) {
    ++ignored_replies_;
    return ignored();
  }
  saga::State& state = it->second;
  saga::Reply r;
  r.id = event.id;
  r.type = event.type;
  r.causation_id = event.causation_id;
  r.data = event.data;
  simdjson::dom::parser parser;
  if (const auto data = json::object(parser, event.data)) r.reason = json::string(*data, "reason");
  const Millis now = services().clock.now_ms();
  auto happened = saga::reply(definition_, state, r, now);
  if (!happened) ++ignored_replies_;
  // The reply's step took this long, once its outcome is written.
  std::optional<std::pair<std::size_t, Millis>> took;
  if (happened) {
    if (const auto requested = saga::requested_at(definition_, state, happened->step)) {
      const std::size_t phase = happened->phase == saga::Phase::kAction ? 0 : 1;
      took.emplace(happened->step * 2 + phase, std::max<Millis>(0, now - *requested));
    }
  }
  // Also after an ignored reply: a step whose request failed to go out is sent now.
  auto ran = run(state, std::move(happened));
  if (ran && took) {
    step_latency_[took->first].observe_us(static_cast<std::uint64_t>(took->second) * 1000);
  }
  return ran;
}

void SagaEngine::count_status(saga::Status status) {
  switch (status) {
    case saga::Status::kCompleted:
      return counters_.add(Count::kCompleted);
    case saga::Status::kCompensated:
      return counters_.add(Count::kCompensated);
    case saga::Status::kStuck:
      return counters_.add(Count::kStuck);
    case saga::Status::kStarted:
    case saga::Status::kCompensating:
      return;
  }
}

SagaEngine::Metrics SagaEngine::metrics() const {
  Metrics out;
  out.counts = counters_.read();
  out.step_latency.reserve(step_latency_.size());
  for (const LatencyHistogram& h : step_latency_) out.step_latency.push_back(h.snapshot());
  return out;
}

// --- recovery ----------------------------------------------------------------------------------

void SagaEngine::recover(const Envelope& envelope) {
  auto event = decode_event(envelope);
  if (!event) return;
  if (event->kind == Kind::kStarted) {
    saga::State state;
    state.id = envelope.correlation_id;
    saga::apply(definition_, state, *event);
    sagas_.insert_or_assign(envelope.correlation_id, std::move(state));
    changed(envelope.correlation_id);
    return;
  }
  auto it = sagas_.find(envelope.correlation_id);
  if (it == sagas_.end()) return;
  saga::apply(definition_, it->second, *event);
  changed(it->first);
}

std::string SagaEngine::snapshot_tag() const {
  // The entries hold steps by position: another list of steps is another tag.
  std::string tag = "saga/1";
  for (const config::SagaStepSpec& step : definition_.steps) tag += "/" + step.name;
  return tag;
}

std::string SagaEngine::encode_entry(const std::string& key) const {
  const auto it = sagas_.find(key);
  return it == sagas_.end() ? std::string() : saga::encode_state(it->second);
}

bool SagaEngine::restore_entry(std::string_view key, std::string_view value) {
  auto state = saga::decode_state(value, definition_.steps.size());
  if (!state || state->id != key) return false;
  sagas_.insert_or_assign(std::string(key), std::move(*state));
  return true;
}

void SagaEngine::on_recovered() {
  std::size_t unfinished = 0;
  for (auto& [id, state] : sagas_) {
    if (state.terminal() || state.status == saga::Status::kStuck) continue;
    ++unfinished;
    run_or_retry(id, state);
  }
  if (!sagas_.empty()) {
    spdlog::info("saga {}: recovered {} sagas, {} of them unfinished", spec().name, sagas_.size(),
                 unfinished);
  }
}

std::optional<Event> SagaEngine::decode_event(const Envelope& envelope) const {
  thread_local simdjson::dom::parser data_parser;  // see decode() in envelope.cpp
  thread_local simdjson::dom::parser metadata_parser;
  const auto data = json::object(data_parser, envelope.data);
  const auto step_index = [&](std::string_view name) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < definition_.steps.size(); ++i) {
      if (definition_.steps[i].name == name) return i;
    }
    return std::nullopt;
  };
  Event e;
  e.id = envelope.id;
  e.step = definition_.steps.size();
  if (auto kind = saga::parse_event_type(envelope.type); kind && *kind != Kind::kRequested) {
    if (!data) return std::nullopt;
    e.kind = *kind;
    e.at = int_member(*data, "at");
    const std::string step = json::string(*data, "step");
    if (!step.empty()) {
      const auto i = step_index(step);
      if (!i) return std::nullopt;  // a step the definition no longer has
      e.step = *i;
    }
    e.phase = json::string(*data, "phase") == "compensation" ? saga::Phase::kCompensation
                                                             : saga::Phase::kAction;
    e.attempt = static_cast<int>(int_member(*data, "attempt"));
    e.retry_at = int_member(*data, "retryAt");
    e.reply_id = json::string(*data, "replyId");
    e.reason = json::string(*data, "reason");
    bool timeout = false;
    e.timeout = !data->at_key("timeout").get_bool().get(timeout) && timeout;
    e.definition = json::string(*data, "definition");
    if (std::string result = json::raw(*data, "result"); !result.empty()) e.result = result;
    if (std::string input = json::raw(*data, "input"); !input.empty()) e.input = input;
    return e;
  }
  // A request the saga published: its metadata says which step and attempt.
  const auto metadata = json::object(metadata_parser, envelope.metadata);
  simdjson::dom::object saga_meta;
  if (!metadata || metadata->at_key("saga").get_object().get(saga_meta)) return std::nullopt;
  const auto i = step_index(json::string(saga_meta, "step"));
  if (!i) return std::nullopt;
  e.kind = Kind::kRequested;
  e.step = *i;
  e.phase = json::string(saga_meta, "phase") == "compensation" ? saga::Phase::kCompensation
                                                               : saga::Phase::kAction;
  e.attempt = static_cast<int>(int_member(saga_meta, "attempt"));
  e.deadline = int_member(saga_meta, "deadline");
  e.at = int_member(saga_meta, "at");
  return e;
}

std::string SagaEngine::encode_data(const Event& e) const {
  std::string out;
  JsonWriter j(out);
  j.begin_object();
  j.member("at", e.at);
  if (e.step < definition_.steps.size()) j.member("step", definition_.steps[e.step].name);
  switch (e.kind) {
    case Kind::kStarted:
      j.member("definition", e.definition);
      j.key("input").raw(e.input);
      break;
    case Kind::kRetryScheduled:
      j.member("phase", phase_name(e.phase));
      j.member("attempt", std::int64_t{e.attempt});
      j.member("retryAt", e.retry_at);
      break;
    case Kind::kStepSucceeded:
      j.member("replyId", e.reply_id);
      j.key("result").raw(e.result);
      break;
    case Kind::kStepFailed:
      if (!e.reply_id.empty()) j.member("replyId", e.reply_id);
      j.member("reason", e.reason);
      j.key("timeout").boolean(e.timeout);
      break;
    case Kind::kStepCompensated:
      j.member("replyId", e.reply_id);
      break;
    case Kind::kCompensationFailed:
      j.member("reason", e.reason);
      break;
    case Kind::kRequested:
    case Kind::kRedriven:
    case Kind::kCompleted:
    case Kind::kCompensated:
      break;
  }
  j.end_object();
  return out;
}

// --- reading -----------------------------------------------------------------------------------

void SagaEngine::write_saga(JsonWriter& j, const saga::State& s) const {
  const auto time = [&](std::string_view key, Millis at) {
    if (at != 0) j.member(key, utc_timestamp(at));
  };
  j.begin_object();
  j.member("sagaId", s.id);
  j.member("type", s.definition);
  j.member("status", saga::to_string(s.status));
  j.key("input").raw(s.input);
  time("startedAt", s.started_at);
  time("updatedAt", s.updated_at);
  j.key("steps").begin_array();
  for (std::size_t i = 0; i < s.steps.size() && i < definition_.steps.size(); ++i) {
    const saga::StepState& st = s.steps[i];
    if (st.status == saga::StepStatus::kPending) continue;
    j.begin_object();
    j.member("name", definition_.steps[i].name);
    j.member("status", saga::to_string(st.status));
    j.member("attempts", std::int64_t{st.attempt});
    time("startedAt", st.started_at);
    time("completedAt", st.completed_at);
    time("failedAt", st.failed_at);
    time("compensatedAt", st.compensated_at);
    if (!st.error.empty()) j.member("error", st.error);
    j.end_object();
  }
  j.end_array();
  j.end_object();
}

std::optional<std::string> SagaEngine::saga_json(const std::string& id) const {
  const std::lock_guard lock(mu());
  auto it = sagas_.find(id);
  if (it == sagas_.end()) return std::nullopt;
  std::string out;
  JsonWriter j(out);
  write_saga(j, it->second);
  return out;
}

bool SagaEngine::has(const std::string& id) const {
  const std::lock_guard lock(mu());
  return sagas_.contains(id);
}

std::size_t SagaEngine::list(JsonWriter& out, std::optional<saga::Status> status,
                             std::size_t limit) const {
  const std::lock_guard lock(mu());
  std::vector<const saga::State*> matched;
  for (const auto& [id, state] : sagas_) {
    if (!status || state.status == *status) matched.push_back(&state);
  }
  std::sort(matched.begin(), matched.end(), [](const saga::State* a, const saga::State* b) {
    return std::tie(a->started_at, a->id) < std::tie(b->started_at, b->id);
  });
  for (std::size_t i = 0; i < matched.size() && i < limit; ++i) write_saga(out, *matched[i]);
  return matched.size();
}

std::array<std::size_t, saga::kStatusCount> SagaEngine::status_counts() const {
  const std::lock_guard lock(mu());
  std::array<std::size_t, saga::kStatusCount> counts{};
  for (const auto& [id, state] : sagas_) ++counts[static_cast<std::size_t>(state.status)];
  return counts;
}

Result<std::string> SagaEngine::redrive(const std::string& id) {
  const std::lock_guard lock(mu());
  auto it = sagas_.find(id);
  if (it == sagas_.end()) return fail(Errc::kResourceNotFound, "there is no saga " + id);
  auto event = saga::redrive(it->second, services().clock.now_ms());
  if (!event) {
    return fail(Errc::kInvalidState,
                fmt::format("saga {} is {}, not stuck", id, saga::to_string(it->second.status)));
  }
  event->id = random_uuid();
  EB_TRY(append(id, {encode_event(it->second, *event)}));
  saga::apply(definition_, it->second, *event);
  changed(id);
  run_or_retry(id, it->second);
  maybe_snapshot();
  std::string out;
  JsonWriter j(out);
  write_saga(j, it->second);
  return out;
}

void SagaEngine::describe(JsonWriter& out) const {
  const std::lock_guard lock(mu());
  std::int64_t counts[5] = {};
  for (const auto& [id, state] : sagas_) ++counts[static_cast<int>(state.status)];
  out.key("sagas").begin_object();
  for (saga::Status s :
       {saga::Status::kStarted, saga::Status::kCompensating, saga::Status::kCompleted,
        saga::Status::kCompensated, saga::Status::kStuck}) {
    out.member(saga::to_string(s), counts[static_cast<int>(s)]);
  }
  out.end_object();
  out.member("ignoredReplies", static_cast<std::int64_t>(ignored_replies_));
}

}  // namespace eb::plugins
