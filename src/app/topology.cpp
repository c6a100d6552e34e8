#include "app/topology.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "matching/filter_policy.hpp"
#include "sns/rules.hpp"
#include "sqs/message_rules.hpp"
#include "sqs/queue_config.hpp"

namespace eb::app {
namespace {

using eb::AttributeMap;

// What GetTopicAttributes and GetSubscriptionAttributes compute rather than store.
constexpr std::array<std::string_view, 7> kTopicComputed = {"TopicArn",
                                                            "Owner",
                                                            "SubscriptionsConfirmed",
                                                            "SubscriptionsPending",
                                                            "SubscriptionsDeleted",
                                                            "EffectiveDeliveryPolicy",
                                                            "BeginningArchiveTime"};
constexpr std::array<std::string_view, 9> kSubscriptionComputed = {"SubscriptionArn",
                                                                   "TopicArn",
                                                                   "Owner",
                                                                   "Protocol",
                                                                   "Endpoint",
                                                                   "PendingConfirmation",
                                                                   "ConfirmationWasAuthenticated",
                                                                   "EffectiveDeliveryPolicy",
                                                                   "BeginningArchiveTime"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

// The AWS-style name of an error code, for messages meant for people.
std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::kInvalidParameterValue:
      return "InvalidParameterValue";
    case Errc::kMissingParameter:
      return "MissingParameter";
    case Errc::kUnsupportedOperation:
      return "UnsupportedOperation";
    case Errc::kOverLimit:
      return "OverLimit";
    case Errc::kServiceUnavailable:
      return "ServiceUnavailable";
    case Errc::kQueueDoesNotExist:
      return "QueueDoesNotExist";
    case Errc::kQueueNameExists:
      return "QueueAlreadyExists";
    case Errc::kQueueDeletedRecently:
      return "QueueDeletedRecently";
    case Errc::kInvalidAttributeName:
      return "InvalidAttributeName";
    case Errc::kInvalidAttributeValue:
      return "InvalidAttributeValue";
    case Errc::kResourceNotFound:
      return "ResourceNotFound";
    case Errc::kNotFound:
      return "NotFound";
    case Errc::kValidationError:
      return "ValidationError";
    case Errc::kTagLimitExceeded:
      return "TagLimitExceeded";
    case Errc::kTopicLimitExceeded:
      return "TopicLimitExceeded";
    case Errc::kSubscriptionLimitExceeded:
      return "SubscriptionLimitExceeded";
    case Errc::kFilterPolicyLimitExceeded:
      return "FilterPolicyLimitExceeded";
    case Errc::kInternalError:
      return "InternalError";
    default:
      return "Error";
  }
}

std::string describe(const std::string& item, const Error& error) {
  return fmt::format("{}: {}: {}", item, errc_name(error.code), error.message);
}

std::string queue_item(const std::string& name) { return "queue " + name; }
std::string topic_item(const std::string& name) { return "topic " + name; }
std::string subscription_item(const config::SubscriptionSpec& s) {
  return fmt::format("subscription {} -> {}:{}", s.topic, s.protocol, s.endpoint);
}

// Policies compare as documents, so that layout differences are not changes.
bool same_value(const std::string& a, const std::string& b) {
  if (a == b) return true;
  const auto is_document = [](const std::string& v) {
    return v.starts_with('{') || v.starts_with('[');
  };
  if (!is_document(a) || !is_document(b)) return false;
  auto ca = config::canonical_json(a);
  return ca && ca == config::canonical_json(b);
}

// Names <-> ARNs of this broker's queues and topics.
class Names {
 public:
  Names(const sqs::Queues& broker, const sns::Topics& topics) : queues_(broker), topics_(topics) {}

