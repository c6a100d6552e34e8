#pragma once
// The event log's native JSON API under /v1 (docs/eventlog-api.md): stream appends with an
// expected version, stream reads and state, the global log with filters (as JSON pages and as
// a Server-Sent Events tail), causation traces and replays. Every route is decode -> one
// EventLog/Replays call -> encode; errors are {"error":{"code","message"}} with a 4xx/5xx.
//
// Thread-safe: handle() runs concurrently on any connection's strand. Live tails are objects
// of their own, kept alive by the event log's listener list until their connection closes.
#include <atomic>
#include <cstddef>
#include <memory>

#include "net/handler.hpp"

namespace eb::eventlog {
class EventLog;
class Replays;
}  // namespace eb::eventlog

namespace eb::sns {
class EndpointDeliveries;
}

namespace eb::api::admin {

inline constexpr std::size_t kDefaultPageSize = 100;
inline constexpr std::size_t kMaxLiveTails = 256;
// A page stops growing past this many bytes (after at least one event); `next` resumes it.
inline constexpr std::size_t kMaxPageBytes = std::size_t{4} << 20;
// /v1/outbox pages: `limit` defaults to kDefaultPageSize and is clamped to this.
inline constexpr std::size_t kMaxOutboxPage = 1000;

class V1Api {
 public:
  // `replays` may be null: /v1/replays* then answers 404; so does /v1/outbox without
  // `outbox` (SNS messages for endpoints outside the broker).
  V1Api(eventlog::EventLog& log, eventlog::Replays* replays,
        eb::sns::EndpointDeliveries* outbox = nullptr);

  // A request whose path is /v1 or starts with /v1/.
  void handle(net::HttpRequest&& request, const net::Respond& respond);
  std::size_t live_tails() const { return tails_->load(); }

 private:
  net::HttpResponse append(const net::HttpRequest& request, const std::string& stream);
  net::HttpResponse read_stream(const std::string& stream, std::string_view query);
  net::HttpResponse stream_state(const std::string& stream);
  net::HttpResponse read_events(std::string_view query);
  net::HttpResponse tail(const net::HttpRequest& request, std::string_view query);
  net::HttpResponse trace(const std::string& correlation_id);
  net::HttpResponse start_replay(const net::HttpRequest& request);
  net::HttpResponse replay(const net::HttpRequest& request, const std::string& id);
  net::HttpResponse list_replays();
  net::HttpResponse list_outbox(std::string_view query);
  net::HttpResponse clear_outbox();

  eventlog::EventLog& log_;
  eventlog::Replays* replays_;
  eb::sns::EndpointDeliveries* outbox_;
  // Shared with the tails, which may outlive this object by a callback or two at shutdown.
  std::shared_ptr<std::atomic<std::size_t>> tails_;
};

}  // namespace eb::api::admin
