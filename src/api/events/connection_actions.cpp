// EventBridge's connection and API destination actions: decode, one events::Connections call,
// encode. Secrets are never written back: the domain answers with redacted connections.
#include <fmt/format.h>

#include <cctype>

#include "api/events/call.hpp"
#include "events/connections.hpp"

namespace eb::api::events {
namespace {

namespace ev = eb::events;

// ---- Decoding -----------------------------------------------------------------------------

// A string the model requires only when the request creates. AWS names a member by its path,
// each step in lower camel case: `path` + "username" for "Username".
Result<std::optional<std::string>> required_on_create(const JsonRequest& r, std::string_view path,
                                                      std::string_view name, bool create) {
  EB_ASSIGN_OR_RETURN(auto value, r.string(name));
  if (create && !value) {
    std::string member = fmt::format("{}{}", path, name);
    member[path.size()] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
    return std::unexpected(missing_member(member));
  }
  return value;
}

// The two credentials of one kind (user and password, key name and value, client id and
// secret), each absent when not given.
using Credentials = std::pair<std::optional<std::string>, std::optional<std::string>>;
Result<Credentials> credentials(const JsonRequest& r, std::string_view path, std::string_view first,
                                std::string_view second, bool create) {
  Credentials out;
  EB_ASSIGN_OR_RETURN(out.first, required_on_create(r, path, first, create));
  EB_ASSIGN_OR_RETURN(out.second, required_on_create(r, path, second, create));
  return out;
}

Result<std::vector<ev::ConnectionParameter>> parameter_list(const JsonRequest& r,
                                                            std::string_view name) {
  std::vector<ev::ConnectionParameter> out;
  EB_ASSIGN_OR_RETURN(auto items, r.objects(name));
  for (const JsonRequest& item : items) {
    ev::ConnectionParameter p;
    EB_ASSIGN_OR_RETURN(auto key, item.string("Key"));
    EB_ASSIGN_OR_RETURN(auto value, item.string("Value"));
    EB_ASSIGN_OR_RETURN(auto secret, item.boolean("IsValueSecret"));
    p.key = key.value_or("");
    p.value = value.value_or("");
    p.is_value_secret = secret.value_or(false);
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::optional<ev::ConnectionHttpParameters>> http_parameters(const JsonRequest& r,
                                                                    std::string_view name) {
  EB_ASSIGN_OR_RETURN(auto object, r.object(name));
  if (!object) return std::optional<ev::ConnectionHttpParameters>();
  ev::ConnectionHttpParameters p;
  EB_ASSIGN_OR_RETURN(p.headers, parameter_list(*object, "HeaderParameters"));
  EB_ASSIGN_OR_RETURN(p.query_strings, parameter_list(*object, "QueryStringParameters"));
  EB_ASSIGN_OR_RETURN(p.body, parameter_list(*object, "BodyParameters"));
  return std::optional(std::move(p));
}

Result<std::optional<ev::ConnectionAuthInput>> auth_input(const JsonRequest& r, bool create) {
  EB_ASSIGN_OR_RETURN(auto object, r.object("AuthParameters"));
  if (!object) {
    if (create) return std::unexpected(missing_member("authParameters"));
    return std::optional<ev::ConnectionAuthInput>();
  }
  ev::ConnectionAuthInput in;
  EB_ASSIGN_OR_RETURN(auto basic, object->object("BasicAuthParameters"));
  if (basic) {
    EB_ASSIGN_OR_RETURN(auto pair, credentials(*basic, "authParameters.basicAuthParameters.",
                                               "Username", "Password", create));
    in.basic = ev::BasicAuthInput{std::move(pair.first), std::move(pair.second)};
  }
  EB_ASSIGN_OR_RETURN(auto api_key, object->object("ApiKeyAuthParameters"));
  if (api_key) {
    EB_ASSIGN_OR_RETURN(auto pair, credentials(*api_key, "authParameters.apiKeyAuthParameters.",
                                               "ApiKeyName", "ApiKeyValue", create));
    in.api_key = ev::ApiKeyAuthInput{std::move(pair.first), std::move(pair.second)};
  }
  EB_ASSIGN_OR_RETURN(auto oauth, object->object("OAuthParameters"));
  if (oauth) {
    constexpr std::string_view kPath = "authParameters.oAuthParameters.";
    ev::OAuthInput o;
    EB_ASSIGN_OR_RETURN(auto client, oauth->object("ClientParameters"));
    if (client) {
      EB_ASSIGN_OR_RETURN(auto pair,
                          credentials(*client, "authParameters.oAuthParameters.clientParameters.",
                                      "ClientID", "ClientSecret", create));
      o.client_id = std::move(pair.first);
      o.client_secret = std::move(pair.second);
    } else if (create) {
      return std::unexpected(missing_member(fmt::format("{}clientParameters", kPath)));
    }
    EB_ASSIGN_OR_RETURN(o.authorization_endpoint,
                        required_on_create(*oauth, kPath, "AuthorizationEndpoint", create));
    EB_ASSIGN_OR_RETURN(o.http_method, required_on_create(*oauth, kPath, "HttpMethod", create));
    EB_ASSIGN_OR_RETURN(o.http, http_parameters(*oauth, "OAuthHttpParameters"));
    in.oauth = std::move(o);
  }
  EB_ASSIGN_OR_RETURN(in.invocation_http, http_parameters(*object, "InvocationHttpParameters"));
  return std::optional(std::move(in));
}

Result<ev::ConnectionInput> connection_input(const JsonRequest& r, bool create) {
  ev::ConnectionInput in;
  EB_ASSIGN_OR_RETURN(in.name, r.required_string("Name", "name"));
  EB_ASSIGN_OR_RETURN(in.description, r.string("Description"));
  EB_ASSIGN_OR_RETURN(in.authorization_type, r.string("AuthorizationType"));
  if (create && !in.authorization_type) {
    return std::unexpected(missing_member("authorizationType"));
  }
  EB_ASSIGN_OR_RETURN(in.kms_key_identifier, r.string("KmsKeyIdentifier"));
  EB_ASSIGN_OR_RETURN(in.auth, auth_input(r, create));
  return in;
}

Result<ev::ApiDestinationInput> destination_input(const JsonRequest& r, bool create) {
  ev::ApiDestinationInput in;
  EB_ASSIGN_OR_RETURN(in.name, r.required_string("Name", "name"));
  EB_ASSIGN_OR_RETURN(in.description, r.string("Description"));
  EB_ASSIGN_OR_RETURN(in.connection_arn, required_on_create(r, "", "ConnectionArn", create));
  EB_ASSIGN_OR_RETURN(in.invocation_endpoint,
                      required_on_create(r, "", "InvocationEndpoint", create));
  EB_ASSIGN_OR_RETURN(in.http_method, required_on_create(r, "", "HttpMethod", create));
  EB_ASSIGN_OR_RETURN(in.invocation_rate_limit_per_second,
                      r.integer("InvocationRateLimitPerSecond"));
  return in;
}

// ---- Encoding -----------------------------------------------------------------------------

void times(JsonWriter& json, const ev::Connection& c) {
  seconds(json, "CreationTime", c.created);
  seconds(json, "LastModifiedTime", c.modified);
  if (c.last_authorized != 0) seconds(json, "LastAuthorizedTime", c.last_authorized);
}

// The short answer of Create, Update, Deauthorize and Delete.
void connection_summary(Call& c, const ev::Connection& connection, std::string_view state) {
  c.json.begin_object().member("ConnectionArn", connection.arn).member("ConnectionState", state);
  times(c.json, connection);
  c.json.end_object();
  c.reply();
}

void parameter_list_member(JsonWriter& json, std::string_view name,
                           const std::vector<ev::ConnectionParameter>& list) {
  if (list.empty()) return;
  json.key(name).begin_array();
  for (const ev::ConnectionParameter& p : list) {
    json.begin_object().member("Key", p.key);
    // A secret value is left out, as AWS does.
    if (!p.is_value_secret) json.member("Value", p.value);
    json.key("IsValueSecret").boolean(p.is_value_secret).end_object();
  }
  json.end_array();
}

void http_parameters_member(JsonWriter& json, std::string_view name,
                            const ev::ConnectionHttpParameters& p) {
  if (p.empty()) return;
  json.key(name).begin_object();
  parameter_list_member(json, "HeaderParameters", p.headers);
  parameter_list_member(json, "QueryStringParameters", p.query_strings);
  parameter_list_member(json, "BodyParameters", p.body);
  json.end_object();
}

void auth_parameters_member(JsonWriter& json, const ev::Connection& c) {
  const ev::ConnectionAuth& a = c.auth;
  json.key("AuthParameters").begin_object();
  if (c.authorization_type == ev::kAuthBasic) {
    json.key("BasicAuthParameters").begin_object().member("Username", a.username).end_object();
  } else if (c.authorization_type == ev::kAuthApiKey) {
    json.key("ApiKeyAuthParameters").begin_object().member("ApiKeyName", a.api_key_name);
    json.end_object();
  } else {
    json.key("OAuthParameters").begin_object();
    json.key("ClientParameters").begin_object().member("ClientID", a.client_id).end_object();
    json.member("AuthorizationEndpoint", a.authorization_endpoint)
        .member("HttpMethod", a.oauth_http_method);
    http_parameters_member(json, "OAuthHttpParameters", a.oauth_http);
    json.end_object();
  }
  http_parameters_member(json, "InvocationHttpParameters", a.invocation_http);
  json.end_object();
}

void destination_members(JsonWriter& json, const ev::ApiDestination& d) {
  json.member("ApiDestinationArn", d.arn)
      .member("Name", d.name)
      .member("ApiDestinationState", d.state)
      .member("ConnectionArn", d.connection_arn)
      .member("InvocationEndpoint", d.invocation_endpoint)
      .member("HttpMethod", d.http_method)
      .member("InvocationRateLimitPerSecond",
              static_cast<std::int64_t>(d.invocation_rate_limit_per_second));
  seconds(json, "CreationTime", d.created);
  seconds(json, "LastModifiedTime", d.modified);
}

// Closes a list answer: its array, the token of the next page, and replies.
void end_page(Call& c, const std::string& token) {
  c.json.end_array();
  next_token(c.json, token);
  c.json.end_object();
  c.reply();
}

void destination_summary(Call& c, const ev::ApiDestination& d) {
  c.json.begin_object().member("ApiDestinationArn", d.arn).member("ApiDestinationState", d.state);
  seconds(c.json, "CreationTime", d.created);
  seconds(c.json, "LastModifiedTime", d.modified);
  c.json.end_object();
  c.reply();
}

// ---- Connections --------------------------------------------------------------------------

Result<void> create_connection(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto in, connection_input(r, true));
  EB_ASSIGN_OR_RETURN(auto connection, c.domains.connections.create_connection(in));
  connection_summary(c, connection, connection.state);
  return {};
}

Result<void> update_connection(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto in, connection_input(r, false));
  EB_ASSIGN_OR_RETURN(auto connection, c.domains.connections.update_connection(in));
  connection_summary(c, connection, connection.state);
  return {};
}

Result<void> deauthorize_connection(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("Name", "name"));
  EB_ASSIGN_OR_RETURN(auto connection, c.domains.connections.deauthorize_connection(name));
  connection_summary(c, connection, connection.state);
  return {};
}

Result<void> delete_connection(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("Name", "name"));
  EB_ASSIGN_OR_RETURN(auto connection, c.domains.connections.delete_connection(name));
  // AWS answers while the deletion is under way.
  connection_summary(c, connection, "DELETING");
  return {};
}

