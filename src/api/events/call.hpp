#pragma once
// What every EventBridge action shares: the call in flight (request, answer, the domain objects)
// and the JSON helpers of the model's common shapes. Each group of actions lives in its own
// file and adds its entries to the service's table (add_*_actions).
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/aws/service.hpp"
#include "api/events/json_request.hpp"
#include "core/json_writer.hpp"
#include "events/types.hpp"

namespace eb::events {
class EventBuses;
class Archives;
class Endpoints;
class PartnerSources;
class Connections;
}  // namespace eb::events

namespace eb::api::events {

// The domain objects EventBridge's actions call; every one outlives the service.
struct Domains {
  eb::events::EventBuses& buses;
  eb::events::Archives& archives;
  eb::events::Endpoints& endpoints;
  eb::events::PartnerSources& partner_sources;
  eb::events::Connections& connections;
};

// One call in flight: the request and the way to answer it. `out` collects the answer's JSON.
struct Call {
  aws::AwsRequest request;
  net::Respond respond;
  const Domains& domains;
  eb::events::EventBuses& buses;
  std::string out;
  JsonWriter json{out};

  // 200 with `out`, once this request's writes are as durable as the daemon promises.
  void reply();
  void reply_empty();
};

using Action = Result<void> (*)(Call&, const JsonRequest&);
using ActionTable = std::unordered_map<std::string_view, Action>;

// Buses, rules, targets, tags, PutEvents and TestEventPattern (bus_actions.cpp).
void add_bus_actions(ActionTable& table);
// Archives and replays (archive_actions.cpp).
void add_archive_actions(ActionTable& table);
// Global endpoints (endpoint_actions.cpp).
void add_endpoint_actions(ActionTable& table);
// Partner event sources and PutPartnerEvents (partner_actions.cpp).
void add_partner_actions(ActionTable& table);
// Connections and API destinations (connection_actions.cpp).
void add_connection_actions(ActionTable& table);

// JSON 1.1 timestamps are epoch seconds.
void seconds(JsonWriter& json, std::string_view name, Millis ms);
// Writes the member only when `value` is not empty.
void optional_member(JsonWriter& json, std::string_view name, const std::string& value);
void dead_letter_member(JsonWriter& json, const std::string& arn);
// NamePrefix, NextToken and Limit.
Result<eb::events::ListInput> list_input(const JsonRequest& r);
void next_token(JsonWriter& json, const std::string& token);
Result<std::optional<std::string>> dead_letter_arn(const JsonRequest& r);
// PutEvents' and PutPartnerEvents' answer: FailedEntryCount and one entry per request entry.
void put_events_answer(JsonWriter& json, const eb::events::PutEventsOutput& result);

}  // namespace eb::api::events
