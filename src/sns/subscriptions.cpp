#include "sns/subscriptions.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/encoding.hpp"
#include "sns/endpoint_delivery.hpp"
#include "sns/message.hpp"
#include "sns/rules.hpp"
#include "sns/topic_replay.hpp"
#include "storage/engine.hpp"

namespace eb::sns {
namespace {

std::string random_token() {
  // 128 random bits twice over, as hex: unguessable, and URL-safe as it is.
  const Uuid a = random_uuid_bytes();
  const Uuid b = random_uuid_bytes();
  return to_hex(a.data(), a.size()) + to_hex(b.data(), b.size());
}

SubscriptionSummary summary(const Subscription& s) {
  return {s.confirmed ? s.arn : std::string("PendingConfirmation"), s.owner, s.protocol, s.endpoint,
          s.topic_arn};
}

}  // namespace

Result<std::string> Subscriptions::subscribe(const SubscribeInput& input) {
  if (input.protocol.empty()) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: Protocol Reason: no value for required parameter");
  }
  EB_TRY(validate_endpoint(input.protocol, input.endpoint));
  std::unique_lock lock(registry_.write_mutex());
  auto current = registry_.snapshot();
  EB_ASSIGN_OR_RETURN(auto topic, require_topic(*current, input.topic_arn));
  if (topic->fifo && input.protocol != "sqs") {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: Invalid protocol type: " + input.protocol +
                    " Reason: FIFO topics only support the sqs protocol");
  }
  if (!topic->fifo && input.protocol == "sqs" && input.endpoint.ends_with(".fifo")) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not "
                "be subscribed to standard SNS topics");
  }
  if (input.attributes.contains("ReplayStatus")) {
    return fail(Errc::kInvalidParameterValue, "Invalid parameter: AttributeName");
  }
  const auto replay_policy = input.attributes.find("ReplayPolicy");
  const bool replaying = replay_policy != input.attributes.end() && !replay_policy->second.empty();
  if (replaying) EB_TRY(replays_.check(*topic, replay_policy->second));

  for (const auto& existing : topic->subscriptions) {
    if (existing->protocol != input.protocol || existing->endpoint != input.endpoint) continue;
    for (const auto& [name, value] : input.attributes) {
      auto have = existing->attributes.find(name);
      if (have == existing->attributes.end() || have->second != value) {
        return fail(Errc::kInvalidParameterValue,
                    "Invalid parameter: Attributes Reason: Subscription already exists with "
                    "different attributes");
      }
    }
    return existing->confirmed || input.return_subscription_arn
               ? existing->arn
               : std::string("pending confirmation");
  }

  Subscription s{.arn = fmt::format("{}:{}", input.topic_arn, random_uuid()),
                 .topic_arn = input.topic_arn,
                 .protocol = input.protocol,
                 .endpoint = input.endpoint,
                 .owner = account_id_,
                 .attributes = input.attributes,
                 .confirmed = !needs_confirmation(input.protocol),
                 .created = clock_.now_ms()};
  if (!s.confirmed) s.token = random_token();
  if (replaying) s.attributes["ReplayStatus"] = "Pending";
  EB_ASSIGN_OR_RETURN(std::shared_ptr<const Subscription> sub, build_subscription(std::move(s)));

  auto changed = std::make_shared<Topic>(*topic);
  changed->subscriptions.push_back(sub);
  auto next = std::make_shared<RegistryState>(*current);
  next->topics[input.topic_arn] = changed;
  next->subscriptions.emplace(sub->arn, sub);
  storage::Batch batch;
  batch.put(storage::Family::kSubscriptions, sub->arn, encode(to_record(*sub)));
  EB_TRY(registry_.commit_locked(std::move(next), batch));
  lock.unlock();

  if (!sub->confirmed) {
    send_control_message(
        *changed, *sub, "SubscriptionConfirmation",
        fmt::format("A subscription of this endpoint to topic {} awaits confirmation: open the "
                    "SubscribeURL of this message, or call ConfirmSubscription with its Token.",
                    changed->arn));
    if (!input.return_subscription_arn) return std::string("pending confirmation");
  }
  if (replaying) replay(sub->arn);
  return sub->arn;
}

