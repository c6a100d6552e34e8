#include "sns/endpoint_delivery.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "core/log.hpp"
#include "sns/delivery_policy.hpp"

namespace eb::sns {

// Error codes put on a message dead-lettered after its HTTP/S retries ran out. AWS does not
// document the values it uses for HTTP/S endpoints; these name the two ways a delivery fails.
constexpr std::string_view kErrorUnreachable = "EndpointUnavailable";
constexpr std::string_view kErrorStatus = "EndpointError";
constexpr std::string_view kUserAgent = "Amazon Simple Notification Service Agent";

namespace {

bool is_http(const std::string& protocol) { return protocol == "http" || protocol == "https"; }

// AWS counts any answer from 200 to 499 as delivered: a 4xx is the endpoint's own business
// and retrying would not change it. Other statuses, timeouts and connection errors retry.
bool delivered(int http_status) { return http_status >= 200 && http_status <= 499; }

// One HTTP/S message on its way: owned by whichever callback (poster or timer) runs next.
struct Delivery {
  EndpointMessage message;
  EffectiveDeliveryPolicy policy;
  int attempts = 0;
  Millis posted = 0;  // when the latest POST went out
  Millis waited = 0;  // sum of retry delays so far
  int last_status = 0;
  std::string last_error;
};

HttpPoster::Headers sns_headers(const Delivery& d) {
  const EndpointMessage& m = d.message;
  HttpPoster::Headers h;
  h.emplace_back("x-amz-sns-message-type", m.message_type);
  h.emplace_back("x-amz-sns-message-id", m.message_id);
  h.emplace_back("x-amz-sns-topic-arn", m.topic_arn);
  // A confirmation request goes out before the subscription exists as far as the endpoint
  // knows, so AWS leaves the subscription ARN out of it.
  if (m.message_type != "SubscriptionConfirmation") {
    h.emplace_back("x-amz-sns-subscription-arn", m.subscription_arn);
  }
  if (m.raw && m.message_type == "Notification") h.emplace_back("x-amz-sns-rawdelivery", "true");
  h.emplace_back("Content-Type",
                 d.policy.header_content_type.value_or(std::string(kDefaultHttpContentType)));
  h.emplace_back("User-Agent", std::string(kUserAgent));
  return h;
}

}  // namespace

struct EndpointDeliveries::Core : std::enable_shared_from_this<Core> {
  Core(const Clock& c, Timers& t, HttpPoster& p, OutboxOptions o)
      : clock(c), timers(t), poster(p), options(o) {}

  const Clock& clock;
  Timers& timers;
  HttpPoster& poster;
  const OutboxOptions options;
  DeadLetter dead_letter;  // set before the first delivery, read-only after

  mutable std::mutex outbox_mu;
  std::deque<OutboxRecord> outbox;
  std::uint64_t next_seq = 1;

  // Lock order: state_mu may be held while calling Timers::schedule_at (a leaf lock).
  mutable std::mutex state_mu;
  bool closed = false;
  std::size_t in_flight = 0;
  std::unordered_set<Timers::Id> pending_timers;
  std::unordered_map<std::string, Millis> next_slot;  // throttled subscriptions' next send

  CounterSet<HttpDeliveryCount> counters;
  LatencyHistogram post_latency;

