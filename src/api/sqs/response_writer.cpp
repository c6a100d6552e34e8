#include "api/sqs/response_writer.hpp"

namespace eb::api::sqs {

ResponseWriter::ResponseWriter(aws::Protocol protocol, std::string_view action,
                               std::string_view request_id)
    : protocol_(protocol), action_(action), request_id_(request_id), json_(body_), xml_(body_) {
  if (json()) {
    json_.begin_object();
  } else {
    xml_.declaration();
    xml_.open(action_ + "Response", kXmlNamespace);
    xml_.open(action_ + "Result");
  }
}

ResponseWriter& ResponseWriter::field(std::string_view name, std::string_view value) {
  if (json()) {
    json_.member(name, value);
  } else {
    xml_.element(name, value);
  }
  return *this;
}

ResponseWriter& ResponseWriter::field(std::string_view name, std::int64_t value) {
  if (json()) {
    json_.member(name, value);
  } else {
    xml_.element(name, std::to_string(value));
  }
  return *this;
}

ResponseWriter& ResponseWriter::flag(std::string_view name, bool value) {
  if (json()) {
    json_.key(name).boolean(value);
  } else {
    xml_.element(name, value ? "true" : "false");
  }
  return *this;
}

ResponseWriter& ResponseWriter::begin_list(std::string_view json_name,
                                           std::string_view xml_member) {
  if (json()) {
    json_.key(json_name).begin_array();
  } else {
    levels_.push_back({std::string(xml_member), {}, {}});
  }
  return *this;
}

ResponseWriter& ResponseWriter::item(std::string_view value) {
  if (json()) {
    json_.string(value);
  } else {
    xml_.element(levels_.back().member, value);
  }
  return *this;
}

ResponseWriter& ResponseWriter::begin_item() {
  if (json()) {
    json_.begin_object();
  } else {
    xml_.open(levels_.back().member);
  }
  return *this;
}

ResponseWriter& ResponseWriter::end_item() {
  if (json()) {
    json_.end_object();
  } else {
    xml_.close();
  }
  return *this;
}

ResponseWriter& ResponseWriter::end_list() {
  if (json()) {
    json_.end_array();
  } else {
    levels_.pop_back();
  }
  return *this;
}

ResponseWriter& ResponseWriter::begin_map(std::string_view json_name, std::string_view xml_entry,
                                          std::string_view key_name, std::string_view value_name) {
  if (json()) {
    json_.key(json_name).begin_object();
  } else {
    levels_.push_back({std::string(xml_entry), std::string(key_name), std::string(value_name)});
  }
  return *this;
}

ResponseWriter& ResponseWriter::entry(std::string_view key, std::string_view value) {
  if (json()) {
    json_.member(key, value);
  } else {
    const Level& l = levels_.back();
    xml_.open(l.member).element(l.key_name, key).element(l.value_name, value).close();
  }
  return *this;
}

ResponseWriter& ResponseWriter::begin_entry(std::string_view key) {
  if (json()) {
    json_.key(key).begin_object();
  } else {
    const Level& l = levels_.back();
    xml_.open(l.member).element(l.key_name, key).open(l.value_name);
  }
  return *this;
}

ResponseWriter& ResponseWriter::end_entry() {
  if (json()) {
    json_.end_object();
  } else {
    xml_.close().close();
  }
  return *this;
}

ResponseWriter& ResponseWriter::end_map() {
  if (json()) {
    json_.end_object();
  } else {
    levels_.pop_back();
  }
  return *this;
}

std::string ResponseWriter::finish() {
  if (json()) {
    json_.end_object();
  } else {
    xml_.close();  // ...Result
    xml_.open("ResponseMetadata").element("RequestId", request_id_).close();
    xml_.close();  // ...Response
  }
  return std::move(body_);
}

}  // namespace eb::api::sqs
