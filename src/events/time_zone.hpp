#pragma once
// IANA time zones for EventBridge Scheduler's ScheduleExpressionTimezone. libstdc++ 12 has no
// std::chrono::tzdb, so this reads the compiled TZif files of the system's tzdata
// (/usr/share/zoneinfo, RFC 8536): the UTC offset in force after each transition. Immutable
// once loaded; any thread may use it.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.hpp"

namespace eb::events {

class TimeZone {
 public:
  // UTC: no transitions, offset 0.
  TimeZone() = default;

  // `name` is an IANA name ("America/New_York", "UTC"); read from `root`/`name`. A name that is
  // not a zone there is Errc::kValidationError.
  static Result<TimeZone> load(std::string_view name,
                               const std::string& root = "/usr/share/zoneinfo");
  // The contents of a TZif file (version 1, 2 or 3); nullopt when it is not one. Past the last
  // transition the last offset holds (the files Debian ships list transitions up to 2037).
  static std::optional<TimeZone> parse(std::string_view bytes);

  const std::string& name() const { return name_; }

  // The offset of local time from UTC at `utc`.
  std::chrono::seconds offset_at(std::chrono::sys_seconds utc) const;

  // The instants at which local wall-clock time reads `local` (written as a sys_seconds): none
  // in a gap (spring forward), two when the clock is set back (the earlier first), else one.
  std::vector<std::chrono::sys_seconds> to_utc(std::chrono::sys_seconds local) const;

 private:
  std::string name_ = "UTC";
  std::vector<std::int64_t> transitions_;  // UTC seconds, ascending
  std::vector<std::int32_t> offsets_;      // in force from transitions_[i]
  std::int32_t initial_offset_ = 0;        // before the first transition
};

}  // namespace eb::events
