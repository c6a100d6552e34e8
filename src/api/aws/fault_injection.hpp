#pragma once
// What the dispatcher needs to inject a fault into an AWS call: the resource names a request
// carries (matched against a rule's resource glob), the operation of a REST-JSON request, and
// the error answer in the request's own protocol. Stateless functions; safe from any thread.
#include <string>
#include <string_view>
#include <vector>

#include "api/aws/error_table.hpp"
#include "api/aws/service.hpp"
#include "net/handler.hpp"

namespace eb::api::aws {

// The resources a request names, for fault matching. Read from these members only (top level,
// either protocol): QueueUrl, QueueName, TopicArn, TargetArn, SubscriptionArn, EventBusName,
// Name, Arn, ResourceArn, ResourceARN; a query request POSTed to a queue URL adds that URL; a
// REST-JSON request adds the last segment of its path. Each URL or ARN also adds its last
// '/' or ':' segment (the queue, topic or bus name), so a rule can name either.
std::vector<std::string> fault_resources(const AwsRequest& request);

// The operation of an EventBridge Scheduler request from its method and path ("CreateSchedule",
// "ListScheduleGroups", "TagResource"...); empty for a path that is none of them.
std::string rest_json_operation(const net::HttpRequest& request);

// How `code` looks on the wire of `service` (a signing name): known codes get their status
// (ThrottlingException 400, 429 for the Scheduler; RequestThrottled 403; Throttled 429;
// ServiceUnavailable(Exception) 503; InternalError, InternalFailure, InternalException,
// InternalServerException 500, Receiver faults); SQS's KMS.* query codes get their JSON shape
// names (KMS.ThrottlingException -> KmsThrottled); anything else is a 400 Sender fault.
WireError fault_wire_error(std::string_view service, std::string_view code);

// The error answer of an injected fault, rendered as `service` answers errors for the
// request's protocol: SQS JSON 1.0 or query XML, SNS and STS query XML, EventBridge JSON 1.1,
// Scheduler REST-JSON.
net::HttpResponse fault_error_response(std::string_view service, const AwsRequest& request,
                                       std::string_view code, unsigned http_version,
                                       bool keep_alive);

}  // namespace eb::api::aws
