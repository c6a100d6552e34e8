#include "plugins/dlq_monitor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "core/log.hpp"
#include "plugins/json_read.hpp"
#include "sns/endpoint_delivery.hpp"
#include "sns/topics.hpp"
#include "sqs/queues.hpp"

namespace eb::plugins {
namespace {

using sqs::DeadLetterArrival;

// While an alert fires, its queue's counts are read this often.
constexpr Millis kEmptyCheckMs = 1000;
constexpr std::size_t kMaxSamples = 3;
constexpr std::size_t kMaxSubject = 100;  // SNS's limit on Subject
// delete_after_alert: receives per drain, at most (10 messages each).
constexpr int kMaxDrainRounds = 1000;

// One notification, as every sink gets it (each in its own format).
struct Notification {
  std::string kind;    // "alert" (the first arrival), "follow-up" or "resolved"
  std::string status;  // firing or resolved
  std::string queue;
  std::string title;
  std::string message;
  std::optional<DeadLetterArrival> arrival;  // the one it reports (a follow-up: the latest)
  std::uint64_t count = 0;                   // arrivals it reports
  std::uint64_t total = 0;                   // arrivals since the alert fired
  std::vector<DeadLetterArrival> samples;    // a follow-up's first arrivals
  Millis first_arrival = 0;
  Millis at = 0;
};

// The message a notification reports, for its log lines (the correlation id is read from the
// body's preview, when the whole envelope fits in it).
log::MessageRef about(const Notification& n) {
  if (!n.arrival) return {};
  return {n.arrival->message_id, n.arrival->body_preview};
}

void write_arrival(JsonWriter& j, const DeadLetterArrival& a) {
  j.begin_object();
  j.member("messageId", a.message_id);
  j.member("sourceQueue", a.source_queue);
  j.key("receiveCount").unsigned_number(a.receive_count);
  if (a.event_type.empty()) {
    j.key("eventType").null();
  } else {
    j.member("eventType", a.event_type);
  }
  j.member("arrivedAt", utc_timestamp(a.at));
  j.end_object();
}

std::string generic_json(const Notification& n, const std::string& severity) {
  std::string out;
  JsonWriter j(out);
  const DeadLetterArrival* a = n.arrival ? &*n.arrival : nullptr;
  const auto optional_string = [&](std::string_view key, const std::string* value) {
    if (value == nullptr || value->empty()) {
      j.key(key).null();
    } else {
      j.member(key, *value);
    }
  };
  j.begin_object();
  j.member("status", n.status);
  j.member("notification", n.kind);
  j.member("severity", severity);
  j.member("title", n.title);
  j.member("message", n.message);
  j.key("details").begin_object();
  j.member("queue", n.queue);
  optional_string("sourceQueue", a ? &a->source_queue : nullptr);
  optional_string("messageId", a ? &a->message_id : nullptr);
  if (a) {
    j.key("receiveCount").unsigned_number(a->receive_count);
  } else {
    j.key("receiveCount").null();
  }
  optional_string("eventType", a ? &a->event_type : nullptr);
  j.key("count").unsigned_number(n.count);
  j.key("total").unsigned_number(n.total);
  j.member("firstArrivalAt", utc_timestamp(n.first_arrival));
  if (n.kind == "alert" && a) j.member("body", a->body_preview);
  if (!n.samples.empty()) {
    j.key("samples").begin_array();
    for (const DeadLetterArrival& s : n.samples) write_arrival(j, s);
    j.end_array();
  }
  j.end_object();
  j.member("queue", n.queue);
  optional_string("messageId", a ? &a->message_id : nullptr);
  if (a) {
    j.key("receiveCount").unsigned_number(a->receive_count);
  } else {
    j.key("receiveCount").null();
  }
  optional_string("eventType", a ? &a->event_type : nullptr);
  j.member("timestamp", utc_timestamp(n.at));
  j.end_object();
  return out;
}

std::string slack_json(const Notification& n, const std::string& severity) {
  std::string out;
  JsonWriter j(out);
  const std::string head = n.status == "resolved"
                               ? fmt::format("[RESOLVED] {}", n.title)
                               : fmt::format("[FIRING:{}] {}", severity, n.title);
  j.begin_object().member("text", head + "\n" + n.message).end_object();
  return out;
}

std::string alertmanager_json(const Notification& n, const std::string& severity) {
  std::string out;
  JsonWriter j(out);
  j.begin_array().begin_object();
  j.key("labels").begin_object();
  j.member("alertname", "DeadLetterQueueMessages");
  j.member("queue", n.queue);
  j.member("severity", severity);
  j.end_object();
  j.key("annotations").begin_object();
  j.member("summary", n.title);
  j.member("description", n.message);
  j.end_object();
  j.member("startsAt", utc_timestamp(n.first_arrival));
  if (n.status == "resolved") j.member("endsAt", utc_timestamp(n.at));
  j.end_object().end_array();
  return out;
}

std::string plural(std::uint64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string describe_arrival(const DeadLetterArrival& a) {
  std::string out = fmt::format("message {} from {} after {}", a.message_id, a.source_queue,
                                plural(a.receive_count, "receive", "receives"));
  if (!a.event_type.empty()) out += fmt::format(" (event type {})", a.event_type);
  return out;
}

}  // namespace

struct DlqMonitor::Core : std::enable_shared_from_this<Core> {
  // The latest alert of one dead-letter queue.
  struct Alert {
    bool firing = false;
    Millis first_arrival = 0;
    Millis last_arrival = 0;
    std::uint64_t count = 0;  // arrivals since it fired
    std::uint64_t notifications = 0;
    Millis resolved_at = 0;  // 0 while firing
    // The follow-up window: arrivals collected until its timer ends it.
    std::optional<Timers::Id> window;
    std::uint64_t window_number = 0;  // which window the timer ends (a cancelled one may still run)
    std::uint64_t pending = 0;
    std::vector<DeadLetterArrival> samples;
    DeadLetterArrival latest;
    std::uint64_t raised = 0;  // alerts fired for the queue since the monitor started
  };

