#pragma once
// Domain errors shared by every layer. The wire form of each (AWS code, HTTP status,
// Sender/Receiver) lives in one table in api/aws (error_table.hpp), tested there.
#include <expected>
#include <string>
#include <utility>

namespace eb {

enum class Errc {
  // Generic request problems.
  kInvalidParameterValue,
  kMissingParameter,
  kInvalidAction,     // unknown action name
  kMissingAction,     // no action given
  kMalformedRequest,  // broken JSON / form encoding / body the protocol can't parse
  kRequestTooLarge,   // body over the server's limit
  kUnsupportedOperation,
  kInvalidSecurity,
  kAccessDenied,
  kRequestThrottled,
  kOverLimit,
  kInternalError,
  kServiceUnavailable,
  // Queues.
  kQueueDoesNotExist,
  kQueueNameExists,
  kQueueDeletedRecently,
  kInvalidAttributeName,
  kInvalidAttributeValue,
  kPurgeQueueInProgress,
  kInvalidAddress,
  // Messages.
  kReceiptHandleIsInvalid,
  kMessageNotInflight,
  kInvalidMessageContents,
  // Batches.
  kEmptyBatchRequest,
  kTooManyEntriesInBatchRequest,
  kBatchEntryIdsNotDistinct,
  kBatchRequestTooLong,
  kInvalidBatchEntryId,
  // Move tasks and other resources.
  kResourceNotFound,
  // SNS.
  kNotFound,               // topic, subscription or endpoint
  kParameterValueInvalid,  // SNS's code for bad message attributes
  kValidationError,        // a required member missing (query services' ValidationError)
  kAuthorizationError,
  kTagLimitExceeded,
  kTopicLimitExceeded,
  kSubscriptionLimitExceeded,
  kFilterPolicyLimitExceeded,
  kInvalidState,
};

struct Error {
  Errc code;
  std::string message;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Errc code, std::string message) {
  return std::unexpected(Error{code, std::move(message)});
}

}  // namespace eb
