// The XML and JSON writers fed with decoded client strings: a form body is decoded (as the
// query protocol decodes it) and each name and value written back as element text and as JSON
// member names and strings. Both documents must be well formed and give back every string: XML
// read by a strict reader of what XmlWriter writes, JSON by simdjson (for valid UTF-8; the
// writer passes other bytes through, as AWS does).
#include <simdjson.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/aws/form.hpp"
#include "api/aws/xml_writer.hpp"
#include "core/json_writer.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& document) {
  std::fprintf(stderr, "writers: %s in:\n%s\n", what, document.c_str());
  std::abort();
}

// Reads the document XmlWriter wrote for `texts` (a root with one <Value> per text), checking
// every byte: markup, the entities and character references it writes, no raw control
// character but \t and \n. Returns the decoded texts.
class StrictXmlReader {
 public:
  explicit StrictXmlReader(const std::string& document) : doc_(document) {}

  std::vector<std::string> read() {
    expect("<?xml version=\"1.0\"?>");
    expect("<Root xmlns=\"urn:fuzz\">");
    std::vector<std::string> texts;
    while (!at("</Root>")) {
      if (at("<Empty/>")) {
        pos_ += 8;
        texts.emplace_back();
        continue;
      }
      expect("<Value>");
      texts.push_back(text());
      expect("</Value>");
    }
    expect("</Root>");
    if (pos_ != doc_.size()) fail("bytes after the root element", doc_);
    return texts;
  }

 private:
  bool at(std::string_view s) const { return std::string_view(doc_).substr(pos_).starts_with(s); }
  void expect(std::string_view s) {
    if (!at(s)) fail("unexpected markup", doc_);
    pos_ += s.size();
  }
  std::string text() {
    std::string out;
    while (pos_ < doc_.size() && doc_[pos_] != '<') {
      const auto c = static_cast<unsigned char>(doc_[pos_]);
      if (c == '>' || c == '"' || c == '\'') fail("an unescaped > \" or '", doc_);
      if (c < 0x20 && c != '\t' && c != '\n') fail("a raw control character", doc_);
      if (c != '&') {
        out.push_back(doc_[pos_++]);
        continue;
      }
      out.push_back(entity());
    }
    return out;
  }
  char entity() {
    static constexpr std::pair<std::string_view, char> kNamed[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    for (const auto& [name, c] : kNamed) {
      if (at(name)) {
        pos_ += name.size();
        return c;
      }
    }
    expect("&#x");
    unsigned value = 0;
    std::size_t digits = 0;
    for (; pos_ < doc_.size() && std::isxdigit(static_cast<unsigned char>(doc_[pos_])); ++pos_) {
      const char digit = doc_[pos_];
      value = value * 16 + (digit <= '9' ? digit - '0' : (digit | 0x20) - 'a' + 10);
      ++digits;
    }
    expect(";");
    if (digits == 0 || digits > 2 || value >= 0x20) fail("a character reference", doc_);
    return static_cast<char>(value);
  }

  const std::string& doc_;
  std::size_t pos_ = 0;
};

void check_xml(const std::vector<std::string>& texts) {
  std::string document;
  eb::api::aws::XmlWriter xml(document);
  xml.declaration().open("Root", "urn:fuzz");
  for (const std::string& text : texts) {
    if (text.empty()) {
      xml.empty_element("Empty");
    } else {
      xml.open("Value").text(text).close();
    }
  }
  xml.close();
  if (xml.depth() != 0) fail("elements left open", document);
  if (StrictXmlReader(document).read() != texts) fail("texts that do not read back", document);
}

void check_json(const std::vector<std::string>& texts) {
  std::string document;
  eb::JsonWriter json(document);
  // [{name: value, ...}, [every text]]: the names may be anything, "all" included.
  json.begin_array().begin_object();
  for (std::size_t i = 0; i + 1 < texts.size(); i += 2) json.member(texts[i], texts[i + 1]);
  json.end_object().begin_array();
  for (const std::string& text : texts) json.string(text);
  json.end_array().end_array();

  for (const std::string& text : texts) {
    if (!simdjson::validate_utf8(text)) return;
  }
  simdjson::dom::parser parser;
  simdjson::dom::array root;
  if (parser.parse(document).get(root) != simdjson::SUCCESS) fail("invalid JSON", document);
  simdjson::dom::array all;
  if (root.at(1).get(all) != simdjson::SUCCESS) fail("no array of every text", document);
  std::size_t i = 0;
  for (auto element : all) {
    std::string_view value;
    if (element.get(value) != simdjson::SUCCESS || i >= texts.size() || value != texts[i++]) {
      fail("strings that do not read back", document);
    }
  }
  if (i != texts.size()) fail("strings missing", document);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> texts;
  if (auto pairs = eb::api::aws::parse_form(body)) {
    for (auto& [name, value] : *pairs) {
      texts.push_back(std::move(name));
      texts.push_back(std::move(value));
    }
  } else {
    texts.emplace_back(body);
  }
  check_xml(texts);
  check_json(texts);
  return 0;
}
