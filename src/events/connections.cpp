#include "events/connections.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/encoding.hpp"
#include "eventbroker/codec.hpp"
#include "eventbroker/v1/bus_records.pb.h"

namespace eb::events {
namespace {

using storage::Family;

constexpr std::uint32_t kRecordVersion = 1;
constexpr int kMaxPageSize = 100;
constexpr int kMaxInvocationRate = 300;
constexpr std::size_t kMaxHttpParameters = 100;
constexpr std::string_view kConnectionKeyPrefix = "c/";
constexpr std::string_view kDestinationKeyPrefix = "d/";

constexpr std::string_view kAuthTypes[] = {kAuthBasic, kAuthOAuth, kAuthApiKey};
constexpr std::string_view kOAuthMethods[] = {"GET", "POST", "PUT"};
constexpr std::string_view kDestinationMethods[] = {"POST", "GET",   "HEAD",  "OPTIONS",
                                                    "PUT",  "PATCH", "DELETE"};
constexpr std::string_view kConnectionStates[] = {
    "CREATING",    "UPDATING",      "DELETING", "AUTHORIZED",         "DEAUTHORIZED",
    "AUTHORIZING", "DEAUTHORIZING", "ACTIVE",   "FAILED_CONNECTIVITY"};

std::string connection_key(std::string_view name) {
  return std::string(kConnectionKeyPrefix).append(name);
}
std::string destination_key(std::string_view name) {
  return std::string(kDestinationKeyPrefix).append(name);
}

template <std::size_t N>
Result<void> check_enum(std::string_view member, std::string_view value,
                        const std::string_view (&allowed)[N]) {
  if (std::find(std::begin(allowed), std::end(allowed), value) != std::end(allowed)) return {};
  std::string set;
  for (std::string_view a : allowed) {
    if (!set.empty()) set += ", ";
    set += a;
  }
  return std::unexpected(constraint_error(
      member, value, fmt::format("Member must satisfy enum value set: [{}]", set)));
}

// AuthHeaderParameters: one or more words of printable characters other than ':', separated
// by blanks. Secrets are never echoed: AWS leaves the value out of a sensitive member's error.
Result<void> check_auth_value(std::string_view member, std::string_view value, bool sensitive) {
  constexpr std::string_view kPattern =
      "^[ \\t]*[^\\x00-\\x1F:\\x7F]+([ \\t]+[^\\x00-\\x1F:\\x7F]+)*[ \\t]*$";
  std::string constraint;
  if (value.empty()) {
    constraint = "Member must have length greater than or equal to 1";
  } else if (value.size() > 512) {
    constraint = "Member must have length less than or equal to 512";
  } else {
    const bool bad_char = std::any_of(value.begin(), value.end(), [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return c == ':' || u == 0x7F || (u < 0x20 && c != '\t' && c != ' ');
    });
    const bool blank = value.find_first_not_of(" \t") == std::string_view::npos;
    if (bad_char || blank) {
      constraint = fmt::format("Member must satisfy regular expression pattern: {}", kPattern);
    }
  }
  if (constraint.empty()) return {};
  if (!sensitive) return std::unexpected(constraint_error(member, value, constraint));
  return fail(Errc::kValidationError,
              fmt::format("1 validation error detected: Value at '{}' failed to satisfy "
                          "constraint: {}",
                          member, constraint));
}

// HttpsEndpoint: the model's URL characters, then the scheme EventBridge insists on.
Result<void> check_endpoint(std::string_view member, std::string_view url) {
  EB_TRY(check_member(member, url, 1, 2048));
  constexpr std::string_view kAllowed = "-()_.!~*';/?:@&=+$,%";
  const bool ok = std::all_of(url.begin(), url.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kAllowed.find(c) != kAllowed.npos;
  });
  if (!ok) {
    return std::unexpected(constraint_error(
        member, url,
        "Member must satisfy regular expression pattern: "
        "^((%[0-9A-Fa-f]{2}|[-()_.!~*';/?:@\\x26=+$,A-Za-z0-9])+)([).!';/?:,])?$"));
  }
  if (!url.starts_with("https://") || url.size() == std::string_view("https://").size()) {
    return fail(Errc::kValidationError,
                fmt::format("Invalid value for {}: {} is not an HTTPS URL.", member, url));
  }
  return {};
}

Result<void> check_parameters(std::string_view member, const ConnectionHttpParameters& p) {
  const auto check_list = [&](std::string_view list, const std::vector<ConnectionParameter>& v,
                              bool header) -> Result<void> {
    const std::string path = fmt::format("{}.{}", member, list);
    if (v.size() > kMaxHttpParameters) {
      return std::unexpected(constraint_error(path, fmt::format("[{} parameters]", v.size()),
                                              "Member must have length less than or equal to 100"));
    }
    for (const ConnectionParameter& param : v) {
      EB_TRY(check_member(path + ".member.key", param.key, 0, 512));
      if (header && !std::all_of(param.key.begin(), param.key.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) ||
                   std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
          })) {
        return std::unexpected(constraint_error(path + ".member.key", param.key,
                                                "Member must satisfy regular expression pattern: "
                                                "^[!#$%&'*+-.^_`|~0-9a-zA-Z]+$"));
      }
      if (param.value.size() > 512) {
        return fail(Errc::kValidationError,
                    fmt::format("1 validation error detected: Value at '{}.member.value' failed "
                                "to satisfy constraint: Member must have length less than or "
                                "equal to 512",
                                path));
      }
    }
    return {};
  };
  EB_TRY(check_list("headerParameters", p.headers, true));
  EB_TRY(check_list("queryStringParameters", p.query_strings, false));
  return check_list("bodyParameters", p.body, false);
}

