#pragma once
// JSON responses of the native API: a body with the right headers, and the error shape
// {"error":{"code":"..","message":".."}} every native route answers failures with.
#include <boost/beast/http/status.hpp>
#include <string>
#include <string_view>

#include "net/handler.hpp"

namespace eb::api::admin {

net::HttpResponse json_response(boost::beast::http::status status, std::string body);
// `extra` (raw JSON members, e.g. R"("currentVersion":3)") is added to the top level and to
// the error object, so clients find it either way.
net::HttpResponse error_response(boost::beast::http::status status, std::string_view code,
                                 std::string_view message, std::string_view extra = {});

}  // namespace eb::api::admin
