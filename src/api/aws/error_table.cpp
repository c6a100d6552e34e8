#include "api/aws/error_table.hpp"

#include <boost/beast/http/field.hpp>
#include <string>

#include "api/aws/reply.hpp"
#include "api/aws/xml_writer.hpp"
#include "core/json_writer.hpp"

namespace eb::api::aws {
namespace {

constexpr std::string_view kSqsXmlns = "http://queue.amazonaws.com/doc/2012-11-05/";
constexpr std::string_view kSqsShapePrefix = "com.amazonaws.sqs#";
constexpr std::string_view kSnsXmlns = "http://sns.amazonaws.com/doc/2010-03-31/";
constexpr std::string_view kStsXmlns = "https://sts.amazonaws.com/doc/2011-06-15/";

constexpr WireError sender(std::string_view code, std::string_view query_code, int status) {
  return WireError{code, query_code, status, true};
}
constexpr WireError sender(std::string_view code, int status) {
  return WireError{code, code, status, true};
}
constexpr WireError receiver(std::string_view code, std::string_view query_code, int status) {
  return WireError{code, query_code, status, false};
}

net::HttpResponse make_response(const WireError& wire, std::string_view content_type,
                                std::string_view request_id, unsigned http_version, bool keep_alive,
                                std::string&& body) {
  return aws_response(static_cast<boost::beast::http::status>(wire.http_status), content_type,
                      request_id, http_version, keep_alive, std::move(body));
}

// The query protocol's common authentication errors (SQS, SNS and STS answer them alike):
// 403, except IncompleteSignature, 400.
constexpr WireError query_auth_error(Errc code) {
  switch (code) {
    case Errc::kMissingAuthenticationToken:
      return sender("MissingAuthenticationToken", 403);
    case Errc::kIncompleteSignature:
      return sender("IncompleteSignature", 400);
    case Errc::kInvalidClientTokenId:
      return sender("InvalidClientTokenId", 403);
    case Errc::kExpiredToken:
      return sender("ExpiredToken", 403);
    default:
      return sender("SignatureDoesNotMatch", 403);
  }
}

// The same failures as JSON and REST-JSON services name them (coral's exception shapes), with
// the service's status.
constexpr WireError json_auth_error(Errc code, int status) {
  switch (code) {
    case Errc::kMissingAuthenticationToken:
      return sender("MissingAuthenticationTokenException", status);
    case Errc::kIncompleteSignature:
      return sender("IncompleteSignatureException", status);
    case Errc::kInvalidClientTokenId:
      return sender("UnrecognizedClientException", status);
    case Errc::kExpiredToken:
      return sender("ExpiredTokenException", status);
    default:
      return sender("InvalidSignatureException", status);
  }
}

}  // namespace

WireError sqs_wire_error(Errc code) {
  // Statuses and query codes follow the SQS Smithy model's awsQueryError/httpError traits
  // (ReceiptHandleIsInvalid and InvalidAddress are 404 there, PurgeQueueInProgress, OverLimit,
  // InvalidSecurity and RequestThrottled 403); common errors follow the API reference's
  // "Common Errors". Every SQS-modeled error is a client (Sender) error.
  switch (code) {
    case Errc::kInvalidParameterValue:
      return sender("InvalidParameterValue", 400);
    case Errc::kMissingParameter:
      return sender("MissingParameter", 400);
    case Errc::kInvalidAction:
      return sender("InvalidAction", 400);
    case Errc::kMissingAction:
      return sender("MissingAction", 400);
    case Errc::kMalformedRequest:
      // A JSON body the protocol layer cannot parse is a SerializationException on AWS JSON
      // services; the query protocol calls a broken form MalformedQueryString. The API reference
      // lists that as 404, an artefact of its generic page; services answer 400.
      return sender("SerializationException", "MalformedQueryString", 400);
    case Errc::kRequestTooLarge:
      return sender("RequestEntityTooLarge", 413);
    case Errc::kUnsupportedOperation:
      return sender("UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", 400);
    case Errc::kInvalidSecurity:
      return sender("InvalidSecurity", 403);
    case Errc::kAccessDenied:
      // JSON services name it AccessDeniedException; SQS's query code is AccessDenied.
      return sender("AccessDeniedException", "AccessDenied", 403);
    case Errc::kRequestThrottled:
      return sender("RequestThrottled", 403);
    case Errc::kOverLimit:
      return sender("OverLimit", 403);
    case Errc::kInternalError:
      return receiver("InternalFailure", "InternalError", 500);
    case Errc::kServiceUnavailable:
      return receiver("ServiceUnavailable", "ServiceUnavailable", 503);
    case Errc::kQueueDoesNotExist:
      return sender("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400);
    case Errc::kQueueNameExists:
      return sender("QueueNameExists", "QueueAlreadyExists", 400);
    case Errc::kQueueDeletedRecently:
      return sender("QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently", 400);
    case Errc::kInvalidAttributeName:
      return sender("InvalidAttributeName", 400);
    case Errc::kInvalidAttributeValue:
      return sender("InvalidAttributeValue", 400);
    case Errc::kPurgeQueueInProgress:
      return sender("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", 403);
    case Errc::kInvalidAddress:
      return sender("InvalidAddress", 404);
    case Errc::kReceiptHandleIsInvalid:
      return sender("ReceiptHandleIsInvalid", 404);
    case Errc::kMessageNotInflight:
      return sender("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", 400);
    case Errc::kInvalidMessageContents:
      return sender("InvalidMessageContents", 400);
    case Errc::kEmptyBatchRequest:
      return sender("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", 400);
    case Errc::kTooManyEntriesInBatchRequest:
      return sender("TooManyEntriesInBatchRequest",
                    "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400);
    case Errc::kBatchEntryIdsNotDistinct:
      return sender("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                    400);
    case Errc::kBatchRequestTooLong:
      return sender("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", 400);
    case Errc::kInvalidBatchEntryId:
      return sender("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", 400);
    case Errc::kResourceNotFound:
      return sender("ResourceNotFoundException", 404);
    // SNS-only codes never come out of an SQS action; should one ever, it reads as the
    // closest SQS error rather than a 500.
    case Errc::kNotFound:
      return sender("ResourceNotFoundException", 404);
    case Errc::kParameterValueInvalid:
    case Errc::kInvalidState:
      return sender("InvalidParameterValue", 400);
    case Errc::kValidationError:
      return sender("MissingParameter", 400);
    case Errc::kAuthorizationError:
      return sender("AccessDeniedException", "AccessDenied", 403);
    case Errc::kTagLimitExceeded:
    case Errc::kTopicLimitExceeded:
    case Errc::kSubscriptionLimitExceeded:
    case Errc::kFilterPolicyLimitExceeded:
    case Errc::kLimitExceeded:
      return sender("OverLimit", 403);
    case Errc::kResourceAlreadyExists:
      return sender("QueueNameExists", "QueueAlreadyExists", 400);
    case Errc::kInvalidEventPattern:
    case Errc::kConcurrentModification:
    case Errc::kIllegalStatus:
    case Errc::kManagedRule:
    case Errc::kEndpointDisabled:
    case Errc::kOptedOut:
    case Errc::kVerification:
      return sender("InvalidParameterValue", 400);
    case Errc::kMissingAuthenticationToken:
    case Errc::kIncompleteSignature:
    case Errc::kInvalidClientTokenId:
    case Errc::kSignatureDoesNotMatch:
    case Errc::kExpiredToken:
      return query_auth_error(code);
  }
  // Only reachable with a value outside the enum (a cast bug); answer like AWS does for bugs.
  return receiver("InternalFailure", "InternalError", 500);
}

WireError sns_wire_error(Errc code) {
  // Codes and statuses of the SNS model's error shapes (InvalidParameterException is
  // "InvalidParameter", InvalidParameterValueException "ParameterValueInvalid"); a missing
  // required member is the query protocol's common ValidationError. Errors SNS has no shape for
  // read as InvalidParameter, the code SNS answers most bad input with.
  switch (code) {
    case Errc::kInvalidParameterValue:
      return sender("InvalidParameter", 400);
    case Errc::kParameterValueInvalid:
      return sender("ParameterValueInvalid", 400);
    case Errc::kNotFound:
      return sender("NotFound", 404);
    case Errc::kResourceNotFound:
      return sender("ResourceNotFound", 404);
    case Errc::kAuthorizationError:
    case Errc::kAccessDenied:
      return sender("AuthorizationError", 403);
    case Errc::kValidationError:
    case Errc::kMissingParameter:
      return sender("ValidationError", 400);
    case Errc::kTagLimitExceeded:
      return sender("TagLimitExceeded", 400);
    case Errc::kTopicLimitExceeded:
      return sender("TopicLimitExceeded", 403);
    case Errc::kSubscriptionLimitExceeded:
      return sender("SubscriptionLimitExceeded", 403);
    case Errc::kFilterPolicyLimitExceeded:
      return sender("FilterPolicyLimitExceeded", 403);
    case Errc::kInvalidState:
      return sender("InvalidState", 400);
    case Errc::kEndpointDisabled:
      return sender("EndpointDisabled", 400);
    case Errc::kOptedOut:
      return sender("OptedOut", 400);
    case Errc::kVerification:
      return sender("VerificationException", 400);
    case Errc::kEmptyBatchRequest:
      return sender("EmptyBatchRequest", 400);
    case Errc::kTooManyEntriesInBatchRequest:
      return sender("TooManyEntriesInBatchRequest", 400);
    case Errc::kBatchEntryIdsNotDistinct:
      return sender("BatchEntryIdsNotDistinct", 400);
    case Errc::kBatchRequestTooLong:
      return sender("BatchRequestTooLong", 400);
    case Errc::kInvalidBatchEntryId:
      return sender("InvalidBatchEntryId", 400);
    case Errc::kRequestThrottled:
      return sender("Throttled", 429);
    case Errc::kInvalidSecurity:
      return sender("InvalidSecurity", 403);
    case Errc::kInternalError:
      return receiver("InternalError", "InternalError", 500);
    case Errc::kServiceUnavailable:
      return receiver("ServiceUnavailable", "ServiceUnavailable", 503);
    case Errc::kMalformedRequest:
      return sender("MalformedQueryString", 400);
    case Errc::kInvalidAction:
      return sender("InvalidAction", 400);
    case Errc::kMissingAction:
      return sender("MissingAction", 400);
    case Errc::kRequestTooLarge:
    case Errc::kUnsupportedOperation:
    case Errc::kOverLimit:
    case Errc::kQueueNameExists:
    case Errc::kQueueDeletedRecently:
    case Errc::kInvalidAttributeName:
    case Errc::kInvalidAttributeValue:
    case Errc::kPurgeQueueInProgress:
    case Errc::kInvalidAddress:
    case Errc::kReceiptHandleIsInvalid:
    case Errc::kMessageNotInflight:
    case Errc::kInvalidMessageContents:
    case Errc::kQueueDoesNotExist:
    case Errc::kResourceAlreadyExists:
    case Errc::kInvalidEventPattern:
    case Errc::kConcurrentModification:
    case Errc::kIllegalStatus:
    case Errc::kManagedRule:
      return sender("InvalidParameter", 400);
    case Errc::kLimitExceeded:
      return sender("TopicLimitExceeded", 403);
    case Errc::kMissingAuthenticationToken:
    case Errc::kIncompleteSignature:
    case Errc::kInvalidClientTokenId:
    case Errc::kSignatureDoesNotMatch:
    case Errc::kExpiredToken:
      return query_auth_error(code);
  }
  return receiver("InternalError", "InternalError", 500);
}

WireError sts_wire_error(Errc code) {
  // STS answers bad input with the query protocol's ValidationError (lengths, patterns,
  // ranges); its modeled exceptions (MalformedPolicyDocument, RegionDisabled...) concern
  // features this daemon does not have.
  switch (code) {
    case Errc::kInvalidAction:
      return sender("InvalidAction", 400);
    case Errc::kMissingAction:
      return sender("MissingAction", 400);
    case Errc::kMalformedRequest:
      return sender("MalformedQueryString", 400);
    case Errc::kAccessDenied:
    case Errc::kAuthorizationError:
    case Errc::kInvalidSecurity:
      return sender("AccessDenied", 403);
    case Errc::kRequestThrottled:
    case Errc::kOverLimit:
      return sender("Throttling", 400);
    case Errc::kInternalError:
      return receiver("InternalFailure", "InternalFailure", 500);
    case Errc::kServiceUnavailable:
      return receiver("ServiceUnavailable", "ServiceUnavailable", 503);
    case Errc::kInvalidParameterValue:
    case Errc::kMissingParameter:
    case Errc::kRequestTooLarge:
    case Errc::kUnsupportedOperation:
    case Errc::kQueueDoesNotExist:
    case Errc::kQueueNameExists:
    case Errc::kQueueDeletedRecently:
    case Errc::kInvalidAttributeName:
    case Errc::kInvalidAttributeValue:
    case Errc::kPurgeQueueInProgress:
    case Errc::kInvalidAddress:
    case Errc::kReceiptHandleIsInvalid:
    case Errc::kMessageNotInflight:
    case Errc::kInvalidMessageContents:
    case Errc::kEmptyBatchRequest:
    case Errc::kTooManyEntriesInBatchRequest:
    case Errc::kBatchEntryIdsNotDistinct:
    case Errc::kBatchRequestTooLong:
    case Errc::kInvalidBatchEntryId:
    case Errc::kResourceNotFound:
    case Errc::kNotFound:
    case Errc::kParameterValueInvalid:
    case Errc::kValidationError:
    case Errc::kTagLimitExceeded:
    case Errc::kTopicLimitExceeded:
    case Errc::kSubscriptionLimitExceeded:
    case Errc::kFilterPolicyLimitExceeded:
    case Errc::kInvalidState:
    case Errc::kResourceAlreadyExists:
    case Errc::kLimitExceeded:
    case Errc::kInvalidEventPattern:
    case Errc::kConcurrentModification:
    case Errc::kIllegalStatus:
    case Errc::kManagedRule:
    case Errc::kEndpointDisabled:
    case Errc::kOptedOut:
    case Errc::kVerification:
      return sender("ValidationError", 400);
    case Errc::kMissingAuthenticationToken:
    case Errc::kIncompleteSignature:
    case Errc::kInvalidClientTokenId:
    case Errc::kSignatureDoesNotMatch:
    case Errc::kExpiredToken:
      return query_auth_error(code);
  }
  return receiver("InternalFailure", "InternalFailure", 500);
}

WireError events_wire_error(Errc code) {
  switch (code) {
    case Errc::kValidationError:
    case Errc::kInvalidParameterValue:
    case Errc::kMissingParameter:
    case Errc::kParameterValueInvalid:
    case Errc::kInvalidAttributeName:
    case Errc::kInvalidAttributeValue:
    case Errc::kInvalidMessageContents:
    case Errc::kInvalidAddress:
    case Errc::kReceiptHandleIsInvalid:
    case Errc::kMessageNotInflight:
    case Errc::kEmptyBatchRequest:
    case Errc::kTooManyEntriesInBatchRequest:
    case Errc::kBatchEntryIdsNotDistinct:
    case Errc::kBatchRequestTooLong:
    case Errc::kInvalidBatchEntryId:
    case Errc::kQueueNameExists:
    case Errc::kQueueDeletedRecently:
    case Errc::kPurgeQueueInProgress:
    case Errc::kUnsupportedOperation:
    case Errc::kEndpointDisabled:
    case Errc::kOptedOut:
    case Errc::kVerification:
      return sender("ValidationException", 400);
    case Errc::kResourceNotFound:
    case Errc::kNotFound:
    case Errc::kQueueDoesNotExist:
      return sender("ResourceNotFoundException", 400);
    case Errc::kResourceAlreadyExists:
      return sender("ResourceAlreadyExistsException", 400);
    case Errc::kLimitExceeded:
    case Errc::kOverLimit:
    case Errc::kTagLimitExceeded:
    case Errc::kTopicLimitExceeded:
    case Errc::kSubscriptionLimitExceeded:
    case Errc::kFilterPolicyLimitExceeded:
      return sender("LimitExceededException", 400);
    case Errc::kInvalidEventPattern:
      return sender("InvalidEventPatternException", 400);
    case Errc::kConcurrentModification:
      return sender("ConcurrentModificationException", 400);
    case Errc::kIllegalStatus:
      return sender("IllegalStatusException", 400);
    case Errc::kInvalidState:  // Activate/DeactivateEventSource on a source in the wrong state
      return sender("InvalidStateException", 400);
    case Errc::kManagedRule:
      return sender("ManagedRuleException", 400);
    case Errc::kMalformedRequest:
      return sender("SerializationException", 400);
    case Errc::kInvalidAction:
    case Errc::kMissingAction:
      return sender("UnknownOperationException", 400);
    case Errc::kRequestTooLarge:
      return sender("RequestEntityTooLargeException", 413);
    case Errc::kAccessDenied:
    case Errc::kAuthorizationError:
    case Errc::kInvalidSecurity:
      return sender("AccessDeniedException", 400);
    case Errc::kRequestThrottled:
      return sender("ThrottlingException", 400);
    case Errc::kServiceUnavailable:
      return receiver("ServiceUnavailableException", "ServiceUnavailableException", 503);
    case Errc::kInternalError:
      return receiver("InternalException", "InternalException", 500);
    // AWS JSON services answer authentication failures with their own shapes, all 400.
    case Errc::kMissingAuthenticationToken:
    case Errc::kIncompleteSignature:
    case Errc::kInvalidClientTokenId:
    case Errc::kSignatureDoesNotMatch:
    case Errc::kExpiredToken:
      return json_auth_error(code, 400);
  }
  return receiver("InternalException", "InternalException", 500);
}

net::HttpResponse events_error_response(const Error& error, std::string_view request_id,
                                        unsigned http_version, bool keep_alive) {
  return events_error_response(events_wire_error(error.code), error.message, request_id,
                               http_version, keep_alive);
}

net::HttpResponse events_error_response(const WireError& wire, std::string_view message,
                                        std::string_view request_id, unsigned http_version,
                                        bool keep_alive) {
  std::string body;
  eb::JsonWriter json(body);
  json.begin_object().member("__type", wire.code).member("message", message).end_object();
  return make_response(wire, "application/x-amz-json-1.1", request_id, http_version, keep_alive,
                       std::move(body));
}

WireError scheduler_wire_error(Errc code) {
  switch (code) {
    case Errc::kValidationError:
    case Errc::kInvalidParameterValue:
    case Errc::kMissingParameter:
    case Errc::kParameterValueInvalid:
    case Errc::kInvalidAttributeName:
    case Errc::kInvalidAttributeValue:
    case Errc::kInvalidMessageContents:
    case Errc::kInvalidAddress:
    case Errc::kReceiptHandleIsInvalid:
    case Errc::kMessageNotInflight:
    case Errc::kEmptyBatchRequest:
    case Errc::kTooManyEntriesInBatchRequest:
    case Errc::kBatchEntryIdsNotDistinct:
    case Errc::kBatchRequestTooLong:
    case Errc::kInvalidBatchEntryId:
    case Errc::kQueueDeletedRecently:
    case Errc::kPurgeQueueInProgress:
    case Errc::kUnsupportedOperation:
    case Errc::kInvalidEventPattern:
    case Errc::kManagedRule:
    case Errc::kEndpointDisabled:
    case Errc::kOptedOut:
    case Errc::kVerification:
    case Errc::kMalformedRequest:
      return sender("ValidationException", 400);
    case Errc::kResourceNotFound:
    case Errc::kNotFound:
    case Errc::kQueueDoesNotExist:
      return sender("ResourceNotFoundException", 404);
    case Errc::kInvalidAction:
    case Errc::kMissingAction:
      return sender("UnknownOperationException", 404);
    case Errc::kResourceAlreadyExists:
    case Errc::kQueueNameExists:
    case Errc::kConcurrentModification:
    case Errc::kIllegalStatus:
    case Errc::kInvalidState:
      return sender("ConflictException", 409);
    case Errc::kLimitExceeded:
    case Errc::kOverLimit:
    case Errc::kTagLimitExceeded:
    case Errc::kTopicLimitExceeded:
    case Errc::kSubscriptionLimitExceeded:
    case Errc::kFilterPolicyLimitExceeded:
      return sender("ServiceQuotaExceededException", 402);
    case Errc::kRequestTooLarge:
      return sender("RequestEntityTooLargeException", 413);
    case Errc::kAccessDenied:
    case Errc::kAuthorizationError:
    case Errc::kInvalidSecurity:
      return sender("AccessDeniedException", 403);
    case Errc::kRequestThrottled:
      return sender("ThrottlingException", 429);
    case Errc::kServiceUnavailable:
      return receiver("ServiceUnavailableException", "ServiceUnavailableException", 503);
    case Errc::kInternalError:
      return receiver("InternalServerException", "InternalServerException", 500);
    // REST-JSON services name authentication failures as JSON ones do, with 403.
    case Errc::kMissingAuthenticationToken:
    case Errc::kIncompleteSignature:
    case Errc::kInvalidClientTokenId:
    case Errc::kSignatureDoesNotMatch:
    case Errc::kExpiredToken:
      return json_auth_error(code, 403);
  }
  return receiver("InternalServerException", "InternalServerException", 500);
}

net::HttpResponse scheduler_error_response(const Error& error, std::string_view request_id,
                                           unsigned http_version, bool keep_alive) {
  return scheduler_error_response(scheduler_wire_error(error.code), error.message, request_id,
                                  http_version, keep_alive);
}

net::HttpResponse scheduler_error_response(const WireError& wire, std::string_view message,
                                           std::string_view request_id, unsigned http_version,
                                           bool keep_alive) {
  std::string body;
  eb::JsonWriter json(body);
  json.begin_object().member("Message", message).end_object();
  auto res = make_response(wire, "application/json", request_id, http_version, keep_alive,
                           std::move(body));
  res.set("x-amzn-ErrorType", wire.code);
  return res;
}

net::HttpResponse json_error_response(const Error& error, std::string_view request_id,
                                      unsigned http_version, bool keep_alive) {
  auto res = json_error_response(sqs_wire_error(error.code), error.message, request_id,
                                 http_version, keep_alive);
  // A body the JSON layer cannot parse never reaches SQS on AWS, so it carries no query
  // equivalent; without the header SDKs report SerializationException itself.
  if (error.code == Errc::kMalformedRequest) res.erase("x-amzn-query-error");
  return res;
}

net::HttpResponse json_error_response(const WireError& wire, std::string_view message,
                                      std::string_view request_id, unsigned http_version,
                                      bool keep_alive) {
  std::string type;
  type.reserve(kSqsShapePrefix.size() + wire.code.size());
  type.append(kSqsShapePrefix).append(wire.code);

  std::string body;
  eb::JsonWriter json(body);
  json.begin_object().member("__type", type).member("message", message).end_object();

  auto res = make_response(wire, "application/x-amz-json-1.0", request_id, http_version, keep_alive,
                           std::move(body));
  std::string query_error;
  query_error.append(wire.query_code).append(wire.sender_fault ? ";Sender" : ";Receiver");
  res.set("x-amzn-query-error", query_error);
  return res;
}

net::HttpResponse xml_error_response(const Error& error, std::string_view request_id,
                                     unsigned http_version, bool keep_alive) {
  return xml_error_response(sqs_wire_error(error.code), error.message, request_id, http_version,
                            keep_alive);
}

namespace {

// The query protocol's ErrorResponse: Error {Type, Code, Message} and RequestId. SQS adds an empty
// Detail and, like SNS, the XML declaration; STS sends neither.
struct QueryErrorShape {
  std::string_view xmlns;
  bool declaration;
  bool detail;
};

net::HttpResponse query_error_document(const WireError& wire, const QueryErrorShape& shape,
                                       std::string_view message, std::string_view request_id,
                                       unsigned http_version, bool keep_alive) {
  std::string body;
  XmlWriter xml(body);
  if (shape.declaration) xml.declaration();
  xml.open("ErrorResponse", shape.xmlns).open("Error");
  xml.element("Type", wire.sender_fault ? "Sender" : "Receiver")
      .element("Code", wire.query_code)
      .element("Message", message);
  if (shape.detail) xml.empty_element("Detail");
  xml.close();
  xml.element("RequestId", request_id).close();
  return make_response(wire, "text/xml", request_id, http_version, keep_alive, std::move(body));
}

}  // namespace

net::HttpResponse xml_error_response(const WireError& wire, std::string_view message,
                                     std::string_view request_id, unsigned http_version,
                                     bool keep_alive) {
  return query_error_document(wire, {.xmlns = kSqsXmlns, .declaration = true, .detail = true},
                              message, request_id, http_version, keep_alive);
}

net::HttpResponse sns_xml_error_response(const Error& error, std::string_view request_id,
                                         unsigned http_version, bool keep_alive) {
  return sns_xml_error_response(sns_wire_error(error.code), error.message, request_id, http_version,
                                keep_alive);
}

net::HttpResponse sns_xml_error_response(const WireError& wire, std::string_view message,
                                         std::string_view request_id, unsigned http_version,
                                         bool keep_alive) {
  return query_error_document(wire, {.xmlns = kSnsXmlns, .declaration = true, .detail = false},
                              message, request_id, http_version, keep_alive);
}

net::HttpResponse sts_xml_error_response(const Error& error, std::string_view request_id,
                                         unsigned http_version, bool keep_alive) {
  return sts_xml_error_response(sts_wire_error(error.code), error.message, request_id, http_version,
                                keep_alive);
}

net::HttpResponse sts_xml_error_response(const WireError& wire, std::string_view message,
                                         std::string_view request_id, unsigned http_version,
                                         bool keep_alive) {
  return query_error_document(wire, {.xmlns = kStsXmlns, .declaration = false, .detail = false},
                              message, request_id, http_version, keep_alive);
}

}  // namespace eb::api::aws