Result<void> describe_connection(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("Name", "name"));
  EB_ASSIGN_OR_RETURN(auto connection, c.domains.connections.describe_connection(name));
  JsonWriter& json = c.json;
  json.begin_object().member("ConnectionArn", connection.arn).member("Name", connection.name);
  optional_member(json, "Description", connection.description);
  json.member("ConnectionState", connection.state)
      .member("AuthorizationType", connection.authorization_type)
      .member("SecretArn", connection.secret_arn);
  optional_member(json, "KmsKeyIdentifier", connection.kms_key_identifier);
  auth_parameters_member(json, connection);
  times(json, connection);
  json.end_object();
  c.reply();
  return {};
}

Result<void> list_connections(Call& c, const JsonRequest& r) {
  ev::ListConnectionsInput in;
  EB_ASSIGN_OR_RETURN(in.list, list_input(r));
  EB_ASSIGN_OR_RETURN(in.state, r.string("ConnectionState"));
  EB_ASSIGN_OR_RETURN(auto page, c.domains.connections.list_connections(in));
  c.json.begin_object().key("Connections").begin_array();
  for (const ev::Connection& connection : page.items) {
    c.json.begin_object()
        .member("ConnectionArn", connection.arn)
        .member("Name", connection.name)
        .member("ConnectionState", connection.state)
        .member("AuthorizationType", connection.authorization_type);
    times(c.json, connection);
    c.json.end_object();
  }
  end_page(c, page.next_token);
  return {};
}