Result<void> check_kms_key(const std::optional<std::string>& key) {
  if (!key) return {};
  EB_TRY(check_member("kmsKeyIdentifier", *key, 0, 2048));
  if (!std::all_of(key->begin(), key->end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::string_view("_-/:").find(c) != std::string_view::npos;
      })) {
    return std::unexpected(constraint_error("kmsKeyIdentifier", *key,
                                            "Member must satisfy regular expression pattern: "
                                            "^[a-zA-Z0-9_\\-/:]*$"));
  }
  return {};
}

// The members of `in` checked by the model's constraints (not yet against the type).
Result<void> check_auth_input(const ConnectionAuthInput& in) {
  constexpr std::string_view kBase = "authParameters";
  if (in.basic) {
    if (in.basic->username) {
      EB_TRY(check_auth_value("authParameters.basicAuthParameters.username", *in.basic->username,
                              false));
    }
    if (in.basic->password) {
      EB_TRY(check_auth_value("authParameters.basicAuthParameters.password", *in.basic->password,
                              true));
    }
  }
  if (in.api_key) {
    if (in.api_key->name) {
      EB_TRY(check_auth_value("authParameters.apiKeyAuthParameters.apiKeyName", *in.api_key->name,
                              false));
    }
    if (in.api_key->value) {
      EB_TRY(check_auth_value("authParameters.apiKeyAuthParameters.apiKeyValue", *in.api_key->value,
                              true));
    }
  }
  if (in.oauth) {
    const OAuthInput& o = *in.oauth;
    if (o.client_id) {
      EB_TRY(check_auth_value("authParameters.oAuthParameters.clientParameters.clientID",
                              *o.client_id, false));
    }
    if (o.client_secret) {
      EB_TRY(check_auth_value("authParameters.oAuthParameters.clientParameters.clientSecret",
                              *o.client_secret, true));
    }
    if (o.authorization_endpoint) {
      EB_TRY(check_endpoint("authParameters.oAuthParameters.authorizationEndpoint",
                            *o.authorization_endpoint));
    }
    if (o.http_method) {
      EB_TRY(
          check_enum("authParameters.oAuthParameters.httpMethod", *o.http_method, kOAuthMethods));
    }
    if (o.http)
      EB_TRY(check_parameters("authParameters.oAuthParameters.oAuthHttpParameters", *o.http));
  }
  if (in.invocation_http) {
    EB_TRY(
        check_parameters(fmt::format("{}.invocationHttpParameters", kBase), *in.invocation_http));
  }
  return {};
}

// The parameters of a type other than `type` are refused, as AWS documents ("include only
// authorization parameters for the AuthorizationType you specify").
Result<void> check_auth_matches(std::string_view type, const ConnectionAuthInput& in) {
  const bool basic = in.basic.has_value();
  const bool oauth = in.oauth.has_value();
  const bool api_key = in.api_key.has_value();
  std::string_view wanted;
  bool others = false;
  if (type == kAuthBasic) {
    wanted = "BasicAuthParameters";
    others = oauth || api_key;
  } else if (type == kAuthOAuth) {
    wanted = "OAuthParameters";
    others = basic || api_key;
  } else {
    wanted = "ApiKeyAuthParameters";
    others = basic || oauth;
  }
  if (others) {
    return fail(Errc::kValidationError,
                fmt::format("Only {} may be specified for AuthorizationType {}.", wanted, type));
  }
  return {};
}

