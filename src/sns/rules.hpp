#pragma once
// SNS's rules for names, endpoints, published messages, topic and subscription attributes,
// their policies and tags, with AWS's error wording. Pure functions.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "sqs/types.hpp"

namespace eb::sns {

// 1-256 of A-Z a-z 0-9 _ -; a FIFO topic's name ends in ".fifo" (which counts).
bool is_valid_topic_name(std::string_view name, bool fifo);

// Protocols SNS accepts, and whether `endpoint` fits the protocol.
bool is_known_protocol(std::string_view protocol);
Result<void> validate_endpoint(std::string_view protocol, std::string_view endpoint);
// Protocols confirmed by the subscriber (a token round trip) rather than at once.
bool needs_confirmation(std::string_view protocol);

// ASCII, starting with a letter, digit or punctuation, no line breaks or control characters,
// under 100 characters.
Result<void> validate_subject(std::string_view subject);

// Names (256 chars of A-Z a-z 0-9 _ - ., no leading/trailing/double '.', no AWS./Amazon.
// prefix), types (String, String.Array, Number, Binary, optionally ".custom") and values.
Result<void> validate_publish_attributes(const MessageAttributes& attributes);

// A publish's message plus its attributes (counted as message_size() does) may not exceed it.
inline constexpr std::size_t kMaxPublishBytes = 262144;

// MessageStructure=json: a JSON object of strings with a "default" member, plus optional
// per-protocol members ("sqs", "http", ...).
struct MessageVariants {
  std::string default_message;
  std::map<std::string, std::string, std::less<>> by_protocol;
  const std::string& for_protocol(std::string_view protocol) const;
};
Result<MessageVariants> parse_message_structure(std::string_view message);

// "arn:aws:<service>:<region>:<account>:<resource>" -> resource, when the service matches.
std::string_view arn_resource(std::string_view arn, std::string_view service);

// ArchivePolicy: {"MessageRetentionPeriod": days} with 1..365 days (a string or a number);
// "{}" turns archiving off (nullopt).
Result<std::optional<int>> parse_archive_policy(std::string_view text);

// ReplayPolicy: {"PointType":"Timestamp","StartingPoint":<UTC time>[,"EndingPoint":<UTC time>]}.
struct ReplayWindow {
  Millis from = 0;
  std::optional<Millis> to;
};
Result<ReplayWindow> parse_replay_policy(std::string_view text);

// The deadLetterTargetArn of a RedrivePolicy.
Result<std::string> parse_redrive_policy(std::string_view text);

// One attribute of CreateTopic (`creating`) or SetTopicAttributes.
Result<void> validate_topic_attribute(const std::string& name, const std::string& value, bool fifo,
                                      bool creating);
// One attribute of Subscribe or SetSubscriptionAttributes, for a subscription of `protocol`.
Result<void> validate_subscription_attribute(const std::string& name, const std::string& value,
                                             const std::string& protocol);
// Keys and values of CreateTopic's or TagResource's tags (not their number).
Result<void> validate_tags(const TagMap& tags);
inline constexpr std::size_t kMaxTags = 50;

// The Policy a topic reports while none was set.
std::string default_topic_policy(const std::string& arn, const std::string& account);

// AddPermission: `policy` with a statement `label` that allows `actions` (SNS action names, or
// "*") on the topic to `accounts` (12-digit ids, or "*"). An existing label is refused.
Result<std::string> policy_with_permission(std::string_view policy, std::string_view topic_arn,
                                           std::string_view label,
                                           const std::vector<std::string>& accounts,
                                           const std::vector<std::string>& actions);
// A data protection policy: any JSON object (its statements are not enforced).
Result<void> validate_data_protection_policy(std::string_view policy);
// RemovePermission: `policy` without the statement `label` (the same policy when it has none).
Result<std::string> policy_without_permission(std::string_view policy, std::string_view label);

}  // namespace eb::sns
