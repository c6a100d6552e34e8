#pragma once
// EventBridge connections (the credentials for an HTTPS endpoint) and API destinations (an
// endpoint, its method and rate, and the connection it authorizes with).
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "events/names.hpp"
#include "events/types.hpp"
#include "storage/engine.hpp"

namespace eb::events {

inline constexpr std::string_view kAuthBasic = "BASIC";
inline constexpr std::string_view kAuthOAuth = "OAUTH_CLIENT_CREDENTIALS";
inline constexpr std::string_view kAuthApiKey = "API_KEY";
inline constexpr std::string_view kConnectionAuthorized = "AUTHORIZED";
inline constexpr std::string_view kConnectionDeauthorized = "DEAUTHORIZED";
inline constexpr std::string_view kDestinationActive = "ACTIVE";
inline constexpr std::string_view kDestinationInactive = "INACTIVE";
inline constexpr int kDefaultInvocationRate = 300;

// One of a connection's header, query string or body parameters. A secret value is sent to the
// endpoint but never described.
struct ConnectionParameter {
  std::string key;
  std::string value;
  bool is_value_secret = false;
};

struct ConnectionHttpParameters {
  std::vector<ConnectionParameter> headers;
  std::vector<ConnectionParameter> query_strings;
  std::vector<ConnectionParameter> body;

  bool empty() const { return headers.empty() && query_strings.empty() && body.empty(); }
};

// A connection's authorization, secrets included. Only the members of its type are set.
struct ConnectionAuth {
  std::string username;  // BASIC
  std::string password;
  std::string api_key_name;  // API_KEY
  std::string api_key_value;
  std::string client_id;  // OAUTH_CLIENT_CREDENTIALS
  std::string client_secret;
  std::string authorization_endpoint;
  std::string oauth_http_method;  // GET, POST, PUT
  ConnectionHttpParameters oauth_http;
  ConnectionHttpParameters invocation_http;  // any type: added to every invocation
};

struct Connection {
  std::string name;
  std::string uuid;
  std::string arn;  // connection/NAME/UUID
  std::string description;
  std::string authorization_type;
  std::string state;
  std::string secret_arn;
  std::string kms_key_identifier;
  ConnectionAuth auth;
  Millis created = 0;
  Millis modified = 0;
  Millis last_authorized = 0;

  // A copy without the secret values (password, API key value, client secret, secret
  // parameter values): what Describe and List return.
  Connection redacted() const;
};

struct ApiDestination {
  std::string name;
  std::string uuid;
  std::string arn;  // api-destination/NAME/UUID
  std::string description;
  std::string connection_arn;
  std::string invocation_endpoint;
  std::string http_method;
  int invocation_rate_limit_per_second = kDefaultInvocationRate;
  std::string state;  // not stored: ACTIVE while its connection exists and is authorized
  Millis created = 0;
  Millis modified = 0;
};

// CreateConnection's and UpdateConnection's AuthParameters. Absent members are left as they
// are by an update.
struct BasicAuthInput {
  std::optional<std::string> username;
  std::optional<std::string> password;
};
struct ApiKeyAuthInput {
  std::optional<std::string> name;
  std::optional<std::string> value;
};
struct OAuthInput {
  std::optional<std::string> client_id;
  std::optional<std::string> client_secret;
  std::optional<std::string> authorization_endpoint;
  std::optional<std::string> http_method;
  std::optional<ConnectionHttpParameters> http;
};
struct ConnectionAuthInput {
  std::optional<BasicAuthInput> basic;
  std::optional<OAuthInput> oauth;
  std::optional<ApiKeyAuthInput> api_key;
  std::optional<ConnectionHttpParameters> invocation_http;
};
struct ConnectionInput {
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> authorization_type;  // required by create
  std::optional<ConnectionAuthInput> auth;        // required by create
  std::optional<std::string> kms_key_identifier;
};

struct ApiDestinationInput {
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> connection_arn;       // required by create
  std::optional<std::string> invocation_endpoint;  // required by create
  std::optional<std::string> http_method;          // required by create
  std::optional<int> invocation_rate_limit_per_second;
};

struct ListConnectionsInput {
  ListInput list;
  std::optional<std::string> state;
};

struct ListApiDestinationsInput {
  ListInput list;
  std::optional<std::string> connection_arn;
};

// What delivery needs to invoke an API destination: it and its connection, secrets included.
struct ResolvedDestination {
  ApiDestination destination;
  Connection connection;
};

// Owns every connection and API destination. Thread-safe: any thread may call any method.
// Reads take the immutable snapshot without a lock; changes serialise on `write_mu_`, write
// their record (family kEventBuses, keys "c/" and "d/") and then swap in a changed snapshot.
class Connections {
 public:
  Connections(const Clock& clock, storage::Engine& engine, EventsOptions options = {});
  Connections(const Connections&) = delete;
  Connections& operator=(const Connections&) = delete;

  // Loads the stored connections and API destinations. Called once, before any request.
  Result<void> recover();
  // Drops every connection and API destination in one write (POST /v1/reset) -> the connections
  // dropped.
  Result<std::size_t> reset();

  // Connections. Every answer but resolve() is redacted.
  Result<Connection> create_connection(const ConnectionInput& input);
  Result<Connection> update_connection(const ConnectionInput& input);
  Result<Connection> describe_connection(const std::string& name) const;
  // Removes the credentials; the connection stays, DEAUTHORIZED, until an update that gives
  // them again.
  Result<Connection> deauthorize_connection(const std::string& name);
  Result<Connection> delete_connection(const std::string& name);  // -> the connection as it was
  Result<Page<Connection>> list_connections(const ListConnectionsInput& input) const;

  // API destinations.
  Result<ApiDestination> create_api_destination(const ApiDestinationInput& input);
  Result<ApiDestination> update_api_destination(const ApiDestinationInput& input);
  Result<ApiDestination> describe_api_destination(const std::string& name) const;
  Result<void> delete_api_destination(const std::string& name);
  Result<Page<ApiDestination>> list_api_destinations(const ListApiDestinationsInput& input) const;

  // For delivery: the API destination with this ARN and its connection, secrets included.
  // ResourceNotFound when either is gone; the destination's state says whether it may be
  // invoked.
  Result<ResolvedDestination> resolve(const std::string& api_destination_arn) const;

 private:
  struct State {
    std::map<std::string, std::shared_ptr<const Connection>> connections;  // by name
    std::map<std::string, std::shared_ptr<const ApiDestination>> destinations;
  };

  std::shared_ptr<const State> snapshot() const { return state_.load(); }
  Result<std::shared_ptr<const Connection>> find_connection(const State& state,
                                                            const std::string& name) const;
  Result<std::shared_ptr<const ApiDestination>> find_destination(const State& state,
                                                                 const std::string& name) const;
  // The connection an ARN names, which must be this daemon's and current (same UUID).
  Result<std::shared_ptr<const Connection>> connection_of_arn(const State& state,
                                                              const std::string& arn) const;
  // `destination` with its state from `state`'s connections.
  static ApiDestination with_state(const State& state, const ApiDestination& destination);
  // Under write_mu_: writes `batch`, then publishes `next`.
  Result<void> commit(std::shared_ptr<State> next, storage::Batch batch);

  const Clock& clock_;
  storage::Engine& engine_;
  const EventsOptions options_;
  const ArnContext arns_;
  std::mutex write_mu_;
  std::atomic<std::shared_ptr<const State>> state_;
};

}  // namespace eb::events