// Whether `auth` holds every credential its type needs: a connection without them (after
// DeauthorizeConnection) stays DEAUTHORIZED.
bool complete(std::string_view type, const ConnectionAuth& auth) {
  if (type == kAuthBasic) return !auth.username.empty() && !auth.password.empty();
  if (type == kAuthApiKey) return !auth.api_key_name.empty() && !auth.api_key_value.empty();
  return !auth.client_id.empty() && !auth.client_secret.empty() &&
         !auth.authorization_endpoint.empty() && !auth.oauth_http_method.empty();
}

// `in` laid over `auth`. Switching type drops the credentials of the old one.
void merge_auth(ConnectionAuth& auth, const ConnectionAuthInput& in) {
  if (in.basic) {
    if (in.basic->username) auth.username = *in.basic->username;
    if (in.basic->password) auth.password = *in.basic->password;
  }
  if (in.api_key) {
    if (in.api_key->name) auth.api_key_name = *in.api_key->name;
    if (in.api_key->value) auth.api_key_value = *in.api_key->value;
  }
  if (in.oauth) {
    const OAuthInput& o = *in.oauth;
    if (o.client_id) auth.client_id = *o.client_id;
    if (o.client_secret) auth.client_secret = *o.client_secret;
    if (o.authorization_endpoint) auth.authorization_endpoint = *o.authorization_endpoint;
    if (o.http_method) auth.oauth_http_method = *o.http_method;
    if (o.http) auth.oauth_http = *o.http;
  }
  if (in.invocation_http) auth.invocation_http = *in.invocation_http;
}

ConnectionAuth only_type(std::string_view type, ConnectionAuth auth) {
  ConnectionAuth kept;
  kept.invocation_http = std::move(auth.invocation_http);
  if (type == kAuthBasic) {
    kept.username = std::move(auth.username);
    kept.password = std::move(auth.password);
  } else if (type == kAuthApiKey) {
    kept.api_key_name = std::move(auth.api_key_name);
    kept.api_key_value = std::move(auth.api_key_value);
  } else {
    kept.client_id = std::move(auth.client_id);
    kept.client_secret = std::move(auth.client_secret);
    kept.authorization_endpoint = std::move(auth.authorization_endpoint);
    kept.oauth_http_method = std::move(auth.oauth_http_method);
    kept.oauth_http = std::move(auth.oauth_http);
  }
  return kept;
}

void drop_secret_values(ConnectionHttpParameters& p) {
  for (auto* list : {&p.headers, &p.query_strings, &p.body}) {
    for (ConnectionParameter& param : *list) {
      if (param.is_value_secret) param.value.clear();
    }
  }
}

Result<void> check_rate(const std::optional<int>& rate) {
  if (!rate) return {};
  if (*rate < 1) {
    return std::unexpected(constraint_error("invocationRateLimitPerSecond", std::to_string(*rate),
                                            "Member must have value greater than or equal to 1"));
  }
  if (*rate > kMaxInvocationRate) {
    return std::unexpected(constraint_error("invocationRateLimitPerSecond", std::to_string(*rate),
                                            "Member must have value less than or equal to 300"));
  }
  return {};
}

Result<void> check_limit(const ListInput& in) {
  if (in.name_prefix) EB_TRY(check_member("namePrefix", *in.name_prefix, 1, 64, NameChars::kName));
  if (in.next_token) EB_TRY(check_member("nextToken", *in.next_token, 1, 2048));
  if (!in.limit) return {};
  if (*in.limit < 1) {
    return std::unexpected(constraint_error("limit", std::to_string(*in.limit),
                                            "Member must have value greater than or equal to 1"));
  }
  if (*in.limit > kMaxPageSize) {
    return std::unexpected(constraint_error("limit", std::to_string(*in.limit),
                                            "Member must have value less than or equal to 100"));
  }
  return {};
}

// Walks `items` (a map by name) from the token on, keeping those `keep` accepts, `limit` at
// most; the token of the next page is the name it would start with.
template <class Item, class Keep, class Out>
Page<Out> page_of(const std::map<std::string, std::shared_ptr<const Item>>& items,
                  const ListInput& in, Keep keep, Out (*project)(const Item&)) {
  Page<Out> page;
  const auto limit = static_cast<std::size_t>(in.limit.value_or(kMaxPageSize));
  for (auto it = in.next_token ? items.lower_bound(*in.next_token) : items.begin();
       it != items.end(); ++it) {
    if (in.name_prefix && !it->first.starts_with(*in.name_prefix)) continue;
    if (!keep(*it->second)) continue;
    if (page.items.size() == limit) {
      page.next_token = it->first;
      break;
    }
    page.items.push_back(project(*it->second));
  }
  return page;
}

