#include "events/schedule.hpp"

#include <fmt/format.h>

#include <array>
#include <bitset>
#include <charconv>
#include <vector>

// Syntax and limits from the EventBridge user guide "eb-create-rule-schedule" (the cron field
// table, wildcards and limitations, rate syntax) and the Scheduler user guide "schedule-types".
// Where they are silent this follows Quartz, whose cron dialect (with `?`, `L`, `W`, `#`) AWS's
// is: names are case-insensitive, a range may wrap (the guide's `20-2` hours), `a/n` runs from a
// to the field's end, `L` alone in day-of-week is Saturday, and `nW` never leaves its month.
// Refused, as AWS refuses them (LocalStack's AWS-validated cases): spaces around or inside the
// parentheses other than between fields, upper-case units, seconds or years as rate units.

namespace eb::events {
namespace {

constexpr std::string_view kRuleError = "Parameter ScheduleExpression is not valid.";
constexpr std::size_t kMaxExpressionChars = 256;  // the API model's ScheduleExpression
constexpr int kMinYear = 1970;
constexpr int kMaxYear = 2199;
// Rate values beyond this are refused rather than overflow the period (a billion days).
constexpr std::size_t kMaxRateDigits = 9;

// Wide enough for the years 1970-2199, bit i standing for the field's minimum plus i.
using Bits = std::bitset<kMaxYear - kMinYear + 1>;

constexpr std::array<std::string_view, 12> kMonthNames = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 7> kDayNames = {"SUN", "MON", "TUE", "WED",
                                                       "THU", "FRI", "SAT"};

struct Field {
  int min;
  int max;
  const std::string_view* names = nullptr;  // names[i] stands for min + i
  std::size_t name_count = 0;
  bool wraps = true;  // a range a-b with a > b runs over the end (not for years)
};

constexpr Field kMinutes{0, 59};
constexpr Field kHours{0, 23};
constexpr Field kDaysOfMonth{1, 31};
constexpr Field kMonths{1, 12, kMonthNames.data(), kMonthNames.size()};
constexpr Field kDaysOfWeek{1, 7, kDayNames.data(), kDayNames.size()};
constexpr Field kYears{kMinYear, kMaxYear, nullptr, 0, false};

std::optional<int> parse_number(std::string_view text, std::size_t max_digits = 4) {
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char c = (a[i] >= 'a' && a[i] <= 'z') ? static_cast<char>(a[i] - 'a' + 'A') : a[i];
    if (c != b[i]) return false;
  }
  return true;
}

// One value of a field: a number in range, or one of its names.
std::optional<int> parse_value(std::string_view text, const Field& field) {
  for (std::size_t i = 0; i < field.name_count; ++i) {
    if (iequals(text, field.names[i])) return field.min + static_cast<int>(i);
  }
  if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
  auto value = parse_number(text);
  if (!value || *value < field.min || *value > field.max) return std::nullopt;
  return value;
}

// A list of `*`, `a`, `a-b`, `a/n`, `a-b/n`, `*/n` items, joined by commas.
std::optional<Bits> parse_list(std::string_view text, const Field& field) {
  const int span = field.max - field.min + 1;
  Bits bits;
  while (true) {
    const std::size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    const std::size_t slash = item.find('/');
    const std::string_view base = item.substr(0, slash);
    int first = field.min;
    int last = field.max;
    int step = 1;
    if (slash != std::string_view::npos) {
      auto n = parse_number(item.substr(slash + 1));
      if (!n || *n < 1 || *n > span) return std::nullopt;
      step = *n;
    }
    if (base != "*") {
      const std::size_t dash = base.find('-');
      auto a = parse_value(base.substr(0, dash), field);
      if (!a) return std::nullopt;
      first = *a;
      if (dash != std::string_view::npos) {
        auto b = parse_value(base.substr(dash + 1), field);
        if (!b || (*b < *a && !field.wraps)) return std::nullopt;
        last = *b;
      } else if (slash == std::string_view::npos) {
        last = first;
      }
    }
    const int count = (last - first + span) % span + 1;
    for (int i = 0; i < count; i += step) {
      bits.set(static_cast<std::size_t>((first - field.min + i) % span));
    }
    if (comma == std::string_view::npos) return bits;
    text.remove_prefix(comma + 1);
  }
}

std::vector<std::string_view> split_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t end = std::min(text.find(' ', i), text.size());
    fields.push_back(text.substr(i, end - i));
    i = end;
    while (i < text.size() && text[i] == ' ') ++i;
  }
  return fields;
}

