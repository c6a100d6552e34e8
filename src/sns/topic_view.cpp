// The admin API's read-only view of topics and its filter-policy tester: the Topics calls
// declared in topics.hpp for them. Snapshots only; nothing here takes the registry's mutex.
#include "matching/filter_policy.hpp"
#include "sns/rules.hpp"
#include "sns/topics.hpp"

namespace eb::sns {
namespace {

constexpr std::string_view kAttributesScope = "MessageAttributes";
constexpr std::string_view kBodyScope = "MessageBody";

TopicSummary summary_of(const Topic& t) {
  TopicSummary s;
  s.name = t.name;
  s.arn = t.arn;
  s.fifo = t.fifo;
  for (const auto& sub : t.subscriptions) ++(sub->confirmed ? s.confirmed : s.pending);
  const TopicCounts counts = t.counters->read();
  s.published = counts[TopicCount::kPublished];
  s.delivered = counts[TopicCount::kDeliveredToQueues] + counts[TopicCount::kToEndpoints];
  s.failed = counts[TopicCount::kFailedToQueues];
  s.filtered_out = counts[TopicCount::kFilteredOut];
  s.created = t.created;
  return s;
}

std::string attribute_of(const Subscription& sub, const char* name) {
  auto it = sub.attributes.find(name);
  return it == sub.attributes.end() ? std::string() : it->second;
}

}  // namespace

std::vector<TopicSummary> Topics::topic_summaries(std::string_view prefix) const {
  auto state = registry_.snapshot();
  std::vector<TopicSummary> out;
  // By ARN is by name: every ARN of this registry has the same region and account.
  for (const auto& [arn, topic] : state->topics) {
    if (topic->name.starts_with(prefix)) out.push_back(summary_of(*topic));
  }
  return out;
}

Result<TopicSummary> Topics::topic_summary(const std::string& name) const {
  auto state = registry_.snapshot();
  EB_ASSIGN_OR_RETURN(auto topic, require_topic(*state, topic_arn(name)));
  return summary_of(*topic);
}

Result<std::vector<SubscriptionView>> Topics::topic_subscriptions(const std::string& name) const {
  auto state = registry_.snapshot();
  EB_ASSIGN_OR_RETURN(auto topic, require_topic(*state, topic_arn(name)));
  std::vector<SubscriptionView> out;
  out.reserve(topic->subscriptions.size());
  for (const auto& sub : topic->subscriptions) {
    SubscriptionView v{.arn = sub->arn,
                       .protocol = sub->protocol,
                       .endpoint = sub->endpoint,
                       .confirmed = sub->confirmed,
                       .raw = sub->raw,
                       .filter_policy = attribute_of(*sub, "FilterPolicy"),
                       .redrive_policy = attribute_of(*sub, "RedrivePolicy"),
                       .dead_letter_arn = sub->dead_letter_arn,
                       .created = sub->created};
    if (!v.filter_policy.empty()) {
      v.filter_policy_scope = attribute_of(*sub, "FilterPolicyScope");
      if (v.filter_policy_scope.empty()) v.filter_policy_scope = kAttributesScope;
    }
    out.push_back(std::move(v));
  }
  return out;
}

Result<bool> Topics::test_filter_policy(const FilterPolicyTest& test) {
  const std::string scope = test.scope.empty() ? std::string(kAttributesScope) : test.scope;
  EB_TRY(validate_subscription_attribute("FilterPolicyScope", scope, "sqs"));
  EB_TRY(validate_publish_attributes(test.attributes));
  // An empty FilterPolicy is no policy (SetSubscriptionAttributes removes it so): all pass.
  if (test.policy.empty()) return true;
  EB_ASSIGN_OR_RETURN(
      auto policy,
      matching::FilterPolicy::compile(
          test.policy, scope == kBodyScope ? matching::FilterPolicyScope::kMessageBody
                                           : matching::FilterPolicyScope::kMessageAttributes));
  return policy.matches_message(test.attributes, test.message);  // as the fan-out decides
}

}  // namespace eb::sns
