#include "sns/topic_state.hpp"

#include "core/encoding.hpp"
#include "sns/delivery_policy.hpp"
#include "sns/rules.hpp"
#include "storage/engine.hpp"

namespace eb::sns {
namespace {

// The policies as set on a topic and a subscription (validated then), parsed again.
std::optional<TopicDeliveryPolicy> topic_policy(const AttributeMap& topic) {
  auto it = topic.find("DeliveryPolicy");
  if (it == topic.end() || it->second.empty()) return std::nullopt;
  auto parsed = parse_topic_delivery_policy(it->second);
  return parsed ? std::optional(std::move(*parsed)) : std::nullopt;
}

std::optional<SubscriptionDeliveryPolicy> subscription_policy(const Subscription& sub) {
  auto it = sub.attributes.find("DeliveryPolicy");
  if (it == sub.attributes.end() || it->second.empty()) return std::nullopt;
  auto parsed = parse_subscription_delivery_policy(it->second);
  return parsed ? std::optional(std::move(*parsed)) : std::nullopt;
}

}  // namespace

Registry::Registry(storage::Engine& engine)
    : engine_(engine), state_(std::make_shared<const RegistryState>()) {}

void Registry::install(std::shared_ptr<const RegistryState> state) {
  std::lock_guard lock(write_mu_);
  state_.store(std::move(state));
}

Result<void> Registry::commit_locked(std::shared_ptr<const RegistryState> next,
                                     storage::Batch& batch) {
  EB_TRY(engine_.write(batch));
  state_.store(std::move(next));
  return {};
}

Result<void> Registry::replace_subscription_locked(const RegistryState& current,
                                                   Subscription changed) {
  EB_ASSIGN_OR_RETURN(std::shared_ptr<const Subscription> sub,
                      build_subscription(std::move(changed)));
  auto next = std::make_shared<RegistryState>(current);
  next->subscriptions[sub->arn] = sub;
  if (auto topic = current.topics.find(sub->topic_arn); topic != current.topics.end()) {
    auto t = std::make_shared<Topic>(*topic->second);
    for (auto& s : t->subscriptions) {
      if (s->arn == sub->arn) s = sub;
    }
    next->topics[t->arn] = t;
  }
  storage::Batch batch;
  batch.put(storage::Family::kSubscriptions, sub->arn, encode(to_record(*sub)));
  return commit_locked(std::move(next), batch);
}

Result<std::shared_ptr<const Topic>> require_topic(const RegistryState& state,
                                                   const std::string& topic_arn) {
  if (arn_resource(topic_arn, "sns").empty()) {
    return fail(Errc::kInvalidParameterValue, "Invalid parameter: TopicArn");
  }
  auto it = state.topics.find(topic_arn);
  if (it == state.topics.end()) return fail(Errc::kNotFound, "Topic does not exist");
  return it->second;
}

Result<std::shared_ptr<const Subscription>> require_subscription(
    const RegistryState& state, const std::string& subscription_arn) {
  if (arn_resource(subscription_arn, "sns").empty()) {
    return fail(Errc::kInvalidParameterValue, "Invalid parameter: SubscriptionArn");
  }
  auto it = state.subscriptions.find(subscription_arn);
  if (it == state.subscriptions.end()) {
    return fail(Errc::kNotFound, "Subscription does not exist");
  }
  return it->second;
}

void derive_topic_fields(Topic& t) {
  auto fifo = t.attributes.find("FifoTopic");
  t.fifo = fifo != t.attributes.end() && fifo->second == "true";
  auto version = t.attributes.find("SignatureVersion");
  t.signature_version = version != t.attributes.end() && version->second == "2"
                            ? SignatureVersion::kSha256
                            : SignatureVersion::kSha1;
  if (t.fifo && !t.fifo_state) t.fifo_state = std::make_shared<FifoState>();
}

std::string topic_attribute(const Topic& t, const std::string& name) {
  auto it = t.attributes.find(name);
  return it == t.attributes.end() ? std::string() : it->second;
}

Result<std::shared_ptr<Subscription>> build_subscription(Subscription s) {
  for (const auto& [name, value] : s.attributes) {
    EB_TRY(validate_subscription_attribute(name, value, s.protocol));
  }
  const auto attr = [&](const char* name) -> const std::string* {
    auto it = s.attributes.find(name);
    return it == s.attributes.end() ? nullptr : &it->second;
  };
  s.raw = attr("RawMessageDelivery") != nullptr && *attr("RawMessageDelivery") == "true";
  s.filter.reset();
  if (const std::string* policy = attr("FilterPolicy"); policy != nullptr && !policy->empty()) {
    const std::string* scope = attr("FilterPolicyScope");
    EB_ASSIGN_OR_RETURN(s.filter,
                        matching::FilterPolicy::compile(
                            *policy, scope != nullptr && *scope == "MessageBody"
                                         ? matching::FilterPolicyScope::kMessageBody
                                         : matching::FilterPolicyScope::kMessageAttributes));
  }
  s.dead_letter_arn.clear();
  if (const std::string* redrive = attr("RedrivePolicy")) {
    s.dead_letter_arn = *parse_redrive_policy(*redrive);
  }
  return std::make_shared<Subscription>(std::move(s));
}

TopicRecord to_record(const Topic& t) {
  TopicRecord r;
  r.name = t.name;
  r.attributes = t.attributes;
  r.tags = t.tags;
  r.data_protection_policy = t.data_protection_policy;
  r.created = t.created;
  return r;
}

SubscriptionRecord to_record(const Subscription& s) {
  SubscriptionRecord r;
  r.arn = s.arn;
  r.topic_arn = s.topic_arn;
  r.protocol = s.protocol;
  r.endpoint = s.endpoint;
  r.owner = s.owner;
  r.attributes = s.attributes;
  r.confirmed = s.confirmed;
  r.token = s.token;
  r.created = s.created;
  return r;
}

std::string delivery_policy_of(const AttributeMap& topic, const Subscription& sub) {
  if (sub.protocol != "http" && sub.protocol != "https") return {};
  const auto own = subscription_policy(sub);
  const auto inherited = topic_policy(topic);
  return effective_delivery_policy_json(
      effective_delivery_policy(own ? &*own : nullptr, inherited ? &*inherited : nullptr));
}

std::string topic_delivery_policy_of(const AttributeMap& topic) {
  const auto policy = topic_policy(topic);
  return topic_effective_delivery_policy_json(policy ? &*policy : nullptr);
}

Result<std::string> page_start(const PageInput& page) {
  if (page.next_token.empty()) return std::string();
  auto key = base64_decode(page.next_token);
  if (!key) return fail(Errc::kInvalidParameterValue, "Invalid parameter: NextToken");
  return *key;
}

std::string page_token(const std::string& last_key) { return base64_encode(last_key); }

}  // namespace eb::sns
