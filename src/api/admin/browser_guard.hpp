#pragma once
// Holds requests made by web browsers to the daemon's own names. Being bound to 127.0.0.1 does
// not keep browsers out: any page the developer opens can send a form POST or a `text/plain`
// fetch to http://127.0.0.1:4566 without a CORS preflight, and a page whose name is rebound to
// 127.0.0.1 in DNS even reads the answers, as the same origin. So, for the daemon's own routes
// (the console, /v1, /metrics):
//   - a request that names a browser origin (`Origin`, `Sec-Fetch-Site`) must address the daemon
//     by an allowed name in `Host`: a loopback name or address, or one configured (public_url);
//   - a state-changing request (any method but GET, HEAD, OPTIONS) from a browser must come
//     from an allowed origin (`Origin` whose host is allowed, scheme http or https, any port)
//     and must not be `Sec-Fetch-Site: cross-site`.
// Requests without those headers (SDKs, the CLI, curl, services in other containers) pass:
// only browsers send them, and only browsers need holding.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/handler.hpp"

namespace eb::api::admin {

class BrowserGuard {
 public:
  // `hosts`: host names or addresses allowed beside the loopback ones (no port).
  explicit BrowserGuard(std::vector<std::string> hosts = {});

  // nullopt to serve the request; otherwise the 403 to answer it with.
  std::optional<net::HttpResponse> check(const net::HttpRequest& request) const;

  // A host name or address (no port) the daemon answers browsers on: localhost, *.localhost,
  // 127.0.0.0/8, ::1 and the configured ones. Case-insensitive.
  bool allowed_host(std::string_view host) const;

 private:
  std::vector<std::string> hosts_;  // lower case
};

// The host of a `Host` header or an origin's authority, without port or IPv6 brackets:
// "LocalHost:4566" -> "localhost", "[::1]:80" -> "::1". Empty if malformed.
std::string host_of_authority(std::string_view authority);

}  // namespace eb::api::admin