Result<std::string> Subscriptions::confirm(const std::string& topic_arn, const std::string& token) {
  std::lock_guard lock(registry_.write_mutex());
  auto current = registry_.snapshot();
  EB_ASSIGN_OR_RETURN(auto topic, require_topic(*current, topic_arn));
  auto& subs = topic->subscriptions;
  auto it = std::find_if(subs.begin(), subs.end(),
                         [&](const auto& s) { return !token.empty() && s->token == token; });
  if (it == subs.end()) return fail(Errc::kInvalidParameterValue, "Invalid token");
  if ((*it)->confirmed) return (*it)->arn;

  auto confirmed = std::make_shared<Subscription>(**it);
  confirmed->confirmed = true;
  auto changed = std::make_shared<Topic>(*topic);
  changed->subscriptions[static_cast<std::size_t>(it - subs.begin())] = confirmed;
  auto next = std::make_shared<RegistryState>(*current);
  next->topics[topic_arn] = changed;
  next->subscriptions[confirmed->arn] = confirmed;
  storage::Batch batch;
  batch.put(storage::Family::kSubscriptions, confirmed->arn, encode(to_record(*confirmed)));
  EB_TRY(registry_.commit_locked(std::move(next), batch));
  return confirmed->arn;
}

Result<void> Subscriptions::unsubscribe(const std::string& subscription_arn) {
  std::unique_lock lock(registry_.write_mutex());
  auto current = registry_.snapshot();
  EB_ASSIGN_OR_RETURN(auto sub, require_subscription(*current, subscription_arn));
  auto topic = current->topics.find(sub->topic_arn);
  auto next = std::make_shared<RegistryState>(*current);
  next->subscriptions.erase(subscription_arn);
  std::shared_ptr<Topic> changed;
  if (topic != current->topics.end()) {
    changed = std::make_shared<Topic>(*topic->second);
    std::erase_if(changed->subscriptions,
                  [&](const auto& s) { return s->arn == subscription_arn; });
    ++changed->subscriptions_deleted;
    next->topics[changed->arn] = changed;
  }
  storage::Batch batch;
  batch.erase(storage::Family::kSubscriptions, subscription_arn);
  EB_TRY(registry_.commit_locked(std::move(next), batch));
  lock.unlock();
  if (changed && (sub->protocol == "http" || sub->protocol == "https")) {
    send_control_message(
        *changed, *sub, "UnsubscribeConfirmation",
        fmt::format("Subscription {} was deleted. Opening the SubscribeURL of this message "
                    "subscribes this endpoint again.",
                    sub->arn));
  }
  return {};
}

Result<ListSubscriptionsOutput> Subscriptions::list(const PageInput& page) const {
  EB_ASSIGN_OR_RETURN(const std::string start, page_start(page));
  auto state = registry_.snapshot();
  ListSubscriptionsOutput out;
  auto it = start.empty() ? state->subscriptions.begin() : state->subscriptions.upper_bound(start);
  std::string last;
  for (; it != state->subscriptions.end() && out.subscriptions.size() < kPageSize; ++it) {
    out.subscriptions.push_back(summary(*it->second));
    last = it->first;
  }
  if (it != state->subscriptions.end()) out.next_token = page_token(last);
  return out;
}

Result<ListSubscriptionsOutput> Subscriptions::list_by_topic(const std::string& topic_arn,
                                                             const PageInput& page) const {
  EB_ASSIGN_OR_RETURN(const std::string start, page_start(page));
  auto state = registry_.snapshot();
  EB_ASSIGN_OR_RETURN(auto topic, require_topic(*state, topic_arn));
  // A topic's subscriptions are kept oldest first; the token is the last ARN returned.
  const auto& subs = topic->subscriptions;
  auto it = subs.begin();
  if (!start.empty()) {
    it = std::find_if(subs.begin(), subs.end(), [&](const auto& s) { return s->arn == start; });
    if (it == subs.end()) return fail(Errc::kInvalidParameterValue, "Invalid parameter: NextToken");
    ++it;
  }
  ListSubscriptionsOutput out;
  for (; it != subs.end() && out.subscriptions.size() < kPageSize; ++it) {
    out.subscriptions.push_back(summary(**it));
  }
  if (it != subs.end()) out.next_token = page_token((*std::prev(it))->arn);
  return out;
}

