#include "plugins/envelope.hpp"

#include <gtest/gtest.h>

namespace eb::plugins {
namespace {

Envelope order_created() {
  Envelope e;
  e.id = "evt-1";
  e.type = "order.created";
  e.timestamp = "2026-12-02T10:00:00.000Z";
  e.source = "order-service";
  e.correlation_id = "corr-1";
  e.causation_id = "cmd-7";
  e.metadata = R"({"idempotencyKey":"o-1"})";
  e.data = R"({"orderId":"o-1","items":[{"productId":"p","quantity":2}]})";
  return e;
}

TEST(Envelope, EncodesTheDesignsShape) {
  EXPECT_EQ(encode(order_created()),
            R"({"id":"evt-1","type":"order.created","timestamp":"2026-12-02T10:00:00.000Z",)"
            R"("version":"1.0","source":"order-service","correlationId":"corr-1",)"
            R"("causationId":"cmd-7","metadata":{"idempotencyKey":"o-1"},)"
            R"("data":{"orderId":"o-1","items":[{"productId":"p","quantity":2}]}})");
  Envelope first = order_created();
  first.causation_id.clear();  // the member is left out, as the design's optional causationId
  EXPECT_EQ(encode(first).find("causationId"), std::string::npos);
}

TEST(Envelope, DecodesWhatItEncodes) {
  auto e = decode(encode(order_created()));
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->id, "evt-1");
  EXPECT_EQ(e->type, "order.created");
  EXPECT_EQ(e->version, "1.0");
  EXPECT_EQ(e->source, "order-service");
  EXPECT_EQ(e->correlation_id, "corr-1");
  EXPECT_EQ(e->causation_id, "cmd-7");
  EXPECT_EQ(e->metadata, R"({"idempotencyKey":"o-1"})");
  EXPECT_EQ(e->data, R"({"orderId":"o-1","items":[{"productId":"p","quantity":2}]})");
}

// A subscription without raw delivery wraps the event in SNS's notification.
TEST(Envelope, UnwrapsAnSnsNotification) {
  std::string inner = encode(order_created());
  std::string escaped;
  for (char c : inner) {
    if (c == '"') escaped += '\\';
    escaped += c;
  }
  auto e = decode(R"({"Type":"Notification","MessageId":"m","TopicArn":"arn:t","Message":")" +
                  escaped + R"(","Timestamp":"2026-12-02T10:00:00.000Z"})");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->id, "evt-1");
  EXPECT_EQ(e->data, R"({"orderId":"o-1","items":[{"productId":"p","quantity":2}]})");
}

TEST(Envelope, MissingPartsAndBadBodies) {
  auto bare = decode(R"({"id":"e","type":"t"})");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->metadata, "{}");
  EXPECT_EQ(bare->data, "{}");
  EXPECT_TRUE(bare->causation_id.empty());
  for (const char* bad : {"", "not json", "[1,2]", R"({"type":"t"})", R"({"id":"e"})",
                          R"({"Type":"Notification","Message":"not json"})"}) {
    auto r = decode(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::kInvalidParameterValue) << bad;
  }
}

TEST(Envelope, AttributesAreTheEventBussTwo) {
  auto attributes = event_attributes(order_created());
  ASSERT_EQ(attributes.size(), 2u);
  EXPECT_EQ(attributes.at("eventType").string_value, "order.created");
  EXPECT_EQ(attributes.at("eventType").data_type, "String");
  EXPECT_EQ(attributes.at("correlationId").string_value, "corr-1");
}

}  // namespace
}  // namespace eb::plugins
