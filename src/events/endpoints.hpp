#pragma once
// EventBridge global endpoints (CreateEndpoint and its siblings). This daemon serves one region,
// so an endpoint routes nothing: it is a record of the failover configuration, kept and
// answered as AWS would (ACTIVE as soon as it is created, EndpointId and EndpointUrl generated).
//
// Owns the endpoints (records "e/<name>" in family event_buses). Thread-safe: any thread may
// call any method; one mutex guards the map and is held across each record's write. Takes no
// other lock.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "events/types.hpp"
#include "storage/engine.hpp"

namespace eb::events {

// RoutingConfig.FailoverConfig.
struct FailoverConfig {
  std::string health_check;     // Primary.HealthCheck: a Route 53 health check ARN
  std::string secondary_route;  // Secondary.Route: the secondary Region
};

// CreateEndpoint's and UpdateEndpoint's members; absent ones keep their value on update.
struct EndpointInput {
  std::string name;
  std::optional<std::string> description;
  std::optional<FailoverConfig> routing;
  std::optional<std::string> replication_state;
  std::optional<std::vector<std::string>> event_bus_arns;
  std::optional<std::string> role_arn;
};

struct EndpointDescription {
  std::string name;
  std::string arn;
  std::string description;
  FailoverConfig routing;
  std::string replication_state;  // ENABLED or DISABLED
  std::vector<std::string> event_bus_arns;
  std::string role_arn;
  std::string endpoint_id;
  std::string endpoint_url;
  std::string state = "ACTIVE";
  std::string state_reason;
  Millis created = 0;
  Millis modified = 0;
};

struct ListEndpointsInput {
  std::optional<std::string> name_prefix;
  std::optional<std::string> home_region;
  std::optional<std::string> next_token;
  std::optional<int> max_results;
};

class Endpoints {
 public:
  Endpoints(const Clock& clock, storage::Engine& engine, EventsOptions options = {});
  Endpoints(const Endpoints&) = delete;
  Endpoints& operator=(const Endpoints&) = delete;

  // Loads the endpoints. Called once, before any request.
  Result<void> recover();
  // Drops every endpoint in one write (POST /v1/reset) -> how many.
  Result<std::size_t> reset();

  Result<EndpointDescription> create_endpoint(const EndpointInput& input);
  Result<EndpointDescription> update_endpoint(const EndpointInput& input);
  Result<void> delete_endpoint(const std::string& name);
  // `home_region`, when given, must be this daemon's region (another one holds nothing).
  Result<EndpointDescription> describe_endpoint(
      const std::string& name, const std::optional<std::string>& home_region) const;
  Result<Page<EndpointDescription>> list_endpoints(const ListEndpointsInput& input) const;

  std::string endpoint_arn(std::string_view name) const;

 private:
  // The model's constraints on the members `input` gives.
  Result<void> check(const EndpointInput& input) const;
  // The documented rules on a whole endpoint (as created, or as updated): both buses have one
  // name; replication (the default) needs a role.
  static Result<void> check_whole(const EndpointDescription& endpoint);
  // Under mu_: an id no endpoint has.
  std::string new_endpoint_id() const;
  // Under mu_: writes the endpoint's record, then keeps it.
  Result<void> store(const EndpointDescription& endpoint);

  const Clock& clock_;
  storage::Engine& engine_;
  const EventsOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, EndpointDescription> endpoints_;  // by name; guarded by mu_
};

}  // namespace eb::events
