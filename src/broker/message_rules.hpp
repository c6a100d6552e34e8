#pragma once
// SQS's rules for message content and the digests clients verify.
#include <cstddef>
#include <string>
#include <string_view>

#include "broker/queue_config.hpp"
#include "broker/types.hpp"
#include "core/errors.hpp"

namespace eb::broker {

// Body characters must be valid UTF-8 in the ranges SQS allows
// (#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF).
Result<Empty> validate_text(std::string_view text, std::string_view what);

// Names, types and values of user attributes (`system` for MessageSystemAttributes).
Result<Empty> validate_attributes(const MessageAttributes& attributes, bool system);

// Bytes a message counts against MaximumMessageSize: body plus every attribute's name,
// type and value.
std::size_t message_size(std::string_view body, const MessageAttributes& attributes);

// AWS's MD5 over attributes: for each, sorted by name, the 4-byte big-endian length and
// bytes of the name, of the data type, a transport byte (1 string, 2 binary), then the
// length and bytes of the value. Empty map -> empty string.
std::string md5_of_attributes(const MessageAttributes& attributes);

// A-Z a-z 0-9 _ - ., 1-256 long, no leading, trailing or double '.', no AWS./Amazon. prefix.
bool is_valid_attribute_name(std::string_view name);
// An optional sign, digits with an optional fraction or exponent; up to 38 significant digits.
bool is_valid_number(std::string_view text);

bool is_valid_batch_entry_id(std::string_view id);
// MessageGroupId, MessageDeduplicationId and ReceiveRequestAttemptId: 1-128 characters, each
// alphanumeric or ASCII punctuation.
bool is_valid_fifo_token(std::string_view token);
// The InvalidParameterValue error for a token that is not one.
Error invalid_fifo_token(std::string_view parameter, std::string_view value);
bool is_valid_queue_name(std::string_view name);

}  // namespace eb::broker