  std::string queue_arn(const std::string& name) const { return queues_.queue_arn(name); }
  // A queue name, URL or ARN as an ARN.
  std::string queue_ref_arn(const std::string& ref) const {
    if (ref.starts_with("arn:")) return ref;
    if (auto slash = ref.rfind('/'); slash != std::string::npos) {
      return queues_.queue_arn(ref.substr(slash + 1));
    }
    return queues_.queue_arn(ref);
  }
  // The local queue an ARN names, if it is one of this broker's.
  std::optional<std::string> local_queue(const std::string& arn) const {
    std::string name(sns::arn_resource(arn, "sqs"));
    if (name.empty() || queues_.queue_arn(name) != arn) return std::nullopt;
    return name;
  }
  std::string topic_arn(const std::string& ref) const {
    return ref.starts_with("arn:") ? ref : topics_.topic_arn(ref);
  }
  std::optional<std::string> local_topic(const std::string& arn) const {
    std::string name(sns::arn_resource(arn, "sns"));
    if (name.empty() || topics_.topic_arn(name) != arn) return std::nullopt;
    return name;
  }
  // What a subscription's endpoint is stored as: SQS endpoints are ARNs.
  std::string endpoint(const config::SubscriptionSpec& s) const {
    return s.protocol == "sqs" ? queue_ref_arn(s.endpoint) : s.endpoint;
  }

 private:
  const sqs::Queues& queues_;
  const sns::Topics& topics_;
};

std::string redrive_json(const Names& names, const config::RedriveSpec& r) {
  return fmt::format(R"({{"deadLetterTargetArn":"{}","maxReceiveCount":{}}})",
                     names.queue_ref_arn(r.dead_letter_queue), r.max_receive_count);
}

AttributeMap queue_attributes(const Names& names, const config::QueueSpec& q) {
  AttributeMap out(q.attributes.begin(), q.attributes.end());
  if (q.redrive) out["RedrivePolicy"] = redrive_json(names, *q.redrive);
  return out;
}

AttributeMap subscription_attributes(const config::SubscriptionSpec& s) {
  AttributeMap out(s.attributes.begin(), s.attributes.end());
  if (!s.filter_policy.empty()) out["FilterPolicy"] = s.filter_policy;
  if (!s.filter_policy_scope.empty()) out["FilterPolicyScope"] = s.filter_policy_scope;
  if (s.raw_message_delivery)
    out["RawMessageDelivery"] = *s.raw_message_delivery ? "true" : "false";
  return out;
}

// A queue's configuration rebuilt from what GetQueueAttributes shows.
Result<sqs::QueueConfig> live_queue_config(const sqs::Queues& broker, const std::string& name) {
  EB_ASSIGN_OR_RETURN(const auto all, broker.get_queue_attributes(name, {"All"}));
  AttributeMap settable;
  for (const auto& [k, v] : all) {
    if (sqs::is_settable_queue_attribute(k)) settable[k] = v;
  }
  return sqs::QueueConfig{}.with(settable, true);
}

using SubscriptionKey =
    std::tuple<std::string, std::string, std::string>;  // topic, protocol, endpoint

// Every subscription, by key; ARNs of unconfirmed ones read "PendingConfirmation".
Result<std::map<SubscriptionKey, std::string>> live_subscriptions(const sns::Topics& topics) {
  std::map<SubscriptionKey, std::string> out;
  sns::PageInput page;
  do {
    EB_ASSIGN_OR_RETURN(const auto list, topics.list_subscriptions(page));
    for (const auto& s : list.subscriptions) {
      out.emplace(SubscriptionKey{s.topic_arn, s.protocol, s.endpoint}, s.subscription_arn);
    }
    page.next_token = list.next_token;
  } while (!page.next_token.empty());
  return out;
}

Result<std::vector<std::string>> live_topics(const sns::Topics& topics) {
  std::vector<std::string> out;
  sns::PageInput page;
  do {
    EB_ASSIGN_OR_RETURN(const auto list, topics.list_topics(page));
    out.insert(out.end(), list.topic_arns.begin(), list.topic_arns.end());
    page.next_token = list.next_token;
  } while (!page.next_token.empty());
  return out;
}

Result<std::vector<std::string>> live_queues(const sqs::Queues& broker) {
  std::vector<std::string> out;
  sqs::ListQueuesInput page;
  page.max_results = 1000;
  do {
    EB_ASSIGN_OR_RETURN(const auto list, broker.list_queues(page));
    out.insert(out.end(), list.names.begin(), list.names.end());
    page.next_token = list.next_token;
  } while (!page.next_token.empty());
  return out;
}

// Runs the changes and records them; the first broker error ends the apply.
class Applier {
 public:
  Applier(sqs::Queues& broker, sns::Topics& topics, const config::Topology& topology)
      : queues_(broker), topics_(topics), topology_(topology), names_(broker, topics) {}

