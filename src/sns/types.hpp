#pragma once
// Plain data that crosses the SNS side of the broker's boundary: decoded requests from api/sns,
// results back to it. No wire format here (api/sns maps these to the query protocol's XML).
#include <optional>
#include <string>
#include <vector>

#include "sqs/types.hpp"

namespace eb::sns {

struct CreateTopicInput {
  std::string name;
  AttributeMap attributes;  // DisplayName, Policy, DeliveryPolicy, FifoTopic, ...
  TagMap tags;
  std::string data_protection_policy;  // accepted and stored; not enforced
};

// One page of a list; `next_token` empty means the first page.
struct PageInput {
  std::string next_token;
};

struct ListTopicsOutput {
  std::vector<std::string> topic_arns;
  std::string next_token;  // empty: no more pages
};

struct SubscribeInput {
  std::string topic_arn;
  std::string protocol;  // sqs, http, https, email, email-json, sms, lambda, application, firehose
  std::string endpoint;
  AttributeMap attributes;  // FilterPolicy, FilterPolicyScope, RawMessageDelivery, ...
  bool return_subscription_arn = false;
};

struct SubscriptionSummary {
  std::string subscription_arn;  // "PendingConfirmation" while unconfirmed
  std::string owner;
  std::string protocol;
  std::string endpoint;
  std::string topic_arn;
};

struct ListSubscriptionsOutput {
  std::vector<SubscriptionSummary> subscriptions;
  std::string next_token;
};

struct PublishInput {
  std::string topic_arn;     // exactly one of topic_arn, target_arn and phone_number
  std::string target_arn;    // a topic ARN is accepted here too
  std::string phone_number;  // an SMS straight to a number: recorded in the outbox
  std::string message;
  std::optional<std::string> subject;
  std::string message_structure;  // "" or "json"
  MessageAttributes attributes;
  std::optional<std::string> group_id;          // FIFO topics
  std::optional<std::string> deduplication_id;  // FIFO topics
  // In-process callers only (the saga engine): JSON envelopes appended to the event-log stream
  // `stream_first.stream` in the same write as this publish, just before its own entry, as the
  // stream API appends them. A daemon without an event log refuses such a publish.
  struct StreamEvents {
    std::string stream;
    std::vector<std::string> envelopes;
  };
  StreamEvents stream_first;
};

struct PublishOutput {
  std::string message_id;
  std::string sequence_number;  // FIFO topics only
};

}  // namespace eb::sns
