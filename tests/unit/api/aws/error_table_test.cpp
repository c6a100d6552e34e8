#include "api/aws/error_table.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <set>
#include <sstream>
#include <string>

namespace eb::api::aws {
namespace {

// Errc has no count marker; kResourceNotFound is its last value. A value appended after it must
// move this bound, which the switch in sqs_wire_error (no default, -Wswitch) also flags.
constexpr int kLastErrc = static_cast<int>(Errc::kResourceNotFound);

TEST(SqsWireError, EveryErrcHasAWireForm) {
  std::set<std::string_view> codes;
  for (int i = 0; i <= kLastErrc; ++i) {
    const WireError wire = sqs_wire_error(static_cast<Errc>(i));
    SCOPED_TRACE(i);
    EXPECT_FALSE(wire.code.empty());
    EXPECT_FALSE(wire.query_code.empty());
    EXPECT_GE(wire.http_status, 400);
    EXPECT_LE(wire.http_status, 599);
    // Receiver faults are exactly the 5xx answers.
    EXPECT_EQ(wire.sender_fault, wire.http_status < 500);
    // The code is a bare shape name: the renderer adds the namespace.
    EXPECT_EQ(wire.code.find('#'), std::string_view::npos);
    EXPECT_EQ(wire.query_code.find(';'), std::string_view::npos);
    // Distinct codes, so clients can tell every error apart.
    EXPECT_TRUE(codes.insert(wire.code).second) << wire.code;
  }
}

struct Row {
  Errc errc;
  std::string_view code;
  std::string_view query_code;
  int status;
};

TEST(SqsWireError, MatchesAws) {
  const Row rows[] = {
      {Errc::kQueueDoesNotExist, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
       400},
      {Errc::kQueueNameExists, "QueueNameExists", "QueueAlreadyExists", 400},
      {Errc::kQueueDeletedRecently, "QueueDeletedRecently",
       "AWS.SimpleQueueService.QueueDeletedRecently", 400},
      {Errc::kInvalidParameterValue, "InvalidParameterValue", "InvalidParameterValue", 400},
      {Errc::kMissingParameter, "MissingParameter", "MissingParameter", 400},
      {Errc::kInvalidAttributeName, "InvalidAttributeName", "InvalidAttributeName", 400},
      {Errc::kInvalidAttributeValue, "InvalidAttributeValue", "InvalidAttributeValue", 400},
      {Errc::kReceiptHandleIsInvalid, "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", 404},
      {Errc::kMessageNotInflight, "MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight",
       400},
      {Errc::kEmptyBatchRequest, "EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest",
       400},
      {Errc::kTooManyEntriesInBatchRequest, "TooManyEntriesInBatchRequest",
       "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400},
      {Errc::kBatchEntryIdsNotDistinct, "BatchEntryIdsNotDistinct",
       "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400},
      {Errc::kBatchRequestTooLong, "BatchRequestTooLong",
       "AWS.SimpleQueueService.BatchRequestTooLong", 400},
      {Errc::kInvalidBatchEntryId, "InvalidBatchEntryId",
       "AWS.SimpleQueueService.InvalidBatchEntryId", 400},
      {Errc::kPurgeQueueInProgress, "PurgeQueueInProgress",
       "AWS.SimpleQueueService.PurgeQueueInProgress", 403},
      {Errc::kOverLimit, "OverLimit", "OverLimit", 403},
      {Errc::kUnsupportedOperation, "UnsupportedOperation",
       "AWS.SimpleQueueService.UnsupportedOperation", 400},
      {Errc::kResourceNotFound, "ResourceNotFoundException", "ResourceNotFoundException", 404},
      {Errc::kInvalidAddress, "InvalidAddress", "InvalidAddress", 404},
      {Errc::kInvalidMessageContents, "InvalidMessageContents", "InvalidMessageContents", 400},
      {Errc::kInvalidSecurity, "InvalidSecurity", "InvalidSecurity", 403},
      {Errc::kRequestThrottled, "RequestThrottled", "RequestThrottled", 403},
      {Errc::kAccessDenied, "AccessDeniedException", "AccessDenied", 403},
      {Errc::kInvalidAction, "InvalidAction", "InvalidAction", 400},
      {Errc::kMissingAction, "MissingAction", "MissingAction", 400},
      {Errc::kMalformedRequest, "SerializationException", "MalformedQueryString", 400},
      {Errc::kRequestTooLarge, "RequestEntityTooLarge", "RequestEntityTooLarge", 413},
      {Errc::kInternalError, "InternalFailure", "InternalError", 500},
      {Errc::kServiceUnavailable, "ServiceUnavailable", "ServiceUnavailable", 503},
  };
  EXPECT_EQ(std::size(rows), static_cast<std::size_t>(kLastErrc + 1)) << "a row per Errc";
  for (const Row& row : rows) {
    const WireError wire = sqs_wire_error(row.errc);
    EXPECT_EQ(wire.code, row.code);
    EXPECT_EQ(wire.query_code, row.query_code) << row.code;
    EXPECT_EQ(wire.http_status, row.status) << row.code;
  }
  EXPECT_FALSE(sqs_wire_error(Errc::kInternalError).sender_fault);
  EXPECT_FALSE(sqs_wire_error(Errc::kServiceUnavailable).sender_fault);
}

TEST(JsonErrorResponse, BodyHeadersAndStatus) {
  const Error error{Errc::kQueueDoesNotExist, "The specified queue \"q\" does not exist.\n"};
  const auto res = json_error_response(error, "req-1", 11, true);
  EXPECT_EQ(res.result_int(), 400u);
  EXPECT_EQ(res.version(), 11u);
  EXPECT_TRUE(res.keep_alive());
  EXPECT_EQ(res["Content-Type"], "application/x-amz-json-1.0");
  EXPECT_EQ(res["x-amzn-RequestId"], "req-1");
  EXPECT_EQ(res["x-amzn-query-error"], "AWS.SimpleQueueService.NonExistentQueue;Sender");
  EXPECT_EQ(res["Content-Length"], std::to_string(res.body().size()));
  EXPECT_EQ(res.body(), R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist",)"
                        R"("message":"The specified queue \"q\" does not exist.\n"})");

  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(res.body());
  EXPECT_EQ(std::string_view(doc["message"]), error.message);
}

TEST(JsonErrorResponse, ReceiverFaultAndConnectionClose) {
  const auto res = json_error_response({Errc::kInternalError, "boom"}, "r", 10, false);
  EXPECT_EQ(res.result_int(), 500u);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(res["x-amzn-query-error"], "InternalError;Receiver");
}

TEST(JsonErrorResponse, MalformedBodyHasNoQueryEquivalent) {
  const auto res = json_error_response({Errc::kMalformedRequest, "bad json"}, "r", 11, true);
  EXPECT_EQ(res.result_int(), 400u);
  EXPECT_EQ(res.count("x-amzn-query-error"), 0u);
  EXPECT_NE(res.body().find("com.amazonaws.sqs#SerializationException"), std::string::npos);
}

TEST(XmlErrorResponse, Document) {
  const Error error{Errc::kPurgeQueueInProgress, "Only one PurgeQueue <per> 60s & \"so\"\r"};
  const auto res = xml_error_response(error, "req-2", 11, true);
  EXPECT_EQ(res.result_int(), 403u);
  EXPECT_EQ(res["Content-Type"], "text/xml");
  EXPECT_EQ(res["x-amzn-RequestId"], "req-2");
  EXPECT_EQ(res.body(),
            "<?xml version=\"1.0\"?>"
            "<ErrorResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><Error>"
            "<Type>Sender</Type><Code>AWS.SimpleQueueService.PurgeQueueInProgress</Code>"
            "<Message>Only one PurgeQueue &lt;per&gt; 60s &amp; &quot;so&quot;&#xD;</Message>"
            "<Detail/></Error><RequestId>req-2</RequestId></ErrorResponse>");

  std::istringstream in(res.body());
  boost::property_tree::ptree tree;
  boost::property_tree::read_xml(in, tree);
  EXPECT_EQ(tree.get<std::string>("ErrorResponse.Error.Message"), error.message);
  EXPECT_EQ(tree.get<std::string>("ErrorResponse.RequestId"), "req-2");
}

TEST(XmlErrorResponse, ReceiverType) {
  const auto res = xml_error_response({Errc::kServiceUnavailable, "busy"}, "r", 11, true);
  EXPECT_EQ(res.result_int(), 503u);
  EXPECT_NE(res.body().find("<Type>Receiver</Type><Code>ServiceUnavailable</Code>"),
            std::string::npos);
}

// SNS codes run to the last Errc, kVerification.
constexpr int kLastSnsErrc = static_cast<int>(Errc::kVerification);

TEST(SnsWireError, EveryErrcHasAWireForm) {
  for (int i = 0; i <= kLastSnsErrc; ++i) {
    const WireError wire = sns_wire_error(static_cast<Errc>(i));
    SCOPED_TRACE(i);
    EXPECT_FALSE(wire.code.empty());
    EXPECT_EQ(wire.code, wire.query_code);  // no JSON protocol: one code
    EXPECT_GE(wire.http_status, 400);
    EXPECT_LE(wire.http_status, 599);
    EXPECT_EQ(wire.sender_fault, wire.http_status < 500);
  }
}

TEST(SnsWireError, MatchesTheSnsModel) {
  const Row rows[] = {
      {Errc::kInvalidParameterValue, "InvalidParameter", "", 400},
      {Errc::kParameterValueInvalid, "ParameterValueInvalid", "", 400},
      {Errc::kNotFound, "NotFound", "", 404},
      {Errc::kResourceNotFound, "ResourceNotFound", "", 404},
      {Errc::kAuthorizationError, "AuthorizationError", "", 403},
      {Errc::kAccessDenied, "AuthorizationError", "", 403},
      {Errc::kValidationError, "ValidationError", "", 400},
      {Errc::kMissingParameter, "ValidationError", "", 400},
      {Errc::kTagLimitExceeded, "TagLimitExceeded", "", 400},
      {Errc::kTopicLimitExceeded, "TopicLimitExceeded", "", 403},
      {Errc::kSubscriptionLimitExceeded, "SubscriptionLimitExceeded", "", 403},
      {Errc::kFilterPolicyLimitExceeded, "FilterPolicyLimitExceeded", "", 403},
      {Errc::kInvalidState, "InvalidState", "", 400},
      {Errc::kEndpointDisabled, "EndpointDisabled", "", 400},
      {Errc::kOptedOut, "OptedOut", "", 400},
      {Errc::kVerification, "VerificationException", "", 400},
      {Errc::kEmptyBatchRequest, "EmptyBatchRequest", "", 400},
      {Errc::kTooManyEntriesInBatchRequest, "TooManyEntriesInBatchRequest", "", 400},
      {Errc::kBatchEntryIdsNotDistinct, "BatchEntryIdsNotDistinct", "", 400},
      {Errc::kBatchRequestTooLong, "BatchRequestTooLong", "", 400},
      {Errc::kInvalidBatchEntryId, "InvalidBatchEntryId", "", 400},
      {Errc::kRequestThrottled, "Throttled", "", 429},
      {Errc::kInvalidSecurity, "InvalidSecurity", "", 403},
      {Errc::kInternalError, "InternalError", "", 500},
      {Errc::kServiceUnavailable, "ServiceUnavailable", "", 503},
      {Errc::kMalformedRequest, "MalformedQueryString", "", 400},
      {Errc::kInvalidAction, "InvalidAction", "", 400},
      {Errc::kMissingAction, "MissingAction", "", 400},
      // Queue errors have no SNS shape.
      {Errc::kQueueDoesNotExist, "InvalidParameter", "", 400},
      {Errc::kInvalidAttributeName, "InvalidParameter", "", 400},
  };
  for (const Row& row : rows) {
    const WireError wire = sns_wire_error(row.errc);
    EXPECT_EQ(wire.query_code, row.code);
    EXPECT_EQ(wire.http_status, row.status) << row.code;
  }
  EXPECT_FALSE(sns_wire_error(Errc::kInternalError).sender_fault);
  EXPECT_FALSE(sns_wire_error(Errc::kServiceUnavailable).sender_fault);
}

TEST(SnsXmlErrorResponse, Document) {
  const Error error{Errc::kNotFound, "Topic does not exist <&>"};
  const auto res = sns_xml_error_response(error, "req-3", 11, false);
  EXPECT_EQ(res.result_int(), 404u);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(res["Content-Type"], "text/xml");
  EXPECT_EQ(res["x-amzn-RequestId"], "req-3");
  EXPECT_EQ(res.body(),
            "<?xml version=\"1.0\"?>"
            "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error>"
            "<Type>Sender</Type><Code>NotFound</Code>"
            "<Message>Topic does not exist &lt;&amp;&gt;</Message>"
            "</Error><RequestId>req-3</RequestId></ErrorResponse>");

  std::istringstream in(res.body());
  boost::property_tree::ptree tree;
  boost::property_tree::read_xml(in, tree);
  EXPECT_EQ(tree.get<std::string>("ErrorResponse.Error.Message"), error.message);
}

TEST(SnsXmlErrorResponse, ReceiverType) {
  const auto res = sns_xml_error_response({Errc::kInternalError, "boom"}, "r", 11, true);
  EXPECT_EQ(res.result_int(), 500u);
  EXPECT_NE(res.body().find("<Type>Receiver</Type><Code>InternalError</Code>"), std::string::npos);
}

TEST(EventsWireError, InvalidStateIsEventBridgesInvalidStateException) {
  const WireError wire = events_wire_error(Errc::kInvalidState);
  EXPECT_EQ(wire.code, "InvalidStateException");
  EXPECT_EQ(wire.http_status, 400);
  EXPECT_TRUE(wire.sender_fault);
}

}  // namespace
}  // namespace eb::api::aws

namespace eb::api::aws {
namespace {

TEST(SchedulerWireError, ModelCodesAndStatuses) {
  struct Row {
    Errc errc;
    std::string_view code;
    int status;
  };
  const Row rows[] = {
      {Errc::kValidationError, "ValidationException", 400},
      {Errc::kResourceNotFound, "ResourceNotFoundException", 404},
      {Errc::kResourceAlreadyExists, "ConflictException", 409},
      {Errc::kLimitExceeded, "ServiceQuotaExceededException", 402},
      {Errc::kRequestThrottled, "ThrottlingException", 429},
      {Errc::kInternalError, "InternalServerException", 500},
  };
  for (const Row& row : rows) {
    const WireError wire = scheduler_wire_error(row.errc);
    EXPECT_EQ(wire.code, row.code);
    EXPECT_EQ(wire.http_status, row.status) << row.code;
  }
}

TEST(SchedulerErrorResponse, HeaderAndBody) {
  const auto res = scheduler_error_response({Errc::kResourceNotFound, "gone \"x\""}, "r", 11, true);
  EXPECT_EQ(res.result_int(), 404u);
  EXPECT_EQ(res["x-amzn-ErrorType"], "ResourceNotFoundException");
  EXPECT_EQ(res["Content-Type"], "application/json");
  EXPECT_EQ(res.body(), R"({"Message":"gone \"x\""})");
}

}  // namespace
}  // namespace eb::api::aws

