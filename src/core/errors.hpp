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
  kEndpointDisabled,  // a publish to a disabled platform endpoint
  kOptedOut,          // an SMS number that opted out
  kVerification,      // a wrong SMS sandbox one-time password
  // EventBridge.
  kResourceAlreadyExists,
  kLimitExceeded,
  kInvalidEventPattern,
  kConcurrentModification,
  kIllegalStatus,  // an archive, replay or connection in a state that forbids the call
  kManagedRule,    // a rule created by an AWS service, changed without ForceUpdate
  // Request authentication (--auth verify; api/aws/sigv4_verify.hpp).
  kMissingAuthenticationToken,  // neither an Authorization header nor a presigned query
  kIncompleteSignature,         // a SigV4 part missing or malformed
  kInvalidClientTokenId,        // an access key (or session token) not known here
  kSignatureDoesNotMatch,       // a wrong signature, or a request date too far from now
  kExpiredToken,                // temporary credentials STS issued, past their expiration
};

struct Error {
  Errc code;
  std::string message;
};

// The result of every fallible domain call: a value (or nothing, Result<void>) or an Error.
// [[nodiscard]] on the type makes every call that drops one a warning, and the build turns
// that warning into an error (-Werror=unused-result); `(void)` marks a result dropped on
// purpose, with a comment saying why.
template <class T>
class [[nodiscard]] Result : public std::expected<T, Error> {
  using Base = std::expected<T, Error>;

 public:
  using Base::Base;
  Result() = default;
  Result(Base base) : Base(std::move(base)) {}  // NOLINT(google-explicit-constructor)
};

inline std::unexpected<Error> fail(Errc code, std::string message) {
  return std::unexpected(Error{code, std::move(message)});
}

}  // namespace eb

// Propagates the error of a Result-returning expression from the enclosing function (which
// returns a Result of any type); otherwise discards the value.
#define EB_TRY(expr)                                             \
  do {                                                           \
    if (auto eb_try_result_ = (expr); !eb_try_result_) {         \
      return std::unexpected(std::move(eb_try_result_).error()); \
    }                                                            \
  } while (false)

// NOLINTBEGIN(bugprone-macro-parentheses): `lhs` is a declaration or an lvalue, never an
// expression to group.
// Declares or assigns `lhs` from the value of a Result-returning expression, or returns its
// error from the enclosing function: EB_ASSIGN_OR_RETURN(auto queue, find(name));
#define EB_ASSIGN_OR_RETURN(lhs, expr) \
  EB_ASSIGN_OR_RETURN_IMPL_(EB_RESULT_NAME_(__LINE__), lhs, expr)
#define EB_RESULT_NAME_(line) EB_RESULT_NAME_CAT_(eb_result_, line)
#define EB_RESULT_NAME_CAT_(a, b) a##b
#define EB_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)           \
  auto tmp = (expr);                                        \
  if (!tmp) return std::unexpected(std::move(tmp).error()); \
  lhs = std::move(*tmp)
// NOLINTEND(bugprone-macro-parentheses)
