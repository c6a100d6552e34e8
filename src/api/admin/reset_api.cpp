#include "api/admin/reset_api.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "api/admin/responses.hpp"
#include "api/aws/form.hpp"
#include "core/json_writer.hpp"

namespace eb::api::admin {
namespace http = boost::beast::http;

namespace {

// The `service` parameter of the query string; empty when absent.
Result<std::string> service_parameter(std::string_view target) {
  const auto mark = target.find('?');
  if (mark == std::string_view::npos) return std::string();
  EB_ASSIGN_OR_RETURN(auto pairs, aws::parse_form(target.substr(mark + 1)));
  std::string service;
  for (auto& [name, value] : pairs) {
    if (name != "service") {
      return fail(Errc::kInvalidParameterValue, fmt::format("Unknown parameter {}", name));
    }
    service = std::move(value);
  }
  return service;
}

}  // namespace

void ResetApi::add_service(std::string name, Reset reset) {
  services_.emplace_back(std::move(name), std::move(reset));
}

Result<std::string> ResetApi::reset(std::string_view only) {
  std::lock_guard lock(mu_);
  const auto started = std::chrono::steady_clock::now();
  std::string out;
  JsonWriter j(out);
  j.begin_object();
  j.key("services");
  j.begin_object();
  for (const auto& [name, reset] : services_) {
    if (!only.empty() && name != only) continue;
    EB_ASSIGN_OR_RETURN(const std::size_t dropped, reset());
    j.member(name, static_cast<std::int64_t>(dropped));
  }
  j.end_object();
  if (only.empty() && after_) EB_TRY(after_());
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  j.member("tookMicros", static_cast<std::int64_t>(took.count()));
  j.end_object();
  return out;
}

net::HttpResponse ResetApi::handle(const net::HttpRequest& request) {
  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));
  const bool moto = path == kMotoPrefix;
  if (!moto && path != kPrefix) {
    return error_response(
        http::status::not_found, "NotFound",
        fmt::format("No route for {} {}", std::string_view(request.method_string()), path));
  }
  if (request.method() != http::verb::post) {
    // moto answers 400 to anything but POST; the native route says which method it wants.
    auto res = error_response(moto ? http::status::bad_request : http::status::method_not_allowed,
                              "MethodNotAllowed", fmt::format("{} supports POST", path));
    res.set(http::field::allow, "POST");
    return res;
  }
  std::string only;
  if (!moto) {
    auto service = service_parameter(target);
    if (!service) return plugin_error(service.error());
    only = std::move(*service);
    if (!only.empty() &&
        std::ranges::none_of(services_, [&](const auto& s) { return s.first == only; })) {
      std::string names;
      for (const auto& [name, reset] : services_) names += (names.empty() ? "" : "|") + name;
      return error_response(http::status::bad_request, "InvalidParameterValue",
                            fmt::format("Unknown service {}; one of {}", only, names));
    }
  }
  auto body = reset(only);
  if (!body) return domain_error(body.error());
  return json_response(http::status::ok, moto ? std::string(R"({"status": "ok"})") : *body);
}

}  // namespace eb::api::admin
