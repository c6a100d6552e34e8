#include "events/endpoints.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/encoding.hpp"
#include "eventbroker/codec.hpp"
#include "eventbroker/v1/bus_records.pb.h"
#include "events/names.hpp"

namespace eb::events {
namespace {

using storage::Family;

constexpr std::uint32_t kRecordVersion = 1;
constexpr std::string_view kKeyPrefix = "e/";
constexpr int kMaxPageSize = 100;
constexpr std::size_t kEventBusCount = 2;  // a global endpoint has exactly two buses

// The model's patterns, as AWS quotes them in a validation error.
constexpr std::string_view kHealthCheckPattern =
    "^arn:aws([a-z]|\\-)*:route53:::healthcheck/[\\-a-z0-9]+$";
constexpr std::string_view kRegionPattern = "^[\\-a-z0-9]+$";
constexpr std::string_view kRoleArnPattern = "^arn:aws[a-z-]*:iam::\\d{12}:role\\/[\\w+=,.@/-]+$";
constexpr std::string_view kBusArnPattern =
    "^arn:aws[a-z-]*:events:[a-z]+-[a-z-]+-\\d+:\\d{12}:event-bus/[\\w.-]+$";

std::string key_of(std::string_view name) { return std::string(kKeyPrefix).append(name); }

// One member against one of the model's patterns (after its lengths).

Result<void> check_region(std::string_view member, const std::string& region) {
  return check_pattern(member, region, 9, 20, kRegionPattern);
}

// The bus name of an event bus ARN the pattern accepted.
std::string_view bus_name_in(std::string_view arn) {
  return arn.substr(arn.find(":event-bus/") + std::string_view(":event-bus/").size());
}

std::string encode(const EndpointDescription& e) {
  eventbroker::v1::EventEndpointRecord p;
  p.set_format_version(kRecordVersion);
  p.set_name(e.name);
  p.set_description(e.description);
  p.set_health_check(e.routing.health_check);
  p.set_secondary_route(e.routing.secondary_route);
  p.set_replication_state(e.replication_state);
  for (const std::string& arn : e.event_bus_arns) p.add_event_bus_arns(arn);
  p.set_role_arn(e.role_arn);
  p.set_endpoint_id(e.endpoint_id);
  p.set_created_ms(e.created);
  p.set_modified_ms(e.modified);
  return p.SerializeAsString();
}

std::optional<EndpointDescription> decode(std::string_view bytes) {
  auto p = proto::parse<eventbroker::v1::EventEndpointRecord>(bytes);
  if (!p) return std::nullopt;
  EndpointDescription e;
  e.name = p->name();
  e.description = p->description();
  e.routing.health_check = p->health_check();
  e.routing.secondary_route = p->secondary_route();
  e.replication_state = p->replication_state();
  e.event_bus_arns.assign(p->event_bus_arns().begin(), p->event_bus_arns().end());
  e.role_arn = p->role_arn();
  e.endpoint_id = p->endpoint_id();
  e.created = p->created_ms();
  e.modified = p->modified_ms();
  return e;
}

std::string endpoint_url(std::string_view id) {
  // The host the SDKs' endpoint rules build from an EndpointId.
  return fmt::format("https://{}.endpoint.events.amazonaws.com", id);
}

Error not_null(std::string_view member) {
  return Error{Errc::kValidationError,
               fmt::format("1 validation error detected: Value null at '{}' failed to satisfy "
                           "constraint: Member must not be null",
                           member)};
}

Error not_found(std::string_view name) {
  return Error{Errc::kResourceNotFound, fmt::format("Endpoint {} does not exist.", name)};
}

}  // namespace

Endpoints::Endpoints(const Clock& clock, storage::Engine& engine, EventsOptions options)
    : clock_(clock), engine_(engine), options_(std::move(options)) {}

std::string Endpoints::endpoint_arn(std::string_view name) const {
  return fmt::format("arn:aws:events:{}:{}:endpoint/{}", options_.region, options_.account_id,
                     name);
}

Result<void> Endpoints::recover() {
  std::map<std::string, EndpointDescription> loaded;
  Result<void> bad;
  // "e0" is the first key after every "e/" one.
  EB_TRY(engine_.scan(
      Family::kEventBuses, kKeyPrefix, "e0", [&](std::string_view key, std::string_view value) {
        auto endpoint = decode(value);
        if (!endpoint) {
          bad = fail(Errc::kInternalError, fmt::format("unreadable event endpoint record {}", key));
          return false;
        }
        endpoint->arn = endpoint_arn(endpoint->name);
        endpoint->endpoint_url = endpoint_url(endpoint->endpoint_id);
        std::string name = endpoint->name;
        loaded[name] = std::move(*endpoint);
        return true;
      }));
  EB_TRY(bad);
  std::lock_guard lock(mu_);
  endpoints_ = std::move(loaded);
  return {};
}

Result<void> Endpoints::check(const EndpointInput& input) const {
  EB_TRY(check_member("name", input.name, 1, 64, NameChars::kName));
  if (input.description) EB_TRY(check_member("description", *input.description, 0, 512));
  if (input.routing) {
    EB_TRY(check_pattern("routingConfig.failoverConfig.primary.healthCheck",
                         input.routing->health_check, 1, 1600, kHealthCheckPattern));
    EB_TRY(check_region("routingConfig.failoverConfig.secondary.route",
                        input.routing->secondary_route));
  }
  if (input.replication_state && *input.replication_state != "ENABLED" &&
      *input.replication_state != "DISABLED") {
    return std::unexpected(constraint_error("replicationConfig.state", *input.replication_state,
                                            "Member must satisfy enum value set: [ENABLED, "
                                            "DISABLED]"));
  }
  if (input.event_bus_arns) {
    const auto& arns = *input.event_bus_arns;
    if (arns.size() != kEventBusCount) {
      return std::unexpected(constraint_error(
          "eventBuses", "[EndpointEventBus]",
          arns.size() < kEventBusCount ? "Member must have length greater than or equal to 2"
                                       : "Member must have length less than or equal to 2"));
    }
    for (std::size_t i = 0; i < arns.size(); ++i) {
      EB_TRY(check_pattern(fmt::format("eventBuses.{}.member.eventBusArn", i + 1), arns[i], 1, 512,
                           kBusArnPattern));
    }
  }
  if (input.role_arn) EB_TRY(check_pattern("roleArn", *input.role_arn, 1, 256, kRoleArnPattern));
  return {};
}

Result<void> Endpoints::check_whole(const EndpointDescription& endpoint) {
  const auto& arns = endpoint.event_bus_arns;
  if (arns.size() == kEventBusCount && bus_name_in(arns[0]) != bus_name_in(arns[1])) {
    return fail(Errc::kValidationError,
                "The event buses of an endpoint must have the same name in each Region.");
  }
  // Replication (the default) copies events to the secondary Region with the endpoint's role.
  if (endpoint.replication_state == "ENABLED" && endpoint.role_arn.empty()) {
    return fail(Errc::kValidationError,
                "RoleArn must be specified when ReplicationConfig State is ENABLED.");
  }
  return {};
}

std::string Endpoints::new_endpoint_id() const {
  // Like AWS's ("abcde.veo"): lowercase letters and digits around one dot, 10 characters.
  constexpr std::string_view kChars = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (;;) {
    const Uuid bytes = random_uuid_bytes();
    std::string id;
    for (std::size_t i = 0; i < 9; ++i) {
      if (i == 6) id.push_back('.');
      id.push_back(kChars[static_cast<unsigned char>(bytes[i]) % kChars.size()]);
    }
    const bool taken = std::any_of(endpoints_.begin(), endpoints_.end(),
                                   [&](const auto& e) { return e.second.endpoint_id == id; });
    if (!taken) return id;
  }
}

Result<void> Endpoints::store(const EndpointDescription& endpoint) {
  storage::Batch batch;
  batch.put(Family::kEventBuses, key_of(endpoint.name), encode(endpoint));
  EB_TRY(engine_.write(batch));
  endpoints_[endpoint.name] = endpoint;
  return {};
}

Result<EndpointDescription> Endpoints::create_endpoint(const EndpointInput& input) {
  EB_TRY(check(input));
  // Required by CreateEndpoint only (UpdateEndpoint keeps what it is not given).
  if (!input.routing) return std::unexpected(not_null("routingConfig"));
  if (!input.event_bus_arns) return std::unexpected(not_null("eventBuses"));
  EndpointDescription e;
  e.name = input.name;
  e.arn = endpoint_arn(input.name);
  e.description = input.description.value_or("");
  if (input.routing) e.routing = *input.routing;
  e.replication_state = input.replication_state.value_or("ENABLED");
  if (input.event_bus_arns) e.event_bus_arns = *input.event_bus_arns;
  e.role_arn = input.role_arn.value_or("");
  EB_TRY(check_whole(e));
  std::lock_guard lock(mu_);
  if (endpoints_.contains(input.name)) {
    return fail(Errc::kResourceAlreadyExists,
                fmt::format("Endpoint {} already exists.", input.name));
  }
  e.endpoint_id = new_endpoint_id();
  e.endpoint_url = endpoint_url(e.endpoint_id);
  e.created = e.modified = clock_.now_ms();
  EB_TRY(store(e));
  return e;
}

Result<EndpointDescription> Endpoints::update_endpoint(const EndpointInput& input) {
  EB_TRY(check(input));
  std::lock_guard lock(mu_);
  auto it = endpoints_.find(input.name);
  if (it == endpoints_.end()) return std::unexpected(not_found(input.name));
  EndpointDescription e = it->second;
  if (input.description) e.description = *input.description;
  if (input.routing) e.routing = *input.routing;
  if (input.replication_state) e.replication_state = *input.replication_state;
  if (input.event_bus_arns) e.event_bus_arns = *input.event_bus_arns;
  if (input.role_arn) e.role_arn = *input.role_arn;
  EB_TRY(check_whole(e));
  e.modified = clock_.now_ms();
  EB_TRY(store(e));
  return e;
}

Result<std::size_t> Endpoints::reset() {
  std::lock_guard lock(mu_);
  storage::Batch batch;
  batch.erase_range(Family::kEventBuses, std::string(kKeyPrefix), "e0");
  EB_TRY(engine_.write(batch));
  const std::size_t dropped = endpoints_.size();
  endpoints_.clear();
  return dropped;
}

Result<void> Endpoints::delete_endpoint(const std::string& name) {
  EB_TRY(check_member("name", name, 1, 64, NameChars::kName));
  std::lock_guard lock(mu_);
  if (!endpoints_.contains(name)) return std::unexpected(not_found(name));
  storage::Batch batch;
  batch.erase(Family::kEventBuses, key_of(name));
  EB_TRY(engine_.write(batch));
  endpoints_.erase(name);
  return {};
}

Result<EndpointDescription> Endpoints::describe_endpoint(
    const std::string& name, const std::optional<std::string>& home_region) const {
  EB_TRY(check_member("name", name, 1, 64, NameChars::kName));
  if (home_region) EB_TRY(check_region("homeRegion", *home_region));
  std::lock_guard lock(mu_);
  auto it = endpoints_.find(name);
  if (it == endpoints_.end() || (home_region && *home_region != options_.region)) {
    return std::unexpected(not_found(name));
  }
  return it->second;
}

Result<Page<EndpointDescription>> Endpoints::list_endpoints(const ListEndpointsInput& input) const {
  if (input.name_prefix)
    EB_TRY(check_member("namePrefix", *input.name_prefix, 1, 64, NameChars::kName));
  if (input.home_region) EB_TRY(check_region("homeRegion", *input.home_region));
  if (input.next_token) EB_TRY(check_member("nextToken", *input.next_token, 1, 2048));
  const int limit = input.max_results.value_or(kMaxPageSize);
  if (limit < 1 || limit > kMaxPageSize) {
    return std::unexpected(
        constraint_error("maxResults", std::to_string(limit),
                         limit < 1 ? "Member must have value greater than or equal to 1"
                                   : "Member must have value less than or equal to 100"));
  }
  Page<EndpointDescription> page;
  if (input.home_region && *input.home_region != options_.region) return page;
  std::lock_guard lock(mu_);
  // The token is the name to resume at.
  auto it = input.next_token ? endpoints_.lower_bound(*input.next_token) : endpoints_.begin();
  for (; it != endpoints_.end(); ++it) {
    if (input.name_prefix && !it->first.starts_with(*input.name_prefix)) continue;
    if (page.items.size() == static_cast<std::size_t>(limit)) {
      page.next_token = it->first;
      break;
    }
    page.items.push_back(it->second);
  }
  return page;
}

}  // namespace eb::events
