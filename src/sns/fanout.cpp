#include "sns/fanout.hpp"

#include <fmt/format.h>

#include "core/encoding.hpp"
#include "sns/message.hpp"
#include "sns/platform.hpp"
#include "sqs/logged_write.hpp"
#include "sqs/queues.hpp"
#include "storage/engine.hpp"
#include "storage/event_sink.hpp"

namespace eb::sns {
namespace {

using sqs::SendInput;

std::string_view view_of(const std::optional<std::string>& value) {
  return value ? std::string_view(*value) : std::string_view();
}

}  // namespace

void Fanout::add(const Published& p) {
  Signatures signatures;
  for (const auto& sub : topic_.subscriptions) add_for(*sub, p, signatures);
}

void Fanout::add_for(const Subscription& sub, const Published& p, Signatures& signatures) {
  if (!sub.confirmed) return;
  // A push endpoint's text is keyed by its platform ("GCM", "APNS", ...), not "application".
  const std::string& message =
      p.message_for(sub.protocol == "application" ? endpoint_platform(sub.endpoint) : sub.protocol);
  if (sub.filter) {
    if (!sub.filter->matches_message(p.input.attributes, message)) {
      topic_.counters->add(TopicCount::kFilteredOut);
      return;
    }
  }
  if (sub.protocol == "sqs") {
    add_sqs(sub, p, message);
  } else {
    add_endpoint(sub, p, message, signatures);
  }
}

Result<void> Fanout::commit(const std::vector<const Published*>& published, storage::Batch batch) {
  EB_TRY(write_queue_copies(published, std::move(batch)));
  if (log_) topic_.counters->add(TopicCount::kPublished, published.size());
  topic_.counters->add(TopicCount::kToEndpoints, endpoint_messages_.size());
  for (auto& m : endpoint_messages_) targets_.endpoints.deliver(std::move(m));
  for (auto& f : failed_) {
    // A refused copy's body goes to the subscription's dead-letter queue as it is: signed now.
    if (!f.subscription->raw && targets_.sign_sqs_envelopes) targets_.signer.complete(f.body);
    targets_.dead_letters.send_copy(*f.subscription, std::move(f.body), std::move(f.attributes),
                                    f.error, f.group_id);
  }
  return {};
}

Result<void> Fanout::write_queue_copies(const std::vector<const Published*>& published,
                                        storage::Batch batch) {
  // A FIFO queue's finish_sends may wait for earlier sends to it: stage and finish queues in
  // uid order, as LoggedWrite requires, so two fan-outs never wait on each other.
  std::sort(queues_.begin(), queues_.end(), [](const QueueSends& a, const QueueSends& b) {
    return a.queue->uid() < b.queue->uid();
  });
  sqs::LoggedWrite write(targets_.engine, log_ ? targets_.events : nullptr, std::move(batch));
  for (auto& q : queues_) {
    if (!q.foreign) q.staged = write.stage(*q.queue, std::move(q.inputs));
  }
  if (write.logging()) {
    std::size_t entries = 0;
    for (const Published* p : published) entries += 1 + p->input.stream_first.envelopes.size();
    write.reserve_log(entries);
    for (const Published* p : published) {
      for (const std::string& envelope : p->input.stream_first.envelopes) {
        write.log(
            {.body = envelope, .timestamp = p->timestamp, .stream = p->input.stream_first.stream});
      }
      // The log is a FIFO topic's archive: it keeps what a replay needs to publish again. The
      // queue copies are not logged again (stage() never logs).
      write.log({.source_arn = topic_.arn,
                 .message_id = p->message_id,
                 .body = p->input.message,
                 .attributes = p->input.attributes.empty() ? nullptr : &p->input.attributes,
                 .timestamp = p->timestamp,
                 .group_id = view_of(p->input.group_id),
                 .deduplication_id = view_of(p->input.deduplication_id),
                 .subject = view_of(p->input.subject)});
    }
  }
  const Result<void>& written = write.commit();
  for (auto& q : queues_) {
    if (!q.foreign) note_refused(q, write.finish(*q.queue, std::move(q.staged)), written);
  }
  if (!written) return written;
  // Another account's queue writes through that account's engine, so its copies follow the
  // publish's write instead of sharing it (under a FIFO topic's lock still, so in order).
  for (auto& q : queues_) {
    if (q.foreign) note_refused(q, q.queue->send_all(std::move(q.inputs)), written);
  }
  return written;
}

void Fanout::note_refused(QueueSends& q, const std::vector<Result<sqs::SendOutput>>& results,
                          const Result<void>& written) {
  if (!written) return;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i]) {
      topic_.counters->add(TopicCount::kDeliveredToQueues);
      continue;
    }
    topic_.counters->add(TopicCount::kFailedToQueues);
    failed_.push_back({q.subscriptions[i], std::move(q.bodies[i]), std::move(q.attributes[i]),
                       results[i].error(), std::move(q.groups[i])});
  }
}

