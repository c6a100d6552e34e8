#include "sns/publish.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/encoding.hpp"
#include "sns/fanout.hpp"
#include "sns/message.hpp"
#include "sqs/logged_write.hpp"
#include "sqs/message_rules.hpp"
#include "sqs/queues.hpp"
#include "sqs/records.hpp"
#include "storage/engine.hpp"
#include "storage/event_sink.hpp"

namespace eb::sns {
namespace {

using sqs::DedupEntry;
using sqs::DedupScope;
using sqs::DedupWindow;
using sqs::SendInput;
using sqs::SequenceCounter;

constexpr std::size_t kMaxPublishBatchEntries = 10;

// The error code a dead-lettered SQS copy carries.
std::string_view sqs_error_code(Errc code) {
  return code == Errc::kQueueDoesNotExist ? "AWS.SimpleQueueService.NonExistentQueue"
                                          : "InvalidParameterValue";
}

}  // namespace

// --- dead letters ----------------------------------------------------------------------------

void DeadLetters::send_copy(const Subscription& subscription, std::string body,
                            MessageAttributes attributes, const Error& error,
                            const std::string& group_id) {
  if (subscription.dead_letter_arn.empty()) return;  // dropped, as SNS does without a DLQ
  (void)send(subscription.dead_letter_arn, std::move(body), std::move(attributes),
             sqs_error_code(error.code), error.message, random_uuid(), group_id);
}

bool DeadLetters::send_endpoint_message(const EndpointMessage& message,
                                        const std::string& error_code,
                                        const std::string& error_message) {
  if (message.dead_letter_arn.empty()) return false;
  return send(message.dead_letter_arn, message.body, {}, error_code, error_message, random_uuid());
}

bool DeadLetters::send(const std::string& queue_arn, std::string body, MessageAttributes attributes,
                       std::string_view error_code, std::string_view error_message,
                       const std::string& request_id, const std::string& group_id) {
  auto queue = queues_.find_by_arn_any_account(queue_arn);
  if (!queue) return false;
  SendInput in;
  in.body = std::move(body);
  if (queue->fifo()) {
    // A FIFO dead-letter queue needs a group: the publish's (FIFO topics) or one for all
    // dead letters; each dead letter is a message of its own, never a duplicate.
    in.group_id = group_id.empty() ? std::string("dead-letters") : group_id;
    in.deduplication_id = request_id;
  }
  in.sender_id = std::string(kSnsSenderId);
  in.attributes = attributes;
  // What went wrong travels with the message, as SNS's dead letters carry it; a message that
  // already has all ten attributes SQS allows keeps its own instead.
  const auto add = [&](const char* name, std::string_view value) {
    if (!value.empty())
      in.attributes[name] = MessageAttributeValue{"String", std::string(value), {}};
  };
  add("ErrorCode", error_code);
  add("ErrorMessage", error_message.substr(0, 1024));
  add("RequestID", request_id);
  if (in.attributes.size() > 10) in.attributes = std::move(attributes);
  return queue->send(std::move(in)).has_value();
}

Result<PublishOutput> Publisher::publish(const RegistryState& state, PublishInput input) {
  const int targets = static_cast<int>(!input.topic_arn.empty()) +
                      static_cast<int>(!input.target_arn.empty()) +
                      static_cast<int>(!input.phone_number.empty());
  if (targets == 0) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: TopicArn or TargetArn Reason: no value for required "
                "parameter");
  }
  if (targets > 1) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: TopicArn or TargetArn Reason: Only one of TopicArn, "
                "TargetArn or PhoneNumber may be specified");
  }
  if (!input.phone_number.empty()) return publish_to_number(std::move(input));
  const std::string arn = input.topic_arn.empty() ? input.target_arn : input.topic_arn;
  auto topic = require_topic(state, arn);
  if (!topic) {
    if (!input.target_arn.empty() && topic.error().code == Errc::kNotFound) {
      return fail(Errc::kNotFound, "Endpoint does not exist");
    }
    return std::unexpected(std::move(topic).error());
  }
  EB_ASSIGN_OR_RETURN(Published published, validate(**topic, std::move(input)));
  std::vector<Result<Published>> one;
  one.push_back(std::move(published));
  EB_ASSIGN_OR_RETURN(auto out, fan_out(**topic, std::move(one)));
  return std::move(out.front());
}

Result<PublishOutput> Publisher::publish_to_number(PublishInput input) {
  if (auto ok = validate_endpoint("sms", input.phone_number); !ok) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("Invalid parameter: PhoneNumber Reason: {} is not valid to publish "
                            "to",
                            input.phone_number));
  }
  if (input.message.empty()) {
    return fail(Errc::kInvalidParameterValue, "Invalid parameter: Empty message");
  }
  const std::string id = random_uuid();
  targets_.endpoints.deliver(EndpointMessage{.protocol = "sms",
                                             .endpoint = input.phone_number,
                                             .message_type = "Notification",
                                             .message_id = id,
                                             .body = input.message,
                                             .timestamp = clock_.now_ms()});
  return PublishOutput{.message_id = id};
}

