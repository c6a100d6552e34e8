#include "sns/topics.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "core/encoding.hpp"
#include "sns/records.hpp"
#include "sns/rules.hpp"
#include "sqs/queues.hpp"
#include "sqs/records.hpp"
#include "storage/engine.hpp"
#include "storage/keys.hpp"

namespace eb::sns {

Result<std::shared_ptr<const MessageSigner>> load_signing_key(storage::Engine& engine) {
  static constexpr std::string_view kKeyName = "sns/signing_key";
  static constexpr std::string_view kCertName = "sns/signing_certificate";
  static constexpr std::string_view kIdName = "sns/signing_certificate_id";  // since 2026-12
  EB_ASSIGN_OR_RETURN(auto key, engine.get(storage::Family::kMeta, kKeyName));
  EB_ASSIGN_OR_RETURN(auto cert, engine.get(storage::Family::kMeta, kCertName));
  EB_ASSIGN_OR_RETURN(auto id, engine.get(storage::Family::kMeta, kIdName));
  if (key && cert) {
    EB_ASSIGN_OR_RETURN(MessageSigner signer,
                        MessageSigner::from_pem(*key, *cert, id.value_or(std::string())));
    return std::make_shared<const MessageSigner>(std::move(signer));
  }
  // Made when first needed (a topic's creation prefetches it), never on the start path; stored
  // before the first signature, so a crash loses no key a message was signed with. The engine
  // outlives the signer, whose destruction waits for a prefetch under way.
  auto stored = [&engine](const std::string& key_pem, const std::string& cert_pem,
                          const std::string& certificate_id) {
    storage::Batch batch;
    batch.put(storage::Family::kMeta, std::string(kKeyName), key_pem);
    batch.put(storage::Family::kMeta, std::string(kCertName), cert_pem);
    batch.put(storage::Family::kMeta, std::string(kIdName), certificate_id);
    if (auto written = engine.write(batch); !written) {
      spdlog::error("SNS signing key not stored (a restart makes a new one): {}",
                    written.error().message);
    }
  };
  return std::make_shared<const MessageSigner>(
      MessageSigner::generate_lazily("sns.eventbrokerd.local", std::move(stored)));
}

Topics::Topics(const Clock& clock, storage::Engine& engine, sqs::Queues& queues,
               std::shared_ptr<const MessageSigner> signer, EndpointDelivery& endpoints,
               TopicsOptions options, storage::EventSink* events)
    : clock_(clock),
      engine_(engine),
      queues_(queues),
      options_(std::move(options)),
      signer_(std::move(signer), options_.base_url),
      registry_(engine),
      dead_letters_(queues),
      publisher_(clock, FanoutTargets{.engine = engine,
                                      .events = events,
                                      .queues = queues,
                                      .endpoints = endpoints,
                                      .signer = signer_,
                                      .dead_letters = dead_letters_,
                                      .sign_sqs_envelopes = options_.sign_sqs_envelopes}),
      replays_(clock, publisher_),
      subscriptions_(clock, registry_, signer_, endpoints, replays_, queues.options().account_id),
      platforms_(
          clock, engine, endpoints,
          fmt::format("arn:aws:sns:{}:{}:", queues.options().region, queues.options().account_id)),
      sms_(clock, engine, endpoints) {}

Topics::~Topics() = default;

void Topics::when_durable(std::function<void()> done) { queues_.when_durable(std::move(done)); }

std::string Topics::topic_arn(const std::string& name) const {
  return fmt::format("arn:aws:sns:{}:{}:{}", queues_.options().region, queues_.options().account_id,
                     name);
}

Result<void> Topics::replace_topic_locked(const RegistryState& current,
                                          std::shared_ptr<Topic> changed) {
  auto next = std::make_shared<RegistryState>(current);
  storage::Batch batch;
  batch.put(storage::Family::kTopics, changed->arn, encode(to_record(*changed)));
  next->topics[changed->arn] = changed;
  return registry_.commit_locked(std::move(next), batch);
}

Result<void> Topics::recover() {
  auto next = std::make_shared<RegistryState>();
  std::vector<TopicRecord> topics;
  std::string undecodable;
  auto scanned = engine_.scan(storage::Family::kTopics, {}, {},
                              [&](std::string_view key, std::string_view value) {
                                auto r = decode_topic(value);
                                if (!r) {
                                  undecodable = std::string(key);
                                  return false;
                                }
                                topics.push_back(std::move(*r));
                                return true;
                              });
  EB_TRY(std::move(scanned));
  if (!undecodable.empty()) {
    return fail(Errc::kInternalError, "undecodable topic record " + undecodable);
  }
  std::map<std::string, std::shared_ptr<Topic>> building;
  for (auto& r : topics) {
    auto t = std::make_shared<Topic>();
    t->name = r.name;
    t->arn = topic_arn(r.name);
    t->attributes = std::move(r.attributes);
    t->tags = std::move(r.tags);
    t->data_protection_policy = std::move(r.data_protection_policy);
    t->created = r.created;
    derive_topic_fields(*t);
    building.emplace(t->arn, t);
  }
  storage::Batch sweep;
  auto subs_scanned = engine_.scan(
      storage::Family::kSubscriptions, {}, {}, [&](std::string_view key, std::string_view value) {
        auto r = decode_subscription(value);
        auto topic = r ? building.find(r->topic_arn) : building.end();
        if (topic == building.end()) {
          sweep.erase(storage::Family::kSubscriptions, std::string(key));
          return true;
        }
        Subscription s{.arn = r->arn,
                       .topic_arn = r->topic_arn,
                       .protocol = r->protocol,
                       .endpoint = r->endpoint,
                       .owner = r->owner,
                       .attributes = r->attributes,
                       .confirmed = r->confirmed,
                       .token = r->token,
                       .created = r->created};
        auto built = build_subscription(std::move(s));
        if (!built) {
          // Stored by an older release with laxer rules: keep it, without the failing part.
          return true;
        }
        std::shared_ptr<const Subscription> shared = std::move(*built);
        topic->second->subscriptions.push_back(shared);
        next->subscriptions.emplace(shared->arn, shared);
        return true;
      });
  EB_TRY(std::move(subs_scanned));
  for (auto& [arn, t] : building) {
    if (t->fifo) EB_TRY(restore_fifo_state(*t, sweep));
    std::sort(t->subscriptions.begin(), t->subscriptions.end(),
              [](const auto& a, const auto& b) { return a->created < b->created; });
    next->topics.emplace(arn, std::move(t));
  }
  if (!sweep.empty()) (void)engine_.write(sweep);
  if (!next->topics.empty()) signer_.signer().prefetch();
  registry_.install(std::move(next));
  EB_TRY(platforms_.recover());
  return sms_.recover();
}

Result<PublishOutput> Topics::publish(PublishInput input) {
  const bool one_target =
      input.topic_arn.empty() + input.target_arn.empty() + input.phone_number.empty() == 2;
  if (one_target && is_endpoint_arn(input.target_arn)) return platforms_.publish(input);
  if (one_target && !input.phone_number.empty()) {
    auto opted_out = sms_.is_opted_out(input.phone_number);
    if (opted_out && *opted_out && !input.message.empty()) {
      return PublishOutput{.message_id = random_uuid()};
    }
  }
  return publisher_.publish(*registry_.snapshot(), std::move(input));
}

Result<void> Topics::restore_fifo_state(Topic& topic, storage::Batch& sweep) {
  FifoState& fifo = *topic.fifo_state;
  const std::string seq_prefix = topic_seq_prefix(topic.arn);
  auto ceilings = engine_.scan(storage::Family::kMeta, seq_prefix, seq_prefix + '\xff',
                               [&](std::string_view key, std::string_view) {
                                 if (key.size() == seq_prefix.size() + 8) {
                                   fifo.ceiling_written =
                                       std::max(fifo.ceiling_written,
                                                storage::read_u64(key, seq_prefix.size()));
                                 }
                                 return true;
                               });
  EB_TRY(std::move(ceilings));
  fifo.sequence = sqs::SequenceCounter(fifo.ceiling_written);
  const Millis now = clock_.now_ms();
  const std::string dedup_prefix = topic_dedup_prefix(topic.arn);
  std::vector<sqs::DedupWindow::Listed> window;
  // Records keyed by the text of their key (written before keys were hashed) move under the
  // hash in the sweep, which recovery writes as one batch.
  auto entries =
      engine_.scan(storage::Family::kMeta, dedup_prefix, dedup_prefix + '\xff',
                   [&](std::string_view key, std::string_view value) {
                     const std::string_view stored = key.substr(dedup_prefix.size());
                     auto record = sqs::decode_dedup(value);
                     const auto id = record ? parse_uuid(record->message_id) : std::nullopt;
                     if (!record || !id || record->sent + fifo.dedup.interval() <= now) {
                       sweep.erase(storage::Family::kMeta, std::string(key));
                       return true;
                     }
                     std::optional<sqs::DedupKey> hashed = sqs::parse_dedup_window_key(stored);
                     if (!hashed) {
                       hashed = sqs::DedupWindow::key_of_text(stored);
                       sweep.erase(storage::Family::kMeta, std::string(key));
                       sweep.put(storage::Family::kMeta,
                                 dedup_prefix + sqs::dedup_window_key(*hashed), std::string(value));
                     }
                     window.push_back({*hashed, sqs::DedupEntry{*id, record->seq, record->sent}});
                     return true;
                   });
  fifo.dedup.restore(std::move(window));
  return entries;
}

// --- topics ----------------------------------------------------------------------------------

Result<std::string> Topics::create_topic(const CreateTopicInput& input) {
  auto fifo_attr = input.attributes.find("FifoTopic");
  const bool fifo = fifo_attr != input.attributes.end() && fifo_attr->second == "true";
  if (!is_valid_topic_name(input.name, fifo)) {
    return fail(Errc::kInvalidParameterValue,
                fifo || input.name.ends_with(".fifo")
                    ? "Invalid parameter: Fifo Topic names must end with .fifo and must be made "
                      "up of only uppercase and lowercase ASCII letters, numbers, underscores, "
                      "and hyphens, and must be between 1 and 256 characters long."
                    : "Invalid parameter: Topic Name");
  }
  for (const auto& [name, value] : input.attributes) {
    EB_TRY(validate_topic_attribute(name, value, fifo, true));
  }
  EB_TRY(validate_tags(input.tags));
  if (input.tags.size() > kMaxTags) {
    return fail(Errc::kTagLimitExceeded,
                "Could not complete request: tag quota of per resource exceeded");
  }

  const std::string arn = topic_arn(input.name);
  std::lock_guard lock(registry_.write_mutex());
  auto current = registry_.snapshot();
  if (auto it = current->topics.find(arn); it != current->topics.end()) {
    // Idempotent: the same name with the same (or no) attributes and tags is the same topic.
    const Topic& existing = *it->second;
    for (const auto& [name, value] : input.attributes) {
      auto have = existing.attributes.find(name);
      const std::string fallback = name == "FifoTopic" ? "false" : "";
      if ((have == existing.attributes.end() ? fallback : have->second) != value) {
        return fail(Errc::kInvalidParameterValue,
                    "Invalid parameter: Attributes Reason: Topic already exists with different "
                    "attributes");
      }
    }
    for (const auto& [key, value] : input.tags) {
      auto have = existing.tags.find(key);
      if (have == existing.tags.end() || have->second != value) {
        return fail(Errc::kInvalidParameterValue,
                    "Invalid parameter: Tags Reason: Topic already exists with different tags");
      }
    }
    return arn;
  }
  if (current->topics.size() >= options_.max_topics) {
    return fail(Errc::kTopicLimitExceeded, "Topic limit exceeded");
  }
  auto topic = std::make_shared<Topic>();
  topic->name = input.name;
  topic->arn = arn;
  topic->attributes = input.attributes;
  topic->tags = input.tags;
  topic->data_protection_policy = input.data_protection_policy;
  topic->created = clock_.now_ms();
  note_archive_start(*topic, topic->created);
  derive_topic_fields(*topic);

  auto next = std::make_shared<RegistryState>(*current);
  next->topics.emplace(arn, topic);
  storage::Batch batch;
  batch.put(storage::Family::kTopics, arn, encode(to_record(*topic)));
  EB_TRY(registry_.commit_locked(std::move(next), batch));
  signer_.signer().prefetch();  // a topic's deliveries are signed: have the key by then
  return arn;
}

Result<void> Topics::delete_topic(const std::string& topic_arn) {
  if (arn_resource(topic_arn, "sns").empty()) {
    return fail(Errc::kInvalidParameterValue, "Invalid parameter: TopicArn");
  }
  std::lock_guard lock(registry_.write_mutex());
  auto current = registry_.snapshot();
  auto it = current->topics.find(topic_arn);
  if (it == current->topics.end()) return {};  // idempotent, as AWS documents
  auto next = std::make_shared<RegistryState>(*current);
  storage::Batch batch;
  for (const auto& s : it->second->subscriptions) {
    next->subscriptions.erase(s->arn);
    batch.erase(storage::Family::kSubscriptions, s->arn);
  }
  next->topics.erase(topic_arn);
  batch.erase(storage::Family::kTopics, topic_arn);
  // A FIFO topic's publishes hold its FIFO mutex through their write: taking it here orders
  // this erase after any publish in progress, and marks the state so none follows.
  const std::shared_ptr<FifoState> fifo = it->second->fifo_state;
  std::unique_lock<std::mutex> fifo_lock;
  if (fifo) fifo_lock = std::unique_lock(fifo->mu);
  for (const std::string& prefix : {topic_dedup_prefix(topic_arn), topic_seq_prefix(topic_arn)}) {
    batch.erase_range(storage::Family::kMeta, prefix, prefix + '\xff');
  }
  auto committed = registry_.commit_locked(std::move(next), batch);
  if (committed && fifo) fifo->deleted = true;
  if (committed) deleted_counts_ += it->second->counters->read();
  return committed;
}

Topics::Stats Topics::stats() {
  Stats out;
  std::shared_ptr<const RegistryState> state;
  {
    std::lock_guard lock(registry_.write_mutex());  // a deleted topic is counted once
    state = registry_.snapshot();
    out.deleted = deleted_counts_;
  }
  out.topics.reserve(state->topics.size());
  for (const auto& [arn, topic] : state->topics) {
    out.topics.push_back(
        {topic->name, topic->fifo, topic->subscriptions.size(), topic->counters->read()});
  }
  return out;
}

Result<std::size_t> Topics::reset() {
  std::lock_guard lock(registry_.write_mutex());
  auto current = registry_.snapshot();
  storage::Batch batch;
  // As delete_topic, for every topic: each FIFO mutex orders the erase after a publish in
  // progress and marks its state so none follows.
  std::vector<std::unique_lock<std::mutex>> fifo_locks;
  std::vector<std::shared_ptr<FifoState>> fifos;
  for (const auto& [arn, topic] : current->topics) {
    batch.erase(storage::Family::kTopics, arn);
    for (const std::string& prefix : {topic_dedup_prefix(arn), topic_seq_prefix(arn)}) {
      batch.erase_range(storage::Family::kMeta, prefix, prefix + '\xff');
    }
    if (topic->fifo_state) {
      fifos.push_back(topic->fifo_state);
      fifo_locks.emplace_back(topic->fifo_state->mu);
    }
  }
  for (const auto& [arn, subscription] : current->subscriptions) {
    batch.erase(storage::Family::kSubscriptions, arn);
  }
  EB_TRY(registry_.commit_locked(std::make_shared<const RegistryState>(), batch));
  for (const auto& fifo : fifos) fifo->deleted = true;
  for (const auto& [arn, topic] : current->topics) deleted_counts_ += topic->counters->read();
  EB_TRY(platforms_.reset());
  EB_TRY(sms_.reset());
  return current->topics.size();
}

Result<ListTopicsOutput> Topics::list_topics(const PageInput& page) const {
  EB_ASSIGN_OR_RETURN(const std::string start, page_start(page));
  auto state = registry_.snapshot();
  ListTopicsOutput out;
  auto it = start.empty() ? state->topics.begin() : state->topics.upper_bound(start);
  for (; it != state->topics.end() && out.topic_arns.size() < kPageSize; ++it) {
    out.topic_arns.push_back(it->first);
  }
  if (it != state->topics.end()) out.next_token = page_token(out.topic_arns.back());
  return out;
}

Result<AttributeMap> Topics::get_topic_attributes(const std::string& topic_arn) const {
  auto state = registry_.snapshot();
  EB_ASSIGN_OR_RETURN(auto topic, require_topic(*state, topic_arn));
  const Topic& t = *topic;
  AttributeMap out = t.attributes;
  const std::string& account = queues_.options().account_id;
  out["TopicArn"] = t.arn;
  out["Owner"] = account;
  out.try_emplace("Policy", default_topic_policy(t.arn, account));
  out.try_emplace("DisplayName", "");
  std::size_t confirmed = 0;
  for (const auto& s : t.subscriptions) confirmed += s->confirmed ? 1 : 0;
  out["SubscriptionsConfirmed"] = std::to_string(confirmed);
  out["SubscriptionsPending"] = std::to_string(t.subscriptions.size() - confirmed);
  out["SubscriptionsDeleted"] = std::to_string(t.subscriptions_deleted);
  out["EffectiveDeliveryPolicy"] = topic_delivery_policy_of(t.attributes);
  if (t.fifo) out.try_emplace("ContentBasedDeduplication", "false");
  if (Millis begin = archive_begins(t, clock_.now_ms()); begin > 0) {
    out["BeginningArchiveTime"] = utc_timestamp(begin);
  } else {
    out.erase("BeginningArchiveTime");
  }
  return out;
}

Result<void> Topics::set_topic_attributes(const std::string& topic_arn, const std::string& name,
                                          const std::string& value) {
  std::lock_guard lock(registry_.write_mutex());
  auto current = registry_.snapshot();
  EB_ASSIGN_OR_RETURN(auto topic, require_topic(*current, topic_arn));
  EB_TRY(validate_topic_attribute(name, value, topic->fifo, false));
  auto changed = std::make_shared<Topic>(*topic);
  if (value.empty() && name != "DisplayName") {
    changed->attributes.erase(name);  // an empty value restores the default
  } else {
    changed->attributes[name] = value;
  }
  if (name == "ArchivePolicy") note_archive_start(*changed, clock_.now_ms());
  derive_topic_fields(*changed);
  return replace_topic_locked(*current, std::move(changed));
}

// --- tags ------------------------------------------------------------------------------------

Result<void> Topics::tag_resource(const std::string& arn, const TagMap& tags) {
  EB_TRY(validate_tags(tags));
  std::lock_guard lock(registry_.write_mutex());
  auto current = registry_.snapshot();
  auto it = current->topics.find(arn);
  if (it == current->topics.end()) {
    return fail(Errc::kResourceNotFound, "Resource does not exist");
  }
  auto changed = std::make_shared<Topic>(*it->second);
  for (const auto& [k, v] : tags) changed->tags[k] = v;
  if (changed->tags.size() > kMaxTags) {
    return fail(Errc::kTagLimitExceeded,
                "Could not complete request: tag quota of per resource exceeded");
  }
  return replace_topic_locked(*current, std::move(changed));
}

Result<void> Topics::untag_resource(const std::string& arn, const std::vector<std::string>& keys) {
  std::lock_guard lock(registry_.write_mutex());
  auto current = registry_.snapshot();
  auto it = current->topics.find(arn);
  if (it == current->topics.end()) {
    return fail(Errc::kResourceNotFound, "Resource does not exist");
  }
  auto changed = std::make_shared<Topic>(*it->second);
  for (const auto& k : keys) changed->tags.erase(k);
  return replace_topic_locked(*current, std::move(changed));
}

Result<TagMap> Topics::list_tags_for_resource(const std::string& arn) const {
  auto state = registry_.snapshot();
  auto it = state->topics.find(arn);
  if (it == state->topics.end()) {
    return fail(Errc::kResourceNotFound, "Resource does not exist");
  }
  return it->second->tags;
}

// --- permissions and data protection ----------------------------------------------------------

Result<void> Topics::edit_policy(
    const std::string& topic_arn,
    const std::function<Result<std::string>(const std::string& policy)>& edit) {
  std::lock_guard lock(registry_.write_mutex());
  auto current = registry_.snapshot();
  EB_ASSIGN_OR_RETURN(auto topic, require_topic(*current, topic_arn));
  auto policy = topic->attributes.find("Policy");
  EB_ASSIGN_OR_RETURN(auto changed_policy,
                      edit(policy == topic->attributes.end()
                               ? default_topic_policy(topic->arn, queues_.options().account_id)
                               : policy->second));
  auto changed = std::make_shared<Topic>(*topic);
  changed->attributes["Policy"] = std::move(changed_policy);
  derive_topic_fields(*changed);
  return replace_topic_locked(*current, std::move(changed));
}

Result<void> Topics::add_permission(const std::string& topic_arn, const std::string& label,
                                    const std::vector<std::string>& accounts,
                                    const std::vector<std::string>& actions) {
  return edit_policy(topic_arn, [&](const std::string& policy) {
    return policy_with_permission(policy, topic_arn, label, accounts, actions);
  });
}

Result<void> Topics::remove_permission(const std::string& topic_arn, const std::string& label) {
  return edit_policy(topic_arn, [&](const std::string& policy) {
    return policy_without_permission(policy, label);
  });
}

Result<void> Topics::put_data_protection_policy(const std::string& arn, const std::string& policy) {
  EB_TRY(validate_data_protection_policy(policy));
  std::lock_guard lock(registry_.write_mutex());
  auto current = registry_.snapshot();
  EB_ASSIGN_OR_RETURN(auto topic, require_topic(*current, arn));
  auto changed = std::make_shared<Topic>(*topic);
  changed->data_protection_policy = policy;
  return replace_topic_locked(*current, std::move(changed));
}

Result<std::string> Topics::get_data_protection_policy(const std::string& arn) const {
  auto current = registry_.snapshot();
  EB_ASSIGN_OR_RETURN(auto topic, require_topic(*current, arn));
  return topic->data_protection_policy;
}

}  // namespace eb::sns
