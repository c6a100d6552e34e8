#include "api/aws/xml_writer.hpp"

namespace eb::api::aws {

void append_xml_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const char* entity = nullptr;
    switch (c) {
      case '&':
        entity = "&amp;";
        break;
      case '<':
        entity = "&lt;";
        break;
      case '>':
        entity = "&gt;";
        break;
      case '"':
        entity = "&quot;";
        break;
      case '\'':
        entity = "&apos;";
        break;
      case '\t':
      case '\n':
        continue;
      default:
        if (c >= 0x20) continue;
    }
    out.append(text.data() + run, i - run);
    run = i + 1;
    if (entity != nullptr) {
      out.append(entity);
    } else {
      out.append("&#x");
      if (c >= 0x10) out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
      out.push_back(';');
    }
  }
  out.append(text.data() + run, text.size() - run);
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_xml_escaped(out, text);
  return out;
}

XmlWriter& XmlWriter::declaration() {
  out_.append("<?xml version=\"1.0\"?>");
  return *this;
}

XmlWriter& XmlWriter::open(std::string_view tag, std::string_view xmlns) {
  out_.push_back('<');
  out_.append(tag);
  if (!xmlns.empty()) {
    out_.append(" xmlns=\"");
    append_xml_escaped(out_, xmlns);
    out_.push_back('"');
  }
  out_.push_back('>');
  open_names_.append(tag);
  open_ends_.push_back(open_names_.size());
  return *this;
}

XmlWriter& XmlWriter::close() {
  if (open_ends_.empty()) return *this;  // unbalanced close: a caller bug, tests catch it
  open_ends_.pop_back();
  const std::size_t begin = open_ends_.empty() ? 0 : open_ends_.back();
  out_.append("</");
  out_.append(open_names_, begin, std::string::npos);
  out_.push_back('>');
  open_names_.resize(begin);
  return *this;
}

XmlWriter& XmlWriter::element(std::string_view tag, std::string_view text) {
  out_.push_back('<');
  out_.append(tag);
  out_.push_back('>');
  append_xml_escaped(out_, text);
  out_.append("</");
  out_.append(tag);
  out_.push_back('>');
  return *this;
}

XmlWriter& XmlWriter::empty_element(std::string_view tag) {
  out_.push_back('<');
  out_.append(tag);
  out_.append("/>");
  return *this;
}

XmlWriter& XmlWriter::text(std::string_view text) {
  append_xml_escaped(out_, text);
  return *this;
}

}  // namespace eb::api::aws
