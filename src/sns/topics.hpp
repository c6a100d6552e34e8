#pragma once
// The SNS domain: topics, their subscriptions and publishing. Thread-safe: any thread may call
// any method. Publishes read an immutable snapshot of the registry (no lock on the publish
// path); control operations copy it under one mutex, write the change, then swap it in.
//
// Fan-out to SQS queues is in-process and atomic: the copies for every matching queue and
// the publish's event-log record are one storage write. Other protocols go to an
// EndpointDelivery (HTTP with retries, or the outbox), which never blocks a publisher.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/signing.hpp"
#include "matching/filter_policy.hpp"
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

struct SnsDocument;

// A subscription as the registry holds it: immutable; a change replaces the whole object.
struct Subscription {
  std::string arn;
  std::string topic_arn;
  std::string protocol;
  std::string endpoint;
  std::string owner;        // account id
  AttributeMap attributes;  // settable attributes as set (FilterPolicy, RawMessageDelivery...)
  bool confirmed = false;
  std::string token;  // confirmation token while pending
  Millis created = 0;
  std::optional<matching::FilterPolicy> filter;  // compiled FilterPolicy, when one is set
  bool raw = false;                              // RawMessageDelivery
  std::string dead_letter_arn;                   // RedrivePolicy deadLetterTargetArn, or empty
};

// A message for an endpoint outside the broker (HTTP(S), e-mail, SMS, Lambda, ...).
struct EndpointMessage {
  std::string subscription_arn;
  std::string topic_arn;
  std::string protocol;
  std::string endpoint;
  std::string message_type;  // Notification, SubscriptionConfirmation, UnsubscribeConfirmation
  std::string message_id;
  std::string body;  // the signed JSON document or, with raw delivery, the message itself
  bool raw = false;
  // The subscription's effective DeliveryPolicy JSON (its own, else the topic's; HTTP only).
  std::string delivery_policy;
  std::string dead_letter_arn;  // where the deliverer sends it after its last retry
  Millis timestamp = 0;
};

class EndpointDelivery {
 public:
  virtual ~EndpointDelivery() = default;
  // Takes over one message; must return without waiting on the network.
  virtual void deliver(EndpointMessage message) = 0;
};

// A publish of a FIFO topic as the archive (the event log) kept it, for ReplayPolicy.
struct ArchivedMessage {
  std::string message_id;
  Millis timestamp = 0;
  std::string message;
  std::string subject;  // empty: none
  MessageAttributes attributes;
  std::string group_id;
  std::string deduplication_id;
};
// The publishes of `topic_arn` with from <= timestamp <= to, oldest first.
using ArchiveReader = std::function<Result<std::vector<ArchivedMessage>>(
    const std::string& topic_arn, Millis from, Millis to)>;

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

