#pragma once
// Attributes as SQS and SNS define them, and the rules both services share for them: message
// attributes keep one representation from the wire through the queues and topics to the event
// log and the disk; names, numbers, text and the MD5 clients verify are checked once, here.
#include <map>
#include <string>
#include <string_view>

#include "core/errors.hpp"

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

// Resource attributes (of a queue, topic or subscription) and tags as name/value strings, the
// way the wire protocols carry them.
using AttributeMap = std::map<std::string, std::string>;
using TagMap = std::map<std::string, std::string>;

// A-Z a-z 0-9 _ - ., 1-256 long, no leading, trailing or double '.', no AWS./Amazon. prefix.
bool is_valid_attribute_name(std::string_view name);
// An optional sign, digits with an optional fraction or exponent; up to 38 significant digits.
bool is_valid_number(std::string_view text);

// Text (bodies, attribute values) must be valid UTF-8 in the ranges SQS and SNS allow
// (#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF); kInvalidMessageContents
// names `what` otherwise.
Result<void> validate_text(std::string_view text, std::string_view what);

// AWS's MD5 over message attributes: for each, sorted by name, the 4-byte big-endian length and
// bytes of the name, of the data type, a transport byte (1 string, 2 binary), then the length
// and bytes of the value. Empty map -> empty string.
std::string md5_of_attributes(const MessageAttributes& attributes);

// MessageGroupId, MessageDeduplicationId and ReceiveRequestAttemptId: 1-128 characters, each
// alphanumeric or ASCII punctuation.
bool is_valid_fifo_token(std::string_view token);

}  // namespace eb