// ---- Records ------------------------------------------------------------------------------

void put_parameters(const ConnectionHttpParameters& in,
                    eventbroker::v1::ConnectionHttpParametersRecord& out) {
  const auto put = [](const std::vector<ConnectionParameter>& list, auto* repeated) {
    for (const ConnectionParameter& p : list) {
      auto* r = repeated->Add();
      r->set_key(p.key);
      r->set_value(p.value);
      r->set_is_value_secret(p.is_value_secret);
    }
  };
  put(in.headers, out.mutable_header_parameters());
  put(in.query_strings, out.mutable_query_string_parameters());
  put(in.body, out.mutable_body_parameters());
}

ConnectionHttpParameters take_parameters(
    const eventbroker::v1::ConnectionHttpParametersRecord& in) {
  const auto take = [](const auto& repeated) {
    std::vector<ConnectionParameter> list;
    for (const auto& r : repeated) list.push_back({r.key(), r.value(), r.is_value_secret()});
    return list;
  };
  return ConnectionHttpParameters{take(in.header_parameters()), take(in.query_string_parameters()),
                                  take(in.body_parameters())};
}

std::string encode_connection(const Connection& c) {
  eventbroker::v1::ConnectionRecord p;
  p.set_format_version(kRecordVersion);
  p.set_name(c.name);
  p.set_uuid(c.uuid);
  p.set_description(c.description);
  p.set_authorization_type(c.authorization_type);
  p.set_state(c.state);
  p.set_secret_arn(c.secret_arn);
  p.set_kms_key_identifier(c.kms_key_identifier);
  p.set_username(c.auth.username);
  p.set_password(c.auth.password);
  p.set_api_key_name(c.auth.api_key_name);
  p.set_api_key_value(c.auth.api_key_value);
  p.set_client_id(c.auth.client_id);
  p.set_client_secret(c.auth.client_secret);
  p.set_authorization_endpoint(c.auth.authorization_endpoint);
  p.set_oauth_http_method(c.auth.oauth_http_method);
  put_parameters(c.auth.oauth_http, *p.mutable_oauth_http_parameters());
  put_parameters(c.auth.invocation_http, *p.mutable_invocation_http_parameters());
  p.set_created_ms(c.created);
  p.set_modified_ms(c.modified);
  p.set_last_authorized_ms(c.last_authorized);
  return p.SerializeAsString();
}

std::optional<Connection> decode_connection(std::string_view bytes) {
  auto p = proto::parse<eventbroker::v1::ConnectionRecord>(bytes);
  if (!p) return std::nullopt;
  Connection c;
  c.name = p->name();
  c.uuid = p->uuid();
  c.description = p->description();
  c.authorization_type = p->authorization_type();
  c.state = p->state();
  c.secret_arn = p->secret_arn();
  c.kms_key_identifier = p->kms_key_identifier();
  c.auth.username = p->username();
  c.auth.password = p->password();
  c.auth.api_key_name = p->api_key_name();
  c.auth.api_key_value = p->api_key_value();
  c.auth.client_id = p->client_id();
  c.auth.client_secret = p->client_secret();
  c.auth.authorization_endpoint = p->authorization_endpoint();
  c.auth.oauth_http_method = p->oauth_http_method();
  c.auth.oauth_http = take_parameters(p->oauth_http_parameters());
  c.auth.invocation_http = take_parameters(p->invocation_http_parameters());
  c.created = p->created_ms();
  c.modified = p->modified_ms();
  c.last_authorized = p->last_authorized_ms();
  return c;
}

std::string encode_destination(const ApiDestination& d) {
  eventbroker::v1::ApiDestinationRecord p;
  p.set_format_version(kRecordVersion);
  p.set_name(d.name);
  p.set_uuid(d.uuid);
  p.set_description(d.description);
  p.set_connection_arn(d.connection_arn);
  p.set_invocation_endpoint(d.invocation_endpoint);
  p.set_http_method(d.http_method);
  p.set_invocation_rate_limit_per_second(d.invocation_rate_limit_per_second);
  p.set_created_ms(d.created);
  p.set_modified_ms(d.modified);
  return p.SerializeAsString();
}

