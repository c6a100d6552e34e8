#pragma once
// The AWS error model: how each eb::Errc looks on the wire for SQS and for SNS, and the
// renderers (SQS's JSON 1.0 with the awsQueryCompatible header, and the query protocol's XML
// ErrorResponse in each service's namespace). Facts come from the SQS Smithy model
// (awsQueryError codes, httpError statuses), the SNS model's error shapes and the API references.
#include <string_view>

#include "core/errors.hpp"
#include "net/handler.hpp"

namespace eb::api::aws {

struct WireError {
  // Shape name used in the JSON __type ("com.amazonaws.sqs#<code>"), e.g. "QueueDoesNotExist".
  // boto3 and the JS SDK pick the modeled exception class by it.
  std::string_view code;
  // Query-protocol code: <Code> in XML, and the x-amzn-query-error header in JSON, which the SDKs
  // report as the error code, e.g. "AWS.SimpleQueueService.NonExistentQueue".
  std::string_view query_code;
  int http_status;
  bool sender_fault;  // <Type>Sender</Type> vs Receiver
};

// One exhaustive switch: adding an Errc without a row here is a compiler warning and a test
// failure.
WireError sqs_wire_error(Errc code);

// The same for SNS (query protocol only, so `code` and `query_code` are equal): codes and
// statuses of the SNS model's error shapes, plus the query protocol's common errors.
WireError sns_wire_error(Errc code);
// STS: the query protocol's ValidationError for bad input, AccessDenied, Throttling.
WireError sts_wire_error(Errc code);

// The same for EventBridge (AWS JSON 1.1; `code` and `query_code` are equal): the exception
// shapes of the events model. Every error but InternalException is a 400, as the model says.
WireError events_wire_error(Errc code);

// AWS JSON 1.1 error as EventBridge sends it: {"__type":"<code>","message":"..."} with
// content-type application/x-amz-json-1.1 and x-amzn-RequestId.
net::HttpResponse events_error_response(const Error& error, std::string_view request_id,
                                        unsigned http_version, bool keep_alive);

// The same for EventBridge Scheduler (REST-JSON): the scheduler model's error shapes and their
// HTTP statuses (ValidationException 400, ResourceNotFoundException 404, ConflictException 409,
// ServiceQuotaExceededException 402, ThrottlingException 429, InternalServerException 500).
WireError scheduler_wire_error(Errc code);

// REST-JSON error as botocore and the JS SDK read it: the status, header x-amzn-ErrorType
// "<code>" (what the SDKs take the code from), body {"Message":"..."}, content-type
// application/json and x-amzn-RequestId.
net::HttpResponse scheduler_error_response(const Error& error, std::string_view request_id,
                                           unsigned http_version, bool keep_alive);

// AWS JSON 1.0 error: body {"__type":"com.amazonaws.sqs#<code>","message":"..."}, content-type
// application/x-amz-json-1.0, headers x-amzn-RequestId and x-amzn-query-error "<query_code>;Sender"
// (or ";Receiver"), which botocore and the JS SDK use to report the query code.
net::HttpResponse json_error_response(const Error& error, std::string_view request_id,
                                      unsigned http_version, bool keep_alive);

// Query-protocol error: text/xml <ErrorResponse> with Type, Code (the query code), Message,
// Detail and RequestId, in the SQS 2012-11-05 namespace.
net::HttpResponse xml_error_response(const Error& error, std::string_view request_id,
                                     unsigned http_version, bool keep_alive);

// SNS's query-protocol error: text/xml <ErrorResponse> with Type, Code, Message and RequestId
// in the SNS 2010-03-31 namespace (SNS sends no <Detail>).
net::HttpResponse sns_xml_error_response(const Error& error, std::string_view request_id,
                                         unsigned http_version, bool keep_alive);
// STS's error document: ErrorResponse (xmlns 2011-06-15) > Error {Type, Code, Message},
// RequestId.
net::HttpResponse sts_xml_error_response(const Error& error, std::string_view request_id,
                                         unsigned http_version, bool keep_alive);

// The renderers above for a wire error given as it is, with its message: fault injection
// answers codes that no Errc stands for (api/aws/fault_injection.hpp). The JSON 1.0 one always
// sends x-amzn-query-error.
net::HttpResponse json_error_response(const WireError& wire, std::string_view message,
                                      std::string_view request_id, unsigned http_version,
                                      bool keep_alive);
net::HttpResponse xml_error_response(const WireError& wire, std::string_view message,
                                     std::string_view request_id, unsigned http_version,
                                     bool keep_alive);
net::HttpResponse sns_xml_error_response(const WireError& wire, std::string_view message,
                                         std::string_view request_id, unsigned http_version,
                                         bool keep_alive);
net::HttpResponse sts_xml_error_response(const WireError& wire, std::string_view message,
                                         std::string_view request_id, unsigned http_version,
                                         bool keep_alive);
net::HttpResponse events_error_response(const WireError& wire, std::string_view message,
                                        std::string_view request_id, unsigned http_version,
                                        bool keep_alive);
net::HttpResponse scheduler_error_response(const WireError& wire, std::string_view message,
                                           std::string_view request_id, unsigned http_version,
                                           bool keep_alive);

}  // namespace eb::api::aws
