#include "events/api_destination_delivery.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <limits>
#include <mutex>
#include <random>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/log.hpp"
#include "events/connections.hpp"

namespace eb::events {
namespace {

constexpr Millis kRateWindow = 1000;
// A token whose endpoint gave its lifetime is replaced this long before it ends (half its
// lifetime when that is shorter), so no invocation carries one that expires on the way.
constexpr Millis kTokenRefreshMargin = 30'000;
constexpr std::int64_t kMaxTokenLifetimeSeconds = 10LL * 365 * 86'400;  // keeps the sum in range
constexpr std::string_view kProtocol = "api-destination";

bool success(int status) { return status >= 200 && status <= 299; }

// One event on its way: owned by whichever callback (sender, timer, token waiter) runs next.
struct Job {
  ApiDestinationDelivery delivery;
  Millis started = 0;
  int attempts = 0;  // invocations sent (token requests not counted)
  int last_status = 0;
  std::string last_error;
};

// The invocations of one destination in the current one-second window, and those waiting for
// the next.
struct Limiter {
  Millis window_start = 0;
  int used = 0;
  std::deque<std::shared_ptr<Job>> waiting;
  bool drain_scheduled = false;
};

// How a token request ended: a token, or why not and whether trying later may help.
struct TokenResult {
  std::optional<std::string> token;
  std::optional<Millis> expires_at;  // from the answer's expires_in; none: until refused
  int status = 0;
  std::string error;
  bool retryable = false;
};
using TokenWaiter = std::function<void(const TokenResult&)>;

struct TokenSlot {
  std::string token;                 // empty: none cached
  std::optional<Millis> expires_at;  // when the cached token stops being used
  bool fetching = false;
  std::vector<TokenWaiter> waiters;
};

// A token belongs to one version of a connection's credentials.
std::string token_key(const Connection& c) { return fmt::format("{}@{}", c.arn, c.modified); }

}  // namespace

bool retryable_status(int http_status) {
  return http_status == 0 || http_status == 401 || http_status == 407 || http_status == 409 ||
         http_status == 429 || (http_status >= 500 && http_status <= 599);
}

struct ApiDestinationDeliveries::Core : std::enable_shared_from_this<Core> {
  Core(const Clock& c, Timers& t, HttpSender& s, const Connections& cs)
      : clock(c), timers(t), sender(s), connections(cs), random(std::random_device{}()) {}

  const Clock& clock;
  Timers& timers;
  HttpSender& sender;
  const Connections& connections;
  DeadLetter dead_letter;  // set before the first delivery, read-only after
  Record record;

  mutable std::mutex mu;
  bool closed = false;
  std::size_t in_flight = 0;
  std::unordered_set<Timers::Id> pending_timers;
  std::unordered_map<std::string, Limiter> limiters;  // by destination ARN
  std::unordered_map<std::string, TokenSlot> tokens;  // by token_key
  std::mt19937_64 random;

