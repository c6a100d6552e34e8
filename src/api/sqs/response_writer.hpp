#pragma once
// Builds one SQS response body for either protocol from the same calls. JSON 1.0 gets
// {"Member": ...}; the query protocol gets
// <ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>... with SQS's
// flattened lists (<QueueUrl> repeated) and maps (<Attribute><Name/><Value/></Attribute>).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/aws/service.hpp"
#include "api/aws/xml_writer.hpp"
#include "core/json_writer.hpp"

namespace eb::api::sqs {

inline constexpr std::string_view kXmlNamespace = "http://queue.amazonaws.com/doc/2012-11-05/";

class ResponseWriter {
 public:
  ResponseWriter(aws::Protocol protocol, std::string_view action, std::string_view request_id);

  ResponseWriter& field(std::string_view name, std::string_view value);
  ResponseWriter& field(std::string_view name, std::int64_t value);
  ResponseWriter& flag(std::string_view name, bool value);

  // Lists: `json_name` names the JSON array; `xml_member` the repeated XML element.
  ResponseWriter& begin_list(std::string_view json_name, std::string_view xml_member);
  ResponseWriter& item(std::string_view value);
  ResponseWriter& begin_item();
  ResponseWriter& end_item();
  ResponseWriter& end_list();

  // Maps: JSON object `json_name`; XML repeated <xml_entry><key_name/><value_name/></xml_entry>.
  ResponseWriter& begin_map(std::string_view json_name, std::string_view xml_entry,
                            std::string_view key_name = "Name",
                            std::string_view value_name = "Value");
  ResponseWriter& entry(std::string_view key, std::string_view value);
  ResponseWriter& begin_entry(std::string_view key);  // a structure value
  ResponseWriter& end_entry();
  ResponseWriter& end_map();

  // Closes the document and returns the body.
  std::string finish();

 private:
  struct Level {
    std::string member;  // list item / map entry element
    std::string key_name;
    std::string value_name;
  };
  bool json() const { return protocol_ == aws::Protocol::kJson; }

  aws::Protocol protocol_;
  std::string action_;
  std::string request_id_;
  std::string body_;
  JsonWriter json_;
  aws::XmlWriter xml_;
  std::vector<Level> levels_;
};

}  // namespace eb::api::sqs
