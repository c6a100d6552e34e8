#pragma once
// The records SNS keeps in the engine (topics, subscriptions) and their encoding (protobuf of
// proto/eventbroker/v1/records.proto, format-versioned), plus the kMeta keys of FIFO topics.
// A FIFO topic's deduplication entries are sqs::DedupRecord (sqs/records.hpp).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace eb::sns {

struct TopicRecord {
  std::string name;
  std::map<std::string, std::string> attributes;  // settable attributes as strings
  std::map<std::string, std::string> tags;
  std::string data_protection_policy;
  Millis created = 0;
};

struct SubscriptionRecord {
  std::string arn;
  std::string topic_arn;
  std::string protocol;
  std::string endpoint;
  std::string owner;
  std::map<std::string, std::string> attributes;
  bool confirmed = false;
  std::string token;
  Millis created = 0;
};

std::string encode(const TopicRecord& r);
std::optional<TopicRecord> decode_topic(std::string_view bytes);
std::string encode(const SubscriptionRecord& r);
std::optional<SubscriptionRecord> decode_subscription(std::string_view bytes);

// kMeta keys of a FIFO topic: its deduplication window (sns_dedup/<arn>\0<window key>, the
// window key as sqs::dedup_window_key writes it) and its SequenceNumber block ceilings
// (sns_seq/<arn>\0<ceiling>). Each family of keys of one topic is the range
// [prefix, prefix + 0xff).
std::string topic_dedup_prefix(std::string_view topic_arn);
std::string topic_seq_prefix(std::string_view topic_arn);
std::string topic_seq_key(std::string_view topic_arn, std::uint64_t ceiling);

}  // namespace eb::sns
