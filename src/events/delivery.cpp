#include "events/delivery.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/json_writer.hpp"
#include "events/api_destination_delivery.hpp"
#include "events/dead_letter.hpp"
#include "events/targets.hpp"
#include "sns/endpoint_delivery.hpp"
#include "sns/topics.hpp"
#include "sqs/logged_write.hpp"
#include "sqs/queues.hpp"

namespace eb::events {

std::string event_time(Millis ms) {
  std::string text = utc_timestamp(ms - ((ms % 1000) + 1000) % 1000);
  const auto dot = text.find('.');
  if (dot != std::string::npos) text.erase(dot, text.size() - dot - 1);
  return text;
}

std::string build_envelope(const EnvelopeFields& f, const EventsOptions& options) {
  std::string out;
  out.reserve(160 + f.detail_json.size() + f.source.size() + f.detail_type.size());
  JsonWriter json(out);
  json.begin_object()
      .member("version", "0")
      .member("id", f.id)
      .member("detail-type", f.detail_type)
      .member("source", f.source)
      .member("account", options.account_id)
      .member("time", event_time(f.time))
      .member("region", options.region);
  json.key("resources").begin_array();
  for (const std::string& r : f.resources) json.string(r);
  json.end_array();
  json.key("detail").raw(f.detail_json);
  json.end_object();
  return out;
}

void DeliveryBatch::add(const Rule& rule, const simdjson::dom::element& event,
                        std::string_view event_id, std::string_view envelope,
                        std::string_view ingestion_time) {
  const RenderContext context{rule.arn, rule.name, ingestion_time};
  for (const Target& target : rule.targets) {
    const TargetSpec& spec = target.spec;
    // The event is kept only where a failed delivery has a dead-letter queue to go to: most
    // targets have none, and this runs for every delivery.
    Attempt attempt{rule.arn, spec.arn, spec.dead_letter_arn.value_or(""),
                    spec.dead_letter_arn ? std::string(envelope) : std::string()};
    const std::string_view service = arn_service(spec.arn);
    if (service == "events" && spec.arn.find(":event-bus/") != std::string::npos) {
      // Another bus gets the event as it is, not shaped.
      if (forwarded_) {
        spdlog::warn(
            "rule {}: target {}: the event already came from another bus; it is not "
            "forwarded again",
            rule.arn, spec.id);
        continue;
      }
      forwards_.push_back(Forward{spec.arn.substr(spec.arn.find(":event-bus/") + 11),
                                  std::string(event_id), std::string(envelope)});
      continue;
    }
    std::string body =
        spec.input ? spec.input->render(event, envelope, context) : std::string(envelope);
    if (service == "sns") {
      later_.push_back({Later::Kind::kTopic, std::move(attempt), spec.id, std::move(body),
                        std::string(event_id)});
      continue;
    }
    if (service == "events" && spec.arn.find(":api-destination/") != std::string::npos &&
        services_.api_destinations != nullptr) {
      auto api = std::make_shared<ApiDestinationDelivery>(ApiDestinationDelivery{
          .rule_arn = rule.arn,
          .target_id = spec.id,
          .target_arn = spec.arn,
          .event_id = std::string(event_id),
          .http_parameters = spec.http_parameters.value_or(TargetHttpParameters{}),
          .maximum_retry_attempts = spec.maximum_retry_attempts,
          .maximum_event_age_seconds = spec.maximum_event_age_seconds,
          .dead_letter_arn = attempt.dead_letter_arn,
          .body = std::move(body),
          .event = attempt.event,
      });
      later_.push_back({Later::Kind::kApiDestination, std::move(attempt), spec.id, std::string(),
                        std::string(event_id), std::move(api)});
      continue;
    }
    if (service != "sqs") {
      later_.push_back({Later::Kind::kOutbox, std::move(attempt), spec.id, std::move(body),
                        std::string(event_id)});
      continue;
    }
    auto queue = queues_.find_by_arn(spec.arn);
    if (!queue) {
      dead_letter(attempt, "NO_RESOURCE", "The destination queue does not exist.");
      continue;
    }
    sqs::SendInput in;
    in.body = std::move(body);
    in.sender_id = sender_id_;
    if (queue->fifo()) {
      in.group_id = spec.sqs_message_group_id;
      in.deduplication_id = std::string(event_id);
    }
    auto [it, inserted] = queue_index_.try_emplace(queue.get(), queue_sends_.size());
    if (inserted) queue_sends_.push_back(QueueSends{.queue = queue});
    queue_sends_[it->second].inputs.push_back(std::move(in));
    queue_sends_[it->second].attempts.push_back(std::move(attempt));
  }
}

Result<void> DeliveryBatch::commit(storage::Engine& engine, storage::EventSink* sink,
                                   std::span<const storage::IncomingMessage> logged) {
  if (!queue_sends_.empty() || (!logged.empty() && sink != nullptr)) {
    // Queues are staged and finished in uid order, as LoggedWrite requires.
    std::sort(
        queue_sends_.begin(), queue_sends_.end(),
        [](const QueueSends& a, const QueueSends& b) { return a.queue->uid() < b.queue->uid(); });
    sqs::LoggedWrite write(engine, sink);
    for (auto& q : queue_sends_) q.staged = write.stage(*q.queue, std::move(q.inputs));
    write.reserve_log(logged.size());
    for (const auto& message : logged) write.log(message);
    const Result<void>& written = write.commit();
    for (auto& q : queue_sends_) {
      auto sent = write.finish(*q.queue, std::move(q.staged));
      if (!written) continue;
      for (std::size_t i = 0; i < sent.size(); ++i) {
        if (!sent[i]) dead_letter(q.attempts[i], "INVALID_PARAMETER", sent[i].error().message);
      }
    }
    if (!written) {
      forwards_.clear();
      return written;
    }
  }
  for (Later& l : later_) {
    if (l.kind == Later::Kind::kTopic) {
      if (services_.topics == nullptr) continue;
      sns::PublishInput in;
      in.topic_arn = l.attempt.target_arn;
      in.message = std::move(l.body);
      auto published = services_.topics->publish(std::move(in));
      if (!published) {
        dead_letter(l.attempt,
                    published.error().code == Errc::kNotFound ? "NO_RESOURCE" : "INVALID_PARAMETER",
                    published.error().message);
      }
    } else if (l.kind == Later::Kind::kApiDestination) {
      services_.api_destinations->deliver(std::move(*l.api));
    } else if (services_.outbox != nullptr) {
      services_.outbox->deliver(sns::EndpointMessage{
          .subscription_arn = l.target_id,
          .topic_arn = l.attempt.rule_arn,
          .protocol = std::string(arn_service(l.attempt.target_arn)),
          .endpoint = l.attempt.target_arn,
          .message_type = "EventBridge",
          .message_id = l.event_id,
          .body = std::move(l.body),
      });
    }
  }
  return {};
}

void DeliveryBatch::dead_letter(const Attempt& attempt, std::string_view code,
                                std::string_view message) {
  send_dead_letter(queues_, sender_id_,
                   DeadLetterEvent{.rule_arn = attempt.rule_arn,
                                   .target_arn = attempt.target_arn,
                                   .dead_letter_arn = attempt.dead_letter_arn,
                                   .event = attempt.event,
                                   .error_code = code,
                                   .error_message = message});
}

}  // namespace eb::events
