#pragma once
// Delivery of SNS messages to endpoints outside the broker.
//
// HTTP/S subscriptions get a POST with the SNS headers; a delivery that fails (no answer, a
// timeout, or a status outside 200-499) is retried on Timers following the subscription's
// effective DeliveryPolicy, then handed to the dead-letter callback, or dropped with a warning.
// Every other protocol (email, email-json, sms, lambda, application, firehose) has no real
// transport here: its messages go to the outbox, a bounded in-memory list that tests and
// developers read (GET /v1/outbox). The final outcome of each HTTP/S delivery is recorded
// there too.
//
// Thread-safe: deliver() may be called from any thread and never waits on the network. Poster
// and timer callbacks run on their own threads. No lock is held while calling the poster or
// the dead-letter callback; the two mutexes (outbox, in-flight state) are leaves.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/metrics.hpp"

namespace eb::sns {

// A message for an endpoint outside the broker (HTTP(S), e-mail, SMS, Lambda, ...).
struct EndpointMessage {
  std::string subscription_arn;
  std::string topic_arn;
  std::string protocol;
  std::string endpoint;
  std::string message_type;  // Notification, SubscriptionConfirmation, UnsubscribeConfirmation
  std::string message_id;
  std::string body;  // the signed JSON document or, with raw delivery, the message itself
  bool raw = false;
  // The subscription's effective DeliveryPolicy JSON (its own, else the topic's; HTTP only).
  std::string delivery_policy;
  std::string dead_letter_arn;  // where the deliverer sends it after its last retry
  Millis timestamp = 0;
};

// Where Topics hands every message that is not for an SQS queue.
class EndpointDelivery {
 public:
  virtual ~EndpointDelivery() = default;
  // Takes over one message; must return without waiting on the network.
  virtual void deliver(EndpointMessage message) = 0;
};

// Sends one HTTP POST. Implemented by the application over net::HttpClient, by fakes in tests.
class HttpPoster {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;
  // http_status 0: the connection failed or timed out (`error` says which).
  using Done = std::function<void(int http_status, std::string error)>;
  virtual ~HttpPoster() = default;
  // Must not block; calls `done` exactly once, from any thread, never inside post() itself
  // unless the request could not even be started.
  virtual void post(const std::string& url, Headers headers, std::string body, Done done) = 0;
};

// What HTTP/S delivery counts (for /metrics), since the daemon started.
enum class HttpDeliveryCount : std::uint8_t {
  kPostsDelivered,  // POSTs answered 200-499
  kPostsFailed,     // POSTs with another status, no answer or a timeout
  kRetries,         // retries armed after a failed POST
  kDelivered,       // messages delivered, at some attempt
  kDeadLettered,    // messages sent to the subscription's dead-letter queue after the retries
  kDropped,         // messages nothing took (no dead-letter queue, or the deliverer closed)
  kEnd,
};
using HttpDeliveryCounts = Counts<HttpDeliveryCount>;

struct OutboxOptions {
  std::size_t capacity = 10000;  // records kept; the oldest go first
};

// What happened to a message, as the outbox reports it.
inline constexpr std::string_view kOutcomeRecorded = "recorded";  // non-HTTP: kept here only
inline constexpr std::string_view kOutcomeDelivered = "delivered";
inline constexpr std::string_view kOutcomeDeadLettered = "dead-lettered";
inline constexpr std::string_view kOutcomeDropped = "dropped";

struct OutboxRecord {
  std::uint64_t seq = 0;  // increasing from 1, never reused (clear() keeps counting)
  Millis time = 0;        // when recorded (for HTTP/S: when the outcome was known)
  std::string protocol;
  std::string endpoint;
  std::string subscription_arn;
  std::string topic_arn;
  std::string message_type;
  std::string message_id;
  std::string body;
  std::string outcome;  // one of the kOutcome* values
  int attempts = 0;     // HTTP/S: POSTs made; 0 otherwise
  int http_status = 0;  // HTTP/S: the last answer's status, 0 when none came
  std::string error;    // HTTP/S: why the last attempt failed, when it did
};

// Empty strings match everything; `after` keeps records with a larger seq.
struct OutboxFilter {
  std::string protocol;
  std::string endpoint;
  std::string topic_arn;
  std::string subscription_arn;
  std::uint64_t after = 0;
  std::size_t limit = 0;  // 0: no limit
};

struct OutboxPage {
  std::vector<OutboxRecord> records;  // oldest first
  bool more = false;                  // the limit cut the list short
};

class EndpointDeliveries final : public EndpointDelivery {
 public:
  // The called error code and message go into the dead-lettered message's ErrorCode and
  // ErrorMessage attributes. Returns false when there is no dead-letter queue to take it.
  using DeadLetter =
      std::function<bool(const EndpointMessage& message, const std::string& error_code,
                         const std::string& error_message)>;

  // Every argument must outlive this object. Timers scheduled by it are cancelled by its
  // destructor; poster callbacks arriving after that are ignored.
  EndpointDeliveries(const Clock& clock, Timers& timers, HttpPoster& poster,
                     OutboxOptions options = {});
  ~EndpointDeliveries() override;
  EndpointDeliveries(const EndpointDeliveries&) = delete;
  EndpointDeliveries& operator=(const EndpointDeliveries&) = delete;

  // Set once at wiring time, before the first deliver().
  void set_dead_letter(DeadLetter dead_letter);

  void deliver(EndpointMessage message) override;

  // Keeps the outcome of a delivery made elsewhere (EventBridge API destinations); its seq is
  // assigned here.
  void record(OutboxRecord record);

  OutboxPage list(const OutboxFilter& filter) const;
  // Empties the outbox; returns how many records it held.
  std::size_t clear();
  // HTTP/S deliveries not yet finished (waiting for an answer or for their next retry).
  std::size_t in_flight() const;

  // For /metrics: the HTTP/S counts and the time from each POST to its answer (or failure) on
  // the injected clock (millisecond resolution). Any thread, no lock.
  struct Stats {
    HttpDeliveryCounts counts;
    LatencyHistogram::Snapshot post_latency;
  };
  Stats stats() const;

  struct Core;  // shared with pending callbacks

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace eb::sns
