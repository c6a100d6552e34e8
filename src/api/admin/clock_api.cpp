#include "api/admin/clock_api.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <cmath>

#include "api/admin/responses.hpp"
#include "core/json_writer.hpp"

namespace eb::api::admin {
namespace http = boost::beast::http;

namespace {

std::string clock_body(Millis now, std::optional<Millis> advanced) {
  std::string out;
  JsonWriter j(out);
  j.begin_object();
  j.member("mode", "manual");
  j.member("now", now);
  j.member("time", utc_timestamp(now));
  if (advanced) j.member("advancedMs", *advanced);
  j.end_object();
  return out;
}

net::HttpResponse bad_request(std::string_view code, std::string_view message) {
  return error_response(http::status::bad_request, code, message);
}

}  // namespace

net::HttpResponse ClockApi::handle(const net::HttpRequest& request) const {
  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == kPrefix) {
    if (request.method() != http::verb::get) return method_not_allowed(path, "GET");
    return now(request);
  }
  if (path == "/v1/clock/advance") {
    if (request.method() != http::verb::post) return method_not_allowed(path, "POST");
    return advance(request);
  }
  return error_response(
      http::status::not_found, "NotFound",
      fmt::format("No route for {} {}", std::string_view(request.method_string()), path));
}

net::HttpResponse ClockApi::now(const net::HttpRequest&) const {
  return json_response(http::status::ok, clock_body(clock_.now_ms(), std::nullopt));
}

net::HttpResponse ClockApi::advance(const net::HttpRequest& request) const {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const std::string& body = request.body();
  if (auto err = parser.parse(body.data(), body.size()).get(doc)) {
    return bad_request("MalformedRequest", fmt::format("The request body is not valid JSON: {}",
                                                       simdjson::error_message(err)));
  }
  simdjson::dom::object object;
  if (doc.get_object().get(object)) {
    return bad_request("MalformedRequest", "The request body must be a JSON object");
  }
  simdjson::dom::element seconds_value;
  if (object.at_key("seconds").get(seconds_value) || seconds_value.is_null()) {
    return bad_request("MissingParameter", R"(The request body must contain "seconds")");
  }
  double seconds = 0;
  if (seconds_value.get_double().get(seconds) || !std::isfinite(seconds) || seconds < 0 ||
      seconds * 1000 > static_cast<double>(kMaxAdvanceMs)) {
    return bad_request(
        "InvalidParameterValue",
        fmt::format(R"("seconds" must be a number from 0 to {})", kMaxAdvanceMs / 1000));
  }
  const auto ms = static_cast<Millis>(std::llround(seconds * 1000));
  const Millis now = clock_.advance(ms);
  return json_response(http::status::ok, clock_body(now, ms));
}

}  // namespace eb::api::admin