  Core(std::string name, config::DlqMonitorPluginSpec settings, const Services& services)
      : name(std::move(name)), settings(std::move(settings)), services(services) {}

  const std::string name;
  const config::DlqMonitorPluginSpec settings;
  const Services services;

  // Lock order: send_mu before mu; neither is held while the other side calls back in.
  std::mutex send_mu;  // held while notifications go out (and messages are deleted)
  mutable std::mutex mu;
  bool running = false;
  std::uint64_t observer = 0;
  std::map<std::string, Alert> alerts;
  std::optional<Timers::Id> check_timer;
  std::uint64_t windows = 0;  // windows opened
  PluginCounters counters;
  std::uint64_t fired = 0;
  std::uint64_t follow_ups = 0;
  std::uint64_t resolved = 0;
  std::uint64_t deleted = 0;

  Millis group_ms() const { return static_cast<Millis>(settings.group_seconds * 1000); }

  bool watches(const std::string& queue) const {
    return settings.queues.empty() || std::find(settings.queues.begin(), settings.queues.end(),
                                                queue) != settings.queues.end();
  }

  // On the executor: an arrival the observer reported.
  void on_arrival(const DeadLetterArrival& a) {
    std::vector<Notification> out;
    {
      const std::lock_guard lock(mu);
      if (!running) return;
      ++counters.received;
      Alert& alert = alerts[a.queue];
      if (!alert.firing) {
        alert = Alert{.raised = alert.raised + 1};
        alert.firing = true;
        alert.first_arrival = a.at;
        alert.last_arrival = a.at;
        alert.count = 1;
        ++fired;
        Notification n;
        n.kind = "alert";
        n.status = "firing";
        n.queue = a.queue;
        n.title = "Messages in dead-letter queue " + a.queue;
        n.message = fmt::format("A message reached dead-letter queue {}: {}.", a.queue,
                                describe_arrival(a));
        n.arrival = a;
        n.count = 1;
        n.total = 1;
        n.first_arrival = a.at;
        n.at = services.clock.now_ms();
        out.push_back(std::move(n));
        alert.notifications = 1;
        arm_check_locked();
      } else {
        alert.last_arrival = std::max(alert.last_arrival, a.at);
        ++alert.count;
        ++alert.pending;
        if (alert.samples.size() < kMaxSamples) alert.samples.push_back(a);
        alert.latest = a;
      }
      // The window after the first arrival, or after a quiet spell, collects the ones to come.
      if (!alert.window) {
        std::weak_ptr<Core> weak = weak_from_this();
        const std::string queue = a.queue;
        const std::uint64_t number = ++windows;
        alert.window_number = number;
        alert.window = services.timers.schedule_at(services.clock.now_ms() + group_ms(),
                                                   [weak, queue, number] {
                                                     if (auto core = weak.lock())
                                                       core->on_window_end(queue, number);
                                                   });
      }
    }
    send(out, a.queue);
  }

