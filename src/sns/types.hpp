#pragma once
// Plain data that crosses the SNS side of the broker's boundary: decoded requests from api/sns,
// results back to it. No wire format here (api/sns maps these to the query protocol's XML).
#include <cstddef>
#include <cstdint>
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

// What the admin API shows of a topic (Topics::topic_summaries).
struct TopicSummary {
  std::string name;
  std::string arn;
  bool fifo = false;
  std::size_t confirmed = 0;  // subscriptions
  std::size_t pending = 0;
  // Since the topic was created or the daemon started (what /metrics reports).
  std::uint64_t published = 0;
  std::uint64_t delivered = 0;  // copies written to queues or handed to endpoint delivery
  std::uint64_t failed = 0;     // copies a queue refused
  std::uint64_t filtered_out = 0;
  Millis created = 0;
};

// One subscription of a topic as the admin API shows it (Topics::topic_subscriptions).
struct SubscriptionView {
  std::string arn;  // its ARN even while confirmation is pending
  std::string protocol;
  std::string endpoint;
  bool confirmed = false;
  bool raw = false;                 // RawMessageDelivery
  std::string filter_policy;        // as set; empty: none
  std::string filter_policy_scope;  // "MessageAttributes" (the default) or "MessageBody"
  std::string redrive_policy;       // as set; empty: none
  std::string dead_letter_arn;      // its deadLetterTargetArn
  Millis created = 0;
};

// A filter policy tried on a message without publishing it (Topics::test_filter_policy).
struct FilterPolicyTest {
  std::string policy;
  std::string scope;  // "MessageAttributes" (also when empty) or "MessageBody"
  MessageAttributes attributes;
  std::string message;
};

}  // namespace eb::sns
