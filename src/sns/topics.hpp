#pragma once
// The SNS domain: topics, their subscriptions and publishing, behind the one object api/sns,
// app/ and plugins call. Thread-safe: any thread may call any method. Topics owns the registry
// (topic_state.hpp) and the parts that work on it: Subscriptions, Publisher, TopicReplays and
// DeadLetters. Topic CRUD, tags and recovery are its own.
//
// Fan-out to SQS queues is in-process and atomic: the copies for every matching queue and
// the publish's event-log record are one storage write. Other protocols go to an
// EndpointDelivery (HTTP with retries, or the outbox), which never blocks a publisher.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/signing.hpp"
#include "sns/endpoint_delivery.hpp"
#include "sns/message.hpp"
#include "sns/platform.hpp"
#include "sns/publish.hpp"
#include "sns/sms.hpp"
#include "sns/subscriptions.hpp"
#include "sns/topic_replay.hpp"
#include "sns/topic_state.hpp"
#include "sns/types.hpp"

namespace eb::storage {
class Batch;
class Engine;
class EventSink;
}  // namespace eb::storage

namespace eb::sqs {
class Queues;
}  // namespace eb::sqs

namespace eb::sns {

struct TopicsOptions {
  // Base URL (scheme://host:port, no trailing slash) of SubscribeURL, UnsubscribeURL and
  // SigningCertURL in messages. The daemon's own address.
  std::string base_url = "http://localhost:4566";
  // Sign the envelopes delivered into SQS queues too (AWS does). RSA-2048 signing costs about
  // 0.4 ms of CPU per publish; off, Signature is empty in SQS-delivered envelopes only.
  bool sign_sqs_envelopes = true;
  // Limits AWS enforces per account.
  std::size_t max_topics = 100000;
};

// The key messages are signed with: read from the engine's meta family, or generated in the
// background on first start (the first signature waits for it) and stored there, so a restart
// keeps signing with the certificate subscribers may have cached. The engine must outlive the
// signer.
Result<std::shared_ptr<const MessageSigner>> load_signing_key(storage::Engine& engine);

class Topics {
 public:
  // `signer` signs every JSON message; `endpoints` receives everything not for SQS.
  Topics(const Clock& clock, storage::Engine& engine, sqs::Queues& queues,
         std::shared_ptr<const MessageSigner> signer, EndpointDelivery& endpoints,
         TopicsOptions options = {}, storage::EventSink* events = nullptr);
  ~Topics();
  Topics(const Topics&) = delete;
  Topics& operator=(const Topics&) = delete;

  // Loads topics, subscriptions, platform applications and endpoints and the SMS state from
  // the engine (startup, before any request).
  Result<void> recover();

  // Sets TopicsOptions::base_url once the listening port is known; call before serving.
  void set_base_url(std::string base_url) { signer_.set_base_url(std::move(base_url)); }
  // Where ReplayPolicy reads a FIFO topic's archive; call before serving. Without one, replays
  // fail (ReplayStatus Failed).
  void set_archive_reader(ArchiveReader reader) { replays_.set_archive_reader(std::move(reader)); }

  // Runs `done` once every write made so far by the calling thread survives power loss (see
  // Queues::when_durable); api/sns answers through it.
  void when_durable(std::function<void()> done);

  std::string topic_arn(const std::string& name) const;
  // Path of the signing certificate under base_url ("/v1/sns/SimpleNotificationService-<sha>.pem").
  const std::string& signing_cert_path() const { return signer_.cert_path(); }
  const MessageSigner& signer() const { return signer_.signer(); }
  const DocumentSigner& document_signer() const { return signer_; }

  // Topics.
  Result<std::string> create_topic(const CreateTopicInput& input);  // -> topic ARN
  Result<void> delete_topic(const std::string& topic_arn);
  Result<ListTopicsOutput> list_topics(const PageInput& page) const;
  // Drops every topic and subscription in one write (POST /v1/reset); publishes in progress
  // finish first or find no topic. Platform applications, their endpoints and the SMS state go
  // too. -> the number of topics dropped.
  Result<std::size_t> reset();
  Result<AttributeMap> get_topic_attributes(const std::string& topic_arn) const;
  Result<void> set_topic_attributes(const std::string& topic_arn, const std::string& name,
                                    const std::string& value);

  // Subscriptions (see Subscriptions).
  Result<std::string> subscribe(const SubscribeInput& input) {  // -> ARN or "pending confirmation"
    return subscriptions_.subscribe(input);
  }
  Result<std::string> confirm_subscription(const std::string& topic_arn, const std::string& token) {
    return subscriptions_.confirm(topic_arn, token);
  }
  Result<void> unsubscribe(const std::string& subscription_arn) {
    return subscriptions_.unsubscribe(subscription_arn);
  }
  Result<ListSubscriptionsOutput> list_subscriptions(const PageInput& page) const {
    return subscriptions_.list(page);
  }
  Result<ListSubscriptionsOutput> list_subscriptions_by_topic(const std::string& topic_arn,
                                                              const PageInput& page) const {
    return subscriptions_.list_by_topic(topic_arn, page);
  }
  Result<AttributeMap> get_subscription_attributes(const std::string& subscription_arn) const {
    return subscriptions_.attributes(subscription_arn);
  }
  Result<void> set_subscription_attributes(const std::string& subscription_arn,
                                           const std::string& name, const std::string& value) {
    return subscriptions_.set_attribute(subscription_arn, name, value);
  }