  Result<ApplyReport> run() {
    if (auto problems = validate(); !problems.empty()) {
      std::string message;
      for (const auto& p : problems) message += (message.empty() ? "" : "\n") + p;
      return fail(Errc::kInvalidParameterValue, std::move(message));
    }
    if (auto ok = apply_queues(); !ok) return failed(ok.error());
    if (auto ok = apply_topics(); !ok) return failed(ok.error());
    if (auto ok = apply_subscriptions(); !ok) return failed(ok.error());
    if (topology_.prune) {
      if (auto ok = prune(); !ok) return failed(ok.error());
    }
    return report_;
  }

 private:
  // --- checks before any change --------------------------------------------------------------

  std::vector<std::string> validate() {
    std::vector<std::string> problems;
    const auto problem = [&](const std::string& item, const Error& e) {
      problems.push_back(describe(item, e));
    };
    std::set<std::string> declared_queues;
    for (const auto& q : topology_.queues) declared_queues.insert(q.name);
    std::set<std::string> declared_topics;
    for (const auto& t : topology_.topics) declared_topics.insert(topics_.topic_arn(t.name));

    // A local queue that exists or will; other accounts' queues are not ours to check.
    const auto queue_known = [&](const std::string& arn) {
      auto name = names_.local_queue(arn);
      if (!name) return true;
      if (declared_queues.contains(*name)) return true;
      return !topology_.prune && queues_.get_queue(*name).has_value();
    };

    for (const auto& q : topology_.queues) {
      const std::string item = queue_item(q.name);
      if (!sqs::is_valid_queue_name(q.name)) {
        problem(item, {Errc::kInvalidParameterValue,
                       "Can only include alphanumeric characters, hyphens, or underscores. 1 to "
                       "80 in length"});
        continue;
      }
      const AttributeMap wanted = queue_attributes(names_, q);
      Result<sqs::QueueConfig> config;
      if (queues_.get_queue(q.name)) {
        auto live = live_queue_config(queues_, q.name);
        config = live ? live->with(wanted, false) : live;
      } else {
        config = sqs::QueueConfig{}.with(wanted, true);
        if (config && config->fifo) {
          config = fail(Errc::kUnsupportedOperation, "FIFO queues are not supported yet.");
        }
      }
      if (!config) problem(item, config.error());
      if (q.redrive && !queue_known(names_.queue_ref_arn(q.redrive->dead_letter_queue))) {
        problem(item, {Errc::kInvalidParameterValue,
                       fmt::format("redrive: dead-letter queue {} is not declared{}",
                                   q.redrive->dead_letter_queue,
                                   topology_.prune ? "" : " and does not exist")});
      }
    }

    for (const auto& t : topology_.topics) {
      const std::string item = topic_item(t.name);
      auto fifo = t.attributes.find("FifoTopic");
      const bool wants_fifo = fifo != t.attributes.end() && fifo->second == "true";
      if (!sns::is_valid_topic_name(t.name, wants_fifo)) {
        problem(item, {Errc::kInvalidParameterValue, "Invalid parameter: Topic Name"});
        continue;
      }
      auto live = topics_.get_topic_attributes(topics_.topic_arn(t.name));
      if (live && fifo != t.attributes.end()) {
        auto have = live->find("FifoTopic");
        const std::string current = have == live->end() ? "false" : have->second;
        if (current != fifo->second) {
          problem(item, {Errc::kInvalidParameterValue,
                         fmt::format("FifoTopic is {} and cannot change", current)});
        }
      }
    }

    for (const auto& s : topology_.subscriptions) {
      const std::string item = subscription_item(s);
      const std::string topic_arn = names_.topic_arn(s.topic);
      const bool topic_known =
          declared_topics.contains(topic_arn) ||
          (!topology_.prune && topics_.get_topic_attributes(topic_arn).has_value());
      if (!topic_known) {
        problem(item, {Errc::kNotFound, fmt::format("topic {} is not declared{}", s.topic,
                                                    topology_.prune ? "" : " and does not exist")});
      }
      const std::string endpoint = names_.endpoint(s);
      if (auto ok = sns::validate_endpoint(s.protocol, endpoint); !ok) {
        problem(item, ok.error());
        continue;
      }
      if (s.protocol == "sqs" && !queue_known(endpoint)) {
        problem(item, {Errc::kQueueDoesNotExist,
                       fmt::format("queue {} is not declared{}", s.endpoint,
                                   topology_.prune ? "" : " and does not exist")});
      }
      if (!s.filter_policy.empty()) {
        auto compiled = matching::FilterPolicy::compile(
            s.filter_policy, s.filter_policy_scope == "MessageBody"
                                 ? matching::FilterPolicyScope::kMessageBody
                                 : matching::FilterPolicyScope::kMessageAttributes);
        if (!compiled) problem(item, compiled.error());
      }
    }
    return problems;
  }

