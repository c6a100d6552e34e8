// EventBuses::put_events and test_event_pattern: entry validation, the delivered envelope,
// matching against a bus's rules and the SQS deliveries written with the event-log records.
#include <fmt/format.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_map>

#include "core/encoding.hpp"
#include "core/log.hpp"
#include "events/delivery.hpp"
#include "events/event_buses.hpp"
#include "events/targets.hpp"

namespace eb::events {
namespace {

constexpr std::size_t kMaxEntries = 10;
// PutEvents' size rule (EventBridge user guide, "Calculating PutEvents event entry size"):
// the UTF-8 bytes of Source, DetailType, Detail and each Resource, plus 14 for a Time.
constexpr std::size_t kMaxRequestBytes = 256 * 1024;
constexpr std::size_t kTimeBytes = 14;

std::size_t entry_size(const PutEventsEntry& e) {
  std::size_t size = e.time ? kTimeBytes : 0;
  if (e.source) size += e.source->size();
  if (e.detail_type) size += e.detail_type->size();
  if (e.detail) size += e.detail->size();
  for (const std::string& r : e.resources) size += r.size();
  return size;
}

PutEventsResultEntry entry_error(std::string_view code, std::string message) {
  return PutEventsResultEntry{{}, std::string(code), std::move(message)};
}

PutEventsResultEntry missing(std::string_view member) {
  return entry_error(
      "InvalidArgument",
      fmt::format("Parameter {0} is not valid. Reason: {0} is a required argument.", member));
}

// One accepted entry, ready to match and deliver.
struct Accepted {
  std::string id;
  std::string envelope;
  std::shared_ptr<const Bus> bus;  // null: the bus does not exist (accepted, as AWS does)
};

}  // namespace

Result<PutEventsOutput> EventBuses::put_events(const std::vector<PutEventsEntry>& entries) {
  if (entries.empty()) {
    return std::unexpected(
        constraint_error("entries", "[]", "Member must have length greater than or equal to 1"));
  }
  if (entries.size() > kMaxEntries) {
    return std::unexpected(constraint_error("entries", "[PutEventsRequestEntry]",
                                            "Member must have length less than or equal to 10"));
  }
  std::size_t total = 0;
  for (const PutEventsEntry& e : entries) total += entry_size(e);
  if (total >= kMaxRequestBytes) {
    return fail(Errc::kValidationError,
                "Total size of the entries in the request is over the limit.");
  }

  const auto registry = snapshot();
  const Millis now = clock_.now_ms();
  PutEventsOutput out;
  out.entries.resize(entries.size());
  std::vector<Accepted> accepted;
  accepted.reserve(entries.size());
  std::vector<std::size_t> accepted_index;
  simdjson::dom::parser detail_parser;
  // The bus an entry names (the default one when it names none); null when there is none.
  const auto bus_of = [&](const PutEventsEntry& e) {
    std::string bus_name(kDefaultBus);
    if (e.bus) {
      auto name = bus_name_of(*e.bus, arns_);
      if (name) bus_name = std::move(*name);
    }
    return std::pair{registry->find(bus_name), std::move(bus_name)};
  };
  // Refused entries count on their bus once the request is answered.
  std::vector<std::shared_ptr<BusCounters>> refused;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const PutEventsEntry& e = entries[i];
    PutEventsResultEntry& result = out.entries[i];
    if (!e.source || e.source->empty()) {
      result = missing("Source");
    } else if (!e.detail_type || e.detail_type->empty()) {
      result = missing("DetailType");
    } else if (!e.detail || e.detail->empty()) {
      result = missing("Detail");
    } else {
      simdjson::dom::element detail;
      if (detail_parser.parse(*e.detail).get(detail) || !detail.is_object()) {
        result = entry_error("MalformedDetail", "Detail is malformed.");
      } else {
        auto [bus, bus_name] = bus_of(e);
        if (!bus) {
          // AWS answers an event id and drops the event (aws/aws-sdk#186); say so here.
          spdlog::info(
              "PutEvents: event bus {} does not exist; the event is accepted and "
              "dropped, as AWS does",
              bus_name);
        }
        const std::string detail_json = simdjson::minify(detail);
        Accepted a;
        a.id = random_uuid();
        a.envelope = build_envelope({.id = a.id,
                                     .detail_type = *e.detail_type,
                                     .source = *e.source,
                                     .time = e.time.value_or(now),
                                     .resources = e.resources,
                                     .detail_json = detail_json},
                                    options_);
        a.bus = std::move(bus);
        result.event_id = a.id;
        accepted.push_back(std::move(a));
        accepted_index.push_back(i);
        continue;
      }
    }
    ++out.failed_entry_count;
    const auto bus = bus_of(e).first;
    refused.push_back(bus ? bus->counters : unattributed_);
  }

