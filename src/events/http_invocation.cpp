#include "events/http_invocation.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <system_error>

#include "core/encoding.hpp"
#include "core/json_writer.hpp"

namespace eb::events {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;
using Query = std::vector<std::pair<std::string, std::string>>;

bool same_name(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// Sets `name` (HTTP header names compare without case), replacing an earlier value.
void set_header(Headers& headers, std::string_view name, std::string value) {
  auto it = std::find_if(headers.begin(), headers.end(),
                         [&](const auto& h) { return same_name(h.first, name); });
  if (it != headers.end()) {
    it->second = std::move(value);
  } else {
    headers.emplace_back(std::string(name), std::move(value));
  }
}

void set_query(Query& query, const std::string& key, const std::string& value) {
  auto it = std::find_if(query.begin(), query.end(), [&](const auto& q) { return q.first == key; });
  if (it != query.end()) {
    it->second = value;
  } else {
    query.emplace_back(key, value);
  }
}

std::string form_encode(const Query& pairs) {
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    out += url_encode(key);
    out.push_back('=');
    out += url_encode(value);
  }
  return out;
}

// `base` (which may carry a query string of its own) with `query` appended.
std::string with_query(std::string base, const Query& query) {
  if (query.empty()) return base;
  base.push_back(base.find('?') == std::string::npos ? '?' : '&');
  return base + form_encode(query);
}

std::string basic_credentials(std::string_view user, std::string_view password) {
  return "Basic " + base64_encode(fmt::format("{}:{}", user, password));
}

// A JSON object body with the connection's body parameters as string members (theirs win over
// the event's); any other body is sent as it is, since it has nowhere to put them.
std::string with_body_parameters(std::string body, const std::vector<ConnectionParameter>& params) {
  if (params.empty()) return body;
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(body).get(object)) return body;
  std::string out;
  JsonWriter json(out);
  json.begin_object();
  for (const auto field : object) {
    const bool replaced =
        std::any_of(params.begin(), params.end(),
                    [&](const ConnectionParameter& p) { return p.key == field.key; });
    if (!replaced) json.key(field.key).raw(simdjson::minify(field.value));
  }
  for (const ConnectionParameter& p : params) json.member(p.key, p.value);
  json.end_object();
  return out;
}

}  // namespace

std::string url_encode(std::string_view text) {
  constexpr std::string_view kDigits = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out += c;
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    out += '%';
    out += kDigits[byte / 16];
    out += kDigits[byte % 16];
  }
  return out;
}

Result<HttpRequestSpec> build_invocation(const ApiDestination& destination,
                                         const Connection& connection,
                                         const TargetHttpParameters& parameters, std::string body,
                                         std::optional<std::string_view> oauth_token) {
  HttpRequestSpec request;
  request.method = destination.http_method;

  // Wildcards are replaced in the path only: a "*" in the query string is sent as it is.
  const std::string& endpoint = destination.invocation_endpoint;
  const std::size_t query_at = std::min(endpoint.find('?'), endpoint.size());
  std::size_t next_value = 0;
  for (std::size_t i = 0; i < query_at; ++i) {
    if (endpoint[i] != '*') {
      request.url.push_back(endpoint[i]);
      continue;
    }
    if (next_value == parameters.path_parameter_values.size()) {
      return fail(Errc::kValidationError,
                  fmt::format("The InvocationEndpoint of API destination {} has more wildcards "
                              "than the target has PathParameterValues.",
                              destination.name));
    }
    request.url += url_encode(parameters.path_parameter_values[next_value++]);
  }
  request.url.append(endpoint, query_at);

  Query query;
  for (const auto& [key, value] : parameters.query_string_parameters) set_query(query, key, value);
  for (const ConnectionParameter& p : connection.auth.invocation_http.query_strings) {
    set_query(query, p.key, p.value);
  }
  request.url = with_query(std::move(request.url), query);

  set_header(request.headers, "Content-Type", "application/json; charset=utf-8");
  for (const auto& [name, value] : parameters.header_parameters) {
    set_header(request.headers, name, value);
  }
  for (const ConnectionParameter& p : connection.auth.invocation_http.headers) {
    set_header(request.headers, p.key, p.value);
  }
  const std::string& type = connection.authorization_type;
  if (type == kAuthApiKey) {
    set_header(request.headers, connection.auth.api_key_name, connection.auth.api_key_value);
  } else if (type == kAuthBasic) {
    set_header(request.headers, "Authorization",
               basic_credentials(connection.auth.username, connection.auth.password));
  } else if (type == kAuthOAuth) {
    if (!oauth_token) {
      return fail(Errc::kValidationError,
                  fmt::format("Connection {} needs an OAuth token.", connection.name));
    }
    set_header(request.headers, "Authorization", fmt::format("Bearer {}", *oauth_token));
  }
  request.body = with_body_parameters(std::move(body), connection.auth.invocation_http.body);
  return request;
}

Result<HttpRequestSpec> build_token_request(const Connection& connection) {
  if (connection.authorization_type != kAuthOAuth) {
    return fail(
        Errc::kValidationError,
        fmt::format("Connection {} does not use OAUTH_CLIENT_CREDENTIALS.", connection.name));
  }
  const ConnectionAuth& auth = connection.auth;
  HttpRequestSpec request;
  request.method = auth.oauth_http_method;
  set_header(request.headers, "Authorization",
             basic_credentials(auth.client_id, auth.client_secret));
  for (const ConnectionParameter& p : auth.oauth_http.headers) {
    set_header(request.headers, p.key, p.value);
  }
  Query query;
  for (const ConnectionParameter& p : auth.oauth_http.query_strings)
    set_query(query, p.key, p.value);
  Query form{{"grant_type", "client_credentials"}};
  for (const ConnectionParameter& p : auth.oauth_http.body) set_query(form, p.key, p.value);
  if (request.method == "GET") {
    for (const auto& [key, value] : form) set_query(query, key, value);
  } else {
    set_header(request.headers, "Content-Type", "application/x-www-form-urlencoded");
    request.body = form_encode(form);
  }
  request.url = with_query(auth.authorization_endpoint, query);
  return request;
}

Result<OAuthToken> parse_token_response(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view token;
  if (parser.parse(body.data(), body.size()).get(doc) || doc["access_token"].get(token) ||
      token.empty()) {
    return fail(Errc::kInvalidParameterValue, "The OAuth endpoint's answer has no access_token.");
  }
  OAuthToken out{.access_token = std::string(token)};
  // Some endpoints send expires_in as a string; anything else unreadable means no expiry given.
  std::int64_t seconds = 0;
  double fractional = 0;
  std::string_view text;
  if (!doc["expires_in"].get(seconds)) {
    if (seconds >= 0) out.expires_in_seconds = seconds;
  } else if (!doc["expires_in"].get(fractional)) {
    if (fractional >= 0 && fractional < 1e12) {
      out.expires_in_seconds = static_cast<std::int64_t>(fractional);
    }
  } else if (!doc["expires_in"].get(text)) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec == std::errc() && end == text.data() + text.size() && seconds >= 0) {
      out.expires_in_seconds = seconds;
    }
  }
  return out;
}

}  // namespace eb::events