  // The follow-up of `queue`'s window, if anything arrived in it; closes the window. mu held.
  std::optional<Notification> take_follow_up_locked(const std::string& queue, Alert& alert) {
    if (alert.window) services.timers.cancel(*alert.window);
    alert.window.reset();
    if (alert.pending == 0) return std::nullopt;
    Notification n;
    n.kind = "follow-up";
    n.status = "firing";
    n.queue = queue;
    n.title = fmt::format("{} more {} in dead-letter queue {}", alert.pending,
                          alert.pending == 1 ? "message" : "messages", queue);
    n.message = fmt::format(
        "{} reached dead-letter queue {} in the last {:g} s ({} since the alert fired); the "
        "latest: "
        "{}.",
        plural(alert.pending, "message", "messages"), queue, settings.group_seconds, alert.count,
        describe_arrival(alert.latest));
    n.arrival = alert.latest;
    n.count = alert.pending;
    n.total = alert.count;
    n.samples = std::move(alert.samples);
    n.first_arrival = alert.first_arrival;
    n.at = services.clock.now_ms();
    alert.pending = 0;
    alert.samples.clear();
    ++alert.notifications;
    ++follow_ups;
    return n;
  }

  void on_window_end(const std::string& queue, std::uint64_t number) {
    std::vector<Notification> out;
    {
      const std::lock_guard lock(mu);
      if (!running) return;
      auto it = alerts.find(queue);
      if (it == alerts.end() || !it->second.firing || !it->second.window ||
          it->second.window_number != number) {
        return;
      }
      it->second.window.reset();  // this timer fired: nothing to cancel
      if (auto n = take_follow_up_locked(queue, it->second)) out.push_back(std::move(*n));
    }
    send(out, queue);
  }

  void arm_check_locked() {
    if (check_timer) return;
    std::weak_ptr<Core> weak = weak_from_this();
    check_timer = services.timers.schedule_at(services.clock.now_ms() + kEmptyCheckMs, [weak] {
      if (auto core = weak.lock()) core->on_check();
    });
  }