Result<BatchOutput<PublishOutput>> Publisher::publish_batch(
    const RegistryState& state, const std::string& topic_arn,
    std::vector<BatchEntry<PublishInput>> entries) {
  EB_ASSIGN_OR_RETURN(auto topic, require_topic(state, topic_arn));
  if (entries.empty()) {
    return fail(Errc::kEmptyBatchRequest, "The batch request doesn't contain any entries.");
  }
  if (entries.size() > kMaxPublishBatchEntries) {
    return fail(Errc::kTooManyEntriesInBatchRequest,
                "The batch request contains more entries than permissible.");
  }
  std::size_t total = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!sqs::is_valid_batch_entry_id(entries[i].id)) {
      return fail(Errc::kInvalidBatchEntryId,
                  "The Id of a batch entry in a batch request doesn't abide by the "
                  "specification.");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (entries[j].id == entries[i].id) {
        return fail(Errc::kBatchEntryIdsNotDistinct,
                    "Two or more batch entries in the request have the same Id.");
      }
    }
    total += sqs::message_size(entries[i].input.message, entries[i].input.attributes);
  }
  if (total > kMaxPublishBytes) {
    return fail(Errc::kBatchRequestTooLong,
                "The length of all the messages put together is more than the limit.");
  }
  std::vector<Result<Published>> messages;
  messages.reserve(entries.size());
  for (auto& e : entries) {
    e.input.topic_arn = topic_arn;
    messages.push_back(validate(*topic, std::move(e.input)));
  }
  EB_ASSIGN_OR_RETURN(auto results, fan_out(*topic, std::move(messages)));
  BatchOutput<PublishOutput> out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (results[i]) {
      out.successful.emplace_back(entries[i].id, std::move(*results[i]));
    } else {
      out.failed.push_back({entries[i].id, std::move(results[i].error()), true});
    }
  }
  return out;
}

Result<std::vector<Result<PublishOutput>>> Publisher::publish_many(
    const RegistryState& state, const std::string& topic_arn, std::vector<PublishInput> inputs) {
  EB_ASSIGN_OR_RETURN(auto topic, require_topic(state, topic_arn));
  std::vector<Result<Published>> messages;
  messages.reserve(inputs.size());
  for (auto& in : inputs) {
    in.topic_arn = topic_arn;
    messages.push_back(validate(*topic, std::move(in)));
  }
  return fan_out(*topic, std::move(messages));
}

Result<void> Publisher::redeliver_locked(const Topic& topic, const Subscription& subscription,
                                         const std::vector<Published>& published) {
  if (published.empty()) return {};
  Fanout fanout(targets_, topic, /*log=*/false);
  Fanout::Signatures signatures;
  std::vector<const Published*> valid;
  valid.reserve(published.size());
  for (const Published& p : published) {
    signatures.clear();
    fanout.add_for(subscription, p, signatures);
    valid.push_back(&p);
  }
  return fanout.commit(valid, storage::Batch{});
}

Result<void> validate_message(const PublishInput& input) {
  if (input.message.empty()) {
    return fail(Errc::kInvalidParameterValue, "Invalid parameter: Empty message");
  }
  if (sqs::message_size(input.message, input.attributes) > kMaxPublishBytes) {
    return fail(Errc::kInvalidParameterValue, "Invalid parameter: Message too long");
  }
  if (input.subject) EB_TRY(validate_subject(*input.subject));
  return validate_publish_attributes(input.attributes);
}

Result<Published> Publisher::validate(const Topic& topic, PublishInput input) const {
  EB_TRY(validate_message(input));
  if (!input.stream_first.envelopes.empty() &&
      (targets_.events == nullptr || input.stream_first.stream.empty())) {
    return fail(Errc::kInternalError,
                "events to append with a publish need an event log and a stream name");
  }
  Published p;
  if (!input.message_structure.empty()) {
    if (input.message_structure != "json") {
      return fail(Errc::kInvalidParameterValue, "Invalid parameter: MessageStructure");
    }
    EB_ASSIGN_OR_RETURN(p.variants, parse_message_structure(input.message));
  }
  if (topic.fifo) {
    if (!input.group_id || input.group_id->empty()) {
      return fail(Errc::kInvalidParameterValue,
                  "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
    }
    if (!is_valid_fifo_token(*input.group_id)) {
      return fail(Errc::kInvalidParameterValue,
                  "Invalid parameter: MessageGroupId Reason: MessageGroupId can only include "
                  "alphanumeric and punctuation characters. 1 to 128 in length.");
    }
    if (input.deduplication_id && !is_valid_fifo_token(*input.deduplication_id)) {
      return fail(Errc::kInvalidParameterValue,
                  "Invalid parameter: MessageDeduplicationId Reason: MessageDeduplicationId can "
                  "only include alphanumeric and punctuation characters. 1 to 128 in length.");
    }
    auto cbd = topic.attributes.find("ContentBasedDeduplication");
    if (!input.deduplication_id && (cbd == topic.attributes.end() || cbd->second != "true")) {
      return fail(Errc::kInvalidParameterValue,
                  "Invalid parameter: The topic should either have ContentBasedDeduplication "
                  "enabled or MessageDeduplicationId provided explicitly");
    }
  } else if (input.deduplication_id) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: MessageDeduplicationId Reason: The request includes "
                "MessageDeduplicationId parameter that is not valid for this topic type");
  }
  p.message_id = random_uuid();
  p.timestamp = clock_.now_ms();
  p.timestamp_text = utc_timestamp(p.timestamp);
  p.input = std::move(input);
  return p;
}

