#pragma once
// The daemon's own HTTP routes: /health, and the event log's /v1/* (V1Api). The dispatcher
// sends every non-AWS request here. Thread-safe: handle() may run on any connection's
// strand concurrently; its own mutable state is the atomic serving flag.
#include <atomic>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/admin/browser_guard.hpp"
#include "net/handler.hpp"

namespace eb::eventlog {
class EventLog;
class Replays;
}  // namespace eb::eventlog

namespace eb::sns {
class EndpointDeliveries;
}

namespace eb::api::admin {

class V1Api;

class AdminApi final : public net::Handler {
 public:
  // Without an event log, /v1/* answers 404 like any unknown path; without replays, so do
  // /v1/replays*, and without an outbox /v1/outbox. All must outlive the AdminApi.
  explicit AdminApi(std::string version, eventlog::EventLog* events = nullptr,
                    eventlog::Replays* replays = nullptr,
                    eb::sns::EndpointDeliveries* outbox = nullptr);
  ~AdminApi() override;

  // Serves `body` at `path` (GET and HEAD), e.g. the SNS signing certificate; the second form
  // makes the body on each request (called on an I/O thread), e.g. GET /v1/topology. Call
  // before the server starts; not thread-safe with handle().
  void add_document(std::string path, std::string content_type, std::string body);
  void add_document(std::string path, std::string content_type,
                    std::function<std::string()> make_body);

  // Serves every request for `prefix` or a path below it ("/v1/clock", "/v1/clock/advance")
  // with `handler`, ahead of the /v1 event-log routes: how parts wired in app/ (the manual clock,
  // plugins) add routes of their own. Call before the server starts; not thread-safe with
  // handle().
  using Routes = std::function<void(net::HttpRequest&&, net::Respond)>;
  void add_routes(std::string prefix, Routes handler);
  // Serves every prefix of `prefixes` with `api` (which must outlive this), whose
  // handle(request) answers at once: QueuesApi, TopicsApi, BusesApi, Console.
  template <class Api>
  void add_routes(const Api& api, std::initializer_list<std::string_view> prefixes) {
    for (const std::string_view prefix : prefixes) {
      add_routes(std::string(prefix),
                 [&api](net::HttpRequest&& request, const net::Respond& respond) {
                   respond(api.handle(request));
                 });
    }
  }

  // Holds browsers to the daemon's own names and origin (browser_guard.hpp); by default the
  // loopback names only. Call before the server starts.
  void set_browser_guard(BrowserGuard guard) { guard_ = std::move(guard); }

  // /health answers 200 only while serving, so a health check fails both before the
  // daemon is ready and once it has begun shutting down.
  void set_serving(bool serving) { serving_.store(serving); }

  void handle(net::HttpRequest&& request, const boost::asio::ip::tcp::endpoint& peer,
              net::Respond respond) override;

 private:
  struct Document {
    std::string content_type;
    std::function<std::string()> make_body;
  };
  std::map<std::string, Document, std::less<>> documents_;
  std::vector<std::pair<std::string, Routes>> routes_;
  BrowserGuard guard_;
  net::HttpResponse health(const net::HttpRequest& request) const;
  net::HttpResponse document(const net::HttpRequest& request, const Document& doc) const;

  const std::string version_;
  const std::chrono::steady_clock::time_point started_;
  const std::unique_ptr<V1Api> v1_;
  std::atomic<bool> serving_{false};
};

}  // namespace eb::api::admin
