#pragma once
// The daemon's own HTTP routes: /health, and the event log's /v1/* (V1Api). The dispatcher
// sends every non-AWS request here. Thread-safe: handle() may run on any connection's
// strand concurrently; its own mutable state is the atomic serving flag.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "net/handler.hpp"

namespace eb::eventlog {
class EventLog;
class Replays;
}  // namespace eb::eventlog

namespace eb::api::admin {

class V1Api;

class AdminApi final : public net::Handler {
 public:
  // Without an event log, /v1/* answers 404 like any unknown path; without replays, so do
  // /v1/replays*. Both must outlive the AdminApi.
  explicit AdminApi(std::string version, eventlog::EventLog* events = nullptr,
                    eventlog::Replays* replays = nullptr);
  ~AdminApi() override;

  // /health answers 200 only while serving, so a health check fails both before the
  // daemon is ready and once it has begun shutting down.
  void set_serving(bool serving) { serving_.store(serving); }

  void handle(net::HttpRequest&& request, const boost::asio::ip::tcp::endpoint& peer,
              net::Respond respond) override;

 private:
  net::HttpResponse health(const net::HttpRequest& request) const;

  const std::string version_;
  const std::chrono::steady_clock::time_point started_;
  const std::unique_ptr<V1Api> v1_;
  std::atomic<bool> serving_{false};
};

}  // namespace eb::api::admin