  // --- changes -------------------------------------------------------------------------------

  Result<void> apply_queues() {
    // Every missing queue first, without its RedrivePolicy, so that each dead-letter queue
    // exists before a queue is pointed at it, whatever order the file lists them in.
    std::set<std::string> created;
    for (const auto& q : topology_.queues) {
      if (queues_.get_queue(q.name)) continue;
      AttributeMap attributes(q.attributes.begin(), q.attributes.end());
      attributes.erase("RedrivePolicy");  // set below, once every queue exists
      eb::TagMap tags(q.tags.begin(), q.tags.end());
      auto ok = queues_.create_queue({q.name, attributes, tags});
      if (!ok) return fail(ok.error().code, describe(queue_item(q.name), ok.error()));
      report_.created.push_back(queue_item(q.name));
      created.insert(q.name);
    }
    for (const auto& q : topology_.queues) {
      const std::string item = queue_item(q.name);
      const AttributeMap wanted = queue_attributes(names_, q);
      auto live = live_queue_config(queues_, q.name);
      if (!live) return fail(live.error().code, describe(item, live.error()));
      auto next = live->with(wanted, false);
      if (!next) return fail(next.error().code, describe(item, next.error()));
      AttributeMap changes;
      for (const auto& [name, value] : wanted) {
        if (next->rendered(name) != live->rendered(name)) changes[name] = value;
      }
      bool updated = false;
      if (!changes.empty()) {
        auto ok = queues_.set_queue_attributes(q.name, changes);
        if (!ok) return fail(ok.error().code, describe(item, ok.error()));
        // Setting the RedrivePolicy of a queue just created completes its creation.
        updated = !created.contains(q.name);
      }
      auto tags = queues_.list_queue_tags(q.name);
      if (!tags) return fail(tags.error().code, describe(item, tags.error()));
      eb::TagMap tag_changes;
      for (const auto& [k, v] : q.tags) {
        if (auto it = tags->find(k); it == tags->end() || it->second != v) tag_changes[k] = v;
      }
      if (!tag_changes.empty()) {
        auto ok = queues_.tag_queue(q.name, tag_changes);
        if (!ok) return fail(ok.error().code, describe(item, ok.error()));
        updated = true;
      }
      if (updated) report_.updated.push_back(item);
    }
    return {};
  }