const std::string& Fanout::signature_for(const Published& p, const std::string& message,
                                         Signatures& cache) {
  auto [it, inserted] = cache.try_emplace(&message);
  if (inserted) it->second = targets_.signer.sign(document(p, message), topic_.signature_version);
  return it->second;
}

SnsDocument Fanout::document(const Published& p, const std::string& message) const {
  SnsDocument doc{.type = "Notification",
                  .message_id = p.message_id,
                  .sequence_number = p.sequence_number,
                  .replayed = p.replayed,
                  .topic_arn = topic_.arn,
                  .message = message,
                  .timestamp = p.timestamp_text,
                  .attributes = &p.input.attributes};
  if (p.input.subject) doc.subject = *p.input.subject;
  return doc;
}

std::string Fanout::envelope(const Subscription& sub, const Published& p,
                             const std::string& message, const std::string& signature) const {
  SnsDocument doc = document(p, message);
  const std::string unsubscribe = targets_.signer.unsubscribe_url(sub.arn);
  doc.unsubscribe_url = unsubscribe;
  return render_document(doc, topic_.signature_version, signature,
                         targets_.signer.signing_cert_url());
}

void Fanout::add_sqs(const Subscription& sub, const Published& p, const std::string& message) {
  SendInput in;
  if (sub.raw) {
    in.body = message;
    in.attributes = p.input.attributes;
  } else {
    // Signed when received through the API (DocumentSigner::complete), not here: most copies
    // in a busy daemon feed its own plugins, which never check a signature.
    static const std::string kUnsigned;
    in.body = envelope(sub, p, message, kUnsigned);
    in.signature_deferred = targets_.sign_sqs_envelopes;
  }
  in.sender_id = std::string(kSnsSenderId);
  auto queue = targets_.queues.find_by_arn(sub.endpoint);
  bool foreign = false;
  if (!queue) {
    queue = targets_.queues.find_by_arn_any_account(sub.endpoint);
    foreign = queue != nullptr;
  }
  if (!queue) {
    failed_.push_back({&sub, std::move(in.body), std::move(in.attributes),
                       Error{Errc::kQueueDoesNotExist, "The destination queue does not exist."},
                       topic_.fifo ? p.input.group_id.value_or("") : std::string()});
    return;
  }
  if (topic_.fifo && queue->fifo()) {
    // The copy keeps the publish's group and effective deduplication id, so the queue
    // orders and deduplicates it as the topic did.
    in.group_id = p.input.group_id;
    in.deduplication_id =
        p.copy_dedup_id.empty() ? p.input.deduplication_id : std::optional(p.copy_dedup_id);
  } else if (!topic_.fifo && !queue->fifo()) {
    in.group_id = p.input.group_id;  // a standard topic feeding a fair queue
  }
  auto [it, inserted] = queue_index_.try_emplace(queue.get(), queues_.size());
  if (inserted) queues_.push_back(QueueSends{.queue = queue, .foreign = foreign});
  QueueSends& q = queues_[it->second];
  q.subscriptions.push_back(&sub);
  // Copies are kept only where a refused delivery has somewhere to go.
  q.bodies.push_back(sub.dead_letter_arn.empty() ? std::string() : in.body);
  q.attributes.push_back(sub.dead_letter_arn.empty() ? MessageAttributes() : in.attributes);
  q.groups.push_back(sub.dead_letter_arn.empty() || !topic_.fifo ? std::string()
                                                                 : p.input.group_id.value_or(""));
  q.inputs.push_back(std::move(in));
}

void Fanout::add_endpoint(const Subscription& sub, const Published& p, const std::string& message,
                          Signatures& signatures) {
  EndpointMessage m{.subscription_arn = sub.arn,
                    .topic_arn = topic_.arn,
                    .protocol = sub.protocol,
                    .endpoint = sub.endpoint,
                    .message_type = "Notification",
                    .message_id = p.message_id,
                    .raw = sub.raw,
                    .dead_letter_arn = sub.dead_letter_arn,
                    .timestamp = p.timestamp};
  // E-mail, SMS and push endpoints get the text itself; the others a signed JSON document.
  const bool plain =
      sub.raw || sub.protocol == "email" || sub.protocol == "sms" || sub.protocol == "application";
  m.body = plain ? message : envelope(sub, p, message, signature_for(p, message, signatures));
  m.delivery_policy = delivery_policy_of(topic_.attributes, sub);
  endpoint_messages_.push_back(std::move(m));
}

// --- publishing ------------------------------------------------------------------------------

}  // namespace eb::sns
