#pragma once
// The publish path: validation of a publish, a FIFO topic's deduplication and sequence numbers,
// and dead letters. The fan-out itself (into queues and to endpoints) is Fanout, fanout.hpp.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "sns/endpoint_delivery.hpp"
#include "sns/rules.hpp"
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

// The principal SNS delivers into SQS as (SenderId of SNS-delivered messages).
inline constexpr std::string_view kSnsSenderId = "AIDAIT2UOQQY3AUEKVGXU";

class DocumentSigner;
struct SnsDocument;

// A validated publish, ready to fan out (or an archived one being replayed).
struct Published {
  std::string message_id;
  std::string sequence_number;  // FIFO topics
  bool duplicate = false;       // FIFO: answered with the original, delivered to no one
  sqs::DedupKey dedup_key;      // FIFO: the deduplication window key
  bool replayed = false;        // redelivered from the archive (ReplayPolicy)
  // The deduplication id of the SQS copies when it is not the publish's (replays: a fresh one,
  // so the queue does not drop a copy of a message it saw minutes ago).
  std::string copy_dedup_id;
  Millis timestamp = 0;
  std::string timestamp_text;
  PublishInput input;
  std::optional<MessageVariants> variants;  // MessageStructure=json
  const std::string& message_for(std::string_view protocol) const {
    return variants ? variants->for_protocol(protocol) : input.message;
  }
};

// What every publish must be, wherever it goes: a message, within the size limit, with a valid
// Subject and message attributes.
Result<void> validate_message(const PublishInput& input);

// Sends what a subscription could not take into its dead-letter queue (of any account), with
// the ErrorCode, ErrorMessage and RequestID attributes SNS adds. Holds no state; any thread.
class DeadLetters {
 public:
  explicit DeadLetters(sqs::Queues& queues) : queues_(queues) {}

  // One SQS copy a queue refused (or whose queue is gone); dropped without a dead-letter queue.
  void send_copy(const Subscription& subscription, std::string body, MessageAttributes attributes,
                 const Error& error, const std::string& group_id);
  // An endpoint message that exhausted its retries. False when there is no such queue.
  bool send_endpoint_message(const EndpointMessage& message, const std::string& error_code,
                             const std::string& error_message);

 private:
  bool send(const std::string& queue_arn, std::string body, MessageAttributes attributes,
            std::string_view error_code, std::string_view error_message,
            const std::string& request_id, const std::string& group_id = {});

  sqs::Queues& queues_;
};

// Where a fan-out writes and delivers. Every member outlives every Fanout.
struct FanoutTargets {
  storage::Engine& engine;
  storage::EventSink* events;  // null: no event log
  sqs::Queues& queues;
  EndpointDelivery& endpoints;
  const DocumentSigner& signer;
  DeadLetters& dead_letters;
  bool sign_sqs_envelopes;  // TopicsOptions::sign_sqs_envelopes
};

// Publish, PublishBatch and in-process publishes to any topic: validates each message, answers
// a FIFO topic's duplicates, and fans out in one write. No lock of its own: a FIFO topic's
// publishes serialise on its FifoState; others run in parallel. Any thread.
class Publisher {
 public:
  Publisher(const Clock& clock, FanoutTargets targets) : clock_(clock), targets_(targets) {}
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  Result<PublishOutput> publish(const RegistryState& state, PublishInput input);
  Result<BatchOutput<PublishOutput>> publish_batch(const RegistryState& state,
                                                   const std::string& topic_arn,
                                                   std::vector<BatchEntry<PublishInput>> entries);
  Result<std::vector<Result<PublishOutput>>> publish_many(const RegistryState& state,
                                                          const std::string& topic_arn,
                                                          std::vector<PublishInput> inputs);
  // Archived publishes to one subscription alone, not logged again (ReplayPolicy). The caller
  // holds the topic's FifoState lock.
  Result<void> redeliver_locked(const Topic& topic, const Subscription& subscription,
                                const std::vector<Published>& published);

 private:
  // An SMS straight to a phone number: into the outbox, no topic involved.
  Result<PublishOutput> publish_to_number(PublishInput input);
  Result<Published> validate(const Topic& topic, PublishInput input) const;
  // With the topic's FifoState lock held: answers duplicates, assigns sequence numbers and
  // stages the window entries and sequence bound into `batch`.
  void deduplicate_locked(const Topic& topic, std::vector<Result<Published>>& messages,
                          storage::Batch& batch);
  Result<std::vector<Result<PublishOutput>>> fan_out(const Topic& topic,
                                                     std::vector<Result<Published>> messages);

  const Clock& clock_;
  const FanoutTargets targets_;
};

}  // namespace eb::sns
