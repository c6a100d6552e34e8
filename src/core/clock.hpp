#pragma once
// Time for the domain. Everything that depends on time (visibility, delays, retention,
// long-poll deadlines, move-task pacing) asks a Clock and schedules on Timers, so unit
// tests drive time with ManualClock instead of sleeping.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace eb {

// Milliseconds since the Unix epoch: what AWS reports and what survives a restart.
using Millis = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis now_ms() const = 0;
};

// One-shot timers keyed by an absolute deadline. Callbacks run on an arbitrary thread
// owned by the implementation, never inside schedule() or cancel(). cancel() is
// best-effort: a callback that already started still runs, so callbacks must tolerate
// firing late (they re-check state under their own lock).
class Timers {
 public:
  using Id = std::uint64_t;
  virtual ~Timers() = default;
  virtual Id schedule_at(Millis deadline, std::function<void()> fn) = 0;
  virtual void cancel(Id id) = 0;
};

// "2026-11-27T06:40:00.123Z": UTC with milliseconds, as AWS writes timestamps in JSON.
std::string utc_timestamp(Millis ms);
// The inverse: "YYYY-MM-DDTHH:MM:SS" with optional fraction (milliseconds kept) and a "Z"
// suffix; nullopt for anything else.
std::optional<Millis> parse_utc_timestamp(std::string_view text);

class SystemClock final : public Clock {
 public:
  Millis now_ms() const override;
};

}  // namespace eb
