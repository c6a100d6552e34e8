#include "sns/records.hpp"

#include "eventbroker/codec.hpp"
#include "eventbroker/v1/records.pb.h"
#include "storage/keys.hpp"

namespace eb::sns {
namespace {

using storage::append_u64;

constexpr std::uint32_t kRecordVersion = 1;

}  // namespace

std::string encode(const TopicRecord& r) {
  eventbroker::v1::TopicRecord p;
  p.set_format_version(kRecordVersion);
  p.set_name(r.name);
  p.mutable_attributes()->insert(r.attributes.begin(), r.attributes.end());
  p.mutable_tags()->insert(r.tags.begin(), r.tags.end());
  p.set_data_protection_policy(r.data_protection_policy);
  p.set_created_ms(r.created);
  return p.SerializeAsString();
}

std::optional<TopicRecord> decode_topic(std::string_view bytes) {
  auto p = proto::parse<eventbroker::v1::TopicRecord>(bytes);
  if (!p) return std::nullopt;
  TopicRecord r;
  r.name = p->name();
  r.attributes.insert(p->attributes().begin(), p->attributes().end());
  r.tags.insert(p->tags().begin(), p->tags().end());
  r.data_protection_policy = p->data_protection_policy();
  r.created = p->created_ms();
  return r;
}

std::string encode(const SubscriptionRecord& r) {
  eventbroker::v1::SubscriptionRecord p;
  p.set_format_version(kRecordVersion);
  p.set_arn(r.arn);
  p.set_topic_arn(r.topic_arn);
  p.set_protocol(r.protocol);
  p.set_endpoint(r.endpoint);
  p.set_owner(r.owner);
  p.mutable_attributes()->insert(r.attributes.begin(), r.attributes.end());
  p.set_confirmed(r.confirmed);
  p.set_token(r.token);
  p.set_created_ms(r.created);
  return p.SerializeAsString();
}

std::optional<SubscriptionRecord> decode_subscription(std::string_view bytes) {
  auto p = proto::parse<eventbroker::v1::SubscriptionRecord>(bytes);
  if (!p) return std::nullopt;
  SubscriptionRecord r;
  r.arn = p->arn();
  r.topic_arn = p->topic_arn();
  r.protocol = p->protocol();
  r.endpoint = p->endpoint();
  r.owner = p->owner();
  r.attributes.insert(p->attributes().begin(), p->attributes().end());
  r.confirmed = p->confirmed();
  r.token = p->token();
  r.created = p->created_ms();
  return r;
}

std::string topic_dedup_prefix(std::string_view topic_arn) {
  std::string k = "sns_dedup/";
  k.append(topic_arn);
  k.push_back('\0');
  return k;
}

std::string topic_seq_prefix(std::string_view topic_arn) {
  std::string k = "sns_seq/";
  k.append(topic_arn);
  k.push_back('\0');
  return k;
}

std::string topic_seq_key(std::string_view topic_arn, std::uint64_t ceiling) {
  std::string k = topic_seq_prefix(topic_arn);
  append_u64(k, ceiling);
  return k;
}

}  // namespace eb::sns