  // Whether `queue` holds no message (or no longer exists).
  bool empty(const std::string& queue) const {
    auto counts = services.queues.get_queue_attributes(
        queue, {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed"});
    if (!counts) return true;
    return std::all_of(counts->begin(), counts->end(),
                       [](const auto& entry) { return entry.second == "0"; });
  }

  void on_check() {
    std::vector<std::string> firing;
    {
      const std::lock_guard lock(mu);
      check_timer.reset();
      if (!running) return;
      for (const auto& [queue, alert] : alerts) {
        if (alert.firing) firing.push_back(queue);
      }
    }
    // Read without mu: the queues never call back into it.
    std::vector<std::string> emptied;
    for (const std::string& queue : firing) {
      if (empty(queue)) emptied.push_back(queue);
    }
    for (const std::string& queue : emptied) {
      std::vector<Notification> out;
      {
        const std::lock_guard lock(mu);
        if (!running) return;
        Alert& alert = alerts[queue];
        if (!alert.firing) continue;
        if (auto n = take_follow_up_locked(queue, alert)) out.push_back(std::move(*n));
        Notification n;
        n.kind = "resolved";
        n.status = "resolved";
        n.queue = queue;
        n.title = "Dead-letter queue " + queue + " is empty";
        n.message = fmt::format("Dead-letter queue {} is empty again; {} reached it since {}.",
                                queue, plural(alert.count, "message", "messages"),
                                utc_timestamp(alert.first_arrival));
        n.count = alert.count;
        n.total = alert.count;
        n.first_arrival = alert.first_arrival;
        n.at = services.clock.now_ms();
        alert.firing = false;
        alert.resolved_at = n.at;
        out.push_back(std::move(n));
        ++alert.notifications;
        ++resolved;
      }
      send(out, queue, /*may_delete=*/false);
    }
    const std::lock_guard lock(mu);
    if (!running) return;
    for (const auto& [queue, alert] : alerts) {
      if (alert.firing) {
        arm_check_locked();
        break;
      }
    }
  }

  // Sends `notifications` to every sink, then (delete_after_alert) drains `queue`.
  void send(const std::vector<Notification>& notifications, const std::string& queue,
            bool may_delete = true) {
    if (notifications.empty()) return;
    const std::lock_guard sending(send_mu);
    {
      const std::lock_guard lock(mu);
      if (!running) return;
    }
    for (const Notification& n : notifications) {
      for (const config::DlqSinkSpec& sink : settings.sinks) deliver(sink, n);
      const std::lock_guard lock(mu);
      ++counters.handled;
    }
    if (may_delete && settings.delete_after_alert) drain(queue);
  }

  void deliver(const config::DlqSinkSpec& sink, const Notification& n) {
    if (!sink.sns_topic.empty()) {
      sns::PublishInput in;
      in.topic_arn = services.topics.topic_arn(sink.sns_topic);
      in.subject = n.title.substr(0, kMaxSubject);
      in.message = generic_json(n, settings.severity);
      auto published = services.topics.publish(std::move(in));
      const std::lock_guard lock(mu);
      if (published) {
        ++counters.published;
      } else {
        ++counters.failed;
        log::warn("dlq-monitor: cannot publish the alert",
                  {{"plugin", name},
                   {"queue", n.queue},
                   {"topic", sink.sns_topic},
                   {"error", published.error().message}},
                  about(n));
      }
      return;
    }
    if (services.http == nullptr) {
      const std::lock_guard lock(mu);
      ++counters.failed;
      log::warn("dlq-monitor: no HTTP client to reach the webhook",
                {{"plugin", name}, {"queue", n.queue}, {"webhook", sink.webhook}}, about(n));
      return;
    }
    std::string body;
    switch (sink.format) {
      case config::DlqSinkSpec::Format::kGeneric:
        body = generic_json(n, settings.severity);
        break;
      case config::DlqSinkSpec::Format::kSlack:
        body = slack_json(n, settings.severity);
        break;
      case config::DlqSinkSpec::Format::kAlertmanager:
        body = alertmanager_json(n, settings.severity);
        break;
    }
    std::weak_ptr<Core> weak = weak_from_this();
    services.http->post(sink.webhook, {{"Content-Type", "application/json"}}, std::move(body),
                        [weak, url = sink.webhook, queue = n.queue,
                         message_id = n.arrival ? n.arrival->message_id : std::string()](
                            int status, const std::string& error) {
                          if (status >= 200 && status < 300) return;
                          auto core = weak.lock();
                          if (!core) return;
                          {
                            const std::lock_guard lock(core->mu);
                            ++core->counters.failed;
                          }
                          log::warn("dlq-monitor: the alert did not reach the webhook",
                                    {{"plugin", core->name},
                                     {"queue", queue},
                                     {"webhook", url},
                                     {"status", status},
                                     {"error", error}},
                                    log::MessageRef{message_id});
                        });
  }

  // delete_after_alert: receives and deletes what the queue holds now.
  void drain(const std::string& queue) {
    std::uint64_t removed = 0;
    for (int round = 0; round < kMaxDrainRounds; ++round) {
      sqs::ReceiveInput in;
      in.wait_seconds = 0;
      in.max_messages = 10;
      std::vector<sqs::ReceivedMessage> got;
      services.queues.receive_message(queue, std::move(in),
                                      [&got](Result<std::vector<sqs::ReceivedMessage>> r) {
                                        if (r.has_value()) got.swap(*r);
                                      });
      if (got.empty()) break;
      for (const sqs::ReceivedMessage& m : got) {
        if (services.queues.delete_message(queue, m.receipt_handle)) ++removed;
      }
    }
    const std::lock_guard lock(mu);
    deleted += removed;
  }

  void stop() {
    {
      const std::lock_guard lock(mu);
      if (!running) return;
      running = false;
      if (check_timer) services.timers.cancel(*check_timer);
      check_timer.reset();
      for (auto& [queue, alert] : alerts) {
        if (alert.window) services.timers.cancel(*alert.window);
        alert.window.reset();
      }
    }
    services.queues.remove_dead_letter_observer(observer);
    // Waits for a send that checked `running` before it changed.
    const std::lock_guard sending(send_mu);
  }
};

DlqMonitor::DlqMonitor(config::PluginSpec spec, const Services& services)
    : Plugin(std::move(spec)),
      core_(std::make_shared<Core>(this->spec().name,
                                   std::get<config::DlqMonitorPluginSpec>(this->spec().settings),
                                   services)) {}

DlqMonitor::~DlqMonitor() { stop(); }

Result<void> DlqMonitor::start() {
  {
    const std::lock_guard lock(core_->mu);
    core_->running = true;
  }
  std::weak_ptr<Core> weak = core_;
  // The observer runs on the thread that moved the message: it only hands the arrival over.
  core_->observer =
      core_->services.queues.add_dead_letter_observer([weak](const sqs::DeadLetterArrival& a) {
        auto core = weak.lock();
        if (!core || !core->watches(a.queue)) return;
        core->services.executor([weak, a] {
          if (auto c = weak.lock()) c->on_arrival(a);
        });
      });
  return {};
}

void DlqMonitor::stop() { core_->stop(); }

PluginCounters DlqMonitor::counters() const {
  const std::lock_guard lock(core_->mu);
  return core_->counters;
}

void DlqMonitor::describe(JsonWriter& out) const {
  // The dead-letter queues now: every existing queue some queue's RedrivePolicy names (one pass
  // over the queues' policies).
  const sqs::Queues& queues = core_->services.queues;
  std::set<std::string> targets;
  std::vector<std::string> names;
  sqs::ListQueuesInput page;
  for (;;) {
    auto listed = queues.list_queues(page);
    if (!listed) break;
    for (const std::string& name : listed->names) {
      names.push_back(name);
      auto policy = queues.get_queue_attributes(name, {"RedrivePolicy"});
      if (!policy || !policy->contains("RedrivePolicy")) continue;
      simdjson::dom::parser parser;
      if (auto o = json::object(parser, policy->at("RedrivePolicy"))) {
        targets.insert(json::string(*o, "deadLetterTargetArn"));
      }
    }
    if (listed->next_token.empty()) break;
    page.next_token = listed->next_token;
  }
  std::vector<std::string> watching;
  for (const std::string& name : names) {
    if (targets.contains(queues.queue_arn(name)) && core_->watches(name)) {
      watching.push_back(name);
    }
  }
  std::sort(watching.begin(), watching.end());
  const std::lock_guard lock(core_->mu);
  out.key("dlqMonitor").begin_object();
  out.key("watching").begin_array();
  for (const std::string& name : watching) out.string(name);
  out.end_array();
  out.key("alerts").unsigned_number(core_->fired);
  out.key("followUps").unsigned_number(core_->follow_ups);
  out.key("resolved").unsigned_number(core_->resolved);
  out.key("deleted").unsigned_number(core_->deleted);
  out.end_object();
}

std::vector<std::pair<std::string, std::uint64_t>> DlqMonitor::alerts_raised() const {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  const std::lock_guard lock(core_->mu);
  for (const auto& [queue, alert] : core_->alerts) {
    if (alert.raised != 0) out.emplace_back(queue, alert.raised);
  }
  return out;
}

PluginResponse DlqMonitor::handle(const PluginRequest& request) {
  if (request.path != std::vector<std::string>{"alerts"}) return Plugin::handle(request);
  if (request.method != "GET") {
    return fail(Errc::kUnsupportedOperation,
                fmt::format("{} /v1/plugins/{}/alerts is not supported; use GET", request.method,
                            spec().name));
  }
  std::string out;
  JsonWriter j(out);
  const std::lock_guard lock(core_->mu);
  j.begin_object().key("alerts").begin_array();
  for (const auto& [queue, alert] : core_->alerts) {
    if (alert.count == 0) continue;
    j.begin_object();
    j.member("queue", queue);
    j.member("status", alert.firing ? "firing" : "resolved");
    j.member("severity", core_->settings.severity);
    j.member("firstArrivalAt", utc_timestamp(alert.first_arrival));
    j.member("lastArrivalAt", utc_timestamp(alert.last_arrival));
    j.key("count").unsigned_number(alert.count);
    j.key("notifications").unsigned_number(alert.notifications);
    if (!alert.firing) j.member("resolvedAt", utc_timestamp(alert.resolved_at));
    j.end_object();
  }
  j.end_array().end_object();
  return out;
}

}  // namespace eb::plugins
