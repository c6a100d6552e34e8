#include "api/admin/responses.hpp"

#include <fmt/format.h>

#include "core/json_escape.hpp"

namespace eb::api::admin {
namespace http = boost::beast::http;

net::HttpResponse json_response(http::status status, std::string body) {
  net::HttpResponse res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.body() = std::move(body);
  return res;
}

net::HttpResponse error_response(http::status status, std::string_view code,
                                 std::string_view message, std::string_view extra) {
  const std::string tail = extra.empty() ? std::string() : fmt::format(",{}", extra);
  return json_response(status, fmt::format(R"({{"error":{{"code":"{}","message":"{}"{}}}{}}})",
                                           json_escape(code), json_escape(message), tail, tail));
}

}  // namespace eb::api::admin