// The day of the week as cron numbers it: 1 = Sunday ... 7 = Saturday.
int cron_weekday(std::chrono::year_month_day date) {
  return static_cast<int>(std::chrono::weekday(std::chrono::sys_days(date)).c_encoding()) + 1;
}

int days_in(int year, int month) {
  namespace chr = std::chrono;
  const chr::year_month_day_last last(
      chr::year(year), chr::month_day_last(chr::month(static_cast<unsigned>(month))));
  return static_cast<int>(static_cast<unsigned>(last.day()));
}

}  // namespace

struct ScheduleExpression::Cron {
  // How a day field picks days; kAny is `?`.
  enum class Days { kAny, kSet, kLast, kLastWeekday, kNearestWeekday, kLastOf, kNth };

  Bits minute_set, hour_set, month_set, year_set;
  Days month_days = Days::kAny;
  Bits month_day_set;
  int nearest_to = 0;  // kNearestWeekday: the `n` of `nW`
  Days week_days = Days::kAny;
  Bits week_day_set;
  int weekday = 0;  // kLastOf, kNth: the day of the week
  int nth = 0;      // kNth: which occurrence (1-5)

  static std::optional<Cron> parse(std::string_view text);
  // Bit d set when day d of the month matches the day-of-month and day-of-week fields.
  std::bitset<32> matching_days(int year, int month) const;
  std::optional<std::chrono::sys_seconds> next(std::chrono::sys_seconds after) const;

 private:
  bool parse_month_days(std::string_view text);
  bool parse_week_days(std::string_view text);
};

bool ScheduleExpression::Cron::parse_month_days(std::string_view text) {
  if (text == "?") {
    month_days = Days::kAny;
  } else if (text == "L") {
    month_days = Days::kLast;
  } else if (text == "LW") {
    month_days = Days::kLastWeekday;
  } else if (text.size() > 1 && text.back() == 'W') {
    auto n = parse_value(text.substr(0, text.size() - 1), kDaysOfMonth);
    if (!n) return false;
    month_days = Days::kNearestWeekday;
    nearest_to = *n;
  } else {
    auto set = parse_list(text, kDaysOfMonth);
    if (!set) return false;
    month_days = Days::kSet;
    month_day_set = *set;
  }
  return true;
}

bool ScheduleExpression::Cron::parse_week_days(std::string_view text) {
  if (text == "?") {
    week_days = Days::kAny;
    return true;
  }
  if (text == "L") {  // Quartz: the last day of the week, Saturday
    week_days = Days::kSet;
    week_day_set.set(6);
    return true;
  }
  if (const std::size_t hash = text.find('#'); hash != std::string_view::npos) {
    // Only one expression with '#' (the guide: "3#1,6#3" is not valid), so no list here.
    auto day = parse_value(text.substr(0, hash), kDaysOfWeek);
    auto n = parse_number(text.substr(hash + 1), 1);
    if (!day || !n || *n < 1 || *n > 5) return false;
    week_days = Days::kNth;
    weekday = *day;
    nth = *n;
    return true;
  }
  if (text.size() > 1 && text.back() == 'L') {
    auto day = parse_value(text.substr(0, text.size() - 1), kDaysOfWeek);
    if (!day) return false;
    week_days = Days::kLastOf;
    weekday = *day;
    return true;
  }
  auto set = parse_list(text, kDaysOfWeek);
  if (!set) return false;
  week_days = Days::kSet;
  week_day_set = *set;
  return true;
}

