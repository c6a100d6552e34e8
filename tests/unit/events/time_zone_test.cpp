#include "events/time_zone.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/clock.hpp"
#include "events/schedule.hpp"

namespace eb::events {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

sys_seconds at(std::string_view utc) {
  auto ms = parse_utc_timestamp(utc);
  EXPECT_TRUE(ms.has_value()) << utc;
  return sys_seconds(seconds(ms.value_or(0) / 1000));
}

std::string text(std::optional<TimePoint> t) {
  if (!t) return "none";
  return utc_timestamp(
      std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count());
}

TimeZone zone(std::string_view name) {
  auto loaded = TimeZone::load(name);
  EXPECT_TRUE(loaded) << name << ": " << (loaded ? "" : loaded.error().message);
  return loaded.value_or(TimeZone());
}

TEST(TimeZoneTest, ReadsOffsetsOnBothSidesOfNewYorksTransitions) {
  const TimeZone ny = zone("America/New_York");
  EXPECT_EQ(ny.offset_at(at("2026-01-15T12:00:00Z")), seconds(-5 * 3600));
  EXPECT_EQ(ny.offset_at(at("2026-07-15T12:00:00Z")), seconds(-4 * 3600));
  // 2026-03-08 02:00 EST (07:00Z) springs forward; 2026-11-01 02:00 EDT (06:00Z) falls back.
  EXPECT_EQ(ny.offset_at(at("2026-03-08T06:59:59Z")), seconds(-5 * 3600));
  EXPECT_EQ(ny.offset_at(at("2026-03-08T07:00:00Z")), seconds(-4 * 3600));
  EXPECT_EQ(ny.offset_at(at("2026-11-01T05:59:59Z")), seconds(-4 * 3600));
  EXPECT_EQ(ny.offset_at(at("2026-11-01T06:00:00Z")), seconds(-5 * 3600));
}

TEST(TimeZoneTest, LocalTimesInAGapHaveNoInstantAndRepeatedOnesHaveTwo) {
  const TimeZone ny = zone("America/New_York");
  EXPECT_TRUE(ny.to_utc(at("2026-03-08T02:30:00Z")).empty());
  const auto twice = ny.to_utc(at("2026-11-01T01:30:00Z"));
  ASSERT_EQ(twice.size(), 2u);
  EXPECT_EQ(twice[0], at("2026-11-01T05:30:00Z"));
  EXPECT_EQ(twice[1], at("2026-11-01T06:30:00Z"));
  const auto once = ny.to_utc(at("2026-06-01T09:00:00Z"));
  ASSERT_EQ(once.size(), 1u);
  EXPECT_EQ(once[0], at("2026-06-01T13:00:00Z"));
}

TEST(TimeZoneTest, UtcAndUnknownNames) {
  const TimeZone utc = zone("UTC");
  EXPECT_EQ(utc.offset_at(at("2026-07-15T12:00:00Z")), seconds(0));
  EXPECT_EQ(zone("Asia/Kolkata").offset_at(at("2026-07-15T12:00:00Z")), seconds(19800));
  for (std::string_view bad : {"Mars/Olympus_Mons", "../etc/passwd", "", "America/"}) {
    auto loaded = TimeZone::load(bad);
    ASSERT_FALSE(loaded) << bad;
    EXPECT_EQ(loaded.error().code, Errc::kValidationError);
  }
  EXPECT_FALSE(TimeZone::parse("not a zone file"));
}

std::string next_in(std::string_view expression, std::string_view zone_name,
                    std::string_view after) {
  auto parsed = ScheduleExpression::parse_scheduler(expression);
  EXPECT_TRUE(parsed) << expression;
  if (!parsed) return "invalid";
  const TimeZone z = zone(zone_name);
  return text(parsed->next_after(TimePoint(at(after)), TimePoint(), z));
}

TEST(TimeZoneTest, CronInAZoneSkipsTheSpringForwardGapAndFiresOnceWhenFallingBack) {
  // 02:30 daily in New York: 07:30Z in winter; 2026-03-08 has no 02:30, so the next is the 9th
  // at 02:30 EDT (06:30Z).
  EXPECT_EQ(next_in("cron(30 2 * * ? *)", "America/New_York", "2026-03-06T08:00:00Z"),
            "2026-03-07T07:30:00.000Z");
  EXPECT_EQ(next_in("cron(30 2 * * ? *)", "America/New_York", "2026-03-07T08:00:00Z"),
            "2026-03-09T06:30:00.000Z");
  // 01:30 on 2026-11-01 happens twice: it fires at the first (EDT, 05:30Z) only.
  EXPECT_EQ(next_in("cron(30 1 * * ? *)", "America/New_York", "2026-10-31T12:00:00Z"),
            "2026-11-01T05:30:00.000Z");
  EXPECT_EQ(next_in("cron(30 1 * * ? *)", "America/New_York", "2026-11-01T05:30:00Z"),
            "2026-11-02T06:30:00.000Z");
  // Every hour across the gap: 01:00 EST then 03:00 EDT, one hour of real time later.
  EXPECT_EQ(next_in("cron(0 * * * ? *)", "America/New_York", "2026-03-08T06:00:00Z"),
            "2026-03-08T07:00:00.000Z");
}

TEST(TimeZoneTest, AtAndRateInAZone) {
  EXPECT_EQ(next_in("at(2026-06-01T09:00:00)", "Europe/Berlin", "2026-01-01T00:00:00Z"),
            "2026-06-01T07:00:00.000Z");
  EXPECT_EQ(next_in("at(2026-06-01T09:00:00)", "Europe/Berlin", "2026-06-01T07:00:00Z"), "none");
  // In the gap: read with the offset before it.
  EXPECT_EQ(next_in("at(2026-03-08T02:30:00)", "America/New_York", "2026-01-01T00:00:00Z"),
            "2026-03-08T07:30:00.000Z");
  // A rate is a duration: 24 hours stay 24 hours across the transition.
  auto rate = ScheduleExpression::parse_scheduler("rate(1 day)");
  ASSERT_TRUE(rate);
  const TimePoint anchor(at("2026-03-07T12:00:00Z"));
  EXPECT_EQ(text(rate->next_after(anchor, anchor, zone("America/New_York"))),
            "2026-03-08T12:00:00.000Z");
}

}  // namespace
}  // namespace eb::events