  void attempt(const std::shared_ptr<Job>& job);
  void invoke(const std::shared_ptr<Job>& job);
  void send(const std::shared_ptr<Job>& job, const ResolvedDestination& resolved,
            std::optional<std::string> token);
  void on_answer(const std::shared_ptr<Job>& job, const std::string& token_key_used,
                 const std::string& token_used, HttpResponse response);
  void failed(const std::shared_ptr<Job>& job, bool retryable, std::string_view code);
  void drain(const std::string& destination_arn);
  void with_token(const Connection& connection, TokenWaiter waiter);
  void token_answer(const std::string& key, TokenResult result);
  // Runs `fn` at `deadline` unless closed by then; false if closed already.
  bool schedule(Millis deadline, std::function<void(Core&)> fn);
  void give_up(const std::shared_ptr<Job>& job, std::string_view code, std::string_view message,
               std::string_view exhausted);
  void finish(const std::shared_ptr<Job>& job, std::string_view outcome);
};

// Resolves the destination and takes a place under its rate limit.
void ApiDestinationDeliveries::Core::attempt(const std::shared_ptr<Job>& job) {
  auto resolved = connections.resolve(job->delivery.target_arn);
  if (!resolved) {
    job->last_error = resolved.error().message;
    return give_up(job, kErrorNoResource, resolved.error().message, {});
  }
  const int rate = std::max(1, resolved->destination.invocation_rate_limit_per_second);
  const Millis now = clock.now_ms();
  std::optional<Millis> drain_at;
  {
    std::lock_guard lock(mu);
    if (closed) return;
    Limiter& limiter = limiters[job->delivery.target_arn];
    if (now >= limiter.window_start + kRateWindow) {
      limiter.window_start = now;
      limiter.used = 0;
    }
    if (limiter.waiting.empty() && limiter.used < rate) {
      ++limiter.used;
    } else {
      limiter.waiting.push_back(job);
      if (limiter.drain_scheduled) return;
      limiter.drain_scheduled = true;
      drain_at = limiter.window_start + kRateWindow;
    }
  }
  if (drain_at) {
    schedule(*drain_at, [arn = job->delivery.target_arn](Core& core) { core.drain(arn); });
    return;
  }
  invoke(job);
}

// A new window for `destination_arn`: sends as many waiting invocations as its rate allows and
// leaves the rest for the window after.
void ApiDestinationDeliveries::Core::drain(const std::string& destination_arn) {
  auto resolved = connections.resolve(destination_arn);
  const int rate = resolved ? std::max(1, resolved->destination.invocation_rate_limit_per_second)
                            : std::numeric_limits<int>::max();
  const Millis now = clock.now_ms();
  std::vector<std::shared_ptr<Job>> ready;
  bool more = false;
  {
    std::lock_guard lock(mu);
    if (closed) return;
    Limiter& limiter = limiters[destination_arn];
    limiter.window_start = now;
    limiter.used = 0;
    while (!limiter.waiting.empty() && limiter.used < rate) {
      ready.push_back(std::move(limiter.waiting.front()));
      limiter.waiting.pop_front();
      ++limiter.used;
    }
    limiter.drain_scheduled = !limiter.waiting.empty();
    more = limiter.drain_scheduled;
  }
  if (more) {
    schedule(now + kRateWindow, [destination_arn](Core& core) { core.drain(destination_arn); });
  }
  for (const auto& job : ready) invoke(job);
}

// Resolves again (the destination may have changed while the invocation waited its turn),
// then gets the token the connection needs, if any.
void ApiDestinationDeliveries::Core::invoke(const std::shared_ptr<Job>& job) {
  auto resolved = connections.resolve(job->delivery.target_arn);
  if (!resolved) {
    job->last_error = resolved.error().message;
    return give_up(job, kErrorNoResource, resolved.error().message, {});
  }
  if (resolved->destination.state != kDestinationActive ||
      resolved->connection.state != kConnectionAuthorized) {
    job->last_error = fmt::format("API destination {} is {} (connection {} is {}).",
                                  resolved->destination.name, resolved->destination.state,
                                  resolved->connection.name, resolved->connection.state);
    return give_up(job, kErrorInactive, job->last_error, {});
  }
  if (resolved->connection.authorization_type != kAuthOAuth) {
    return send(job, *resolved, std::nullopt);
  }
  auto shared = std::make_shared<ResolvedDestination>(std::move(*resolved));
  std::weak_ptr<Core> weak = weak_from_this();
  with_token(shared->connection, [weak, job, shared](const TokenResult& result) {
    auto core = weak.lock();
    if (!core) return;
    if (result.token) return core->send(job, *shared, result.token);
    job->last_status = result.status;
    job->last_error = result.error;
    core->failed(job, result.retryable, kErrorOAuth);
  });
}

void ApiDestinationDeliveries::Core::with_token(const Connection& connection, TokenWaiter waiter) {
  const std::string key = token_key(connection);
  const Millis now = clock.now_ms();
  std::string cached;
  {
    std::lock_guard lock(mu);
    TokenSlot& slot = tokens[key];
    if (slot.expires_at && now >= *slot.expires_at) slot.token.clear();
    cached = slot.token;
    if (cached.empty()) {
      slot.waiters.push_back(waiter);  // a copy: `waiter` is still read below
      if (slot.fetching) return;
      slot.fetching = true;
    }
  }
  // Called with no lock held: the waiter sends the invocation.
  if (!cached.empty()) return waiter(TokenResult{.token = std::move(cached)});
  auto request = build_token_request(connection);
  if (!request) {
    return token_answer(key, TokenResult{.error = request.error().message});
  }
  std::weak_ptr<Core> weak = weak_from_this();
  // The token's lifetime counts from the request: the answer may have taken a while.
  sender.send(std::move(*request), [weak, key, asked = now](HttpResponse response) {
    auto core = weak.lock();
    if (!core) return;
    if (!success(response.status)) {
      const bool retryable = retryable_status(response.status);
      std::string error =
          response.status == 0
              ? fmt::format("The OAuth token request failed: {}", response.error)
              : fmt::format("The OAuth endpoint answered HTTP status {}", response.status);
      return core->token_answer(
          key, TokenResult{
                   .status = response.status, .error = std::move(error), .retryable = retryable});
    }
    auto token = parse_token_response(response.body);
    if (!token) {
      return core->token_answer(
          key, TokenResult{.status = response.status, .error = token.error().message});
    }
    std::optional<Millis> expires_at;
    if (token->expires_in_seconds) {
      const Millis lifetime =
          std::min<std::int64_t>(*token->expires_in_seconds, kMaxTokenLifetimeSeconds) * 1000;
      expires_at = asked + lifetime - std::min(kTokenRefreshMargin, lifetime / 2);
    }
    core->token_answer(key, TokenResult{.token = std::move(token->access_token),
                                        .expires_at = expires_at,
                                        .status = response.status});
  });
}

void ApiDestinationDeliveries::Core::token_answer(const std::string& key, TokenResult result) {
  std::vector<TokenWaiter> waiters;
  {
    std::lock_guard lock(mu);
    TokenSlot& slot = tokens[key];
    slot.fetching = false;
    if (result.token) {
      slot.token = *result.token;
      slot.expires_at = result.expires_at;
    }
    waiters.swap(slot.waiters);
  }
  for (const auto& waiter : waiters) waiter(result);
}

void ApiDestinationDeliveries::Core::send(const std::shared_ptr<Job>& job,
                                          const ResolvedDestination& resolved,
                                          std::optional<std::string> token) {
  auto request = build_invocation(resolved.destination, resolved.connection,
                                  job->delivery.http_parameters, job->delivery.body, token);
  if (!request) {
    job->last_error = request.error().message;
    return give_up(job, kErrorInvalidParameter, request.error().message, {});
  }
  ++job->attempts;
  std::weak_ptr<Core> weak = weak_from_this();
  std::string key = token ? token_key(resolved.connection) : std::string();
  sender.send(std::move(*request),
              [weak, job, key = std::move(key), token = token.value_or("")](HttpResponse response) {
                if (auto core = weak.lock()) core->on_answer(job, key, token, std::move(response));
              });
}

void ApiDestinationDeliveries::Core::on_answer(const std::shared_ptr<Job>& job,
                                               const std::string& token_key_used,
                                               const std::string& token_used,
                                               HttpResponse response) {
  job->last_status = response.status;
  if (success(response.status)) {
    job->last_error.clear();
    return finish(job, sns::kOutcomeDelivered);
  }
  if ((response.status == 401 || response.status == 407) && !token_key_used.empty()) {
    // The token was refused: the next attempt fetches a new one.
    std::lock_guard lock(mu);
    auto it = tokens.find(token_key_used);
    if (it != tokens.end() && it->second.token == token_used) it->second.token.clear();
  }
  if (response.status != 0) {
    job->last_error = fmt::format("The endpoint answered HTTP status {}", response.status);
  } else if (response.error.empty()) {
    job->last_error = "The endpoint did not answer";
  } else {
    job->last_error = fmt::format("The endpoint did not answer: {}", response.error);
  }
  failed(job, retryable_status(response.status),
         response.status == 0 ? kErrorNoAnswer : kErrorHttpStatus);
}

// After a failed attempt: a retry on a timer if the failure and the RetryPolicy allow one,
// else the dead-letter queue.
void ApiDestinationDeliveries::Core::failed(const std::shared_ptr<Job>& job, bool retryable,
                                            std::string_view code) {
  if (!retryable) return give_up(job, code, job->last_error, {});
  const ApiDestinationDelivery& d = job->delivery;
  double jitter = 0;
  {
    std::lock_guard lock(mu);
    jitter = std::uniform_real_distribution<double>(0.0, 1.0)(random);
  }
  const RetryLimits limits{
      .maximum_retry_attempts = d.maximum_retry_attempts.value_or(kDefaultMaximumRetryAttempts),
      .maximum_event_age_seconds =
          d.maximum_event_age_seconds.value_or(kDefaultMaximumEventAgeSeconds)};
  const NextRetry next =
      next_retry(limits, std::max(0, job->attempts - 1), job->started, clock.now_ms(), jitter);
  if (!next.exhausted.empty()) return give_up(job, code, job->last_error, next.exhausted);
  if (schedule(next.at, [job](Core& core) { core.attempt(job); })) {
    count(d.counters, BusCount::kRetried);
  }
}

bool ApiDestinationDeliveries::Core::schedule(Millis deadline, std::function<void(Core&)> fn) {
  std::weak_ptr<Core> weak = weak_from_this();
  // The id is known only once schedule_at returns; the callback finds it here.
  auto id_slot = std::make_shared<Timers::Id>(0);
  std::lock_guard lock(mu);
  if (closed) return false;
  *id_slot = timers.schedule_at(deadline, [weak, id_slot, fn = std::move(fn)] {
    auto core = weak.lock();
    if (!core) return;
    {
      std::lock_guard lock(core->mu);
      if (core->closed) return;
      core->pending_timers.erase(*id_slot);
    }
    fn(*core);
  });
  pending_timers.insert(*id_slot);
  return true;
}

void ApiDestinationDeliveries::Core::give_up(const std::shared_ptr<Job>& job, std::string_view code,
                                             std::string_view message, std::string_view exhausted) {
  const ApiDestinationDelivery& d = job->delivery;
  const DeadLetterEvent letter{.rule_arn = d.rule_arn,
                               .target_arn = d.target_arn,
                               .dead_letter_arn = d.dead_letter_arn,
                               .event = d.event,
                               .error_code = code,
                               .error_message = message,
                               .retry_attempts = std::max(0, job->attempts - 1),
                               .exhausted_condition = exhausted};
  if (dead_letter && dead_letter(letter)) return finish(job, sns::kOutcomeDeadLettered);
  if (!dead_letter) {
    log::warn(
        "API destination delivery failed; the event is dropped",
        {{"rule", d.rule_arn}, {"target", d.target_arn}, {"errorCode", code}, {"error", message}},
        log::MessageRef{d.event_id, d.event});
  }
  finish(job, sns::kOutcomeDropped);
}

void ApiDestinationDeliveries::Core::finish(const std::shared_ptr<Job>& job,
                                            std::string_view outcome) {
  ApiDestinationDelivery& d = job->delivery;
  if (outcome == sns::kOutcomeDelivered) {
    count(d.counters, BusCount::kDelivered);
  } else {
    count(d.counters, BusCount::kFailed);
    count(d.counters,
          outcome == sns::kOutcomeDeadLettered ? BusCount::kDeadLettered : BusCount::kDropped);
  }
  if (record) {
    record(sns::OutboxRecord{.time = clock.now_ms(),
                             .protocol = std::string(kProtocol),
                             .endpoint = d.target_arn,
                             .subscription_arn = d.target_id,
                             .topic_arn = d.rule_arn,
                             .message_type = "EventBridge",
                             .message_id = d.event_id,
                             .body = d.body,
                             .outcome = std::string(outcome),
                             .attempts = job->attempts,
                             .http_status = job->last_status,
                             .error = job->last_error});
  }
  {
    std::lock_guard lock(mu);
    --in_flight;
  }
  if (auto on_final = std::exchange(d.on_final, nullptr)) on_final();
}

ApiDestinationDeliveries::ApiDestinationDeliveries(const Clock& clock, Timers& timers,
                                                   HttpSender& sender,
                                                   const Connections& connections)
    : core_(std::make_shared<Core>(clock, timers, sender, connections)) {}

ApiDestinationDeliveries::~ApiDestinationDeliveries() {
  std::unordered_set<Timers::Id> pending;
  {
    std::lock_guard lock(core_->mu);
    core_->closed = true;
    pending.swap(core_->pending_timers);
  }
  for (Timers::Id id : pending) core_->timers.cancel(id);
}

void ApiDestinationDeliveries::set_dead_letter(DeadLetter dead_letter) {
  core_->dead_letter = std::move(dead_letter);
}

void ApiDestinationDeliveries::set_record(Record record) { core_->record = std::move(record); }

void ApiDestinationDeliveries::deliver(ApiDestinationDelivery delivery) {
  auto job = std::make_shared<Job>();
  job->delivery = std::move(delivery);
  job->started = core_->clock.now_ms();
  {
    std::lock_guard lock(core_->mu);
    if (core_->closed) return;
    ++core_->in_flight;
  }
  core_->attempt(job);
}

std::size_t ApiDestinationDeliveries::in_flight() const {
  std::lock_guard lock(core_->mu);
  return core_->in_flight;
}

}  // namespace eb::events
