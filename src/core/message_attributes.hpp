#pragma once
// Message attributes as SQS and SNS define them; shared by the broker, the event log and the
// storage records so a message keeps one representation from the wire to the disk.
#include <map>
#include <string>

namespace eb {

// `data_type` is "String", "Number" or "Binary" (SNS adds "String.Array"), optionally
// followed by ".custom". Binary values hold raw bytes (not base64).
struct MessageAttributeValue {
  std::string data_type;
  std::string string_value;
  std::string binary_value;
  bool is_binary() const { return data_type.starts_with("Binary"); }
  bool operator==(const MessageAttributeValue&) const = default;
};

// Sorted by name in byte order, which is the order AWS's attribute MD5 uses.
using MessageAttributes = std::map<std::string, MessageAttributeValue>;

}  // namespace eb