  // Match each event against its bus's enabled rules; SQS targets are written with the
  // events' log records, in one batch.
  DeliveryBatch deliveries(queues_, services_, options_.account_id,
                           /*forwarded=*/false, &pending_);
  simdjson::dom::parser event_parser;
  std::vector<matching::EventPatternSet::Id> matched;
  std::vector<storage::IncomingMessage> logged;
  logged.reserve(accepted.size());
  const std::string ingestion_time = event_time(now);
  for (const Accepted& a : accepted) {
    if (!a.bus) continue;
    logged.push_back({.source_arn = a.bus->description.arn,
                      .message_id = a.id,
                      .body = a.envelope,
                      .timestamp = now});
    simdjson::dom::element event;
    if (event_parser.parse(a.envelope).get(event)) continue;  // built here: always parses
    matched.clear();
    a.bus->patterns->match(event, matched);
    for (const auto id : matched) {
      deliveries.add(*a.bus->matchable[id], a.bus->counters, event, a.id, a.envelope,
                     ingestion_time);
    }
  }
  EB_TRY(deliver(deliveries, logged));
  // Counted once answered: a request whose write failed accepted nothing.
  for (const auto& counters : refused) counters->add(BusCount::kPutFailed);
  for (const Accepted& a : accepted) {
    (a.bus ? a.bus->counters : unattributed_)->add(BusCount::kPutAccepted);
    if (!a.bus) unattributed_->add(BusCount::kDropped);
  }
  return out;
}

Result<void> EventBuses::deliver(DeliveryBatch& deliveries,
                                 std::span<const storage::IncomingMessage> logged) {
  EB_TRY(deliveries.commit(engine_, events_, logged));
  const auto registry = snapshot();
  for (Forward& f : deliveries.forwards()) {
    if (!f.account.empty()) {
      // Its record goes once the other account has it: a crash in between delivers it twice.
      if (!forward_to_account(f)) f.pending_key.clear();
      continue;
    }
    auto bus = registry->find(f.bus_name);
    if (!bus) {
      log::warn("target bus does not exist; the event is dropped", {{"bus", f.bus_name}},
                log::MessageRef{f.event_id, f.envelope});
      count(f.counters, BusCount::kFailed);
      count(f.counters, BusCount::kDropped);
      continue;
    }
    if (deliver_forwarded(*bus, f.event_id, f.envelope, f.pending_key)) {
      count(f.counters, BusCount::kDelivered);
    }
    f.pending_key.clear();  // erased by that write, or kept when it failed: a restart tries again
  }
  deliveries.finish_pending();
  return {};
}

Result<void> EventBuses::deliver_forwarded(const Bus& bus, const std::string& event_id,
                                           const std::string& envelope,
                                           const std::string& pending_key) {
  // `event` is read only while matching, before the commit could reach another bus.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element event;
  if (parser.parse(envelope).get(event)) return {};
  const Millis now = clock_.now_ms();
  DeliveryBatch onward(queues_, services_, options_.account_id, /*forwarded=*/true, &pending_);
  std::vector<matching::EventPatternSet::Id> matched;
  bus.patterns->match(event, matched);
  const std::string ingestion_time = event_time(now);
  for (const auto id : matched) {
    onward.add(*bus.matchable[id], bus.counters, event, event_id, envelope, ingestion_time);
  }
  const storage::IncomingMessage record{.source_arn = bus.description.arn,
                                        .message_id = event_id,
                                        .body = envelope,
                                        .timestamp = now};
  // The forward's record goes in the write that makes its copies: a crash after that write
  // must not make them again at the next start.
  onward.erase_pending_in_write(pending_key);
  auto written = onward.commit(engine_, events_, {&record, 1});
  if (!written) {
    log::warn("event could not be delivered on its bus",
              {{"bus", bus.description.name}, {"error", written.error().message}},
              log::MessageRef{event_id, envelope});
    return written;
  }
  onward.finish_pending();
  return {};
}