std::optional<ApiDestination> decode_destination(std::string_view bytes) {
  auto p = proto::parse<eventbroker::v1::ApiDestinationRecord>(bytes);
  if (!p) return std::nullopt;
  ApiDestination d;
  d.name = p->name();
  d.uuid = p->uuid();
  d.description = p->description();
  d.connection_arn = p->connection_arn();
  d.invocation_endpoint = p->invocation_endpoint();
  d.http_method = p->http_method();
  d.invocation_rate_limit_per_second = p->invocation_rate_limit_per_second();
  d.created = p->created_ms();
  d.modified = p->modified_ms();
  return d;
}

// Secrets Manager's six random characters after a secret's name.
std::string secret_suffix() {
  constexpr std::string_view kChars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const Uuid random = random_uuid_bytes();
  std::string suffix;
  for (std::size_t i = 0; i < 6; ++i) suffix.push_back(kChars[random[i] % kChars.size()]);
  return suffix;
}

Connection redact(const Connection& c) { return c.redacted(); }
ApiDestination copy_destination(const ApiDestination& d) { return d; }

}  // namespace

Connection Connection::redacted() const {
  Connection out = *this;
  out.auth.password.clear();
  out.auth.api_key_value.clear();
  out.auth.client_secret.clear();
  drop_secret_values(out.auth.oauth_http);
  drop_secret_values(out.auth.invocation_http);
  return out;
}

Connections::Connections(const Clock& clock, storage::Engine& engine, EventsOptions options)
    : clock_(clock),
      engine_(engine),
      options_(std::move(options)),
      arns_{options_.region, options_.account_id},
      state_(std::make_shared<const State>()) {}

Result<void> Connections::commit(std::shared_ptr<State> next, storage::Batch batch) {
  EB_TRY(engine_.write(batch));
  state_.store(std::move(next));
  return {};
}

Result<std::size_t> Connections::reset() {
  std::lock_guard lock(write_mu_);
  const std::size_t dropped = snapshot()->connections.size();
  storage::Batch batch;
  batch.erase_range(Family::kEventBuses, std::string(kConnectionKeyPrefix), "e/");  // c/ and d/
  EB_TRY(commit(std::make_shared<State>(), std::move(batch)));
  return dropped;
}

Result<void> Connections::recover() {
  auto state = std::make_shared<State>();
  Result<void> bad;
  // "c/" and "d/" sort next to each other; the scan stops before "e/".
  EB_TRY(engine_.scan(
      Family::kEventBuses, kConnectionKeyPrefix, "e/",
      [&](std::string_view key, std::string_view value) {
        if (key.starts_with(kConnectionKeyPrefix)) {
          auto c = decode_connection(value);
          if (!c) {
            bad = fail(Errc::kInternalError, fmt::format("unreadable connection record {}", key));
            return false;
          }
          c->arn = fmt::format("arn:aws:events:{}:{}:connection/{}/{}", arns_.region,
                               arns_.account_id, c->name, c->uuid);
          std::string name = c->name;
          state->connections[name] = std::make_shared<const Connection>(std::move(*c));
        } else if (key.starts_with(kDestinationKeyPrefix)) {
          auto d = decode_destination(value);
          if (!d) {
            bad = fail(Errc::kInternalError,
                       fmt::format("unreadable API destination record {}", key));
            return false;
          }
          d->arn = fmt::format("arn:aws:events:{}:{}:api-destination/{}/{}", arns_.region,
                               arns_.account_id, d->name, d->uuid);
          std::string name = d->name;
          state->destinations[name] = std::make_shared<const ApiDestination>(std::move(*d));
        }
        return true;
      }));
  EB_TRY(bad);
  std::lock_guard lock(write_mu_);
  state_.store(std::move(state));
  return {};
}

// ---- Lookups ------------------------------------------------------------------------------

Result<std::shared_ptr<const Connection>> Connections::find_connection(
    const State& state, const std::string& name) const {
  EB_TRY(check_member("name", name, 1, 64, NameChars::kName));
  auto it = state.connections.find(name);
  if (it == state.connections.end()) {
    return fail(Errc::kResourceNotFound, fmt::format("Connection '{}' does not exist.", name));
  }
  return it->second;
}

Result<std::shared_ptr<const ApiDestination>> Connections::find_destination(
    const State& state, const std::string& name) const {
  EB_TRY(check_member("name", name, 1, 64, NameChars::kName));
  auto it = state.destinations.find(name);
  if (it == state.destinations.end()) {
    return fail(Errc::kResourceNotFound,
                fmt::format("An api-destination '{}' does not exist.", name));
  }
  return it->second;
}

