#pragma once
// Delivery of events to API destination targets: an HTTP request per event, sent with the
// destination's method to its endpoint with its connection's authorization.
//
// Each delivery resolves its destination and connection at every attempt (a missing
// destination, an inactive one or a deauthorized connection is final: no retry), fetches an
// OAuth client-credentials token when the connection needs one (cached per connection, fetched
// once for all the deliveries waiting on it, dropped when an invocation answers 401 or 407),
// waits its turn under the destination's InvocationRateLimitPerSecond (excess invocations queue
// and are sent by a timer at the next one-second window, never dropped) and sends the request.
// A request that fails with a retryable status (401, 407, 409, 429, 5xx) or no answer at all
// (connection error, timeout) is retried with exponential backoff and jitter on Timers
// (retry_policy.hpp) until the target's RetryPolicy runs out (default 185 retries, 24 hours); any
// other status fails at once. A failed event goes to the target's dead-letter queue through the
// dead-letter callback. The outcome of every delivery is recorded in the outbox and reported to its
// on_final.
//
// Thread-safe: deliver() may be called from any thread and never waits on the network. Sender
// and timer callbacks run on their own threads. No lock is held while calling the sender, the
// dead-letter, outbox or on_final callbacks; the one mutex is a leaf (Timers::schedule_at's lock
// may be taken under it).
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "events/bus_stats.hpp"
#include "events/dead_letter.hpp"
#include "events/http_invocation.hpp"
#include "events/retry_policy.hpp"
#include "events/types.hpp"
#include "sns/endpoint_delivery.hpp"

namespace eb::events {

class Connections;

// What came back from one HTTP request.
struct HttpResponse {
  int status = 0;     // 0: no answer (see error)
  std::string error;  // why there was no answer: refused, timed out, ...
  std::string body;
};

// Sends one HTTP request with any method. Implemented by the application over net::HttpClient
// (with the 5 s timeout AWS gives API destinations), by fakes in tests.
class HttpSender {
 public:
  using Done = std::function<void(HttpResponse response)>;
  virtual ~HttpSender() = default;
  // Must not block; calls `done` exactly once, from any thread, never inside send() itself
  // unless the request could not even be started.
  virtual void send(HttpRequestSpec request, Done done) = 0;
};

// ERROR_CODE values of a dead-lettered API destination event. AWS does not document the values
// it uses for these failures; these name each way one fails.
inline constexpr std::string_view kErrorNoResource = "NO_RESOURCE";  // destination/connection gone
inline constexpr std::string_view kErrorInactive = "API_DESTINATION_INACTIVE";
inline constexpr std::string_view kErrorInvalidParameter = "INVALID_PARAMETER";
inline constexpr std::string_view kErrorHttpStatus = "HTTP_ERROR";      // the endpoint's status
inline constexpr std::string_view kErrorNoAnswer = "SDK_CLIENT_ERROR";  // refused, timed out
inline constexpr std::string_view kErrorOAuth = "OAUTH_TOKEN_ERROR";    // token endpoint failed

// One event for one API destination target.
struct ApiDestinationDelivery {
  std::string rule_arn;
  std::string target_id;
  std::string target_arn;  // the API destination's ARN
  std::string event_id;
  TargetHttpParameters http_parameters;
  std::optional<int> maximum_retry_attempts;     // RetryPolicy
  std::optional<int> maximum_event_age_seconds;  // RetryPolicy
  std::string dead_letter_arn;                   // DeadLetterConfig; empty: none
  std::string body;   // the event as the target's input shaped it: the request body
  std::string event;  // the event as it entered the bus, for the dead-letter queue
  // Where the outcome and the retries count: the rule's bus's counters (null: nowhere).
  std::shared_ptr<BusCounters> counters;
  // Called exactly once, when the delivery reaches its final outcome (delivered,
  // dead-lettered or dropped); never for a delivery cut short by the destructor.
  std::function<void()> on_final;
};

// Whether an invocation that answered `http_status` (0: no answer) is tried again.
bool retryable_status(int http_status);

class ApiDestinationDeliveries {
 public:
  // Sends a failed event to its target's dead-letter queue; false when nothing took it.
  using DeadLetter = std::function<bool(const DeadLetterEvent& letter)>;
  // Keeps the outcome of a delivery (the application: the SNS outbox, GET /v1/outbox).
  using Record = std::function<void(sns::OutboxRecord record)>;

  // Every argument must outlive this object. Timers scheduled by it are cancelled by its
  // destructor; sender callbacks arriving after that are ignored.
  ApiDestinationDeliveries(const Clock& clock, Timers& timers, HttpSender& sender,
                           const Connections& connections);
  ~ApiDestinationDeliveries();
  ApiDestinationDeliveries(const ApiDestinationDeliveries&) = delete;
  ApiDestinationDeliveries& operator=(const ApiDestinationDeliveries&) = delete;

  // Set once at wiring time, before the first deliver(). Without a dead-letter callback failed
  // events are dropped; without a record callback outcomes are only logged.
  void set_dead_letter(DeadLetter dead_letter);
  void set_record(Record record);

  // Takes over one delivery; returns without waiting on the network.
  void deliver(ApiDestinationDelivery delivery);

  // Deliveries not yet final (waiting for an answer, a token, their turn or a retry).
  std::size_t in_flight() const;

  struct Core;  // shared with pending callbacks

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace eb::events
