#include "eventlog/envelope.hpp"

#include <gtest/gtest.h>

#include "eventlog/projection.hpp"

namespace eb::eventlog {
namespace {

TEST(EnvelopeTest, ReadsTheIndexedFields) {
  auto env = parse_envelope(R"({"id":"e1","type":"order.created","timestamp":"2024-01-01T00:00:00Z",
      "version":"1.0","source":"order-service","correlationId":"c1","causationId":"e0",
      "data":{"orderId":"o1"}})");
  ASSERT_TRUE(env);
  EXPECT_EQ(env->id, "e1");
  EXPECT_EQ(env->type, "order.created");
  EXPECT_EQ(env->timestamp, "2024-01-01T00:00:00Z");
  EXPECT_EQ(env->version, "1.0");
  EXPECT_EQ(env->source, "order-service");
  EXPECT_EQ(env->correlation_id, "c1");
  EXPECT_EQ(env->causation_id, "e0");
  EXPECT_TRUE(env->has_data);
  EXPECT_EQ(env->aggregate_id, "");
}

TEST(EnvelopeTest, AggregateIdTopLevelWinsOverData) {
  auto top =
      parse_envelope(R"({"id":"e","type":"t","aggregateId":"A","data":{"aggregateId":"B"}})");
  ASSERT_TRUE(top);
  EXPECT_EQ(top->aggregate_id, "A");
  auto nested = parse_envelope(R"({"id":"e","type":"t","data":{"aggregateId":"B"}})");
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->aggregate_id, "B");
  auto number = parse_envelope(R"({"id":"e","type":"t","aggregateId":42,"version":2})");
  ASSERT_TRUE(number);
  EXPECT_EQ(number->aggregate_id, "42");
  EXPECT_EQ(number->version, "2");
}

TEST(EnvelopeTest, AnEventBridgeEventIsIndexedByItsDetailTypeAndItsDetailsCorrelation) {
  auto env = parse_envelope(
      R"({"version":"0","id":"e1","detail-type":"OrderPlaced","source":"shop","account":"1",)"
      R"("time":"2026-12-03T10:00:00Z","region":"r","resources":[],)"
      R"("detail":{"correlationId":"c1","causationId":"e0","aggregateId":"o1"}})");
  ASSERT_TRUE(env);
  EXPECT_EQ(env->id, "e1");
  EXPECT_EQ(env->type, "OrderPlaced");
  EXPECT_EQ(env->source, "shop");
  EXPECT_EQ(env->timestamp, "2026-12-03T10:00:00Z");
  EXPECT_EQ(env->correlation_id, "c1");
  EXPECT_EQ(env->causation_id, "e0");
  EXPECT_EQ(env->aggregate_id, "o1");
  // Without a detail object it is not an event.
  EXPECT_FALSE(parse_envelope(R"({"id":"e1","detail-type":"OrderPlaced","detail":"x"})"));
}

TEST(EnvelopeTest, AnythingElseIsAPlainMessage) {
  for (const char* body : {"", "hello", "{", "[1,2]", "{}", R"({"id":"x"})", R"({"type":"t"})",
                           R"({"id":"","type":"t"})", R"({"id":1,"type":"t"})",
                           R"({"id":"x","type":"t")", "\x01\x02\xff"}) {
    EXPECT_FALSE(parse_envelope(body)) << body;
  }
  EXPECT_TRUE(parse_envelope("  \n{\"id\":\"x\",\"type\":\"t\"}  "));
}

TEST(EnvelopeTest, NewEventsNeedIdTypeAndData) {
  EXPECT_TRUE(validate_new_event(R"({"id":"a","type":"t","data":null})", "events[0]"));
  auto no_id = validate_new_event(R"({"type":"t","data":{}})", "events[3]");
  ASSERT_FALSE(no_id);
  EXPECT_EQ(no_id.error().code, Errc::kInvalidParameterValue);
  EXPECT_NE(no_id.error().message.find("events[3].id"), std::string::npos);
  auto no_type = validate_new_event(R"({"id":"a","type":"","data":{}})", "events[0]");
  ASSERT_FALSE(no_type);
  EXPECT_NE(no_type.error().message.find("events[0].type"), std::string::npos);
  auto no_data = validate_new_event(R"({"id":"a","type":"t"})", "events[0]");
  ASSERT_FALSE(no_data);
  EXPECT_NE(no_data.error().message.find("events[0].data"), std::string::npos);
  auto not_object = validate_new_event("[1]", "events[0]");
  ASSERT_FALSE(not_object);
  auto broken = validate_new_event("{", "events[0]");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, Errc::kMalformedRequest);
}

TEST(EnvelopeTest, MinifyKeepsStrings) {
  EXPECT_EQ(minify_json("{ \"a b\" : [ 1 , \"x  y\\n\" ] }\n"), R"({"a b":[1,"x  y\n"]})");
}

}  // namespace
}  // namespace eb::eventlog
