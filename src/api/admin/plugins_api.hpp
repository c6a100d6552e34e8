#pragma once
// The built-in plugins over HTTP: GET /v1/plugins lists the instances (kind, state, counters),
// and /v1/plugins/{name}/... goes to the instance's own routes (an inventory's stock, a
// payment provider's payments). Registered with AdminApi by app/. Thread-safe (PluginHost is).
#include <string_view>

#include "net/handler.hpp"

namespace eb::plugins {
class PluginHost;
}

namespace eb::api::admin {

class PluginsApi {
 public:
  static constexpr std::string_view kPrefix = "/v1/plugins";

  explicit PluginsApi(plugins::PluginHost& host) : host_(host) {}

  net::HttpResponse handle(const net::HttpRequest& request) const;

 private:
  plugins::PluginHost& host_;
};

}  // namespace eb::api::admin