Result<std::vector<Result<PublishOutput>>> Publisher::fan_out(
    const Topic& topic, std::vector<Result<Published>> messages) {
  storage::Batch batch;
  std::unique_lock<std::mutex> fifo_lock;
  if (topic.fifo) {
    fifo_lock = std::unique_lock(topic.fifo_state->mu);
    if (topic.fifo_state->deleted) return fail(Errc::kNotFound, "Topic does not exist");
    deduplicate_locked(topic, messages, batch);
  }
  Fanout fanout(targets_, topic);
  std::vector<const Published*> valid;
  for (const auto& m : messages) {
    if (!m || m->duplicate) continue;
    fanout.add(*m);
    valid.push_back(&*m);
  }
  Result<void> committed;
  if (!valid.empty()) committed = fanout.commit(valid, std::move(batch));
  if (topic.fifo) {
    // The window entries of this publish exist exactly when its write landed.
    FifoState& fifo = *topic.fifo_state;
    for (const Published* p : valid) {
      const sqs::DedupKey& key = p->dedup_key;
      if (committed) {
        fifo.dedup.confirm(key);
      } else {
        fifo.dedup.erase(key);
      }
    }
    if (!committed) fifo.ceiling_written = 0;  // write the bound again with the next publish
  }
  EB_TRY(std::move(committed));
  std::vector<Result<PublishOutput>> out;
  out.reserve(messages.size());
  for (auto& m : messages) {
    if (!m) {
      out.push_back(std::unexpected(std::move(m.error())));
    } else {
      out.push_back(
          PublishOutput{.message_id = m->message_id, .sequence_number = m->sequence_number});
    }
  }
  return out;
}

void Publisher::deduplicate_locked(const Topic& topic, std::vector<Result<Published>>& messages,
                                   storage::Batch& batch) {
  FifoState& fifo = *topic.fifo_state;
  const Millis now = clock_.now_ms();
  std::vector<sqs::DedupKey> expired;
  fifo.dedup.expire(now, &expired);
  const std::string dedup_prefix = topic_dedup_prefix(topic.arn);
  for (const auto& key : expired) {
    batch.erase(storage::Family::kMeta, dedup_prefix + sqs::dedup_window_key(key));
  }
  const DedupScope scope = topic_attribute(topic, "FifoThroughputScope") == "MessageGroup"
                               ? DedupScope::kMessageGroup
                               : DedupScope::kQueue;
  for (auto& m : messages) {
    if (!m) continue;
    PublishInput& in = m->input;
    // validate() made sure there is an id or content-based deduplication. The content id
    // hashes the message as published, never an envelope (which differs per subscriber).
    if (!in.deduplication_id) in.deduplication_id = DedupWindow::content_id(in.message);
    m->dedup_key = DedupWindow::key(scope, *in.group_id, *in.deduplication_id);
    if (const DedupEntry* original = fifo.dedup.find(m->dedup_key, now)) {
      m->duplicate = true;
      m->message_id = uuid_text(original->message_id);
      m->sequence_number = sqs::sequence_number_text(original->sequence);
      continue;
    }
    const SequenceCounter::Issued issued = fifo.sequence.next();
    m->sequence_number = sqs::sequence_number_text(issued.value);
    // A publish's MessageId is random_uuid()'s text (prepare), so it always parses.
    const Uuid id = parse_uuid(m->message_id).value_or(Uuid{});
    fifo.dedup.insert(m->dedup_key, DedupEntry{id, issued.value, now, true}, now);
    batch.put(storage::Family::kMeta, dedup_prefix + sqs::dedup_window_key(m->dedup_key),
              encode(sqs::DedupRecord{m->message_id, issued.value, now}));
    if (issued.ceiling > fifo.ceiling_written) {
      // Publishes of this topic are serialised through their write, so one key suffices:
      // the newer bound replaces the older in the same batch.
      if (fifo.ceiling_written > 0) {
        batch.erase(storage::Family::kMeta, topic_seq_key(topic.arn, fifo.ceiling_written));
      }
      batch.put(storage::Family::kMeta, topic_seq_key(topic.arn, issued.ceiling), "");
      fifo.ceiling_written = issued.ceiling;
    }
  }
}

}  // namespace eb::sns
