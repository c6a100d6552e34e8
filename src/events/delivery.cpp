#include "events/delivery.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/account_id.hpp"
#include "core/json_writer.hpp"
#include "core/log.hpp"
#include "events/api_destination_delivery.hpp"
#include "events/dead_letter.hpp"
#include "events/targets.hpp"
#include "sns/endpoint_delivery.hpp"
#include "sns/topics.hpp"
#include "sqs/logged_write.hpp"
#include "sqs/queues.hpp"

namespace eb::events {
namespace {

// An API destination target's delivery of one event; its on_final is the caller's.
std::shared_ptr<ApiDestinationDelivery> api_delivery(std::string_view rule_arn,
                                                     const TargetSpec& target,
                                                     std::string_view event_id, std::string body,
                                                     std::string event,
                                                     std::shared_ptr<BusCounters> counters) {
  return std::make_shared<ApiDestinationDelivery>(ApiDestinationDelivery{
      .rule_arn = std::string(rule_arn),
      .target_id = target.id,
      .target_arn = target.arn,
      .event_id = std::string(event_id),
      .http_parameters = target.http_parameters.value_or(TargetHttpParameters{}),
      .maximum_retry_attempts = target.maximum_retry_attempts,
      .maximum_event_age_seconds = target.maximum_event_age_seconds,
      .dead_letter_arn = target.dead_letter_arn.value_or(""),
      .body = std::move(body),
      .event = std::move(event),
      .counters = std::move(counters),
  });
}

}  // namespace

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

void DeliveryBatch::add(const Rule& rule, const std::shared_ptr<BusCounters>& counters,
                        const simdjson::dom::element& event, std::string_view event_id,
                        std::string_view envelope, std::string_view ingestion_time) {
  count(counters, BusCount::kMatched);
  const RenderContext context{rule.arn, rule.name, ingestion_time};
  for (const Target& target : rule.targets) {
    const TargetSpec& spec = target.spec;
    // The event is kept only where a failed delivery has a dead-letter queue to go to: most
    // targets have none, and this runs for every delivery.
    Attempt attempt{rule.arn, spec.arn, spec.dead_letter_arn.value_or(""),
                    spec.dead_letter_arn ? std::string(envelope) : std::string(), counters};
    const std::string_view service = arn_service(spec.arn);
    if (service == "events" && spec.arn.find(":event-bus/") != std::string::npos) {
      // Another bus gets the event as it is, not shaped.
      if (forwarded_) {
        log::warn("the event already came from another bus; it is not forwarded again",
                  {{"rule", rule.arn}, {"target", spec.id}}, log::MessageRef{event_id, envelope});
        count(counters, BusCount::kDropped);
        continue;
      }
      std::string key;
      if (pending_ != nullptr) {
        const Attempt whole{rule.arn, spec.arn, {}, std::string(envelope)};
        key = stage_pending(PendingKind::kBus, whole, spec, event_id, {});
      }
      forwards_.push_back(forward_to(spec.arn, std::string(event_id), std::string(envelope),
                                     std::move(key), counters));
      continue;
    }
    std::string body =
        spec.input ? spec.input->render(event, envelope, context) : std::string(envelope);
    if (service == "events" && spec.arn.find(":api-destination/") != std::string::npos &&
        services_.api_destinations != nullptr) {
      std::string key = stage_pending(PendingKind::kApiDestination, attempt, spec, event_id, body);
      auto api = api_delivery(rule.arn, spec, event_id, std::move(body), attempt.event, counters);
      later_.push_back({Later::Kind::kApiDestination, std::move(attempt), spec.id, std::string(),
                        std::string(event_id), std::move(key), std::move(api)});
      continue;
    }
    if (service != "sqs") {
      const auto kind = service == "sns" ? Later::Kind::kTopic : Later::Kind::kOutbox;
      std::string key =
          stage_pending(kind == Later::Kind::kTopic ? PendingKind::kTopic : PendingKind::kOutbox,
                        attempt, spec, event_id, body);
      later_.push_back({kind, std::move(attempt), spec.id, std::move(body), std::string(event_id),
                        std::move(key)});
      continue;
    }
    auto queue = queues_.find_by_arn(spec.arn);
    bool foreign = false;
    if (!queue) {
      queue = queues_.find_by_arn_any_account(spec.arn);
      foreign = queue != nullptr;
    }
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
    if (inserted) queue_sends_.push_back(QueueSends{.queue = queue, .foreign = foreign});
    queue_sends_[it->second].inputs.push_back(std::move(in));
    queue_sends_[it->second].attempts.push_back(std::move(attempt));
  }
}

std::string DeliveryBatch::stage_pending(PendingKind kind, const Attempt& attempt,
                                         const TargetSpec& target, std::string_view event_id,
                                         std::string_view body) {
  if (pending_ == nullptr) return {};
  return pending_->stage(pending_batch_, PendingDelivery{.kind = kind,
                                                         .rule_arn = attempt.rule_arn,
                                                         .target_json = target.json,
                                                         .event_id = std::string(event_id),
                                                         .event = attempt.event,
                                                         .body = std::string(body)});
}

void DeliveryBatch::resume(std::string key, PendingDelivery d,
                           std::shared_ptr<BusCounters> counters) {
  auto target = parse_target(d.target_json);
  if (!target) {
    spdlog::warn("rule {}: a recorded delivery's target does not parse ({}); it is dropped",
                 d.rule_arn, target.error().message);
    dropped_keys_.push_back(std::move(key));
    return;
  }
  Attempt attempt{std::move(d.rule_arn), target->arn, target->dead_letter_arn.value_or(""),
                  std::move(d.event), std::move(counters)};
  switch (d.kind) {
    case PendingKind::kBus:
      forwards_.push_back(forward_to(target->arn, std::move(d.event_id), std::move(attempt.event),
                                     std::move(key), std::move(attempt.counters)));
      return;
    case PendingKind::kTopic:
      later_.push_back({Later::Kind::kTopic, std::move(attempt), target->id, std::move(d.body),
                        std::move(d.event_id), std::move(key)});
      return;
    case PendingKind::kApiDestination:
      if (services_.api_destinations != nullptr) {
        auto api = api_delivery(attempt.rule_arn, *target, d.event_id, std::move(d.body),
                                attempt.event, attempt.counters);
        later_.push_back({Later::Kind::kApiDestination, std::move(attempt), target->id,
                          std::string(), std::move(d.event_id), std::move(key), std::move(api)});
        return;
      }
      [[fallthrough]];
    case PendingKind::kOutbox:
      later_.push_back({Later::Kind::kOutbox, std::move(attempt), target->id, std::move(d.body),
                        std::move(d.event_id), std::move(key)});
      return;
  }
}

Forward DeliveryBatch::forward_to(const std::string& bus_arn, std::string event_id,
                                  std::string envelope, std::string pending_key,
                                  std::shared_ptr<BusCounters> counters) const {
  const auto at = bus_arn.find(":event-bus/");
  std::string bus = at == std::string::npos ? std::string() : bus_arn.substr(at + 11);
  const std::string_view account = arn_account(bus_arn);
  return Forward{
      .account = account == queues_.options().account_id ? std::string() : std::string(account),
      .bus_name = std::move(bus),
      .event_id = std::move(event_id),
      .envelope = std::move(envelope),
      .pending_key = std::move(pending_key),
      .counters = std::move(counters)};
}

void DeliveryBatch::finish_pending() {
  if (pending_ == nullptr) return;
  std::vector<std::string> keys = std::move(dropped_keys_);
  for (Later& l : later_) {
    if (!l.pending_key.empty()) keys.push_back(std::move(l.pending_key));
  }
  for (Forward& f : forwards_) {
    if (!f.pending_key.empty()) keys.push_back(std::move(f.pending_key));
  }
  pending_->erase(keys);
}

void DeliveryBatch::erase_pending_in_write(const std::string& key) {
  if (!key.empty()) pending_batch_.erase(storage::Family::kEventBuses, key);
}

Result<void> DeliveryBatch::commit(storage::Engine& engine, storage::EventSink* sink,
                                   std::span<const storage::IncomingMessage> logged) {
  const bool own_sends = std::any_of(queue_sends_.begin(), queue_sends_.end(),
                                     [](const QueueSends& q) { return !q.foreign; });
  if (own_sends || (!logged.empty() && sink != nullptr) || !pending_batch_.empty()) {
    // Queues are staged and finished in uid order, as LoggedWrite requires.
    std::sort(
        queue_sends_.begin(), queue_sends_.end(),
        [](const QueueSends& a, const QueueSends& b) { return a.queue->uid() < b.queue->uid(); });
    sqs::LoggedWrite write(engine, sink, std::move(pending_batch_));
    for (auto& q : queue_sends_) {
      if (!q.foreign) q.staged = write.stage(*q.queue, std::move(q.inputs));
    }
    write.reserve_log(logged.size());
    for (const auto& message : logged) write.log(message);
    const Result<void>& written = write.commit();
    for (auto& q : queue_sends_) {
      if (q.foreign) continue;
      auto sent = write.finish(*q.queue, std::move(q.staged));
      if (written) settle_sends(q, sent);
    }
    if (!written) {
      forwards_.clear();
      return written;
    }
  }
  // Another account's queue writes through that account's engine: its copies follow the write.
  for (auto& q : queue_sends_) {
    if (q.foreign) settle_sends(q, q.queue->send_all(std::move(q.inputs)));
  }
  for (Later& l : later_) {
    if (l.kind == Later::Kind::kTopic) {
      if (services_.topics == nullptr) continue;
      sns::PublishInput in;
      in.topic_arn = l.attempt.target_arn;
      in.message = std::move(l.body);
      auto published = services_.topics->publish(std::move(in));
      if (published) {
        count(l.attempt.counters, BusCount::kDelivered);
      } else {
        dead_letter(l.attempt,
                    published.error().code == Errc::kNotFound ? "NO_RESOURCE" : "INVALID_PARAMETER",
                    published.error().message);
      }
    } else if (l.kind == Later::Kind::kApiDestination) {
      // Its record goes when the delivery ends, after any retries; not with the batch's.
      if (!l.pending_key.empty()) {
        l.api->on_final = [pending = pending_, key = std::move(l.pending_key)] {
          pending->erase({key});
        };
        l.pending_key.clear();
      }
      services_.api_destinations->deliver(std::move(*l.api));
    } else if (services_.outbox != nullptr) {
      count(l.attempt.counters, BusCount::kDelivered);
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

void DeliveryBatch::settle_sends(const QueueSends& q,
                                 const std::vector<Result<sqs::SendOutput>>& sent) {
  for (std::size_t i = 0; i < sent.size(); ++i) {
    if (sent[i]) {
      count(q.attempts[i].counters, BusCount::kDelivered);
    } else {
      dead_letter(q.attempts[i], "INVALID_PARAMETER", sent[i].error().message);
    }
  }
}

void DeliveryBatch::dead_letter(const Attempt& attempt, std::string_view code,
                                std::string_view message) {
  count(attempt.counters, BusCount::kFailed);
  const bool taken = send_dead_letter(queues_, sender_id_,
                                      DeadLetterEvent{.rule_arn = attempt.rule_arn,
                                                      .target_arn = attempt.target_arn,
                                                      .dead_letter_arn = attempt.dead_letter_arn,
                                                      .event = attempt.event,
                                                      .error_code = code,
                                                      .error_message = message});
  count(attempt.counters, taken ? BusCount::kDeadLettered : BusCount::kDropped);
}

}  // namespace eb::events
