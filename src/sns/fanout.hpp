#pragma once
// The fan-out of publishes to one topic: SQS copies staged into one write with the publishes'
// event-log records (other accounts' queues: sent after it), endpoint messages handed over once
// it is written, refused copies sent to dead-letter queues.
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/errors.hpp"
#include "sns/endpoint_delivery.hpp"
#include "sns/publish.hpp"
#include "sns/topic_state.hpp"
#include "sns/types.hpp"
#include "sqs/queue.hpp"

namespace eb::sns {

// The deliveries of a set of publishes to one topic: SQS copies grouped per queue and staged
// into one batch with the publishes' event-log records (other accounts' queues: sent once it is
// written); endpoint messages handed over once that batch is written. Lives within one publish call
// on the publishing thread; a FIFO topic's caller holds its FifoState lock throughout.
class Fanout {
 public:
  // One signature per message variant: the signed text leaves out the subscription.
  using Signatures = std::unordered_map<const std::string*, std::string>;

  // `log`: the publishes enter the event log with their copies (not when replaying them).
  Fanout(const FanoutTargets& targets, const Topic& topic, bool log = true)
      : targets_(targets), topic_(topic), log_(log) {}

  // The copies of `p` for every subscription of the topic.
  void add(const Published& p);
  // The copy of `p` for one subscription, if it is confirmed and its filter matches.
  void add_for(const Subscription& sub, const Published& p, Signatures& signatures);

  // Writes the copies, then hands endpoint messages over and dead-letters refused copies.
  // Fails only when the write fails.
  Result<void> commit(const std::vector<const Published*>& published, storage::Batch batch);

 private:
  struct QueueSends {
    std::shared_ptr<sqs::Queue> queue;
    bool foreign = false;  // another account's: sent after the write, not staged into it
    std::vector<sqs::SendInput> inputs;
    // Parallel to inputs, kept for the dead-letter queue should a copy be refused.
    std::vector<const Subscription*> subscriptions;
    std::vector<std::string> bodies;
    std::vector<MessageAttributes> attributes;
    std::vector<std::string> groups;  // FIFO topics' copies with a dead-letter queue
    sqs::Queue::StagedSends staged;
  };
  struct Failed {
    const Subscription* subscription;
    std::string body;
    MessageAttributes attributes;
    Error error;
    std::string group_id;  // FIFO topics: the publish's MessageGroupId
  };

  // Stages the SQS copies and the publishes' event-log records into `batch`, writes it as one,
  // then finishes the sends (the copies become visible), sends the copies for other accounts'
  // queues and notes refused copies.
  Result<void> write_queue_copies(const std::vector<const Published*>& published,
                                  storage::Batch batch);
  // Notes the copies of `q` its queue refused, when the publish's write landed.
  void note_refused(QueueSends& q, const std::vector<Result<sqs::SendOutput>>& results,
                    const Result<void>& written);
  const std::string& signature_for(const Published& p, const std::string& message,
                                   Signatures& cache);
  SnsDocument document(const Published& p, const std::string& message) const;
  std::string envelope(const Subscription& sub, const Published& p, const std::string& message,
                       const std::string& signature) const;
  void add_sqs(const Subscription& sub, const Published& p, const std::string& message);
  void add_endpoint(const Subscription& sub, const Published& p, const std::string& message,
                    Signatures& signatures);

  const FanoutTargets& targets_;
  const Topic& topic_;
  const bool log_;
  std::unordered_map<const sqs::Queue*, std::size_t> queue_index_;
  std::vector<QueueSends> queues_;
  std::vector<EndpointMessage> endpoint_messages_;
  std::vector<Failed> failed_;
};

}  // namespace eb::sns