// The key messages are signed with: read from the engine's meta family, or generated and
// stored there on first start, so a restart keeps signing with the certificate subscribers
// may have cached.
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

  // Loads topics and subscriptions from the engine (startup, before any request).
  Result<void> recover();

  // Sets TopicsOptions::base_url once the listening port is known; call before serving.
  void set_base_url(std::string base_url) { options_.base_url = std::move(base_url); }
  // Where ReplayPolicy reads a FIFO topic's archive; call before serving. Without one, replays
  // fail (ReplayStatus Failed).
  void set_archive_reader(ArchiveReader reader) { archive_reader_ = std::move(reader); }

  // Runs `done` once every write made so far by the calling thread survives power loss (see
  // Queues::when_durable); api/sns answers through it.
  void when_durable(std::function<void()> done);

  std::string topic_arn(const std::string& name) const;
  // Path of the signing certificate under base_url ("/v1/sns/SimpleNotificationService-<sha>.pem").
  const std::string& signing_cert_path() const { return cert_path_; }
  const MessageSigner& signer() const { return *signer_; }

  // Topics.
  Result<std::string> create_topic(const CreateTopicInput& input);  // -> topic ARN
  Result<void> delete_topic(const std::string& topic_arn);
  Result<ListTopicsOutput> list_topics(const PageInput& page) const;
  Result<AttributeMap> get_topic_attributes(const std::string& topic_arn) const;
  Result<void> set_topic_attributes(const std::string& topic_arn, const std::string& name,
                                    const std::string& value);

  // Subscriptions.
  Result<std::string> subscribe(const SubscribeInput& input);  // -> ARN or "pending confirmation"
  Result<std::string> confirm_subscription(const std::string& topic_arn, const std::string& token);
  Result<void> unsubscribe(const std::string& subscription_arn);
  Result<ListSubscriptionsOutput> list_subscriptions(const PageInput& page) const;
  Result<ListSubscriptionsOutput> list_subscriptions_by_topic(const std::string& topic_arn,
                                                              const PageInput& page) const;
  Result<AttributeMap> get_subscription_attributes(const std::string& subscription_arn) const;
  Result<void> set_subscription_attributes(const std::string& subscription_arn,
                                           const std::string& name, const std::string& value);

  // Tags (topics are the only taggable SNS resource here).
  Result<void> tag_resource(const std::string& arn, const TagMap& tags);
  Result<void> untag_resource(const std::string& arn, const std::vector<std::string>& keys);
  Result<TagMap> list_tags_for_resource(const std::string& arn) const;

  // Publishing.
  Result<PublishOutput> publish(PublishInput input);
  Result<BatchOutput<PublishOutput>> publish_batch(const std::string& topic_arn,
                                                   std::vector<BatchEntry<PublishInput>> entries);

  // In-process publishers (replays): any number of messages to one topic, validated one by
  // one and fanned out in one write; no PublishBatch entry or size limits. One result each.
  Result<std::vector<Result<PublishOutput>>> publish_many(const std::string& topic_arn,
                                                          std::vector<PublishInput> inputs);

  // An endpoint message that exhausted its retries: into its dead-letter queue, with the
  // ErrorCode/ErrorMessage attributes SNS adds. False when there is no such queue.
  bool dead_letter(const EndpointMessage& message, const std::string& error_code,
                   const std::string& error_message);

  struct Topic;
  struct State;
  struct FifoState;

 private:
  class Fanout;
  struct Published;

  std::shared_ptr<const State> snapshot() const;
  // Writes `batch` and, when it is durable, installs `next`. Caller holds write_mu_.
  Result<void> commit_locked(std::shared_ptr<const State> next, storage::Batch& batch);
  Result<std::shared_ptr<const Topic>> require_topic(const State& state,
                                                     const std::string& topic_arn) const;
  Result<std::shared_ptr<const Subscription>> require_subscription(
      const State& state, const std::string& subscription_arn) const;
  Result<Published> validate_publish(const Topic& topic, PublishInput input) const;
  // Recovery of a FIFO topic's deduplication window and SequenceNumber bound; expired window
  // records are deleted through `sweep`.
  Result<void> restore_fifo_state(Topic& topic, storage::Batch& sweep);
  // A ReplayPolicy's checks against its topic (FIFO, archived, within the archive).
  Result<void> check_replay_policy(const Topic& topic, const std::string& policy) const;
  // Redelivers the archived messages a subscription's ReplayPolicy selects to it alone, then
  // records ReplayStatus (Completed or Failed).
  void replay(const std::string& subscription_arn);
  void set_replay_status(const std::string& subscription_arn, const std::string& status);
  // Builds `changed` and installs it in place of the subscription of the same ARN (its record
  // written). Caller holds write_mu_; `current` is the state it read under it.
  Result<void> replace_subscription_locked(const State& current, Subscription changed);
  // FIFO topics, with the topic's FifoState lock held: answers duplicates, assigns sequence
  // numbers and stages the window entries and sequence bound into `batch`.
  void deduplicate_locked(const Topic& topic, std::vector<Result<Published>>& messages,
                          storage::Batch& batch);
  Result<std::vector<Result<PublishOutput>>> fan_out(const Topic& topic,
                                                     std::vector<Result<Published>> messages);
  std::string sign(const SnsDocument& doc, SignatureVersion version) const;
  // The signed confirmation message of a subscription awaiting its token.
  void send_confirmation(const Topic& topic, const Subscription& subscription);
  void send_unsubscribe_confirmation(const Topic& topic, const Subscription& subscription);
  // A signed SubscriptionConfirmation or UnsubscribeConfirmation for `subscription`.
  void send_control_message(const Topic& topic, const Subscription& subscription,
                            std::string_view type, const std::string& text);
  // Sends one undeliverable SQS copy to the subscription's dead-letter queue, if it has one.
  void dead_letter_sqs(const Subscription& subscription, std::string body,
                       MessageAttributes attributes, const Error& error,
                       const std::string& group_id = {});
  bool send_dead_letter(const std::string& queue_arn, std::string body,
                        MessageAttributes attributes, std::string_view error_code,
                        std::string_view error_message, const std::string& request_id,
                        const std::string& group_id = {});
  std::string signing_cert_url() const { return options_.base_url + cert_path_; }
  std::string unsubscribe_url(const std::string& subscription_arn) const;

  const Clock& clock_;
  storage::Engine& engine_;
  sqs::Queues& queues_;
  std::shared_ptr<const MessageSigner> signer_;
  EndpointDelivery& endpoints_;
  TopicsOptions options_;
  storage::EventSink* const events_;
  std::string cert_path_;
  ArchiveReader archive_reader_;

  std::mutex write_mu_;  // serialises control operations; publishes never take it
  std::atomic<std::shared_ptr<const State>> state_;
};

}  // namespace eb::sns
