#pragma once
// The daemon's own HTTP routes (/health now; /metrics and /v1/* later). The dispatcher
// sends every non-AWS request here. Thread-safe: handle() may run on any connection's
// strand concurrently; the only mutable state is the atomic serving flag.
#include <atomic>
#include <chrono>
#include <string>

#include "net/handler.hpp"

namespace eb::api::admin {

class AdminApi final : public net::Handler {
 public:
  explicit AdminApi(std::string version);

  // /health answers 200 only while serving, so a health check fails both before the
  // daemon is ready and once it has begun shutting down.
  void set_serving(bool serving) { serving_.store(serving); }

  void handle(net::HttpRequest&& request, const boost::asio::ip::tcp::endpoint& peer,
              net::Respond respond) override;

 private:
  net::HttpResponse health(const net::HttpRequest& request) const;

  const std::string version_;
  const std::chrono::steady_clock::time_point started_;
  std::atomic<bool> serving_{false};
};

}  // namespace eb::api::admin
