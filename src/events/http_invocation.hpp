#pragma once
// The HTTP requests EventBridge sends for an API destination target: the invocation itself and
// the OAuth client-credentials token request that may precede it. Pure functions; any thread.
// Sending them (and caching the token) is the caller's.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "events/connections.hpp"
#include "events/types.hpp"

namespace eb::events {

struct HttpRequestSpec {
  std::string method;
  std::string url;  // absolute, query string included
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// The request that invokes `destination` with `body` (the event as the target's input shaped
// it). Each "*" in the endpoint takes the next path parameter value, URL-encoded; too few values
// is a ValidationException. Query strings and headers are the target's with the connection's
// InvocationHttpParameters over them (the connection's win, as AWS documents), and the
// connection's authorization over both: API_KEY its key header, BASIC "Basic" credentials,
// OAUTH_CLIENT_CREDENTIALS "Bearer <oauth_token>" (required for that type).
// The connection's body parameters become members of a JSON object body.
Result<HttpRequestSpec> build_invocation(const ApiDestination& destination,
                                         const Connection& connection,
                                         const TargetHttpParameters& parameters, std::string body,
                                         std::optional<std::string_view> oauth_token = {});

// The token request of an OAUTH_CLIENT_CREDENTIALS connection: the authorization endpoint with
// the client's credentials as Basic authorization and the OAuthHttpParameters; the grant type
// and the body parameters go form-encoded in the body (in the query string for GET).
// ValidationException for another type of connection.
Result<HttpRequestSpec> build_token_request(const Connection& connection);

// What a token endpoint's JSON answer gives: its access_token and, when it says so, how long
// the token lives (expires_in, seconds; a number or a string of digits, else ignored).
struct OAuthToken {
  std::string access_token;
  std::optional<std::int64_t> expires_in_seconds;
};
Result<OAuthToken> parse_token_response(std::string_view body);

// RFC 3986 percent-encoding of everything but the unreserved characters.
std::string url_encode(std::string_view text);

}  // namespace eb::events
