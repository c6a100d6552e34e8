#include "api/admin/browser_guard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/beast/http/verb.hpp>
#include <cctype>

#include "api/admin/responses.hpp"

namespace eb::api::admin {
namespace http = boost::beast::http;

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool loopback_host(std::string_view host) {
  if (host == "localhost" || host.ends_with(".localhost") || host == "::1") return true;
  // 127.0.0.0/8, written as a dotted quad.
  if (!host.starts_with("127.")) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
      return false;
    }
  }
  return dots == 3;
}

bool changes_state(http::verb method) {
  return method != http::verb::get && method != http::verb::head && method != http::verb::options;
}

net::HttpResponse forbidden(std::string_view message) {
  return error_response(http::status::forbidden, "Forbidden", message);
}

}  // namespace

std::string host_of_authority(std::string_view authority) {
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return {};
    return lower(authority.substr(1, close - 1));
  }
  const std::string_view host = authority.substr(0, authority.find(':'));
  return lower(host);
}

BrowserGuard::BrowserGuard(std::vector<std::string> hosts) {
  for (const std::string& host : hosts) {
    if (!host.empty()) hosts_.push_back(lower(host));
  }
}

bool BrowserGuard::allowed_host(std::string_view host) const {
  const std::string name = lower(host);
  return loopback_host(name) || std::ranges::find(hosts_, name) != hosts_.end();
}

std::optional<net::HttpResponse> BrowserGuard::check(const net::HttpRequest& request) const {
  const auto origin = request.find(http::field::origin);
  const auto fetch_site = request.find("Sec-Fetch-Site");
  if (origin == request.end() && fetch_site == request.end()) return std::nullopt;

  const std::string host = host_of_authority(request[http::field::host]);
  if (host.empty() || !allowed_host(host)) {
    return forbidden(fmt::format(
        "browsers reach this daemon as localhost, a loopback address or its public_url, "
        "not as '{}'",
        std::string_view(request[http::field::host])));
  }
  if (!changes_state(request.method())) return std::nullopt;
  if (fetch_site != request.end() && fetch_site->value() == "cross-site") {
    return forbidden("a cross-site request may not change state");
  }
  if (origin != request.end()) {
    const std::string_view value = origin->value();
    std::string_view authority;
    if (value.starts_with("http://")) {
      authority = value.substr(7);
    } else if (value.starts_with("https://")) {
      authority = value.substr(8);
    }
    const std::string origin_host = host_of_authority(authority);
    if (origin_host.empty() || !allowed_host(origin_host)) {
      return forbidden(fmt::format("requests from origin '{}' may not change state", value));
    }
  }
  return std::nullopt;
}

}  // namespace eb::api::admin
