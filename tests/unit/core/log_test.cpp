#include "core/log.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <sstream>

#include "core/log_format.hpp"

namespace eb::log {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

// 2026-12-04T12:00:00.123Z
const system_clock::time_point kTime{milliseconds(1'796'385'600'123)};

std::string json_line(Level level, std::string_view text, std::span<const Field> fields) {
  std::string out;
  append_json_line(out, kTime, level, text, fields);
  return out;
}

TEST(LogFormat, JsonLineHasTimeLevelMessageAndFields) {
  const std::string name = "orders";
  const Field fields[] = {
      {"queue", name}, {"receiveCount", 3u}, {"delta", -2}, {"durationMs", 1.5}, {"id", "m-1"}};
  EXPECT_EQ(json_line(Level::kInfo, "message moved", fields),
            R"({"ts":"2026-12-04T12:00:00.123Z","level":"info","msg":"message moved",)"
            R"("queue":"orders","receiveCount":3,"delta":-2,"durationMs":1.5,"id":"m-1"})"
            "\n");
}

TEST(LogFormat, JsonEscapesQuotesNewlinesAndControlCharacters) {
  const Field fields[] = {{"body", "a\"b\\c\nd\x01"}};
  EXPECT_EQ(json_line(Level::kWarn, "say \"hi\"\r\n\tbye\x1f", fields),
            R"({"ts":"2026-12-04T12:00:00.123Z","level":"warn",)"
            R"("msg":"say \"hi\"\r\n\tbye\u001f","body":"a\"b\\c\nd\u0001"})"
            "\n");
}

TEST(LogFormat, NonFiniteNumbersAreNull) {
  const Field fields[] = {{"x", std::numeric_limits<double>::infinity()}};
  EXPECT_NE(json_line(Level::kInfo, "m", fields).find(R"("x":null})"), std::string::npos);
}

TEST(LogFormat, LevelNamesAreLowercase) {
  EXPECT_EQ(level_name(Level::kTrace), "trace");
  EXPECT_EQ(level_name(Level::kDebug), "debug");
  EXPECT_EQ(level_name(Level::kInfo), "info");
  EXPECT_EQ(level_name(Level::kWarn), "warn");
  EXPECT_EQ(level_name(Level::kError), "error");
  EXPECT_EQ(level_name(Level::kCritical), "critical");
}

TEST(LogFormat, TimestampIsRfc3339UtcWithMilliseconds) {
  std::string out;
  append_utc_timestamp(out, system_clock::time_point{});
  EXPECT_EQ(out, "1970-01-01T00:00:00.000Z");
  out.clear();
  append_utc_timestamp(out, system_clock::time_point{milliseconds(951'782'400'005)});
  EXPECT_EQ(out, "2000-02-29T00:00:00.005Z");
}

TEST(LogFormat, TextFieldsAreKeyValueQuotedWhenNeeded) {
  const Field fields[] = {{"queue", "orders"}, {"n", 7},       {"note", "two words"}, {"empty", ""},
                          {"eq", "a=b"},       {"nl", "x\ny"}, {"ms", 0.25}};
  std::string out;
  append_text_fields(out, fields);
  EXPECT_EQ(out, R"( queue=orders n=7 note="two words" empty="" eq="a=b" nl="x\ny" ms=0.25)");
}

TEST(CorrelationId, AttributeFirstThenEnvelopeBody) {
  MessageAttributes attributes;
  attributes["correlationId"] = {.data_type = "String", .string_value = "from-attr"};
  EXPECT_EQ(correlation_id(R"({"correlationId":"from-body"})", &attributes), "from-attr");
  EXPECT_EQ(correlation_id(R"( {"id":"1","correlationId":"from-body"})", nullptr), "from-body");
  EXPECT_EQ(correlation_id(R"({"id":"e","detail":{"correlationId":"in-detail"}})", nullptr),
            "in-detail");
  EXPECT_EQ(
      correlation_id(R"({"Type":"Notification","Message":"{\"correlationId\":\"sns\"}"})", nullptr),
      "sns");
  EXPECT_EQ(correlation_id(R"({"correlationId":7})", nullptr), "");
  EXPECT_EQ(correlation_id("correlationId", nullptr), "");
  EXPECT_EQ(correlation_id(R"({"correlationId": broken)", nullptr), "");
  EXPECT_EQ(correlation_id(R"(["correlationId"])", nullptr), "");
}

// The default logger, replaced for one test by one writing to a string.
class CapturedLog : public ::testing::Test {
 protected:
  void use(Format format, spdlog::level::level_enum level = spdlog::level::info) {
    auto logger = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_st>(out_));
    logger->set_formatter(make_formatter(format));
    logger->set_level(level);
    spdlog::set_default_logger(std::move(logger));
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_ = spdlog::default_logger();
};

TEST_F(CapturedLog, JsonLineAboutAMessageCarriesItsIds) {
  use(Format::kJson);
  const std::string body = R"({"id":"e1","type":"OrderPlaced","correlationId":"c-42"})";
  info("message moved to dead-letter queue", {{"queue", "dlq"}}, MessageRef{"m-1", body});
  const std::string line = out_.str();
  EXPECT_NE(line.find(R"("level":"info","msg":"message moved to dead-letter queue",)"
                      R"("queue":"dlq","messageId":"m-1","correlationId":"c-42"})"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.back(), '\n');
}

TEST_F(CapturedLog, PlainSpdlogCallsHaveNoFields) {
  use(Format::kJson);
  warn("with", {{"k", "v"}});
  spdlog::warn("plain {}", 1);
  const std::string text = out_.str();
  const auto second = text.find('\n') + 1;
  EXPECT_NE(text.find(R"("msg":"with","k":"v"})"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("level":"warn","msg":"plain 1"})", second), std::string::npos) << text;
}

TEST_F(CapturedLog, DisabledLevelWritesNothing) {
  use(Format::kJson, spdlog::level::info);
  EXPECT_FALSE(enabled(Level::kDebug));
  EXPECT_TRUE(enabled(Level::kInfo));
  debug("hidden", {{"k", "v"}}, MessageRef{"m-1", R"({"correlationId":"c"})"});
  EXPECT_EQ(out_.str(), "");
}

TEST_F(CapturedLog, TextKeepsItsLookWithFieldsAppended) {
  use(Format::kText);
  MessageAttributes attributes;
  attributes["correlationId"] = {.data_type = "String", .string_value = "c-7"};
  error("delivery failed", {{"topic", "orders"}, {"attempt", 2}},
        MessageRef{"m-9", "plain text", &attributes});
  spdlog::info("plain");
  const std::string text = out_.str();
  // "2026-12-04T13:00:00.123 error delivery failed topic=orders ..." in local time.
  ASSERT_GT(text.size(), 24u);
  EXPECT_EQ(text[4], '-');
  EXPECT_EQ(text[10], 'T');
  EXPECT_EQ(text[19], '.');
  EXPECT_NE(text.find(" error delivery failed topic=orders attempt=2 messageId=m-9 "
                      "correlationId=c-7\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(" info plain\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace eb::log