  Result<void> apply_topics() {
    for (const auto& t : topology_.topics) {
      const std::string item = topic_item(t.name);
      const std::string arn = topics_.topic_arn(t.name);
      auto live = topics_.get_topic_attributes(arn);
      if (!live) {
        auto ok = topics_.create_topic({t.name,
                                        AttributeMap(t.attributes.begin(), t.attributes.end()),
                                        eb::TagMap(t.tags.begin(), t.tags.end()),
                                        {}});
        if (!ok) return fail(ok.error().code, describe(item, ok.error()));
        report_.created.push_back(item);
        continue;
      }
      bool updated = false;
      for (const auto& [name, value] : t.attributes) {
        if (name == "FifoTopic") continue;  // checked: it cannot change
        auto have = live->find(name);
        if (have != live->end() && same_value(have->second, value)) continue;
        if (have == live->end() && value.empty()) continue;
        auto ok = topics_.set_topic_attributes(arn, name, value);
        if (!ok) return fail(ok.error().code, describe(item, ok.error()));
        updated = true;
      }
      auto tags = topics_.list_tags_for_resource(arn);
      if (!tags) return fail(tags.error().code, describe(item, tags.error()));
      eb::TagMap tag_changes;
      for (const auto& [k, v] : t.tags) {
        if (auto it = tags->find(k); it == tags->end() || it->second != v) tag_changes[k] = v;
      }
      if (!tag_changes.empty()) {
        auto ok = topics_.tag_resource(arn, tag_changes);
        if (!ok) return fail(ok.error().code, describe(item, ok.error()));
        updated = true;
      }
      if (updated) report_.updated.push_back(item);
    }
    return {};
  }

  // The ARN of an existing subscription; unconfirmed ones are listed without theirs, and
  // Subscribe with ReturnSubscriptionArn gives it back without changing anything.
  Result<std::string> subscription_arn(const SubscriptionKey& key, const std::string& listed) {
    if (listed != "PendingConfirmation") return listed;
    const auto& [topic_arn, protocol, endpoint] = key;
    return topics_.subscribe({topic_arn, protocol, endpoint, {}, true});
  }

  Result<void> apply_subscriptions() {
    EB_ASSIGN_OR_RETURN(const auto live, live_subscriptions(topics_));
    for (const auto& s : topology_.subscriptions) {
      const std::string item = subscription_item(s);
      const SubscriptionKey key{names_.topic_arn(s.topic), s.protocol, names_.endpoint(s)};
      const AttributeMap wanted = subscription_attributes(s);
      auto found = live.find(key);
      if (found == live.end()) {
        auto ok =
            topics_.subscribe({std::get<0>(key), std::get<1>(key), std::get<2>(key), wanted, true});
        if (!ok) return fail(ok.error().code, describe(item, ok.error()));
        report_.created.push_back(item);
        continue;
      }
      auto arn = subscription_arn(key, found->second);
      if (!arn) return fail(arn.error().code, describe(item, arn.error()));
      auto have = topics_.get_subscription_attributes(*arn);
      if (!have) return fail(have.error().code, describe(item, have.error()));
      std::vector<std::pair<std::string, std::string>> changes;
      for (const auto& [name, value] : wanted) {
        auto it = have->find(name);
        const std::string current = it == have->end() ? std::string() : it->second;
        if (!same_value(current, value)) changes.emplace_back(name, value);
      }
      // A policy is compiled with the scope in force when it is set: a MessageBody scope goes
      // in before the policy that needs it, a MessageAttributes scope after the policy.
      const bool body_scope =
          wanted.contains("FilterPolicyScope") && wanted.at("FilterPolicyScope") == "MessageBody";
      std::stable_sort(changes.begin(), changes.end(), [&](const auto& a, const auto& b) {
        const auto rank = [&](const std::string& n) {
          if (n == "FilterPolicyScope") return body_scope ? 0 : 2;
          if (n == "FilterPolicy") return 1;
          return 3;
        };
        return rank(a.first) < rank(b.first);
      });
      for (const auto& [name, value] : changes) {
        auto ok = topics_.set_subscription_attributes(*arn, name, value);
        if (!ok) return fail(ok.error().code, describe(item, ok.error()));
      }
      if (!changes.empty()) report_.updated.push_back(item);
    }
    return {};
  }

