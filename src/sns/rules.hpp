#pragma once
// SNS's rules for names, endpoints and published messages, with AWS's error wording.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "core/errors.hpp"
#include "sqs/types.hpp"

namespace eb::sns {

// 1-256 of A-Z a-z 0-9 _ -; a FIFO topic's name ends in ".fifo" (which counts).
bool is_valid_topic_name(std::string_view name, bool fifo);

// Protocols SNS accepts, and whether `endpoint` fits the protocol.
bool is_known_protocol(std::string_view protocol);
Result<void> validate_endpoint(std::string_view protocol, std::string_view endpoint);
// Protocols confirmed by the subscriber (a token round trip) rather than at once.
bool needs_confirmation(std::string_view protocol);

// ASCII, starting with a letter, digit or punctuation, no line breaks or control characters,
// under 100 characters.
Result<void> validate_subject(std::string_view subject);

// Names (256 chars of A-Z a-z 0-9 _ - ., no leading/trailing/double '.', no AWS./Amazon.
// prefix), types (String, String.Array, Number, Binary, optionally ".custom") and values.
Result<void> validate_publish_attributes(const MessageAttributes& attributes);

// A publish's message plus its attributes (counted as message_size() does) may not exceed it.
inline constexpr std::size_t kMaxPublishBytes = 262144;

// MessageStructure=json: a JSON object of strings with a "default" member, plus optional
// per-protocol members ("sqs", "http", ...).
struct MessageVariants {
  std::string default_message;
  std::map<std::string, std::string, std::less<>> by_protocol;
  const std::string& for_protocol(std::string_view protocol) const;
};
Result<MessageVariants> parse_message_structure(std::string_view message);

// "arn:aws:<service>:<region>:<account>:<resource>" -> resource, when the service matches.
std::string_view arn_resource(std::string_view arn, std::string_view service);

}  // namespace eb::sns
