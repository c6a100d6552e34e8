#pragma once
// Subscribe, ConfirmSubscription, Unsubscribe, the subscription lists and subscription
// attributes, over the registry Topics owns; and the SubscriptionConfirmation and
// UnsubscribeConfirmation messages they send.
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "sns/topic_state.hpp"
#include "sns/types.hpp"

namespace eb::sns {

class DocumentSigner;
class EndpointDelivery;
class TopicReplays;

// Owns nothing but its references, which must outlive it. Any thread: changes serialise on the
// registry's write mutex; confirmation messages and replays run after it is released.
class Subscriptions {
 public:
  Subscriptions(const Clock& clock, Registry& registry, const DocumentSigner& signer,
                EndpointDelivery& endpoints, const TopicReplays& replays, std::string account_id)
      : clock_(clock),
        registry_(registry),
        signer_(signer),
        endpoints_(endpoints),
        replays_(replays),
        account_id_(std::move(account_id)) {}

  Result<std::string> subscribe(const SubscribeInput& input);  // -> ARN or "pending confirmation"
  Result<std::string> confirm(const std::string& topic_arn, const std::string& token);
  Result<void> unsubscribe(const std::string& subscription_arn);
  Result<ListSubscriptionsOutput> list(const PageInput& page) const;
  Result<ListSubscriptionsOutput> list_by_topic(const std::string& topic_arn,
                                                const PageInput& page) const;
  Result<AttributeMap> attributes(const std::string& subscription_arn) const;
  Result<void> set_attribute(const std::string& subscription_arn, const std::string& name,
                             const std::string& value);

 private:
  // Runs the subscription's ReplayPolicy, then records ReplayStatus (Completed or Failed).
  void replay(const std::string& subscription_arn);
  void set_replay_status(const std::string& subscription_arn, const std::string& status);
  // A signed SubscriptionConfirmation or UnsubscribeConfirmation for `subscription`.
  void send_control_message(const Topic& topic, const Subscription& subscription,
                            std::string_view type, const std::string& text);

  const Clock& clock_;
  Registry& registry_;
  const DocumentSigner& signer_;
  EndpointDelivery& endpoints_;
  const TopicReplays& replays_;
  const std::string account_id_;
};

}  // namespace eb::sns
