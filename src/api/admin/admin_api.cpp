#include "api/admin/admin_api.hpp"

#include <fmt/format.h>

#include <boost/beast/http/verb.hpp>

#include "api/admin/responses.hpp"
#include "api/admin/v1_api.hpp"
#include "core/json_escape.hpp"

namespace eb::api::admin {
namespace http = boost::beast::http;

namespace {

std::string json_string(std::string_view text) { return '"' + json_escape(text) + '"'; }

}  // namespace

AdminApi::AdminApi(std::string version, eventlog::EventLog* events, eventlog::Replays* replays,
                   eb::sns::EndpointDeliveries* outbox)
    : version_(std::move(version)),
      started_(std::chrono::steady_clock::now()),
      v1_(events != nullptr ? std::make_unique<V1Api>(*events, replays, outbox) : nullptr) {}

AdminApi::~AdminApi() = default;

void AdminApi::add_document(std::string path, std::string content_type, std::string body) {
  add_document(std::move(path), std::move(content_type), [body = std::move(body)] { return body; });
}

void AdminApi::add_document(std::string path, std::string content_type,
                            std::function<std::string()> make_body) {
  documents_.insert_or_assign(std::move(path),
                              Document{std::move(content_type), std::move(make_body)});
}

void AdminApi::add_routes(std::string prefix, Routes handler) {
  routes_.emplace_back(std::move(prefix), std::move(handler));
}

void AdminApi::handle(net::HttpRequest&& request, const boost::asio::ip::tcp::endpoint&,
                      net::Respond respond) {
  if (auto refused = guard_.check(request)) return respond(std::move(*refused));
  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == "/health") return respond(health(request));
  // A browser's GET / (the dispatcher sends only that here) goes to the web console.
  if (path == "/") return respond(redirect_response(request, http::status::found, "/ui/"));
  if (auto doc = documents_.find(path); doc != documents_.end()) {
    return respond(document(request, doc->second));
  }
  for (const auto& [prefix, routes] : routes_) {
    if (path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/')) {
      return routes(std::move(request), std::move(respond));
    }
  }
  if (v1_ && (path == "/v1" || path.starts_with("/v1/"))) {
    return v1_->handle(std::move(request), respond);
  }
  respond(error_response(
      http::status::not_found, "NotFound",
      fmt::format("No route for {} {}", std::string_view(request.method_string()), path)));
}

net::HttpResponse AdminApi::document(const net::HttpRequest& request, const Document& doc) const {
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    auto res = error_response(http::status::method_not_allowed, "MethodNotAllowed",
                              "this document supports GET and HEAD");
    res.set(http::field::allow, "GET, HEAD");
    return res;
  }
  net::HttpResponse res{http::status::ok, request.version()};
  res.set(http::field::content_type, doc.content_type);
  res.keep_alive(request.keep_alive());
  std::string body = doc.make_body();
  res.content_length(body.size());
  if (request.method() != http::verb::head) res.body() = std::move(body);
  return res;
}

net::HttpResponse AdminApi::health(const net::HttpRequest& request) const {
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    auto res = error_response(http::status::method_not_allowed, "MethodNotAllowed",
                              "/health supports GET and HEAD");
    res.set(http::field::allow, "GET, HEAD");
    return res;
  }
  const auto uptime =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_)
          .count();
  const bool serving = serving_.load();
  auto res =
      json_response(serving ? http::status::ok : http::status::service_unavailable,
                    fmt::format(R"({{"status":"{}","version":{},"uptimeSeconds":{}}})",
                                serving ? "ok" : "unavailable", json_string(version_), uptime));
  if (request.method() == http::verb::head) {
    res.content_length(res.body().size());
    res.body().clear();
  }
  return res;
}

}  // namespace eb::api::admin
