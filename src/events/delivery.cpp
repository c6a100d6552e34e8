#include "events/delivery.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/json_writer.hpp"
#include "events/targets.hpp"
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
    if (arn_service(target.spec.arn) != "sqs") {
      spdlog::debug("rule {}: target {} ({}) is not delivered yet", rule.arn, target.spec.id,
                    target.spec.arn);
      continue;
    }
    auto queue = queues_.find_by_arn(target.spec.arn);
    if (!queue) {
      spdlog::warn("rule {}: target {}: queue {} does not exist", rule.arn, target.spec.id,
                   target.spec.arn);
      continue;
    }
    sqs::SendInput in;
    in.body = target.spec.input ? target.spec.input->render(event, envelope, context)
                                : std::string(envelope);
    in.sender_id = sender_id_;
    if (queue->fifo()) {
      in.group_id = target.spec.sqs_message_group_id;
      in.deduplication_id = std::string(event_id);
    }
    auto [it, inserted] = queue_index_.try_emplace(queue.get(), queue_sends_.size());
    if (inserted) queue_sends_.push_back(QueueSends{.queue = queue});
    queue_sends_[it->second].inputs.push_back(std::move(in));
  }
}

Result<void> DeliveryBatch::commit(storage::Engine& engine, storage::EventSink* sink,
                                   std::span<const storage::IncomingMessage> logged) {
  if (queue_sends_.empty() && (logged.empty() || sink == nullptr)) return {};
  // Queues are staged and finished in uid order, as LoggedWrite requires.
  std::sort(queue_sends_.begin(), queue_sends_.end(), [](const QueueSends& a, const QueueSends& b) {
    return a.queue->uid() < b.queue->uid();
  });
  sqs::LoggedWrite write(engine, sink);
  for (auto& q : queue_sends_) q.staged = write.stage(*q.queue, std::move(q.inputs));
  write.reserve_log(logged.size());
  for (const auto& message : logged) write.log(message);
  const Result<void>& written = write.commit();
  for (auto& q : queue_sends_) {
    for (auto& sent : write.finish(*q.queue, std::move(q.staged))) {
      if (written && !sent) {
        spdlog::warn("EventBridge: queue {} refused an event: {}", q.queue->name(),
                     sent.error().message);
      }
    }
  }
  return written;
}

}  // namespace eb::events
