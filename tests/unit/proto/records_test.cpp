// The schemas compile and round-trip; the format version survives a parse.
#include <gtest/gtest.h>

#include "eventbroker/v1/envelope.pb.h"
#include "eventbroker/v1/records.pb.h"

namespace {

TEST(Records, MessageRecordRoundTrips) {
  eventbroker::v1::MessageRecord in;
  in.set_format_version(1);
  in.set_seq(42);
  in.set_body("hello");
  auto& attr = (*in.mutable_attributes())["eventType"];
  attr.set_data_type("String");
  attr.set_string_value("order.created");
  std::string bytes;
  ASSERT_TRUE(in.SerializeToString(&bytes));
  eventbroker::v1::MessageRecord out;
  ASSERT_TRUE(out.ParseFromString(bytes));
  EXPECT_EQ(out.format_version(), 1u);
  EXPECT_EQ(out.seq(), 42u);
  EXPECT_EQ(out.attributes().at("eventType").string_value(), "order.created");
}

TEST(Records, EnvelopeCarriesStructuredData) {
  eventbroker::v1::EventEnvelope e;
  e.set_type("order.created");
  (*e.mutable_data()->mutable_fields())["orderId"].set_string_value("o-1");
  eventbroker::v1::EventEnvelope copy;
  ASSERT_TRUE(copy.ParseFromString(e.SerializeAsString()));
  EXPECT_EQ(copy.data().fields().at("orderId").string_value(), "o-1");
}

}  // namespace
