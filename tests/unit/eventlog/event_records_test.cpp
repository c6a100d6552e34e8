// The event log's on-disk format, pinned directly: the record codec round-trips every field,
// and keys keep the layout documented in event_records.hpp (existing data dirs depend on it).
#include "eventlog/event_records.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "storage/keys.hpp"

namespace eb::eventlog::records {
namespace {

using namespace std::string_literals;

Event full_event() {
  Event e;
  e.seq = 42;
  e.timestamp = 1'700'000'000'123;
  e.source_arn = "arn:aws:sns:us-east-1:000000000000:orders.fifo";
  e.message_id = "m-1";
  e.body = R"({"id":"e1","type":"order.created","data":{}})";
  e.attributes = {{"color", {"String", "blue", {}}}, {"blob", {"Binary", {}, "\x00\x01"s}}};
  e.group_id = "g1";
  e.deduplication_id = "d1";
  e.subject = "hello";
  e.stream = "order-7";
  e.stream_version = 3;
  Envelope env;
  env.id = "e1";
  env.type = "order.created";
  env.timestamp = "2026-12-01T00:00:00Z";
  env.version = "1";
  env.source = "order-service";
  env.correlation_id = "c1";
  env.causation_id = "e0";
  e.envelope = env;
  return e;
}

TEST(EventRecordsTest, TheRecordRoundTripsEveryField) {
  const Event in = full_event();
  auto out = decode_record(in.seq, encode_record(in));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->seq, 42u);
  EXPECT_EQ(out->timestamp, in.timestamp);
  EXPECT_EQ(out->source_arn, in.source_arn);
  EXPECT_EQ(out->message_id, in.message_id);
  EXPECT_EQ(out->body, in.body);
  ASSERT_EQ(out->attributes.size(), 2u);
  EXPECT_EQ(out->attributes.at("color").string_value, "blue");
  EXPECT_EQ(out->attributes.at("blob").data_type, "Binary");
  EXPECT_EQ(out->attributes.at("blob").binary_value, "\x00\x01"s);
  EXPECT_EQ(out->group_id, "g1");
  EXPECT_EQ(out->deduplication_id, "d1");
  EXPECT_EQ(out->subject, "hello");
  EXPECT_EQ(out->stream, "order-7");
  EXPECT_EQ(out->stream_version, 3);
  ASSERT_TRUE(out->envelope);
  EXPECT_EQ(out->envelope->id, "e1");
  EXPECT_EQ(out->envelope->type, "order.created");
  EXPECT_EQ(out->envelope->timestamp, "2026-12-01T00:00:00Z");
  EXPECT_EQ(out->envelope->version, "1");
  EXPECT_EQ(out->envelope->source, "order-service");
  EXPECT_EQ(out->envelope->correlation_id, "c1");
  EXPECT_EQ(out->envelope->causation_id, "e0");
  EXPECT_TRUE(out->envelope->has_data);
}

TEST(EventRecordsTest, APlainMessageHasNoStreamOrEnvelope) {
  Event in;
  in.source_arn = "q";
  in.body = "plain";
  auto out = decode_record(7, encode_record(in));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->seq, 7u);
  EXPECT_EQ(out->body, "plain");
  EXPECT_TRUE(out->stream.empty());
  EXPECT_EQ(out->stream_version, -1);
  EXPECT_FALSE(out->envelope);
}

TEST(EventRecordsTest, AGivenBodyReplacesTheEventsOwn) {
  const Event in = full_event();
  auto out = decode_record(in.seq, encode_record(in, "the sent body"));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->body, "the sent body");
  EXPECT_EQ(out->message_id, in.message_id);
  EXPECT_EQ(out->attributes.size(), 2u);
  EXPECT_EQ(out->stream, in.stream);
}

TEST(EventRecordsTest, GarbageIsNotARecord) { EXPECT_FALSE(decode_record(1, "\xff\xff\xff")); }

TEST(EventRecordsTest, EscapingKeepsTheSeparatorUnique) {
  const std::string raw = "a\0b\x01"s;
  std::string escaped;
  append_escaped(escaped, raw);
  EXPECT_EQ(escaped,
            "a\x01\x01"
            "b\x01\x02"s);
  EXPECT_EQ(escaped.find('\0'), std::string::npos);
  EXPECT_EQ(unescape(escaped), raw);
  // Appended after what is there; escapes back to back and a run after them.
  escaped = "k";
  append_escaped(escaped, "\x01\0tail"s);
  EXPECT_EQ(escaped, "k\x01\x02\x01\x01tail"s);
  // One value's prefix never covers another value's keys.
  const std::string a = index_prefix(kSourceIndex, "a");
  EXPECT_EQ(a, "oa\0"s);
  EXPECT_FALSE(index_prefix(kSourceIndex, "a\0b"s).starts_with(a));
  EXPECT_EQ(prefix_end(a), "oa\x01"s);
  EXPECT_LT(with_u64(a, ~std::uint64_t{0}), prefix_end(a));
}

TEST(EventRecordsTest, KeysKeepTheirLayout) {
  EXPECT_EQ(with_u64(index_prefix(kTypeIndex, "t"), 1), "tt\0"s + storage::u64_key(1));
  EXPECT_EQ(event_id_key("s", "e1"), "Is\0e1"s);
  EXPECT_EQ(head_key("s"), "eventlog/head/s");
  EXPECT_EQ(kTrimmedThroughKey, "eventlog/trimmed_through");
}

TEST(EventRecordsTest, IndexEntriesCoverSourcesTypeCorrelationAndStream) {
  const Event e = full_event();
  auto entries = index_entries(e);
  std::sort(entries.begin(), entries.end());
  const auto seq = storage::u64_key(42);
  std::vector<std::pair<std::string, std::string>> expected = {
      {"Iorder-7\0e1"s, storage::u64_pair_key(42, 3)},
      {"Sorder-7\0"s + storage::u64_key(3), seq},
      {"cc1\0"s + seq, ""},
      {"o" + e.source_arn + "\0"s + seq, ""},
      {"oorder-service\0"s + seq, ""},
      {"torder.created\0"s + seq, ""},
  };
  EXPECT_EQ(entries, expected);

  Event plain;
  plain.seq = 5;
  plain.source_arn = "q";
  EXPECT_EQ(
      index_entries(plain),
      (std::vector<std::pair<std::string, std::string>>{{"oq\0"s + storage::u64_key(5), ""}}));
}

}  // namespace
}  // namespace eb::eventlog::records