  // Tags (topics are the only taggable SNS resource here).
  Result<void> tag_resource(const std::string& arn, const TagMap& tags);
  Result<void> untag_resource(const std::string& arn, const std::vector<std::string>& keys);
  Result<TagMap> list_tags_for_resource(const std::string& arn) const;

  // AddPermission: a statement labelled `label` in the topic's Policy allowing `actions`
  // (without "SNS:") to `accounts`; RemovePermission takes the statement out again.
  Result<void> add_permission(const std::string& topic_arn, const std::string& label,
                              const std::vector<std::string>& accounts,
                              const std::vector<std::string>& actions);
  Result<void> remove_permission(const std::string& topic_arn, const std::string& label);

  // Data protection policies: stored and answered as given (JSON), not enforced.
  Result<void> put_data_protection_policy(const std::string& arn, const std::string& policy);
  Result<std::string> get_data_protection_policy(const std::string& arn) const;

  // Mobile push (platform applications and endpoints) and SMS.
  Platforms& platforms() { return platforms_; }
  Sms& sms() { return sms_; }

  // Publishing (see Publisher): to a topic, or to a platform endpoint (Platforms::publish), or
  // an SMS to a number, dropped with a message id when the number opted out (as AWS does).
  Result<PublishOutput> publish(PublishInput input);
  Result<BatchOutput<PublishOutput>> publish_batch(const std::string& topic_arn,
                                                   std::vector<BatchEntry<PublishInput>> entries) {
    return publisher_.publish_batch(*registry_.snapshot(), topic_arn, std::move(entries));
  }

  // In-process publishers (replays): any number of messages to one topic, validated one by
  // one and fanned out in one write; no PublishBatch entry or size limits. One result each.
  Result<std::vector<Result<PublishOutput>>> publish_many(const std::string& topic_arn,
                                                          std::vector<PublishInput> inputs) {
    return publisher_.publish_many(*registry_.snapshot(), topic_arn, std::move(inputs));
  }

  // An endpoint message that exhausted its retries: into its dead-letter queue, with the
  // ErrorCode/ErrorMessage attributes SNS adds. False when there is no such queue.
  bool dead_letter(const EndpointMessage& message, const std::string& error_code,
                   const std::string& error_message) {
    return dead_letters_.send_endpoint_message(message, error_code, error_message);
  }

  // The admin API's read-only view (topic_view.cpp). Summaries of the topics whose name starts
  // with `prefix`, by name; one topic (kNotFound as SNS says it); its subscriptions, oldest
  // first.
  std::vector<TopicSummary> topic_summaries(std::string_view prefix) const;
  Result<TopicSummary> topic_summary(const std::string& name) const;
  Result<std::vector<SubscriptionView>> topic_subscriptions(const std::string& name) const;
  // Whether `test.policy` takes the message as a subscription with it would: the policy, its
  // scope and the attributes are checked as Subscribe and Publish check them, with their
  // errors (kInvalidParameterValue "Invalid parameter: FilterPolicy: ..."). Keeps no state.
  static Result<bool> test_filter_policy(const FilterPolicyTest& test);

  // For /metrics: every topic's counts, and those of topics deleted since the daemon started.
  struct TopicStats {
    std::string name;
    bool fifo = false;
    std::size_t subscriptions = 0;
    TopicCounts counts;
  };
  struct Stats {
    std::vector<TopicStats> topics;
    TopicCounts deleted;
  };
  Stats stats();

 private:
  // Recovery of a FIFO topic's deduplication window and SequenceNumber bound; expired window
  // records are deleted through `sweep`.
  Result<void> restore_fifo_state(Topic& topic, storage::Batch& sweep);
  // Replaces the topic's Policy (AWS's default when it has none) by what `edit` makes of it.
  Result<void> edit_policy(
      const std::string& topic_arn,
      const std::function<Result<std::string>(const std::string& policy)>& edit);
  // Installs `changed` in place of the topic of the same ARN, its record written.
  Result<void> replace_topic_locked(const RegistryState& current, std::shared_ptr<Topic> changed);

  const Clock& clock_;
  storage::Engine& engine_;
  sqs::Queues& queues_;
  const TopicsOptions options_;
  // Declared in dependency order: each part refers only to those above it.
  DocumentSigner signer_;
  Registry registry_;
  TopicCounts deleted_counts_;  // guarded by registry_.write_mutex()
  DeadLetters dead_letters_;
  Publisher publisher_;
  TopicReplays replays_;
  Subscriptions subscriptions_;
  Platforms platforms_;
  Sms sms_;
};

}  // namespace eb::sns
