#include "api/aws/xml_writer.hpp"

#include <gtest/gtest.h>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <sstream>

namespace eb::api::aws {
namespace {

TEST(XmlWriter, DocumentShape) {
  std::string out;
  XmlWriter w(out);
  w.declaration().open("SendMessageResponse", "http://queue.amazonaws.com/doc/2012-11-05/");
  w.open("SendMessageResult").element("MessageId", "m-1").empty_element("Detail").close();
  w.open("ResponseMetadata").element("RequestId", "r-1").close();
  EXPECT_EQ(w.depth(), 1u);
  w.close();
  EXPECT_EQ(w.depth(), 0u);
  EXPECT_EQ(out,
            "<?xml version=\"1.0\"?>"
            "<SendMessageResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">"
            "<SendMessageResult><MessageId>m-1</MessageId><Detail/></SendMessageResult>"
            "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
            "</SendMessageResponse>");
}

TEST(XmlWriter, CloseUsesCopiedTagNames) {
  std::string out;
  XmlWriter w(out);
  {
    std::string tag = "Outer";
    w.open(tag);
    tag = "Inner";
    w.open(tag);
  }
  w.text("a<b").close().close().close();  // the extra close is ignored
  EXPECT_EQ(out, "<Outer><Inner>a&lt;b</Inner></Outer>");
}

TEST(XmlEscape, MarkupCharacters) {
  EXPECT_EQ(xml_escape(R"(<a href="x">Tom & 'Jerry'</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;");
}

TEST(XmlEscape, WhitespaceAndControlCharacters) {
  EXPECT_EQ(xml_escape("a\tb\nc"), "a\tb\nc");
  EXPECT_EQ(xml_escape("a\r\nb"), "a&#xD;\nb");
  EXPECT_EQ(xml_escape("\x01\x1f"), "&#x1;&#x1F;");
  EXPECT_EQ(xml_escape(std::string_view("\0", 1)), "&#x0;");
}

TEST(XmlEscape, PassesUtf8Through) { EXPECT_EQ(xml_escape("héllo €😀"), "héllo €😀"); }

// The reason \r is escaped: a parser normalises a raw \r\n to \n, an escaped one survives.
TEST(XmlEscape, RoundTripsThroughAnXmlParser) {
  const std::string body = "line1\r\nline2\rtab\t<&>\"' é €";
  std::string doc;
  XmlWriter(doc).declaration().open("R").element("Body", body).close();
  std::istringstream in(doc);
  boost::property_tree::ptree tree;
  boost::property_tree::read_xml(in, tree);
  EXPECT_EQ(tree.get<std::string>("R.Body"), body);
}

}  // namespace
}  // namespace eb::api::aws