Result<std::shared_ptr<const Connection>> Connections::connection_of_arn(
    const State& state, const std::string& arn) const {
  EB_TRY(check_member("connectionArn", arn, 1, 1600));
  const std::string prefix =
      fmt::format("arn:aws:events:{}:{}:connection/", arns_.region, arns_.account_id);
  std::string name;
  if (arn.starts_with(prefix)) {
    const std::string rest = arn.substr(prefix.size());
    name = rest.substr(0, rest.find('/'));
  }
  auto it = state.connections.find(name);
  if (name.empty() || it == state.connections.end() || it->second->arn != arn) {
    return fail(Errc::kResourceNotFound,
                fmt::format("Connection '{}' does not exist.", name.empty() ? arn : name));
  }
  return it->second;
}

ApiDestination Connections::with_state(const State& state, const ApiDestination& destination) {
  ApiDestination out = destination;
  out.state = std::string(kDestinationInactive);
  for (const auto& [name, c] : state.connections) {
    if (c->arn == destination.connection_arn) {
      if (c->state == kConnectionAuthorized) out.state = std::string(kDestinationActive);
      break;
    }
  }
  return out;
}

// ---- Connections --------------------------------------------------------------------------

Result<Connection> Connections::create_connection(const ConnectionInput& input) {
  EB_TRY(check_member("name", input.name, 1, 64, NameChars::kName));
  if (input.description) EB_TRY(check_member("description", *input.description, 0, 512));
  if (!input.authorization_type) {
    return fail(Errc::kValidationError,
                "1 validation error detected: Value null at 'authorizationType' failed to "
                "satisfy constraint: Member must not be null");
  }
  EB_TRY(check_enum("authorizationType", *input.authorization_type, kAuthTypes));
  if (!input.auth) {
    return fail(Errc::kValidationError,
                "1 validation error detected: Value null at 'authParameters' failed to satisfy "
                "constraint: Member must not be null");
  }
  EB_TRY(check_kms_key(input.kms_key_identifier));
  EB_TRY(check_auth_input(*input.auth));
  const std::string& type = *input.authorization_type;
  EB_TRY(check_auth_matches(type, *input.auth));
  auto c = std::make_shared<Connection>();
  merge_auth(c->auth, *input.auth);
  if (!complete(type, c->auth)) {
    return fail(Errc::kValidationError,
                fmt::format("{} must be specified for AuthorizationType {}.",
                            type == kAuthBasic   ? "BasicAuthParameters"
                            : type == kAuthOAuth ? "OAuthParameters"
                                                 : "ApiKeyAuthParameters",
                            type));
  }

  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  if (current->connections.contains(input.name)) {
    return fail(Errc::kResourceAlreadyExists,
                fmt::format("Connection {} already exists.", input.name));
  }
  c->name = input.name;
  c->uuid = random_uuid();
  c->arn = fmt::format("arn:aws:events:{}:{}:connection/{}/{}", arns_.region, arns_.account_id,
                       c->name, c->uuid);
  c->secret_arn = fmt::format("arn:aws:secretsmanager:{}:{}:secret:events!connection/{}/{}-{}",
                              arns_.region, arns_.account_id, c->name, c->uuid, secret_suffix());
  c->description = input.description.value_or("");
  c->authorization_type = type;
  c->kms_key_identifier = input.kms_key_identifier.value_or("");
  // No authorization round trip: the credentials are taken as they are (an OAuth token is
  // fetched by delivery, when it needs one).
  c->state = std::string(kConnectionAuthorized);
  c->created = c->modified = c->last_authorized = clock_.now_ms();
  storage::Batch batch;
  batch.put(Family::kEventBuses, connection_key(c->name), encode_connection(*c));
  auto next = std::make_shared<State>(*current);
  next->connections[c->name] = c;
  EB_TRY(commit(std::move(next), std::move(batch)));
  return c->redacted();
}

