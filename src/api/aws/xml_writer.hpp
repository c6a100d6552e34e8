#pragma once
// Streaming XML writer for AWS query-protocol responses (SQS and SNS answer in XML). Appends to a
// caller-owned string; one writer per response, used by one thread. It escapes text and attribute
// values but does not validate tag names: callers pass fixed AWS element names.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace eb::api::aws {

class XmlWriter {
 public:
  explicit XmlWriter(std::string& out) : out_(out) {}

  // <?xml version="1.0"?>, the prolog AWS sends.
  XmlWriter& declaration();
  // <tag> or <tag xmlns="...">; the tag is copied, so temporaries are fine.
  XmlWriter& open(std::string_view tag, std::string_view xmlns = {});
  // Closes the innermost open tag.
  XmlWriter& close();
  // <tag>escaped text</tag>
  XmlWriter& element(std::string_view tag, std::string_view text);
  // <tag/>
  XmlWriter& empty_element(std::string_view tag);
  // Escaped character data inside the current element.
  XmlWriter& text(std::string_view text);

  std::size_t depth() const { return open_ends_.size(); }

 private:
  std::string& out_;
  // Names of the open elements, concatenated; open_ends_ marks where each one ends. One buffer
  // instead of a vector of strings keeps open() allocation-free after the first few calls.
  std::string open_names_;
  std::vector<std::size_t> open_ends_;
};

// Appends `text` escaped for element content and attribute values alike: & < > " ' as entities,
// \r as &#xD; (a raw \r would be normalised to \n by any XML parser, changing message bodies),
// other control characters below 0x20 except \t and \n as &#xN;. XML 1.0 cannot carry those at
// all, but AWS writes them this way and SDK parsers accept it. Other bytes (UTF-8) pass through.
void append_xml_escaped(std::string& out, std::string_view text);
std::string xml_escape(std::string_view text);

}  // namespace eb::api::aws