std::optional<ScheduleExpression::Cron> ScheduleExpression::Cron::parse(std::string_view text) {
  const auto fields = split_fields(text);
  if (fields.size() != 6) return std::nullopt;
  Cron cron;
  auto minutes = parse_list(fields[0], kMinutes);
  auto hours = parse_list(fields[1], kHours);
  auto months = parse_list(fields[3], kMonths);
  auto years = parse_list(fields[5], kYears);
  if (!minutes || !hours || !months || !years) return std::nullopt;
  cron.minute_set = *minutes;
  cron.hour_set = *hours;
  cron.month_set = *months;
  cron.year_set = *years;
  if (!cron.parse_month_days(fields[2]) || !cron.parse_week_days(fields[4])) return std::nullopt;
  // Exactly one of the two day fields is `?` (the guide's first limitation).
  if ((cron.month_days == Days::kAny) == (cron.week_days == Days::kAny)) return std::nullopt;
  return cron;
}

std::bitset<32> ScheduleExpression::Cron::matching_days(int year, int month) const {
  const int last = days_in(year, month);
  auto weekday_of = [&](int day) {
    return cron_weekday(std::chrono::year_month_day(
        std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
        std::chrono::day(static_cast<unsigned>(day))));
  };
  std::bitset<32> out;
  switch (month_days) {
    case Days::kSet:
      for (int d = 1; d <= last; ++d) out[d] = month_day_set[d - 1];
      return out;
    case Days::kLast:
      out.set(last);
      return out;
    case Days::kLastWeekday: {
      const int w = weekday_of(last);
      out.set(w == 7 ? last - 1 : w == 1 ? last - 2 : last);
      return out;
    }
    case Days::kNearestWeekday: {
      if (nearest_to > last) return out;
      const int w = weekday_of(nearest_to);
      int d = nearest_to;
      if (w == 7) d = nearest_to == 1 ? 3 : nearest_to - 1;            // Saturday
      if (w == 1) d = nearest_to == last ? last - 2 : nearest_to + 1;  // Sunday
      out.set(d);
      return out;
    }
    default:
      break;
  }
  switch (week_days) {
    case Days::kSet:
      for (int d = 1; d <= last; ++d) out[d] = week_day_set[weekday_of(d) - 1];
      return out;
    case Days::kLastOf: {
      const int d = last - (weekday_of(last) - weekday + 7) % 7;
      out.set(d);
      return out;
    }
    case Days::kNth: {
      const int d = 1 + (weekday - weekday_of(1) + 7) % 7 + 7 * (nth - 1);
      if (d <= last) out.set(d);
      return out;
    }
    default:
      return out;
  }
}

