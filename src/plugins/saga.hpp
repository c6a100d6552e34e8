#pragma once
// The saga state machine, pure: no broker, no clock, no I/O. A saga instance is the fold of its
// events (stream saga-{id}); `advance` says what to do next from a state and the time, `reply`
// what a reply means, `redrive` how a stuck saga resumes. The engine (saga_engine.hpp) writes
// the events these return, folds them back with `apply`, and arms a timer at `wake_at`.
//
// Life of a saga: started -> each step in order: request (attempt 1..max_attempts, each with a
// deadline; a timed-out attempt is retried after a backoff) until a success reply (completed)
// or a failure reply / the last timeout (failed) -> completed when every step completed.
// On a failure: compensating -> every completed step, and the step that timed out (its effect
// is unknown), that has a compensation is compensated in reverse order, with the same timeouts
// and retries -> compensated; a compensation that times out on its last attempt makes the saga
// stuck until it is redriven.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/plugins.hpp"
#include "core/clock.hpp"

namespace eb::plugins::saga {

enum class Phase { kAction, kCompensation };
enum class Status { kStarted, kCompensating, kCompleted, kCompensated, kStuck };
inline constexpr std::size_t kStatusCount = 5;
enum class StepStatus {
  kPending,             // not requested yet
  kStarted,             // requested, waiting for a reply
  kCompleted,           // success reply
  kFailed,              // failure reply, or timed out on every attempt
  kCompensating,        // compensation requested, waiting for its reply
  kCompensated,         // compensation succeeded
  kCompensationFailed,  // compensation timed out on every attempt: the saga is stuck
};

std::string_view to_string(Status status);
std::string_view to_string(StepStatus status);
std::optional<Status> parse_status(std::string_view text);

// One event of a saga's stream. `kRequested` is the request the saga published (the stream
// holds the request itself); the others are saga.* events appended to the stream.
struct Event {
  enum class Kind {
    kStarted,             // saga.started {definition, input}
    kRequested,           // the request {step, phase, attempt, deadline}
    kRetryScheduled,      // saga.retry-scheduled {step, phase, attempt, retryAt}
    kStepSucceeded,       // saga.step-succeeded {step, replyId, result}
    kStepFailed,          // saga.step-failed {step, reason, replyId | timeout}
    kStepCompensated,     // saga.step-compensated {step, replyId}
    kCompensationFailed,  // saga.compensation-failed {step, reason}
    kRedriven,            // saga.redriven {}
    kCompleted,           // saga.completed {}
    kCompensated,         // saga.compensated {}
  };
  Kind kind = Kind::kStarted;
  Millis at = 0;   // when it happened (the daemon's clock)
  std::string id;  // the event's envelope id (for a request: the request id)
  std::size_t step = 0;
  Phase phase = Phase::kAction;
  int attempt = 0;
  Millis deadline = 0;  // kRequested
  Millis retry_at = 0;  // kRetryScheduled
  std::string reply_id;
  std::string result = "null";  // kStepSucceeded: the reply's data (JSON)
  std::string reason;
  bool timeout = false;        // kStepFailed by timeout
  std::string definition;      // kStarted
  std::string input = "null";  // kStarted (JSON)
};

// The saga.* type of an event ("saga.step-succeeded"); a request's type is its step's.
std::string_view event_type(Event::Kind kind);
std::optional<Event::Kind> parse_event_type(std::string_view type);

struct StepState {
  StepStatus status = StepStatus::kPending;
  int attempt = 0;         // of the current phase's latest request
  std::string request_id;  // the outstanding request; empty: none
  Millis deadline = 0;     // of the outstanding request
  Millis retry_at = 0;     // a retry is due then; 0: none
  Millis started_at = 0;
  Millis completed_at = 0;
  Millis failed_at = 0;
  Millis compensated_at = 0;
  bool timed_out = false;
  std::string error;
  std::string result = "null";  // the success reply's data
  bool operator==(const StepState&) const = default;
};

struct State {
  std::string id;
  std::string definition;
  std::string input = "null";
  Status status = Status::kStarted;
  std::vector<StepState> steps;  // one per step of the definition
  Millis started_at = 0;
  Millis updated_at = 0;
  // The latest request the saga made or reply it took: the causationId of what it does next.
  std::string last_event_id;
  bool terminal() const { return status == Status::kCompleted || status == Status::kCompensated; }
  bool operator==(const State&) const = default;
};

// A saga's state as one JSON document (the engine's snapshot entry) and back; nullopt for a
// document that is not one or whose steps are not `step_count`.
std::string encode_state(const State& state);
std::optional<State> decode_state(std::string_view text, std::size_t step_count);

// Folds one event into the state.
void apply(const config::SagaPluginSpec& definition, State& state, const Event& event);

// What the saga does next at `now`: at most one event (a request to publish, a retry to
// schedule, a timeout's failure, the final event), or nothing and the time to look again
// (`wake_at`, nullopt: only a reply or a redrive moves it). The engine applies the event and
// asks again until nothing is left. Request events carry the step, phase, attempt and
// deadline; their `id` is left for the engine to fill.
struct Next {
  std::optional<Event> event;
  std::optional<Millis> wake_at;
};
Next advance(const config::SagaPluginSpec& definition, const State& state, Millis now);

// The event a reply makes (nullopt: not awaited, a late or duplicate reply: ignored). A reply
// answers the outstanding request of the active step when its type is one the step expects
// in its phase and its causationId is that request's id (or empty).
struct Reply {
  std::string id;
  std::string type;
  std::string causation_id;
  std::string data = "null";
  std::string reason;  // data.reason of a failure, if any
};
std::optional<Event> reply(const config::SagaPluginSpec& definition, const State& state,
                           const Reply& reply, Millis now);

// A stuck saga's redrive: its failed compensations are requested again (attempts start over).
// nullopt unless the saga is stuck.
std::optional<Event> redrive(const State& state, Millis now);

// When the outstanding request of step `step` was sent (its deadline less the step's timeout);
// nullopt when the step waits for no reply.
std::optional<Millis> requested_at(const config::SagaPluginSpec& definition, const State& state,
                                   std::size_t step);

// Milliseconds to wait before attempt `attempt + 1` after attempt `attempt` timed out.
Millis backoff_ms(const config::SagaRetrySpec& retry, int attempt);

}  // namespace eb::plugins::saga
