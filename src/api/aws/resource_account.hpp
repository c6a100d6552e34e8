#pragma once
// The account that owns the resource a request names, so that a call on another account's
// queue, topic or bus acts in that account (cross-account access by URL or ARN, as AWS allows
// it with a resource policy). Stateless; safe from any thread.
#include <string>

#include "api/aws/service.hpp"

namespace eb::api::aws {

// The account of the first queue URL or ARN the request names at its top level (QueueUrl,
// TopicArn, TargetArn, SubscriptionArn, ResourceArn, EventBusName, Name given as an ARN), or
// its QueueOwnerAWSAccountId, or the /ACCOUNT/NAME path a query request is POSTed to; empty
// when it names none. Not validated beyond being twelve digits.
std::string resource_account(const AwsRequest& request);

}  // namespace eb::api::aws
