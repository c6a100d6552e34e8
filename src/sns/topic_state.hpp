#pragma once
// The registry of topics and subscriptions. Readers (publishes above all) take an immutable
// snapshot without a lock; writers serialise on one mutex, write their change to the engine,
// then swap the next version in. A Topic or Subscription never changes once a snapshot holds
// it: a change copies it. The exception is a FIFO topic's FifoState, shared by every version
// of the topic and guarded by its own mutex.
#include <atomic>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "core/signing.hpp"
#include "matching/filter_policy.hpp"
#include "sns/records.hpp"
#include "sns/types.hpp"
#include "sqs/fifo_dedup.hpp"
#include "sqs/sequence_number.hpp"

namespace eb::storage {
class Batch;
class Engine;
}  // namespace eb::storage

namespace eb::sns {

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

// What a FIFO topic's publishes share across every registry version of the topic. A publish
// holds `mu` from its deduplication check until its write has landed and its copies are
// visible in their queues, so every subscription receives the topic's messages in one order
// and a duplicate never sees another publish's unwritten entry.
struct FifoState {
  std::mutex mu;
  sqs::DedupWindow dedup;
  sqs::SequenceCounter sequence;
  std::uint64_t ceiling_written = 0;  // largest sns_seq ceiling on disk (0: none known)
  // DeleteTopic ran: a publish that took the topic from an older snapshot must not write
  // window or sequence records that would outlive it.
  bool deleted = false;
};

// What a topic counts of its publishes (for /metrics), since it was created or the daemon started.
enum class TopicCount : std::uint8_t {
  kPublished,          // messages published (replays not counted)
  kFilteredOut,        // copies a subscription's filter policy did not take
  kDeliveredToQueues,  // copies written to SQS queues
  kFailedToQueues,     // copies an SQS queue refused (sent to the subscription's DLQ, if any)
  kToEndpoints,        // copies handed to other protocols' delivery (HTTP/S, outbox)
  kEnd,
};
using TopicCounts = Counts<TopicCount>;

struct Topic {
  std::string name;
  std::string arn;
  AttributeMap attributes;  // as set, defaults not filled in
  TagMap tags;
  std::string data_protection_policy;
  Millis created = 0;
  bool fifo = false;
  SignatureVersion signature_version = SignatureVersion::kSha1;
  std::vector<std::shared_ptr<const Subscription>> subscriptions;  // oldest first
  std::uint64_t subscriptions_deleted = 0;                         // since startup
  std::shared_ptr<FifoState> fifo_state;                           // FIFO topics only
  // Shared, like fifo_state, by every version of the topic.
  std::shared_ptr<CounterSet<TopicCount>> counters = std::make_shared<CounterSet<TopicCount>>();
};

// One version of the registry.
struct RegistryState {
  std::map<std::string, std::shared_ptr<const Topic>> topics;                // by ARN
  std::map<std::string, std::shared_ptr<const Subscription>> subscriptions;  // by ARN
};

// Owns the current RegistryState and the mutex writers hold. Any thread; snapshot() takes no
// lock; the *_locked methods need write_mutex() held and the state read under it.
class Registry {
 public:
  explicit Registry(storage::Engine& engine);

  std::shared_ptr<const RegistryState> snapshot() const { return state_.load(); }
  std::mutex& write_mutex() { return write_mu_; }
  // Installs a recovered state (startup).
  void install(std::shared_ptr<const RegistryState> state);
  // Writes `batch` and, when it is durable, installs `next`.
  Result<void> commit_locked(std::shared_ptr<const RegistryState> next, storage::Batch& batch);
  // Builds `changed` and installs it in place of the subscription of the same ARN (its record
  // written).
  Result<void> replace_subscription_locked(const RegistryState& current, Subscription changed);

 private:
  storage::Engine& engine_;
  std::mutex write_mu_;
  std::atomic<std::shared_ptr<const RegistryState>> state_;
};

Result<std::shared_ptr<const Topic>> require_topic(const RegistryState& state,
                                                   const std::string& topic_arn);
Result<std::shared_ptr<const Subscription>> require_subscription(
    const RegistryState& state, const std::string& subscription_arn);

// The fields of a topic derived from its attributes (fifo, signature version, FIFO state).
void derive_topic_fields(Topic& topic);
// An attribute as set, or empty.
std::string topic_attribute(const Topic& topic, const std::string& name);
// A subscription with its derived fields (compiled filter, raw flag, dead-letter ARN)
// computed from `attributes`, which are validated here.
Result<std::shared_ptr<Subscription>> build_subscription(Subscription subscription);

TopicRecord to_record(const Topic& topic);
SubscriptionRecord to_record(const Subscription& subscription);

// The EffectiveDeliveryPolicy of an HTTP(S) subscription (its own parts, else its topic's,
// else SNS's defaults), as JSON; empty for other protocols, which have no retry policy here.
std::string delivery_policy_of(const AttributeMap& topic, const Subscription& subscription);
// A topic's EffectiveDeliveryPolicy attribute, as JSON.
std::string topic_delivery_policy_of(const AttributeMap& topic);

// Pages of ListTopics and ListSubscriptions: the token is the last key returned, base64.
inline constexpr std::size_t kPageSize = 100;
Result<std::string> page_start(const PageInput& page);
std::string page_token(const std::string& last_key);

}  // namespace eb::sns