bool EventBuses::forward_to_account(const Forward& f) {
  const auto dropped = [&f](std::string_view text) {
    log::warn(text, {{"bus", f.bus_name}, {"account", f.account}},
              log::MessageRef{f.event_id, f.envelope});
    count(f.counters, BusCount::kFailed);
    count(f.counters, BusCount::kDropped);
    return true;
  };
  EventBuses* other = other_accounts_ ? other_accounts_(f.account) : nullptr;
  if (other == nullptr || other == this) {
    return dropped("account of the target bus does not exist; the event is dropped");
  }
  auto received = other->receive_forwarded(f.bus_name, f.event_id, f.envelope);
  if (received) count(f.counters, BusCount::kDelivered);
  if (received || received.error().code != Errc::kResourceNotFound) return received.has_value();
  return dropped("target bus does not exist; the event is dropped");
}

Result<void> EventBuses::receive_forwarded(const std::string& bus_name, const std::string& event_id,
                                           const std::string& envelope) {
  const auto bus = snapshot()->find(bus_name);
  if (!bus)
    return fail(Errc::kResourceNotFound, fmt::format("Event bus {} does not exist.", bus_name));
  return deliver_forwarded(*bus, event_id, envelope, {});
}

Result<std::size_t> EventBuses::resume_deliveries() {
  EB_ASSIGN_OR_RETURN(auto left, pending_.recover());
  if (left.empty()) return 0;
  DeliveryBatch deliveries(queues_, services_, options_.account_id,
                           /*forwarded=*/false, &pending_);
  const auto registry = snapshot();
  for (auto& [key, delivery] : left) {
    const auto bus = registry->find(bus_of_rule_arn(delivery.rule_arn));
    auto counters = bus ? bus->counters : unattributed_;
    deliveries.resume(std::move(key), std::move(delivery), std::move(counters));
  }
  EB_TRY(deliver(deliveries, {}));
  return left.size();
}

Result<void> EventBuses::replay_event(const std::string& bus_name, const std::string& event_id,
                                      const std::string& envelope,
                                      const std::vector<std::string>& rule_arns) {
  const auto bus = snapshot()->find(bus_name);
  if (!bus)
    return fail(Errc::kResourceNotFound, fmt::format("Event bus {} does not exist.", bus_name));
  simdjson::dom::parser parser;
  simdjson::dom::element event;
  if (parser.parse(envelope).get(event)) {
    return fail(Errc::kInternalError, fmt::format("archived event {} is not JSON", event_id));
  }
  const Millis now = clock_.now_ms();
  DeliveryBatch deliveries(queues_, services_, options_.account_id,
                           /*forwarded=*/false, &pending_);
  std::vector<matching::EventPatternSet::Id> matched;
  bus->patterns->match(event, matched);
  const std::string ingestion_time = event_time(now);
  for (const auto id : matched) {
    const Rule& rule = *bus->matchable[id];
    if (!rule_arns.empty() &&
        std::find(rule_arns.begin(), rule_arns.end(), rule.arn) == rule_arns.end()) {
      continue;
    }
    deliveries.add(rule, bus->counters, event, event_id, envelope, ingestion_time);
  }
  const storage::IncomingMessage logged{.source_arn = bus->description.arn,
                                        .message_id = event_id,
                                        .body = envelope,
                                        .timestamp = now};
  return deliver(deliveries, {&logged, 1});
}

Result<bool> EventBuses::test_event_pattern(std::string_view pattern,
                                            std::string_view event) const {
  EB_TRY(check_member("eventPattern", pattern, 0, 4096));
  EB_ASSIGN_OR_RETURN(auto compiled, matching::EventPattern::compile(pattern));
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object object;
  if (parser.parse(event.data(), event.size()).get(doc) || doc.get_object().get(object)) {
    return fail(Errc::kValidationError, "Parameter Event is not valid.");
  }
  // The model asks for every field of an event's envelope but detail.
  for (std::string_view field :
       {"id", "account", "source", "time", "region", "resources", "detail-type"}) {
    simdjson::dom::element value;
    if (object.at_key(field).get(value)) {
      return fail(Errc::kValidationError,
                  fmt::format("Parameter Event is not valid. Reason: Provided Event is missing "
                              "the required field {}.",
                              field));
    }
  }
  return compiled.matches(doc);
}

}  // namespace eb::events