  Result<void> prune() {
    std::set<SubscriptionKey> wanted_subscriptions;
    for (const auto& s : topology_.subscriptions) {
      wanted_subscriptions.insert({names_.topic_arn(s.topic), s.protocol, names_.endpoint(s)});
    }
    EB_ASSIGN_OR_RETURN(const auto subscriptions, live_subscriptions(topics_));
    for (const auto& [key, listed] : subscriptions) {
      if (wanted_subscriptions.contains(key)) continue;
      const auto& [topic_arn, protocol, endpoint] = key;
      const std::string item =
          fmt::format("subscription {} -> {}:{}", topic_arn, protocol, endpoint);
      auto arn = subscription_arn(key, listed);
      if (!arn) return fail(arn.error().code, describe(item, arn.error()));
      if (auto ok = topics_.unsubscribe(*arn); !ok) {
        return fail(ok.error().code, describe(item, ok.error()));
      }
      report_.deleted.push_back(item);
    }

    std::set<std::string> wanted_topics;
    for (const auto& t : topology_.topics) wanted_topics.insert(topics_.topic_arn(t.name));
    EB_ASSIGN_OR_RETURN(const auto topic_arns, live_topics(topics_));
    for (const auto& arn : topic_arns) {
      if (wanted_topics.contains(arn)) continue;
      const std::string item = topic_item(names_.local_topic(arn).value_or(arn));
      if (auto ok = topics_.delete_topic(arn); !ok) {
        return fail(ok.error().code, describe(item, ok.error()));
      }
      report_.deleted.push_back(item);
    }

    std::set<std::string> wanted_queues;
    for (const auto& q : topology_.queues) wanted_queues.insert(q.name);
    EB_ASSIGN_OR_RETURN(const auto queues, live_queues(queues_));
    for (const auto& name : queues) {
      if (wanted_queues.contains(name)) continue;
      if (auto ok = queues_.delete_queue(name); !ok) {
        return fail(ok.error().code, describe(queue_item(name), ok.error()));
      }
      report_.deleted.push_back(queue_item(name));
    }
    return {};
  }

  // A broker error part-way: say what had changed before it.
  std::unexpected<Error> failed(Error error) {
    if (report_.changed()) {
      error.message += " (applied before the error: " + report_.summary() + ")";
    }
    return std::unexpected(std::move(error));
  }

  sqs::Queues& queues_;
  sns::Topics& topics_;
  const config::Topology& topology_;
  Names names_;
  ApplyReport report_;
};

// --- export ----------------------------------------------------------------------------------

config::StringMap exported_queue_attributes(const AttributeMap& live,
                                            std::optional<config::RedriveSpec>& redrive,
                                            const Names& names) {
  const AttributeMap defaults = sqs::QueueConfig{}.render();
  config::StringMap out;
  for (const auto& [name, value] : live) {
    if (!sqs::is_settable_queue_attribute(name)) continue;
    if (auto d = defaults.find(name); d != defaults.end() && d->second == value) continue;
    if (name == "RedrivePolicy") {
      auto parsed = sqs::QueueConfig{}.with({{name, value}}, true);
      if (parsed && parsed->redrive_policy) {
        const auto& policy = *parsed->redrive_policy;
        redrive = config::RedriveSpec{names.local_queue(policy.dead_letter_target_arn)
                                          .value_or(policy.dead_letter_target_arn),
                                      policy.max_receive_count};
        continue;
      }
    }
    out[name] = value;
  }
  return out;
}

config::StringMap exported_topic_attributes(const AttributeMap& live) {
  config::StringMap out;
  for (const auto& [name, value] : live) {
    if (contains(kTopicComputed, name)) continue;
    // The defaults GetTopicAttributes fills in.
    if (name == "DisplayName" && value.empty()) continue;
    if (name == "Policy" && value.find("\"__default_policy_ID\"") != std::string::npos) continue;
    if ((name == "FifoTopic" || name == "ContentBasedDeduplication") && value == "false") continue;
    out[name] = value;
  }
  return out;
}

}  // namespace