  void start(std::shared_ptr<Delivery> d);
  void send(std::shared_ptr<Delivery> d);
  void post(std::shared_ptr<Delivery> d);
  void on_answer(const std::shared_ptr<Delivery>& d, int status, std::string error);
  // Runs `fn` at `deadline` unless the deliverer is closed by then; false if closed already.
  bool schedule(Millis deadline, std::function<void(Core&)> fn);
  void give_up(const Delivery& d);
  void finish(const Delivery& d, std::string_view outcome);
  void record(OutboxRecord r);
};

void EndpointDeliveries::Core::start(std::shared_ptr<Delivery> d) {
  {
    std::lock_guard lock(state_mu);
    if (closed) return;
    ++in_flight;
  }
  send(std::move(d));
}

// Honours throttlePolicy.maxReceivesPerSecond by spacing a subscription's POSTs evenly.
void EndpointDeliveries::Core::send(std::shared_ptr<Delivery> d) {
  if (d->policy.max_receives_per_second) {
    const Millis spacing = std::max<Millis>(1, 1000 / *d->policy.max_receives_per_second);
    const Millis now = clock.now_ms();
    Millis slot = now;
    {
      std::lock_guard lock(state_mu);
      Millis& next = next_slot[d->message.subscription_arn];
      slot = std::max(now, next);
      next = slot + spacing;
    }
    if (slot > now) {
      if (!schedule(slot, [d](Core& core) { core.post(d); })) finish(*d, kOutcomeDropped);
      return;
    }
  }
  post(std::move(d));
}

void EndpointDeliveries::Core::post(std::shared_ptr<Delivery> d) {
  ++d->attempts;
  d->posted = clock.now_ms();
  std::weak_ptr<Core> weak = weak_from_this();
  auto headers = sns_headers(*d);
  std::string body = d->message.body;
  const std::string url = d->message.endpoint;
  poster.post(url, std::move(headers), std::move(body), [weak, d](int status, std::string error) {
    if (auto core = weak.lock()) core->on_answer(d, status, std::move(error));
  });
}

void EndpointDeliveries::Core::on_answer(const std::shared_ptr<Delivery>& d, int status,
                                         std::string error) {
  d->last_status = status;
  const Millis took = std::max<Millis>(0, clock.now_ms() - d->posted);
  post_latency.observe_us(static_cast<std::uint64_t>(took) * 1000);
  counters.add(delivered(status) ? HttpDeliveryCount::kPostsDelivered
                                 : HttpDeliveryCount::kPostsFailed);
  if (delivered(status)) {
    d->last_error.clear();
    return finish(*d, kOutcomeDelivered);
  }
  d->last_error = status == 0 ? std::move(error) : fmt::format("HTTP status {}", status);
  const HealthyRetryPolicy& retry = d->policy.healthy_retry;
  const int retry_number = d->attempts;  // the initial attempt is not a retry
  if (retry_number > retry.num_retries) return give_up(*d);
  const Millis delay = retry_delay(retry, retry_number);
  if (d->waited + delay > kMaxTotalRetryMs) return give_up(*d);
  d->waited += delay;
  if (!schedule(clock.now_ms() + delay, [d](Core& core) { core.send(d); })) {
    return finish(*d, kOutcomeDropped);
  }
  counters.add(HttpDeliveryCount::kRetries);
}

bool EndpointDeliveries::Core::schedule(Millis deadline, std::function<void(Core&)> fn) {
  std::weak_ptr<Core> weak = weak_from_this();
  // The id is known only once schedule_at returns; the callback finds it here.
  auto id_slot = std::make_shared<Timers::Id>(0);
  std::lock_guard lock(state_mu);
  if (closed) return false;
  *id_slot = timers.schedule_at(deadline, [weak, id_slot, fn = std::move(fn)] {
    auto core = weak.lock();
    if (!core) return;
    {
      std::lock_guard lock(core->state_mu);
      if (core->closed) return;
      core->pending_timers.erase(*id_slot);
    }
    fn(*core);
  });
  pending_timers.insert(*id_slot);
  return true;
}

void EndpointDeliveries::Core::give_up(const Delivery& d) {
  const EndpointMessage& m = d.message;
  const std::string code(d.last_status == 0 ? kErrorUnreachable : kErrorStatus);
  const std::string message =
      fmt::format("Delivery to {} failed after {} attempt{}: {}", m.endpoint, d.attempts,
                  d.attempts == 1 ? "" : "s", d.last_error.empty() ? "no answer" : d.last_error);
  if (dead_letter && dead_letter(m, code, message)) return finish(d, kOutcomeDeadLettered);
  log::warn("SNS delivery dropped",
            {{"type", m.message_type},
             {"subscription", m.subscription_arn},
             {"endpoint", m.endpoint},
             {"attempts", d.attempts},
             {"error", message}},
            log::MessageRef{m.message_id, m.body});
  finish(d, kOutcomeDropped);
}

void EndpointDeliveries::Core::finish(const Delivery& d, std::string_view outcome) {
  const EndpointMessage& m = d.message;
  counters.add(outcome == kOutcomeDelivered      ? HttpDeliveryCount::kDelivered
               : outcome == kOutcomeDeadLettered ? HttpDeliveryCount::kDeadLettered
                                                 : HttpDeliveryCount::kDropped);
  record(OutboxRecord{.time = clock.now_ms(),
                      .protocol = m.protocol,
                      .endpoint = m.endpoint,
                      .subscription_arn = m.subscription_arn,
                      .topic_arn = m.topic_arn,
                      .message_type = m.message_type,
                      .message_id = m.message_id,
                      .body = m.body,
                      .outcome = std::string(outcome),
                      .attempts = d.attempts,
                      .http_status = d.last_status,
                      .error = d.last_error});
  std::lock_guard lock(state_mu);
  --in_flight;
}

void EndpointDeliveries::Core::record(OutboxRecord r) {
  std::lock_guard lock(outbox_mu);
  r.seq = next_seq++;
  outbox.push_back(std::move(r));
  while (outbox.size() > std::max<std::size_t>(options.capacity, 1)) outbox.pop_front();
}

EndpointDeliveries::EndpointDeliveries(const Clock& clock, Timers& timers, HttpPoster& poster,
                                       OutboxOptions options)
    : core_(std::make_shared<Core>(clock, timers, poster, options)) {}

EndpointDeliveries::~EndpointDeliveries() {
  std::unordered_set<Timers::Id> pending;
  {
    std::lock_guard lock(core_->state_mu);
    core_->closed = true;
    pending.swap(core_->pending_timers);
  }
  for (Timers::Id id : pending) core_->timers.cancel(id);
}

void EndpointDeliveries::set_dead_letter(DeadLetter dead_letter) {
  core_->dead_letter = std::move(dead_letter);
}

void EndpointDeliveries::deliver(EndpointMessage message) {
  if (!is_http(message.protocol)) {
    core_->record(OutboxRecord{.time = core_->clock.now_ms(),
                               .protocol = std::move(message.protocol),
                               .endpoint = std::move(message.endpoint),
                               .subscription_arn = std::move(message.subscription_arn),
                               .topic_arn = std::move(message.topic_arn),
                               .message_type = std::move(message.message_type),
                               .message_id = std::move(message.message_id),
                               .body = std::move(message.body),
                               .outcome = std::string(kOutcomeRecorded)});
    return;
  }
  auto d = std::make_shared<Delivery>();
  d->policy = read_effective_delivery_policy(message.delivery_policy);
  d->message = std::move(message);
  core_->start(std::move(d));
}

void EndpointDeliveries::record(OutboxRecord record) { core_->record(std::move(record)); }

OutboxPage EndpointDeliveries::list(const OutboxFilter& filter) const {
  auto matches = [&](const OutboxRecord& r) {
    return r.seq > filter.after && (filter.protocol.empty() || r.protocol == filter.protocol) &&
           (filter.endpoint.empty() || r.endpoint == filter.endpoint) &&
           (filter.topic_arn.empty() || r.topic_arn == filter.topic_arn) &&
           (filter.subscription_arn.empty() || r.subscription_arn == filter.subscription_arn);
  };
  OutboxPage page;
  std::lock_guard lock(core_->outbox_mu);
  for (const OutboxRecord& r : core_->outbox) {
    if (!matches(r)) continue;
    if (filter.limit != 0 && page.records.size() == filter.limit) {
      page.more = true;
      break;
    }
    page.records.push_back(r);
  }
  return page;
}

std::size_t EndpointDeliveries::clear() {
  std::lock_guard lock(core_->outbox_mu);
  const std::size_t n = core_->outbox.size();
  core_->outbox.clear();
  return n;
}

std::size_t EndpointDeliveries::in_flight() const {
  std::lock_guard lock(core_->state_mu);
  return core_->in_flight;
}

EndpointDeliveries::Stats EndpointDeliveries::stats() const {
  return Stats{core_->counters.read(), core_->post_latency.snapshot()};
}

}  // namespace eb::sns
