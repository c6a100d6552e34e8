#pragma once
// The sagas of the built-in saga engines over HTTP (docs/plugins.md):
//   POST /v1/sagas/{definition} {"id", "input"}  start (201; the same id and input again: 200
//                                                 with the same saga; another input: 409)
//   GET  /v1/sagas?definition=&status=&limit=    list, oldest first
//   GET  /v1/sagas/{sagaId}                       one saga, in the design's shape
//   POST /v1/sagas/{sagaId}/redrive               a stuck saga compensates again
// Registered with AdminApi by app/. Thread-safe (PluginHost and the engines are).

#include <string_view>

#include "net/handler.hpp"

namespace eb::plugins {
class PluginHost;
}

namespace eb::api::admin {

class SagasApi {
 public:
  static constexpr std::string_view kPrefix = "/v1/sagas";

  explicit SagasApi(plugins::PluginHost& host) : host_(host) {}

  // A start is answered from the plugins' thread once the work under way there is done
  // (PluginHost::admit); everything else at once.
  void handle(const net::HttpRequest& request, const net::Respond& respond) const;

 private:
  net::HttpResponse list(std::string_view query) const;
  void start(std::string_view definition, const std::string& body,
             const net::Respond& respond) const;
  net::HttpResponse get(std::string_view id) const;
  net::HttpResponse redrive(std::string_view id) const;

  plugins::PluginHost& host_;
};

}  // namespace eb::api::admin