std::string ApplyReport::summary() const {
  const auto part = [](std::size_t n, const char* what, const std::vector<std::string>& items) {
    std::string out = fmt::format("{} {}", n, what);
    if (!items.empty()) out += " (" + fmt::format("{}", fmt::join(items, ", ")) + ")";
    return out;
  };
  return fmt::format("{}, {}, {}", part(created.size(), "created", created),
                     part(updated.size(), "updated", updated),
                     part(deleted.size(), "deleted", deleted));
}

Result<ApplyReport> apply_topology(sqs::Queues& broker, sns::Topics& topics,
                                   const config::Topology& topology) {
  return Applier(broker, topics, topology).run();
}

config::Topology export_topology(const sqs::Queues& broker, const sns::Topics& topics) {
  const Names names(broker, topics);
  config::Topology out;

  if (auto queues = live_queues(broker)) {
    for (const auto& name : *queues) {
      auto attributes = broker.get_queue_attributes(name, {"All"});
      if (!attributes) continue;  // deleted meanwhile
      config::QueueSpec q;
      q.name = name;
      q.attributes = exported_queue_attributes(*attributes, q.redrive, names);
      if (auto tags = broker.list_queue_tags(name)) q.tags = {tags->begin(), tags->end()};
      out.queues.push_back(std::move(q));
    }
  }

  if (auto arns = live_topics(topics)) {
    for (const auto& arn : *arns) {
      auto attributes = topics.get_topic_attributes(arn);
      if (!attributes) continue;
      config::TopicSpec t;
      t.name = std::string(sns::arn_resource(arn, "sns"));
      t.attributes = exported_topic_attributes(*attributes);
      if (auto tags = topics.list_tags_for_resource(arn)) t.tags = {tags->begin(), tags->end()};
      out.topics.push_back(std::move(t));
    }
  }

  if (auto subscriptions = live_subscriptions(topics)) {
    for (const auto& [key, arn] : *subscriptions) {
      const auto& [topic_arn, protocol, endpoint] = key;
      config::SubscriptionSpec s;
      s.topic = names.local_topic(topic_arn).value_or(topic_arn);
      s.protocol = protocol;
      s.endpoint = endpoint;
      if (protocol == "sqs") {
        if (auto name = names.local_queue(endpoint); name && broker.get_queue(*name)) {
          s.endpoint = *name;
        }
      }
      // Unconfirmed subscriptions are listed without an ARN to read attributes through.
      auto attributes = arn == "PendingConfirmation" ? Result<AttributeMap>(AttributeMap{})
                                                     : topics.get_subscription_attributes(arn);
      if (attributes) {
        for (const auto& [name, value] : *attributes) {
          if (contains(kSubscriptionComputed, name)) continue;
          if (name == "FilterPolicy") {
            s.filter_policy = config::canonical_json(value).value_or(value);
          } else if (name == "FilterPolicyScope") {
            if (value != "MessageAttributes") s.filter_policy_scope = value;
          } else if (name == "RawMessageDelivery") {
            if (value == "true") s.raw_message_delivery = true;
          } else {
            s.attributes[name] = value;
          }
        }
      }
      out.subscriptions.push_back(std::move(s));
    }
    std::sort(out.subscriptions.begin(), out.subscriptions.end(), [](const auto& a, const auto& b) {
      return std::tie(a.topic, a.protocol, a.endpoint) < std::tie(b.topic, b.protocol, b.endpoint);
    });
  }
  return out;
}

}  // namespace eb::app
