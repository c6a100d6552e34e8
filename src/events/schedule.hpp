#pragma once
// Schedule expressions: EventBridge rules' `rate()` and `cron()` (PutRule's ScheduleExpression)
// and EventBridge Scheduler's `at()`, `rate()` and `cron()` (CreateSchedule). Parsed and
// validated once, then asked for the next fire time. Pure: the caller passes every time in.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/errors.hpp"
#include "events/time_zone.hpp"

namespace eb::events {

using TimePoint = std::chrono::system_clock::time_point;

// One parsed expression. Immutable, so any thread may call next_after; copies share the parsed
// cron fields.
//
// Fire times:
// - cron and at: wall-clock minutes in UTC shifted by `utc_offset` (rules, whose schedules are
//   all UTC), or in a TimeZone (Scheduler's ScheduleExpressionTimezone), DST included: a cron
//   time that falls in a spring-forward gap is skipped, one the clock passes twice (fall back)
//   fires once, at its first occurrence (schedule-types, "Daylight saving time"); an at() in a
//   gap is read with the offset before it (02:30 EST on a spring-forward day fires at 03:30 EDT).
// - rate: `anchor + k * period`. A rule's rate starts when the rule is created and first fires
//   one period later (k >= 1, eb-create-rule-schedule: "starts when you create the scheduled
//   event rule, and then it runs on a defined schedule"); a Scheduler rate starts at StartDate,
//   or at creation, and fires at once (k >= 0, schedule-types: "If you don't provide a StartDate
//   ... your schedule starts invoking the target immediately"). The caller keeps the anchor.
class ScheduleExpression {
 public:
  enum class Kind { kRate, kCron, kAt };

  // PutRule: rate(N minute|minutes|hour|hours|day|days) with the unit singular iff N == 1, or
  // cron(min hour day-of-month month day-of-week year). Anything else is
  // Errc::kValidationError "Parameter ScheduleExpression is not valid.".
  static Result<ScheduleExpression> parse(std::string_view text);
  // CreateSchedule: also at(yyyy-mm-ddThh:mm:ss); rate units are not checked against the value
  // (the Scheduler API reference lists all six units and states no agreement rule).
  static Result<ScheduleExpression> parse_scheduler(std::string_view text);

  // The first fire time strictly after `t` (on a whole minute for cron); nullopt when
  // there is none (an at() in the past, a cron whose years are over).
  std::optional<TimePoint> next_after(TimePoint t, TimePoint anchor = {},
                                      std::chrono::minutes utc_offset = {}) const;

  // The same in `zone`'s wall-clock time (rate ignores the zone: its period is a duration).
  std::optional<TimePoint> next_after(TimePoint t, TimePoint anchor, const TimeZone& zone) const;

  Kind kind() const { return kind_; }
  const std::string& text() const { return text_; }
  // rate only: the period.
  std::chrono::minutes period() const { return period_; }

  struct Cron;  // the parsed cron fields, defined in schedule.cpp

 private:
  ScheduleExpression() = default;
  static Result<ScheduleExpression> parse_as(std::string_view text, bool scheduler);

  Kind kind_ = Kind::kRate;
  std::string text_;
  bool fires_at_anchor_ = false;  // Scheduler rate: k starts at 0
  std::chrono::minutes period_{0};
  std::chrono::sys_seconds at_{};
  std::shared_ptr<const Cron> cron_;
};

}  // namespace eb::events