namespace eb::api::aws {
namespace {

// Authentication failures as each service answers them: the query protocol's common codes
// (SQS, SNS, STS), the JSON services' exception shapes (EventBridge 400, Scheduler 403).
TEST(AuthWireErrors, EachServiceAnswersItsWay) {
  struct AuthRow {
    Errc code;
    std::string_view query;
    int query_status;
    std::string_view json;
  };
  const AuthRow rows[] = {
      {Errc::kMissingAuthenticationToken, "MissingAuthenticationToken", 403,
       "MissingAuthenticationTokenException"},
      {Errc::kIncompleteSignature, "IncompleteSignature", 400, "IncompleteSignatureException"},
      {Errc::kInvalidClientTokenId, "InvalidClientTokenId", 403, "UnrecognizedClientException"},
      {Errc::kSignatureDoesNotMatch, "SignatureDoesNotMatch", 403, "InvalidSignatureException"},
      {Errc::kExpiredToken, "ExpiredToken", 403, "ExpiredTokenException"},
  };
  for (const AuthRow& row : rows) {
    SCOPED_TRACE(row.query);
    for (const WireError wire :
         {sqs_wire_error(row.code), sns_wire_error(row.code), sts_wire_error(row.code)}) {
      EXPECT_EQ(wire.query_code, row.query);
      EXPECT_EQ(wire.http_status, row.query_status);
      EXPECT_TRUE(wire.sender_fault);
    }
    EXPECT_EQ(events_wire_error(row.code).code, row.json);
    EXPECT_EQ(events_wire_error(row.code).http_status, 400);
    EXPECT_EQ(scheduler_wire_error(row.code).code, row.json);
    EXPECT_EQ(scheduler_wire_error(row.code).http_status, 403);
  }
  const auto res = json_error_response({Errc::kSignatureDoesNotMatch, "m"}, "r", 11, true);
  EXPECT_EQ(res.result_int(), 403u);
  EXPECT_EQ(res["x-amzn-query-error"], "SignatureDoesNotMatch;Sender");
}

}  // namespace
}  // namespace eb::api::aws
