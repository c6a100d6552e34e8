// EventBridge's global endpoint actions (CreateEndpoint, UpdateEndpoint, DeleteEndpoint,
// DescribeEndpoint, ListEndpoints): decode, one events::Endpoints call, encode.
#include <fmt/format.h>

#include "api/events/call.hpp"
#include "events/endpoints.hpp"

namespace eb::api::events {
namespace {

using eb::events::EndpointDescription;
using eb::events::EndpointInput;

// RoutingConfig: {"FailoverConfig": {"Primary": {"HealthCheck"}, "Secondary": {"Route"}}}, every
// level required once RoutingConfig is given.
Result<std::optional<eb::events::FailoverConfig>> routing_config(const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto routing, r.object("RoutingConfig"));
  if (!routing) return std::optional<eb::events::FailoverConfig>();
  EB_ASSIGN_OR_RETURN(auto failover, routing->object("FailoverConfig"));
  if (!failover) return std::unexpected(missing_member("routingConfig.failoverConfig"));
  EB_ASSIGN_OR_RETURN(auto primary, failover->object("Primary"));
  if (!primary) return std::unexpected(missing_member("routingConfig.failoverConfig.primary"));
  EB_ASSIGN_OR_RETURN(auto secondary, failover->object("Secondary"));
  if (!secondary) return std::unexpected(missing_member("routingConfig.failoverConfig.secondary"));
  eb::events::FailoverConfig config;
  EB_ASSIGN_OR_RETURN(
      config.health_check,
      primary->required_string("HealthCheck", "routingConfig.failoverConfig.primary.healthCheck"));
  EB_ASSIGN_OR_RETURN(
      config.secondary_route,
      secondary->required_string("Route", "routingConfig.failoverConfig.secondary.route"));
  return std::optional(std::move(config));
}

// CreateEndpoint's and UpdateEndpoint's members.
Result<EndpointInput> endpoint_input(const JsonRequest& r) {
  EndpointInput in;
  EB_ASSIGN_OR_RETURN(in.name, r.required_string("Name", "name"));
  EB_ASSIGN_OR_RETURN(in.description, r.string("Description"));
  EB_ASSIGN_OR_RETURN(in.routing, routing_config(r));
  EB_ASSIGN_OR_RETURN(auto replication, r.object("ReplicationConfig"));
  if (replication) {
    EB_ASSIGN_OR_RETURN(in.replication_state, replication->string("State"));
  }
  if (r.has("EventBuses")) {
    EB_ASSIGN_OR_RETURN(auto buses, r.objects("EventBuses"));
    std::vector<std::string> arns;
    for (std::size_t i = 0; i < buses.size(); ++i) {
      EB_ASSIGN_OR_RETURN(
          auto arn, buses[i].required_string(
                        "EventBusArn", fmt::format("eventBuses.{}.member.eventBusArn", i + 1)));
      arns.push_back(std::move(arn));
    }
    in.event_bus_arns = std::move(arns);
  }
  EB_ASSIGN_OR_RETURN(in.role_arn, r.string("RoleArn"));
  return in;
}

// The configuration members every endpoint answer has.
void config_members(JsonWriter& json, const EndpointDescription& e) {
  json.member("Name", e.name).member("Arn", e.arn);
  json.key("RoutingConfig").begin_object().key("FailoverConfig").begin_object();
  json.key("Primary").begin_object().member("HealthCheck", e.routing.health_check).end_object();
  json.key("Secondary").begin_object().member("Route", e.routing.secondary_route).end_object();
  json.end_object().end_object();
  json.key("ReplicationConfig").begin_object().member("State", e.replication_state).end_object();
  json.key("EventBuses").begin_array();
  for (const std::string& arn : e.event_bus_arns) {
    json.begin_object().member("EventBusArn", arn).end_object();
  }
  json.end_array();
  optional_member(json, "RoleArn", e.role_arn);
}

// Describe's and List's members.
void endpoint_members(JsonWriter& json, const EndpointDescription& e) {
  config_members(json, e);
  optional_member(json, "Description", e.description);
  json.member("EndpointId", e.endpoint_id).member("EndpointUrl", e.endpoint_url);
  json.member("State", e.state);
  optional_member(json, "StateReason", e.state_reason);
  seconds(json, "CreationTime", e.created);
  seconds(json, "LastModifiedTime", e.modified);
}

Result<void> create_endpoint(Call& c, const JsonRequest& r) {
  if (!r.has("RoutingConfig")) return std::unexpected(missing_member("routingConfig"));
  if (!r.has("EventBuses")) return std::unexpected(missing_member("eventBuses"));
  EB_ASSIGN_OR_RETURN(auto in, endpoint_input(r));
  EB_ASSIGN_OR_RETURN(auto endpoint, c.domains.endpoints.create_endpoint(in));
  c.json.begin_object();
  config_members(c.json, endpoint);
  c.json.member("State", endpoint.state).end_object();
  c.reply();
  return {};
}

Result<void> update_endpoint(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto in, endpoint_input(r));
  EB_ASSIGN_OR_RETURN(auto endpoint, c.domains.endpoints.update_endpoint(in));
  c.json.begin_object();
  config_members(c.json, endpoint);
  c.json.member("EndpointId", endpoint.endpoint_id)
      .member("EndpointUrl", endpoint.endpoint_url)
      .member("State", endpoint.state)
      .end_object();
  c.reply();
  return {};
}

Result<void> delete_endpoint(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("Name", "name"));
  EB_TRY(c.domains.endpoints.delete_endpoint(name));
  c.reply_empty();
  return {};
}

Result<void> describe_endpoint(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("Name", "name"));
  EB_ASSIGN_OR_RETURN(auto home_region, r.string("HomeRegion"));
  EB_ASSIGN_OR_RETURN(auto endpoint, c.domains.endpoints.describe_endpoint(name, home_region));
  c.json.begin_object();
  endpoint_members(c.json, endpoint);
  c.json.end_object();
  c.reply();
  return {};
}

Result<void> list_endpoints(Call& c, const JsonRequest& r) {
  eb::events::ListEndpointsInput in;
  EB_ASSIGN_OR_RETURN(in.name_prefix, r.string("NamePrefix"));
  EB_ASSIGN_OR_RETURN(in.home_region, r.string("HomeRegion"));
  EB_ASSIGN_OR_RETURN(in.next_token, r.string("NextToken"));
  EB_ASSIGN_OR_RETURN(in.max_results, r.integer("MaxResults"));
  EB_ASSIGN_OR_RETURN(auto page, c.domains.endpoints.list_endpoints(in));
  c.json.begin_object().key("Endpoints").begin_array();
  for (const auto& endpoint : page.items) {
    c.json.begin_object();
    endpoint_members(c.json, endpoint);
    c.json.end_object();
  }
  c.json.end_array();
  next_token(c.json, page.next_token);
  c.json.end_object();
  c.reply();
  return {};
}

}  // namespace

void add_endpoint_actions(ActionTable& table) {
  table.insert({
      {"CreateEndpoint", &create_endpoint},
      {"UpdateEndpoint", &update_endpoint},
      {"DeleteEndpoint", &delete_endpoint},
      {"DescribeEndpoint", &describe_endpoint},
      {"ListEndpoints", &list_endpoints},
  });
}

}  // namespace eb::api::events
