#pragma once
// JSON responses of the native API: a body with the right headers, and the error shape
// {"error":{"code":"..","message":".."}} every native route answers failures with, and the
// mapping of domain errors onto it.
#include <boost/beast/http/status.hpp>
#include <string>
#include <string_view>

#include "core/errors.hpp"
#include "net/handler.hpp"

namespace eb::api::admin {

net::HttpResponse json_response(boost::beast::http::status status, std::string body);
// `extra` (raw JSON members, e.g. R"("currentVersion":3)") is added to the top level and to
// the error object, so clients find it either way.
net::HttpResponse error_response(boost::beast::http::status status, std::string_view code,
                                 std::string_view message, std::string_view extra = {});

// A redirect (`status` 301 or 302) to `location`, with no body.
net::HttpResponse redirect_response(const net::HttpRequest& request,
                                    boost::beast::http::status status, std::string_view location);

// 405 MethodNotAllowed "PATH supports ALLOWED" with the Allow header ("GET, POST").
net::HttpResponse method_not_allowed(std::string_view path, std::string_view allowed);

// 404 NotFound "No route for METHOD PATH".
net::HttpResponse no_route(const net::HttpRequest& request, std::string_view path);

// The wire form of a domain error: one exhaustive switch over Errc, no default.
// `not_found_code` names what was missing ("StreamNotFound", "ReplayNotFound").
net::HttpResponse domain_error(const Error& error, std::string_view not_found_code = "NotFound");

// The error of a plugin or saga route (/v1/plugins, /v1/sagas), with the codes the clock routes
// use too: kResourceNotFound 404 NotFound (or `not_found_code`), kMalformedRequest 400
// MalformedRequest, kMissingParameter 400 MissingParameter, kInvalidParameterValue 400
// InvalidParameterValue, kUnsupportedOperation 405 MethodNotAllowed, kInvalidState 409
// `conflict_code`; anything else as domain_error.
net::HttpResponse plugin_error(const Error& error, std::string_view not_found_code = "NotFound",
                               std::string_view conflict_code = "InvalidState");

}  // namespace eb::api::admin
