#include "events/pending_deliveries.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>

#include "eventbroker/codec.hpp"
#include "eventbroker/v1/bus_records.pb.h"

namespace eb::events {
namespace {

using storage::Family;

constexpr std::string_view kPrefix = "w/";
constexpr std::string_view kPrefixEnd = "w0";  // the first key after every "w/" one
constexpr std::uint32_t kFormatVersion = 1;

std::string key_of(std::uint64_t seq) { return fmt::format("{}{:016x}", kPrefix, seq); }

std::uint64_t seq_of(std::string_view key) {
  std::uint64_t seq = 0;
  key.remove_prefix(kPrefix.size());
  std::from_chars(key.data(), key.data() + key.size(), seq, 16);
  return seq;
}

bool known_kind(std::uint32_t kind) {
  return kind >= static_cast<std::uint32_t>(PendingKind::kTopic) &&
         kind <= static_cast<std::uint32_t>(PendingKind::kApiDestination);
}

}  // namespace

std::string PendingDeliveries::stage(storage::Batch& batch, const PendingDelivery& d) {
  eventbroker::v1::PendingDeliveryRecord p;
  p.set_format_version(kFormatVersion);
  p.set_kind(static_cast<std::uint32_t>(d.kind));
  p.set_rule_arn(d.rule_arn);
  p.set_target_json(d.target_json);
  p.set_event_id(d.event_id);
  p.set_event(d.event);
  p.set_body(d.body);
  p.set_created_ms(d.created != 0 ? d.created : clock_.now_ms());
  std::string key = key_of(next_.fetch_add(1, std::memory_order_relaxed));
  batch.put(Family::kEventBuses, key, p.SerializeAsString());
  return key;
}

void PendingDeliveries::erase(const std::vector<std::string>& keys) {
  if (keys.empty()) return;
  storage::Batch batch;
  for (const std::string& key : keys) batch.erase(Family::kEventBuses, key);
  if (auto written = engine_.write(batch); !written) {
    spdlog::warn("{} finished EventBridge deliveries stay recorded ({}); a restart repeats them",
                 keys.size(), written.error().message);
  }
}

Result<std::vector<std::pair<std::string, PendingDelivery>>> PendingDeliveries::recover() {
  std::vector<std::pair<std::string, PendingDelivery>> left;
  std::vector<std::string> unreadable;
  std::uint64_t last = 0;
  EB_TRY(engine_.scan(
      Family::kEventBuses, kPrefix, kPrefixEnd, [&](std::string_view key, std::string_view value) {
        last = std::max(last, seq_of(key));
        auto p = proto::parse<eventbroker::v1::PendingDeliveryRecord>(value);
        if (!p || !known_kind(p->kind())) {
          unreadable.emplace_back(key);
          return true;
        }
        left.emplace_back(std::string(key),
                          PendingDelivery{.kind = static_cast<PendingKind>(p->kind()),
                                          .rule_arn = p->rule_arn(),
                                          .target_json = p->target_json(),
                                          .event_id = p->event_id(),
                                          .event = p->event(),
                                          .body = p->body(),
                                          .created = p->created_ms()});
        return true;
      }));
  if (!unreadable.empty()) {
    spdlog::warn("{} pending EventBridge deliveries are unreadable and are dropped",
                 unreadable.size());
    erase(unreadable);
  }
  next_.store(last + 1, std::memory_order_relaxed);
  return left;
}

}  // namespace eb::events
