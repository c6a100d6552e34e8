#pragma once
// SQS's rules for message content and sizes; the primitives it shares with SNS (attribute
// names, numbers, text, MD5) are in core/attributes.hpp.
#include <cstddef>
#include <string>
#include <string_view>

#include "core/attributes.hpp"
#include "core/errors.hpp"
#include "sqs/queue_config.hpp"
#include "sqs/types.hpp"

namespace eb::sqs {

// Names, types and values of user attributes (`system` for MessageSystemAttributes).
Result<void> validate_attributes(const MessageAttributes& attributes, bool system);

// Bytes a message counts against MaximumMessageSize: body plus every attribute's name,
// type and value.
std::size_t message_size(std::string_view body, const MessageAttributes& attributes);

bool is_valid_batch_entry_id(std::string_view id);
// The InvalidParameterValue error for a MessageGroupId, MessageDeduplicationId or
// ReceiveRequestAttemptId that is not a valid FIFO token (core/attributes.hpp).
Error invalid_fifo_token(std::string_view parameter, std::string_view value);
bool is_valid_queue_name(std::string_view name);

}  // namespace eb::sqs
