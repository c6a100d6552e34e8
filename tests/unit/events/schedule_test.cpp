#include "events/schedule.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"

namespace eb::events {
namespace {

TimePoint at(std::string_view utc) {
  auto ms = parse_utc_timestamp(utc);
  EXPECT_TRUE(ms.has_value()) << utc;
  return TimePoint(std::chrono::milliseconds(ms.value_or(0)));
}

std::string text(std::optional<TimePoint> t) {
  if (!t) return "none";
  return utc_timestamp(
      std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count());
}

std::string next(std::string_view expression, std::string_view after) {
  auto parsed = ScheduleExpression::parse(expression);
  EXPECT_TRUE(parsed.has_value()) << expression;
  if (!parsed) return "invalid";
  return text(parsed->next_after(at(after)));
}

struct NextCase {
  const char* expression;
  const char* after;
  const char* expected;  // "none" when there is no later fire
};

void expect_next(const std::vector<NextCase>& cases) {
  for (const NextCase& c : cases) {
    EXPECT_EQ(next(c.expression, c.after), c.expected) << c.expression << " after " << c.after;
  }
}

TEST(ScheduleExpression, AcceptsValidRuleExpressions) {
  for (const char* valid :
       {// The user guide's examples, and the rate forms it lists.
        "rate(1 minute)", "rate(5 minutes)", "rate(1 hour)", "rate(12 hours)", "rate(1 day)",
        "rate(7 days)", "cron(0 10 * * ? *)", "cron(15 12 * * ? *)", "cron(0 18 ? * MON-FRI *)",
        "cron(0 8 1 * ? *)", "cron(0/15 * * * ? *)", "cron(0/10 * ? * MON-FRI *)",
        "cron(0/5 8-17 ? * MON-FRI *)", "cron(0/30 20-2 ? * MON-FRI *)", "cron(0 12 * * ? *)",
        "cron(5,35 14 * * ? *)", "cron(15 10 ? * 6L 2019-2022)",
        // Every wildcard in its field.
        "cron(0 0 L * ? *)", "cron(0 0 LW * ? *)", "cron(0 0 15W * ? *)", "cron(0 0 ? * 3#2 *)",
        "cron(0 0 ? * FRI#1 *)", "cron(0 0 ? * L *)", "cron(0 0 ? * FRIL *)",
        "cron(0 0 ? JAN,MAR-MAY,dec SUN,sat 1970)", "cron(59 23 31 12 ? 2199)",
        "cron(*/7 */3 1-31/2 */2 ? 2030/5)", "cron(0 0 ? * 1-7 *)", "cron(0 0 ? * FRI-MON *)",
        "cron(0 0  1 * ? *)"}) {
    EXPECT_TRUE(ScheduleExpression::parse(valid).has_value()) << valid;
  }
}

TEST(ScheduleExpression, RefusesInvalidRuleExpressions) {
  for (const char* invalid :
       {// rate: unit agreement, units, values, spacing (the AWS-validated set).
        "rate(1 minutes)", "rate(1 hours)", "rate(1 days)", "rate(5 minute)", "rate(10 hour)",
        "rate(10 day)", "rate(10 seconds)", "rate(10 years)", "rate()", "rate(10)",
        "rate(10 minutess)", "rate(foo minutes)", "rate(0 minutes)", "rate(-10 minutes)",
        "rate(10 MINUTES)", "rate( 10 minutes )", " rate(10 minutes)", "rate(10 minutes) ",
        "rate(10  minutes)", "rate(+5 minutes)", "rate(1234567890 minutes)", "Rate(5 minutes)",
        "rate(5 minutes", "every 5 minutes", "", "at(2030-01-01T00:00:00)",
        // cron: field count, both or neither day field '?', ranges, names, wildcards.
        "cron(0 10 * * ?)", "cron(0 10 * * ? * *)", "cron(0 10 * * * *)", "cron(0 10 ? * ? *)",
        "cron(0 10 1 * MON *)", "cron(60 10 * * ? *)", "cron(0 24 * * ? *)", "cron(0 0 0 * ? *)",
        "cron(0 0 32 * ? *)", "cron(0 0 1 13 ? *)", "cron(0 0 1 0 ? *)", "cron(0 0 ? * 0 *)",
        "cron(0 0 ? * 8 *)", "cron(0 0 1 * ? 1969)", "cron(0 0 1 * ? 2200)",
        "cron(0 0 1 * ? 2022-2019)", "cron(0 0 1 JANUARY ? *)", "cron(0 0 ? * MONDAY *)",
        "cron(0 0 1 * ? MON)", "cron(0/0 * * * ? *)", "cron(0/61 * * * ? *)",
        "cron(0 0 ? * 3#1,6#3 *)", "cron(0 0 ? * 3#6 *)", "cron(0 0 ? * 8#1 *)",
        "cron(0 0 1#2 * ? *)", "cron(0 0 L * L *)", "cron(0 0 ? * W *)", "cron(0 0 32W * ? *)",
        "cron(0 0 1,L * ? *)", "cron(0 L * * ? *)", "cron(0 0 * * ? *", "cron( 0 0 * * ? *)",
        "cron(0 0 * * ? * )", "cron(a b c d e f)", "cron(0,,5 0 * * ? *)", "cron(0- 0 * * ? *)",
        "cron(-1 0 * * ? *)", "cron(0 0 * JAN-? ? *)"}) {
    auto parsed = ScheduleExpression::parse(invalid);
    ASSERT_FALSE(parsed.has_value()) << invalid;
    EXPECT_EQ(parsed.error().code, Errc::kValidationError);
    EXPECT_EQ(parsed.error().message, "Parameter ScheduleExpression is not valid.") << invalid;
  }
  EXPECT_FALSE(ScheduleExpression::parse("cron(0 0 * * ? *" + std::string(260, ' ') + ")"));
}

TEST(ScheduleExpression, RateFiresFromTheAnchor) {
  auto five = ScheduleExpression::parse("rate(5 minutes)");
  ASSERT_TRUE(five.has_value());
  EXPECT_EQ(five->kind(), ScheduleExpression::Kind::kRate);
  EXPECT_EQ(five->period(), std::chrono::minutes(5));
  const TimePoint created = at("2026-01-31T23:58:30Z");
  // A rule's first fire is one period after creation, then every period; strictly after t.
  EXPECT_EQ(text(five->next_after(created, created)), "2026-02-01T00:03:30.000Z");
  EXPECT_EQ(text(five->next_after(at("2026-02-01T00:03:30Z"), created)),
            "2026-02-01T00:08:30.000Z");
  EXPECT_EQ(text(five->next_after(at("2026-02-01T00:03:29.999Z"), created)),
            "2026-02-01T00:03:30.000Z");
  EXPECT_EQ(text(five->next_after(at("2025-01-01T00:00:00Z"), created)),
            "2026-02-01T00:03:30.000Z");
  auto day = ScheduleExpression::parse("rate(1 day)");
  ASSERT_TRUE(day.has_value());
  EXPECT_EQ(text(day->next_after(at("2028-02-28T12:00:00Z"), at("2028-02-27T12:00:00Z"))),
            "2028-02-29T12:00:00.000Z");
}

TEST(ScheduleExpression, CronNextFire) {
  expect_next({
      // Daily at a time; strictly after t, so a fire time itself moves on a day.
      {"cron(0 10 * * ? *)", "2026-05-04T09:59:59Z", "2026-05-04T10:00:00.000Z"},
      {"cron(0 10 * * ? *)", "2026-05-04T10:00:00Z", "2026-05-05T10:00:00.000Z"},
      {"cron(0 10 * * ? *)", "2026-12-31T10:00:00Z", "2027-01-01T10:00:00.000Z"},
      // Every 15 minutes; 1/10 starts at minute 1.
      {"cron(0/15 * * * ? *)", "2026-05-04T09:46:10Z", "2026-05-04T10:00:00.000Z"},
      {"cron(1/10 * * * ? *)", "2026-05-04T09:51:00Z", "2026-05-04T10:01:00.000Z"},
      // Weekdays only: Friday 18:00 then Monday (2026-05-08 is a Friday).
      {"cron(0 18 ? * MON-FRI *)", "2026-05-08T18:00:00Z", "2026-05-11T18:00:00.000Z"},
      // A wrapping hour range: 20:00 to 02:30 on weekdays.
      {"cron(0/30 20-2 ? * MON-FRI *)", "2026-05-05T02:30:00Z", "2026-05-05T20:00:00.000Z"},
      {"cron(0/30 20-2 ? * MON-FRI *)", "2026-05-05T23:30:00Z", "2026-05-06T00:00:00.000Z"},
      // The 31st skips the months without one.
      {"cron(0 0 31 * ? *)", "2026-01-31T00:00:00Z", "2026-03-31T00:00:00.000Z"},
      // 29 February: leap years only.
      {"cron(0 0 29 FEB ? *)", "2026-01-01T00:00:00Z", "2028-02-29T00:00:00.000Z"},
      {"cron(0 0 29 2 ? *)", "2096-03-01T00:00:00Z", "2104-02-29T00:00:00.000Z"},
      {"cron(0 0 29 2 ? 2100)", "2000-01-01T00:00:00Z", "none"},
  });
}

TEST(ScheduleExpression, CronLastAndWeekdayWildcards) {
  expect_next({
      // L in day-of-month: the last day, leap years included.
      {"cron(0 12 L * ? *)", "2028-02-10T00:00:00Z", "2028-02-29T12:00:00.000Z"},
      {"cron(0 12 L * ? *)", "2027-02-10T00:00:00Z", "2027-02-28T12:00:00.000Z"},
      {"cron(0 12 L * ? *)", "2026-04-30T12:00:00Z", "2026-05-31T12:00:00.000Z"},
      // LW: the last weekday (2026-05-31 is a Sunday, so Friday the 29th; 2026-10-31 a Saturday).
      {"cron(0 0 LW * ? *)", "2026-05-01T00:00:00Z", "2026-05-29T00:00:00.000Z"},
      {"cron(0 0 LW * ? *)", "2026-10-01T00:00:00Z", "2026-10-30T00:00:00.000Z"},
      // nW: the weekday nearest day n, never leaving the month. 2026-08-15 is a Saturday -> Friday
      // 14th; 2026-11-15 a Sunday -> Monday 16th; 2026-08-01 a Saturday -> Monday 3rd;
      // 2026-05-31 a Sunday -> Friday 29th.
      {"cron(0 0 15W * ? *)", "2026-08-01T00:00:00Z", "2026-08-14T00:00:00.000Z"},
      {"cron(0 0 15W * ? *)", "2026-11-01T00:00:00Z", "2026-11-16T00:00:00.000Z"},
      {"cron(0 0 1W * ? *)", "2026-07-31T00:00:00Z", "2026-08-03T00:00:00.000Z"},
      {"cron(0 0 31W * ? *)", "2026-05-01T00:00:00Z", "2026-05-29T00:00:00.000Z"},
      {"cron(0 0 31W * ? *)", "2026-06-01T00:00:00Z", "2026-07-31T00:00:00.000Z"},
      // #: 3#2 is the second Tuesday; a fifth Monday exists only in some months.
      {"cron(0 9 ? * 3#2 *)", "2026-05-01T00:00:00Z", "2026-05-12T09:00:00.000Z"},
      {"cron(0 9 ? * MON#5 *)", "2026-05-01T00:00:00Z", "2026-06-29T09:00:00.000Z"},
      // nL: the last Friday (the guide's 6L example), within its years.
      {"cron(15 10 ? * 6L 2019-2022)", "2019-01-01T00:00:00Z", "2019-01-25T10:15:00.000Z"},
      {"cron(15 10 ? * 6L 2019-2022)", "2022-12-30T10:15:00Z", "none"},
      // L alone in day-of-week: Saturday.
      {"cron(0 0 ? * L *)", "2026-05-04T00:00:00Z", "2026-05-09T00:00:00.000Z"},
      // Day-of-week numbers: 1 is Sunday.
      {"cron(0 0 ? * 1 *)", "2026-05-04T00:00:00Z", "2026-05-10T00:00:00.000Z"},
  });
}

TEST(ScheduleExpression, CronYearLimits) {
  expect_next({
      {"cron(0 0 1 1 ? 1970)", "1960-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"},
      {"cron(59 23 31 12 ? 2199)", "2199-12-31T23:58:00Z", "2199-12-31T23:59:00.000Z"},
      {"cron(59 23 31 12 ? 2199)", "2199-12-31T23:59:00Z", "none"},
      {"cron(0 0 * * ? *)", "2199-12-31T00:00:00Z", "none"},
      {"cron(0 0 1 1 ? 2030/50)", "2031-01-01T00:00:00Z", "2080-01-01T00:00:00.000Z"},
  });
}

TEST(ScheduleExpression, SchedulerForms) {
  // at(): one fire, in the past or not.
  auto once = ScheduleExpression::parse_scheduler("at(2027-03-01T08:30:15)");
  ASSERT_TRUE(once.has_value());
  EXPECT_EQ(once->kind(), ScheduleExpression::Kind::kAt);
  EXPECT_EQ(text(once->next_after(at("2027-03-01T08:30:14Z"))), "2027-03-01T08:30:15.000Z");
  EXPECT_EQ(once->next_after(at("2027-03-01T08:30:15Z")), std::nullopt);
  // The UTC-offset seam: 08:30:15 at UTC+02:00 is 06:30:15 UTC.
  EXPECT_EQ(text(once->next_after(at("2027-01-01T00:00:00Z"), {}, std::chrono::hours(2))),
            "2027-03-01T06:30:15.000Z");
  for (const char* bad :
       {"at(2027-02-29T00:00:00)", "at(2027-03-01 08:30:15)", "at(2027-03-01T24:00:00)",
        "at(2027-3-01T08:30:15)", "at()", "at(2027-03-01T08:30:15Z)",
        // Past cron()'s years: would not fit the scheduler's nanosecond clock.
        "at(2200-01-01T00:00:00)", "at(3821-01-01T00:00:00)", "at(1969-12-31T23:59:59)"}) {
    auto parsed = ScheduleExpression::parse_scheduler(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error().code, Errc::kValidationError);
  }
  EXPECT_TRUE(ScheduleExpression::parse_scheduler("at(2028-02-29T23:59:59)"));
  EXPECT_TRUE(ScheduleExpression::parse_scheduler("at(2199-12-31T23:59:59)"));
  // rate(): no singular/plural rule; fires at the anchor first.
  auto rate = ScheduleExpression::parse_scheduler("rate(1 minutes)");
  ASSERT_TRUE(rate.has_value());
  const TimePoint start = at("2027-01-01T00:00:00Z");
  EXPECT_EQ(text(rate->next_after(start - std::chrono::seconds(1), start)),
            "2027-01-01T00:00:00.000Z");
  EXPECT_EQ(text(rate->next_after(start, start)), "2027-01-01T00:01:00.000Z");
  EXPECT_TRUE(ScheduleExpression::parse_scheduler("rate(5 hour)"));
  EXPECT_FALSE(ScheduleExpression::parse_scheduler("rate(0 minutes)"));
  // cron(): the rules' dialect, evaluated in the zone's wall clock.
  auto cron = ScheduleExpression::parse_scheduler("cron(0 9 * * ? *)");
  ASSERT_TRUE(cron.has_value());
  EXPECT_EQ(text(cron->next_after(at("2027-01-01T00:00:00Z"), {}, std::chrono::hours(-5))),
            "2027-01-01T14:00:00.000Z");
  EXPECT_EQ(text(cron->next_after(at("2027-01-01T23:30:00Z"), {}, std::chrono::hours(10))),
            "2027-01-02T23:00:00.000Z");
}

}  // namespace
}  // namespace eb::events