std::optional<std::chrono::sys_seconds> ScheduleExpression::Cron::next(
    std::chrono::sys_seconds after) const {
  namespace chr = std::chrono;
  const auto start = chr::floor<chr::minutes>(after) + chr::minutes(1);
  const auto start_day = chr::floor<chr::days>(start);
  const chr::year_month_day date(start_day);
  int y = static_cast<int>(date.year());
  int m = static_cast<int>(static_cast<unsigned>(date.month()));
  int d = static_cast<int>(static_cast<unsigned>(date.day()));
  const auto time_of_day = chr::duration_cast<chr::minutes>(start - start_day).count();
  int hh = static_cast<int>(time_of_day / 60);
  int mm = static_cast<int>(time_of_day % 60);
  if (y < kMinYear) y = kMinYear, m = 1, d = 1, hh = 0, mm = 0;

  // Each step either settles a field or moves to the start of the next larger unit; both only
  // ever move forward, so the loop ends within the year range.
  while (y <= kMaxYear) {
    if (m > 12 || !year_set[y - kMinYear]) {
      ++y, m = 1, d = 1, hh = 0, mm = 0;
      continue;
    }
    if (!month_set[m - 1]) {
      ++m, d = 1, hh = 0, mm = 0;
      continue;
    }
    const auto candidates = matching_days(y, m);
    int day = d;
    while (day <= 31 && !candidates[day]) ++day;
    if (day > 31) {
      ++m, d = 1, hh = 0, mm = 0;
      continue;
    }
    if (day != d) d = day, hh = 0, mm = 0;
    int hour = hh;
    while (hour <= 23 && !hour_set[hour]) ++hour;
    if (hour > 23) {
      ++d, hh = 0, mm = 0;
      continue;
    }
    if (hour != hh) hh = hour, mm = 0;
    int minute = mm;
    while (minute <= 59 && !minute_set[minute]) ++minute;
    if (minute > 59) {
      ++hh, mm = 0;
      continue;
    }
    const chr::year_month_day fire(chr::year(y), chr::month(static_cast<unsigned>(m)),
                                   chr::day(static_cast<unsigned>(d)));
    return chr::sys_seconds(chr::sys_days(fire)) + chr::hours(hh) + chr::minutes(minute);
  }
  return std::nullopt;
}