Result<Connection> Connections::update_connection(const ConnectionInput& input) {
  EB_TRY(check_member("name", input.name, 1, 64, NameChars::kName));
  if (input.description) EB_TRY(check_member("description", *input.description, 0, 512));
  if (input.authorization_type) {
    EB_TRY(check_enum("authorizationType", *input.authorization_type, kAuthTypes));
  }
  EB_TRY(check_kms_key(input.kms_key_identifier));
  if (input.auth) EB_TRY(check_auth_input(*input.auth));

  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  EB_ASSIGN_OR_RETURN(auto found, find_connection(*current, input.name));
  auto c = std::make_shared<Connection>(*found);
  const std::string type = input.authorization_type.value_or(c->authorization_type);
  if (input.auth) {
    EB_TRY(check_auth_matches(type, *input.auth));
    merge_auth(c->auth, *input.auth);
  }
  if (type != c->authorization_type) {
    c->auth = only_type(type, std::move(c->auth));
    c->authorization_type = type;
  }
  if (input.description) c->description = *input.description;
  if (input.kms_key_identifier) c->kms_key_identifier = *input.kms_key_identifier;
  c->modified = clock_.now_ms();
  // Credentials given again authorize the connection again; without them it stays as it was.
  if (input.auth && complete(type, c->auth)) {
    c->state = std::string(kConnectionAuthorized);
    c->last_authorized = c->modified;
  } else if (!complete(type, c->auth)) {
    c->state = std::string(kConnectionDeauthorized);
  }
  storage::Batch batch;
  batch.put(Family::kEventBuses, connection_key(c->name), encode_connection(*c));
  auto next = std::make_shared<State>(*current);
  next->connections[c->name] = c;
  EB_TRY(commit(std::move(next), std::move(batch)));
  return c->redacted();
}

Result<Connection> Connections::describe_connection(const std::string& name) const {
  EB_ASSIGN_OR_RETURN(auto c, find_connection(*snapshot(), name));
  return c->redacted();
}

Result<Connection> Connections::deauthorize_connection(const std::string& name) {
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  EB_ASSIGN_OR_RETURN(auto found, find_connection(*current, name));
  auto c = std::make_shared<Connection>(*found);
  // The secrets go; what describes the connection (user name, key name, client id, endpoint)
  // stays so an update need give only the secret again.
  c->auth.password.clear();
  c->auth.api_key_value.clear();
  c->auth.client_secret.clear();
  c->state = std::string(kConnectionDeauthorized);
  c->modified = clock_.now_ms();
  storage::Batch batch;
  batch.put(Family::kEventBuses, connection_key(c->name), encode_connection(*c));
  auto next = std::make_shared<State>(*current);
  next->connections[c->name] = c;
  EB_TRY(commit(std::move(next), std::move(batch)));
  return c->redacted();
}

Result<Connection> Connections::delete_connection(const std::string& name) {
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  EB_ASSIGN_OR_RETURN(auto found, find_connection(*current, name));
  // API destinations that use it stay, INACTIVE, until they are pointed at another connection.
  storage::Batch batch;
  batch.erase(Family::kEventBuses, connection_key(name));
  auto next = std::make_shared<State>(*current);
  next->connections.erase(name);
  EB_TRY(commit(std::move(next), std::move(batch)));
  return found->redacted();
}

Result<Page<Connection>> Connections::list_connections(const ListConnectionsInput& input) const {
  EB_TRY(check_limit(input.list));
  if (input.state) EB_TRY(check_enum("connectionState", *input.state, kConnectionStates));
  return page_of(
      snapshot()->connections, input.list,
      [&](const Connection& c) { return !input.state || c.state == *input.state; }, &redact);
}

// ---- API destinations ---------------------------------------------------------------------

Result<ApiDestination> Connections::create_api_destination(const ApiDestinationInput& input) {
  EB_TRY(check_member("name", input.name, 1, 64, NameChars::kName));
  if (input.description) EB_TRY(check_member("description", *input.description, 0, 512));
  if (!input.connection_arn || !input.invocation_endpoint || !input.http_method) {
    return fail(Errc::kValidationError,
                fmt::format("1 validation error detected: Value null at '{}' failed to satisfy "
                            "constraint: Member must not be null",
                            !input.connection_arn        ? "connectionArn"
                            : !input.invocation_endpoint ? "invocationEndpoint"
                                                         : "httpMethod"));
  }
  EB_TRY(check_endpoint("invocationEndpoint", *input.invocation_endpoint));
  EB_TRY(check_enum("httpMethod", *input.http_method, kDestinationMethods));
  EB_TRY(check_rate(input.invocation_rate_limit_per_second));

  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  if (current->destinations.contains(input.name)) {
    return fail(Errc::kResourceAlreadyExists,
                fmt::format("An api-destination '{}' already exists.", input.name));
  }
  EB_ASSIGN_OR_RETURN(auto connection, connection_of_arn(*current, *input.connection_arn));
  auto d = std::make_shared<ApiDestination>();
  d->name = input.name;
  d->uuid = random_uuid();
  d->arn = fmt::format("arn:aws:events:{}:{}:api-destination/{}/{}", arns_.region, arns_.account_id,
                       d->name, d->uuid);
  d->description = input.description.value_or("");
  d->connection_arn = connection->arn;
  d->invocation_endpoint = *input.invocation_endpoint;
  d->http_method = *input.http_method;
  d->invocation_rate_limit_per_second =
      input.invocation_rate_limit_per_second.value_or(kDefaultInvocationRate);
  d->created = d->modified = clock_.now_ms();
  storage::Batch batch;
  batch.put(Family::kEventBuses, destination_key(d->name), encode_destination(*d));
  auto next = std::make_shared<State>(*current);
  next->destinations[d->name] = d;
  EB_TRY(commit(next, std::move(batch)));
  return with_state(*next, *d);
}