Result<AttributeMap> Subscriptions::attributes(const std::string& subscription_arn) const {
  auto state = registry_.snapshot();
  EB_ASSIGN_OR_RETURN(auto sub, require_subscription(*state, subscription_arn));
  const Subscription& s = *sub;
  AttributeMap out = s.attributes;
  out["SubscriptionArn"] = s.arn;
  out["TopicArn"] = s.topic_arn;
  out["Owner"] = s.owner;
  out["Protocol"] = s.protocol;
  out["Endpoint"] = s.endpoint;
  out["PendingConfirmation"] = s.confirmed ? "false" : "true";
  out["ConfirmationWasAuthenticated"] = s.confirmed ? "true" : "false";
  out.try_emplace("RawMessageDelivery", "false");
  if (s.attributes.contains("FilterPolicy"))
    out.try_emplace("FilterPolicyScope", "MessageAttributes");
  if (s.protocol == "http" || s.protocol == "https") {
    auto topic = state->topics.find(s.topic_arn);
    out["EffectiveDeliveryPolicy"] = delivery_policy_of(
        topic == state->topics.end() ? AttributeMap() : topic->second->attributes, s);
  }
  return out;
}

Result<void> Subscriptions::set_attribute(const std::string& subscription_arn,
                                          const std::string& name, const std::string& value) {
  if (name == "ReplayStatus") {
    return fail(Errc::kInvalidParameterValue, "Invalid parameter: AttributeName");
  }
  std::unique_lock lock(registry_.write_mutex());
  auto current = registry_.snapshot();
  EB_ASSIGN_OR_RETURN(auto sub, require_subscription(*current, subscription_arn));
  const bool replaying = name == "ReplayPolicy" && !value.empty();
  if (replaying) {
    EB_ASSIGN_OR_RETURN(auto topic, require_topic(*current, sub->topic_arn));
    EB_TRY(replays_.check(*topic, value));
  }
  Subscription copy = *sub;
  if (value.empty() && (name == "FilterPolicy" || name == "RedrivePolicy" ||
                        name == "DeliveryPolicy" || name == "ReplayPolicy")) {
    copy.attributes.erase(name);  // an empty policy removes it
  } else {
    copy.attributes[name] = value;
  }
  if (name == "ReplayPolicy") {
    if (replaying) {
      copy.attributes["ReplayStatus"] = "Pending";
    } else {
      copy.attributes.erase("ReplayStatus");
    }
  }
  EB_TRY(registry_.replace_subscription_locked(*current, std::move(copy)));
  lock.unlock();
  if (replaying) replay(subscription_arn);
  return {};
}

void Subscriptions::replay(const std::string& subscription_arn) {
  auto state = registry_.snapshot();
  auto sub = state->subscriptions.find(subscription_arn);
  if (sub == state->subscriptions.end()) return;  // unsubscribed meanwhile
  auto topic = state->topics.find(sub->second->topic_arn);
  if (topic == state->topics.end() || !topic->second->fifo ||
      !sub->second->attributes.contains("ReplayPolicy")) {
    return;
  }
  const bool done = replays_.replay(*topic->second, *sub->second);
  set_replay_status(subscription_arn, done ? "Completed" : "Failed");
}

void Subscriptions::set_replay_status(const std::string& subscription_arn,
                                      const std::string& status) {
  std::lock_guard lock(registry_.write_mutex());
  auto current = registry_.snapshot();
  auto sub = current->subscriptions.find(subscription_arn);
  if (sub == current->subscriptions.end()) return;
  Subscription copy = *sub->second;
  copy.attributes["ReplayStatus"] = status;
  // A status that cannot be written stays Pending; the replay itself has happened.
  (void)registry_.replace_subscription_locked(*current, std::move(copy));
}

void Subscriptions::send_control_message(const Topic& topic, const Subscription& subscription,
                                         std::string_view type, const std::string& text) {
  const Millis now = clock_.now_ms();
  const std::string message_id = random_uuid();
  const std::string token = subscription.token.empty() ? random_token() : subscription.token;
  const std::string subscribe_url = signer_.confirm_url(topic.arn, token);
  SnsDocument doc{.type = type,
                  .message_id = message_id,
                  .topic_arn = topic.arn,
                  .message = text,
                  .timestamp = utc_timestamp(now),
                  .token = token,
                  .subscribe_url = subscribe_url};
  endpoints_.deliver(
      EndpointMessage{.subscription_arn = subscription.arn,
                      .topic_arn = topic.arn,
                      .protocol = subscription.protocol,
                      .endpoint = subscription.endpoint,
                      .message_type = std::string(type),
                      .message_id = message_id,
                      .body = signer_.render(doc, topic.signature_version),
                      .delivery_policy = delivery_policy_of(topic.attributes, subscription),
                      .timestamp = now});
}

}  // namespace eb::sns
