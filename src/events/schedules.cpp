// Scheduled rules (EventBuses::sync_schedules, arm_locked, fire): each enabled rule of the
// default bus with a ScheduleExpression keeps one timer armed for its next firing; a firing
// delivers the Scheduled Event from aws.events to the rule's targets and re-arms. Time is the
// daemon's clock, so --clock manual fires schedules on POST /v1/clock/advance.
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "core/encoding.hpp"
#include "events/delivery.hpp"
#include "events/event_buses.hpp"

namespace eb::events {
namespace {

TimePoint time_point(Millis ms) { return TimePoint(std::chrono::milliseconds(ms)); }

Millis millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

void EventBuses::sync_schedules() {
  const auto bus = snapshot()->find(std::string(kDefaultBus));
  const Millis now = clock_.now_ms();
  std::lock_guard lock(schedule_mu_);
  for (auto it = armed_.begin(); it != armed_.end();) {
    const Rule* current = nullptr;
    if (bus) {
      auto found = bus->rules.find(it->first);
      if (found != bus->rules.end()) current = found->second.get();
    }
    if (current == it->second.rule.get()) {
      ++it;
      continue;
    }
    // Gone or changed: its timer stops; a changed rule is armed again below.
    timers_.cancel(it->second.timer);
    it = armed_.erase(it);
  }
  if (!bus) return;
  for (const auto& [name, rule] : bus->rules) {
    if (!rule->schedule || !rule->enabled() || armed_.contains(name)) continue;
    Armed& armed = armed_[name];
    armed.rule = rule;
    arm_locked(name, armed, now);
  }
}

void EventBuses::arm_locked(const std::string& name, Armed& armed, Millis after) {
  // Rates count from the rule's creation, so re-arming after a change or a restart keeps the
  // rule's rhythm.
  const auto next =
      armed.rule->schedule->next_after(time_point(after), time_point(armed.rule->created));
  if (!next) return;  // a cron with no time left (its years have passed)
  const Millis deadline = millis(*next);
  armed.generation = ++next_generation_;
  armed.timer = timers_.schedule_at(deadline, [this, name, generation = armed.generation,
                                               deadline] { fire(name, generation, deadline); });
}

void EventBuses::fire(const std::string& name, std::uint64_t generation, Millis deadline) {
  std::shared_ptr<const Rule> rule;
  {
    std::lock_guard lock(schedule_mu_);
    auto it = armed_.find(name);
    if (it == armed_.end() || it->second.generation != generation) return;
    rule = it->second.rule;
  }
  const auto bus = snapshot()->find(std::string(kDefaultBus));
  const std::string id = random_uuid();
  const std::vector<std::string> resources{rule->arn};
  const std::string envelope = build_envelope({.id = id,
                                               .detail_type = "Scheduled Event",
                                               .source = "aws.events",
                                               .time = deadline,
                                               .resources = resources,
                                               .detail_json = "{}"},
                                              options_);
  simdjson::dom::parser parser;
  simdjson::dom::element event;
  if (!parser.parse(envelope).get(event)) {
    DeliveryBatch deliveries(queues_, services_, options_.account_id,
                             /*forwarded=*/false, &pending_);
    deliveries.add(*rule, bus ? bus->counters : unattributed_, event, id, envelope,
                   event_time(clock_.now_ms()));
    // A view of the bus's own string: `bus ? arn : ""` would be a temporary std::string.
    const std::string_view source = bus ? std::string_view(bus->description.arn) : "";
    const storage::IncomingMessage logged{
        .source_arn = source, .message_id = id, .body = envelope, .timestamp = deadline};
    if (auto written = deliver(deliveries, {&logged, bus ? 1u : 0u}); !written) {
      spdlog::warn("rule {}: the scheduled event of {} could not be written: {}", rule->arn,
                   event_time(deadline), written.error().message);
    }
  }
  std::lock_guard lock(schedule_mu_);
  auto it = armed_.find(name);
  if (it != armed_.end() && it->second.generation == generation) {
    arm_locked(name, it->second, deadline);
  }
}

}  // namespace eb::events