namespace {

std::optional<std::chrono::minutes> parse_rate(std::string_view text, bool scheduler) {
  const std::size_t space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view digits = text.substr(0, space);
  const std::string_view unit = text.substr(space + 1);
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  if (digits.empty() || digits.size() > kMaxRateDigits) return std::nullopt;
  std::int64_t value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (value < 1) return std::nullopt;
  struct Unit {
    std::string_view singular;
    std::string_view plural;
    std::int64_t minutes;
  };
  for (const Unit& u :
       {Unit{"minute", "minutes", 1}, Unit{"hour", "hours", 60}, Unit{"day", "days", 24 * 60}}) {
    const bool singular = unit == u.singular;
    if (!singular && unit != u.plural) continue;
    // Rules: "If the value is equal to 1, then the unit must be singular ... greater than 1,
    // the unit must be plural".
    if (!scheduler && singular != (value == 1)) return std::nullopt;
    return std::chrono::minutes(value * u.minutes);
  }
  return std::nullopt;
}

// at(yyyy-mm-ddThh:mm:ss), a wall-clock time.
std::optional<std::chrono::sys_seconds> parse_at(std::string_view text) {
  using namespace std::chrono;
  if (text.size() != 19 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  auto number = [&](std::size_t at, std::size_t n) -> std::optional<int> {
    const std::string_view part = text.substr(at, n);
    for (char c : part) {
      if (c < '0' || c > '9') return std::nullopt;
    }
    return parse_number(part);
  };
  auto y = number(0, 4), mo = number(5, 2), d = number(8, 2);
  auto h = number(11, 2), mi = number(14, 2), s = number(17, 2);
  if (!y || !mo || !d || !h || !mi || !s || *h > 23 || *mi > 59 || *s > 59) return std::nullopt;
  // The years cron() takes: later ones do not fit the nanosecond clock the scheduler runs on
  // (it ends in 2262; found by fuzz/scheduler_json).
  if (*y < kMinYear || *y > kMaxYear) return std::nullopt;
  const year_month_day date(year(*y), month(static_cast<unsigned>(*mo)),
                            day(static_cast<unsigned>(*d)));
  if (!date.ok()) return std::nullopt;
  return sys_seconds(sys_days(date) + hours(*h) + minutes(*mi) + seconds(*s));
}

std::optional<std::string_view> call_argument(std::string_view text, std::string_view name) {
  if (!text.starts_with(name) || text.size() < name.size() + 2 || text[name.size()] != '(' ||
      text.back() != ')') {
    return std::nullopt;
  }
  const std::string_view inside = text.substr(name.size() + 1, text.size() - name.size() - 2);
  if (inside.empty() || inside.front() == ' ' || inside.back() == ' ') return std::nullopt;
  return inside;
}

}  // namespace

Result<ScheduleExpression> ScheduleExpression::parse(std::string_view text) {
  return parse_as(text, false);
}

Result<ScheduleExpression> ScheduleExpression::parse_scheduler(std::string_view text) {
  return parse_as(text, true);
}

Result<ScheduleExpression> ScheduleExpression::parse_as(std::string_view text, bool scheduler) {
  auto invalid = [&] {
    // Scheduler's wording is not documented; until measured it says which expression failed.
    return fail(Errc::kValidationError, scheduler
                                            ? fmt::format("Invalid Schedule Expression {}.", text)
                                            : std::string(kRuleError));
  };
  if (text.size() > kMaxExpressionChars) return invalid();
  ScheduleExpression parsed;
  parsed.text_ = std::string(text);
  if (auto argument = call_argument(text, "rate")) {
    auto period = parse_rate(*argument, scheduler);
    if (!period) return invalid();
    parsed.kind_ = Kind::kRate;
    parsed.period_ = *period;
    parsed.fires_at_anchor_ = scheduler;
    return parsed;
  }
  if (auto argument = call_argument(text, "cron")) {
    auto cron = Cron::parse(*argument);
    if (!cron) return invalid();
    parsed.kind_ = Kind::kCron;
    parsed.cron_ = std::make_shared<const Cron>(std::move(*cron));
    return parsed;
  }
  if (auto argument = call_argument(text, "at"); argument && scheduler) {
    auto at = parse_at(*argument);
    if (!at) return invalid();
    parsed.kind_ = Kind::kAt;
    parsed.at_ = *at;
    return parsed;
  }
  return invalid();
}

std::optional<TimePoint> ScheduleExpression::next_after(TimePoint t, TimePoint anchor,
                                                        std::chrono::minutes utc_offset) const {
  using namespace std::chrono;
  switch (kind_) {
    case Kind::kRate: {
      const auto period = duration_cast<TimePoint::duration>(period_);
      const std::int64_t first = fires_at_anchor_ ? 0 : 1;
      std::int64_t k = first;
      if (t >= anchor) k = std::max(first, (t - anchor) / period + 1);
      return anchor + k * period;
    }
    case Kind::kCron: {
      // Wall-clock time in the zone, as whole seconds; the fire time back in UTC.
      const auto local = floor<seconds>(t) + utc_offset;
      auto fire = cron_->next(local);
      if (!fire) return std::nullopt;
      return TimePoint(*fire - utc_offset);
    }
    case Kind::kAt: {
      const TimePoint fire(at_ - utc_offset);
      if (fire > t) return fire;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<TimePoint> ScheduleExpression::next_after(TimePoint t, TimePoint anchor,
                                                        const TimeZone& zone) const {
  using namespace std::chrono;
  switch (kind_) {
    case Kind::kRate:
      return next_after(t, anchor);
    case Kind::kCron: {
      // Walk the zone's wall clock from t's local time; each local candidate maps to zero
      // (a gap: skipped), one or two (fall back: the first after t) instants.
      const auto after = floor<seconds>(t);
      auto local = after + zone.offset_at(after);
      while (true) {
        auto candidate = cron_->next(local);
        if (!candidate) return std::nullopt;
        for (const sys_seconds utc : zone.to_utc(*candidate)) {
          if (TimePoint(utc) > t) return TimePoint(utc);
        }
        local = *candidate;
      }
    }
    case Kind::kAt: {
      auto instants = zone.to_utc(at_);
      // In a gap the wall clock reads past at_ the moment the gap ends.
      const TimePoint fire = instants.empty() ? TimePoint(at_ - zone.offset_at(at_ - hours(24)))
                                              : TimePoint(instants.front());
      if (fire > t) return fire;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace eb::events