Result<ApiDestination> Connections::update_api_destination(const ApiDestinationInput& input) {
  EB_TRY(check_member("name", input.name, 1, 64, NameChars::kName));
  if (input.description) EB_TRY(check_member("description", *input.description, 0, 512));
  if (input.invocation_endpoint) {
    EB_TRY(check_endpoint("invocationEndpoint", *input.invocation_endpoint));
  }
  if (input.http_method) EB_TRY(check_enum("httpMethod", *input.http_method, kDestinationMethods));
  EB_TRY(check_rate(input.invocation_rate_limit_per_second));

  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  EB_ASSIGN_OR_RETURN(auto found, find_destination(*current, input.name));
  auto d = std::make_shared<ApiDestination>(*found);
  if (input.connection_arn) {
    EB_ASSIGN_OR_RETURN(auto connection, connection_of_arn(*current, *input.connection_arn));
    d->connection_arn = connection->arn;
  }
  if (input.description) d->description = *input.description;
  if (input.invocation_endpoint) d->invocation_endpoint = *input.invocation_endpoint;
  if (input.http_method) d->http_method = *input.http_method;
  if (input.invocation_rate_limit_per_second) {
    d->invocation_rate_limit_per_second = *input.invocation_rate_limit_per_second;
  }
  d->modified = clock_.now_ms();
  storage::Batch batch;
  batch.put(Family::kEventBuses, destination_key(d->name), encode_destination(*d));
  auto next = std::make_shared<State>(*current);
  next->destinations[d->name] = d;
  EB_TRY(commit(next, std::move(batch)));
  return with_state(*next, *d);
}

Result<ApiDestination> Connections::describe_api_destination(const std::string& name) const {
  auto current = snapshot();
  EB_ASSIGN_OR_RETURN(auto d, find_destination(*current, name));
  return with_state(*current, *d);
}

Result<void> Connections::delete_api_destination(const std::string& name) {
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  EB_TRY(find_destination(*current, name));
  storage::Batch batch;
  batch.erase(Family::kEventBuses, destination_key(name));
  auto next = std::make_shared<State>(*current);
  next->destinations.erase(name);
  return commit(std::move(next), std::move(batch));
}

Result<Page<ApiDestination>> Connections::list_api_destinations(
    const ListApiDestinationsInput& input) const {
  EB_TRY(check_limit(input.list));
  if (input.connection_arn) EB_TRY(check_member("connectionArn", *input.connection_arn, 1, 1600));
  auto current = snapshot();
  auto page = page_of(
      current->destinations, input.list,
      [&](const ApiDestination& d) {
        return !input.connection_arn || d.connection_arn == *input.connection_arn;
      },
      &copy_destination);
  for (ApiDestination& d : page.items) d = with_state(*current, d);
  return page;
}

Result<ResolvedDestination> Connections::resolve(const std::string& api_destination_arn) const {
  auto current = snapshot();
  const std::string prefix =
      fmt::format("arn:aws:events:{}:{}:api-destination/", arns_.region, arns_.account_id);
  std::string name;
  if (api_destination_arn.starts_with(prefix)) {
    const std::string rest = api_destination_arn.substr(prefix.size());
    name = rest.substr(0, rest.find('/'));
  }
  auto it = current->destinations.find(name);
  if (it == current->destinations.end() || it->second->arn != api_destination_arn) {
    return fail(Errc::kResourceNotFound, fmt::format("An api-destination '{}' does not exist.",
                                                     name.empty() ? api_destination_arn : name));
  }
  ResolvedDestination out{with_state(*current, *it->second), {}};
  EB_ASSIGN_OR_RETURN(auto connection, connection_of_arn(*current, it->second->connection_arn));
  out.connection = *connection;
  return out;
}

}  // namespace eb::events
