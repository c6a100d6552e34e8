#include "core/json_writer.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace eb {
namespace {

TEST(JsonWriter, NestedStructureGetsCommasRight) {
  std::string out;
  JsonWriter w(out);
  w.begin_object()
      .member("QueueUrl", "http://h/q")
      .key("Messages")
      .begin_array()
      .begin_object()
      .member("Id", "1")
      .key("Attrs")
      .begin_object()
      .end_object()
      .end_object()
      .begin_object()
      .member("Id", "2")
      .end_object()
      .end_array()
      .key("Empty")
      .begin_array()
      .end_array()
      .key("n")
      .number(-42)
      .key("t")
      .boolean(true)
      .key("f")
      .boolean(false)
      .key("z")
      .null()
      .end_object();
  EXPECT_EQ(out, R"({"QueueUrl":"http://h/q","Messages":[{"Id":"1","Attrs":{}},{"Id":"2"}],)"
                 R"("Empty":[],"n":-42,"t":true,"f":false,"z":null})");
}

TEST(JsonWriter, TopLevelArrayOfScalars) {
  std::string out;
  JsonWriter w(out);
  w.begin_array().number(1).string("a").null().begin_array().end_array().number(2).end_array();
  EXPECT_EQ(out, R"([1,"a",null,[],2])");
}

TEST(JsonWriter, AppendsToExistingBuffer) {
  std::string out = "prefix:";
  JsonWriter(out).begin_object().end_object();
  EXPECT_EQ(out, "prefix:{}");
}

TEST(JsonWriter, NumberExtremes) {
  std::string out;
  JsonWriter(out)
      .begin_array()
      .number(std::numeric_limits<std::int64_t>::min())
      .number(std::numeric_limits<std::int64_t>::max())
      .number(0)
      .end_array();
  EXPECT_EQ(out, "[-9223372036854775808,9223372036854775807,0]");
}

TEST(JsonWriter, KeysAreEscapedToo) {
  std::string out;
  JsonWriter(out).begin_object().member("a\"b", "c").end_object();
  EXPECT_EQ(out, R"({"a\"b":"c"})");
}

TEST(JsonWriter, UnsignedNumbersToTheTop) {
  std::string out;
  JsonWriter(out)
      .begin_array()
      .unsigned_number(0)
      .unsigned_number(std::numeric_limits<std::uint64_t>::max())
      .end_array();
  EXPECT_EQ(out, "[0,18446744073709551615]");
}

TEST(JsonWriter, RawValuesGoInAsIsWithCommas) {
  std::string out;
  JsonWriter(out)
      .begin_object()
      .key("state")
      .raw(R"({"n":1,"s":"a\"b"})")
      .key("list")
      .begin_array()
      .raw("1.5")
      .raw("[]")
      .end_array()
      .end_object();
  EXPECT_EQ(out, R"({"state":{"n":1,"s":"a\"b"},"list":[1.5,[]]})");
}

TEST(JsonEscape, QuotesBackslashAndShortEscapes) {
  EXPECT_EQ(json_escape(R"(say "hi" \ bye)"), R"(say \"hi\" \\ bye)");
  EXPECT_EQ(json_escape("\n\r\t\b\f"), R"(\n\r\t\b\f)");
}

TEST(JsonEscape, OtherControlCharactersAsUnicodeEscapes) {
  EXPECT_EQ(json_escape(std::string_view("\0", 1)), R"(\u0000)");
  EXPECT_EQ(json_escape("\x01\x1f"), R"(\u0001\u001f)");
  EXPECT_EQ(json_escape("\x0b"), R"(\u000b)");
}

TEST(JsonEscape, PassesUtf8AndDelThrough) {
  EXPECT_EQ(json_escape("héllo €😀 /\x7f"), "héllo €😀 /\x7f");
  EXPECT_EQ(json_escape(""), "");
}

// Long text is passed over a word at a time: what needs escaping is found in every position
// of a word and in the tail after the last whole word, and bytes from 0x80 pass.
TEST(JsonEscape, FindsEscapesAnywhereInLongText) {
  const std::pair<char, std::string_view> escapes[] = {
      {'"', R"(\")"}, {'\\', R"(\\)"}, {'\n', R"(\n)"}, {'\x01', R"(\u0001)"}};
  for (std::size_t at = 0; at < 19; ++at) {
    for (const auto& [c, escape] : escapes) {
      std::string text(19, 'a');
      text[at] = c;
      EXPECT_EQ(json_escape(text),
                std::string(at, 'a') + std::string(escape) + std::string(18 - at, 'a'))
          << at << " " << escape;
    }
  }
  const std::string utf8 = "caf\xc3\xa9 \xf0\x9f\x98\x80 and \x7f del, twenty-four+";
  EXPECT_EQ(json_escape(utf8), utf8);
}

TEST(JsonEscape, EveryByteBelowSpaceIsEscaped) {
  for (int c = 0; c < 0x20; ++c) {
    const std::string escaped = json_escape(std::string(1, static_cast<char>(c)));
    ASSERT_EQ(escaped.front(), '\\') << c;
    for (char e : escaped) EXPECT_GE(static_cast<unsigned char>(e), 0x20) << c;
  }
}

}  // namespace
}  // namespace eb