// ---- API destinations ---------------------------------------------------------------------

Result<void> create_api_destination(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto in, destination_input(r, true));
  EB_ASSIGN_OR_RETURN(auto d, c.domains.connections.create_api_destination(in));
  destination_summary(c, d);
  return {};
}

Result<void> update_api_destination(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto in, destination_input(r, false));
  EB_ASSIGN_OR_RETURN(auto d, c.domains.connections.update_api_destination(in));
  destination_summary(c, d);
  return {};
}

Result<void> describe_api_destination(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("Name", "name"));
  EB_ASSIGN_OR_RETURN(auto d, c.domains.connections.describe_api_destination(name));
  c.json.begin_object();
  destination_members(c.json, d);
  optional_member(c.json, "Description", d.description);
  c.json.end_object();
  c.reply();
  return {};
}

Result<void> delete_api_destination(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("Name", "name"));
  EB_TRY(c.domains.connections.delete_api_destination(name));
  c.reply_empty();
  return {};
}

Result<void> list_api_destinations(Call& c, const JsonRequest& r) {
  ev::ListApiDestinationsInput in;
  EB_ASSIGN_OR_RETURN(in.list, list_input(r));
  EB_ASSIGN_OR_RETURN(in.connection_arn, r.string("ConnectionArn"));
  EB_ASSIGN_OR_RETURN(auto page, c.domains.connections.list_api_destinations(in));
  c.json.begin_object().key("ApiDestinations").begin_array();
  for (const ev::ApiDestination& d : page.items) {
    c.json.begin_object();
    destination_members(c.json, d);
    c.json.end_object();
  }
  end_page(c, page.next_token);
  return {};
}

}  // namespace

void add_connection_actions(ActionTable& table) {
  table.insert({
      {"CreateConnection", &create_connection},
      {"UpdateConnection", &update_connection},
      {"DescribeConnection", &describe_connection},
      {"DeauthorizeConnection", &deauthorize_connection},
      {"DeleteConnection", &delete_connection},
      {"ListConnections", &list_connections},
      {"CreateApiDestination", &create_api_destination},
      {"UpdateApiDestination", &update_api_destination},
      {"DescribeApiDestination", &describe_api_destination},
      {"DeleteApiDestination", &delete_api_destination},
      {"ListApiDestinations", &list_api_destinations},
  });
}

}  // namespace eb::api::events
