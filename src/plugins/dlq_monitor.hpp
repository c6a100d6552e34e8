#pragma once
// kind: dlq-monitor (config/plugins.hpp, DlqMonitorPluginSpec). Alerts when messages reach a
// dead-letter queue: any queue that is some queue's RedrivePolicy target, queues created later
// through the API included (or only the configured `queues`). It consumes no queue and handles
// no event type; arrivals come from sqs::Queues' dead-letter observer, in-process, as each move
// happens (no polling).
//
// Per dead-letter queue an alert goes quiet → firing → resolved:
// - the first arrival in a quiet queue is sent at once (the observer posts it to the executor);
// - later arrivals are collected for group_seconds and sent as one follow-up (count, up to
//   three samples) when that window ends; the next arrival opens the next window;
// - while firing, the queue's message counts are read every second on the Timers; once it is
//   empty (visible, in flight and delayed all zero, or the queue is gone) a pending follow-up is
//   sent, then the resolution, and the queue is quiet again.
// Every notification goes to each sink: a webhook (generic JSON, Slack's incoming-webhook text,
// or Alertmanager's v2 alerts array) through the daemon's HttpPoster, or an SNS topic (Subject:
// the title, Message: the generic JSON). A failing sink is logged and counted, nothing more.
// With delete_after_alert the queue's messages are received and deleted after each alert (the
// design's DLQHandler); otherwise it never deletes.
//
// Thread-safe. Observer calls, timers and poster callbacks reach the shared Core through
// weak_ptrs and do nothing once stop() returned; stop() waits for a send in progress.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "plugins/plugin.hpp"

namespace eb::plugins {

class DlqMonitor final : public Plugin {
 public:
  DlqMonitor(config::PluginSpec spec, const Services& services);
  ~DlqMonitor() override;

  std::vector<std::string> handled_types() const override { return {}; }
  Result<void> start() override;
  void stop() override;
  // received: arrivals it watches; handled: notifications sent; failed: sink deliveries that
  // failed; published: notifications published to SNS sinks.
  PluginCounters counters() const override;
  // "dlqMonitor": {watching: [dead-letter queues now], alerts, followUps, resolved, deleted}
  void describe(JsonWriter& out) const override;
  // GET alerts: {"alerts": [{queue, status, severity, firstArrivalAt, lastArrivalAt, count,
  // notifications, resolvedAt?}]}, the latest alert of each dead-letter queue, by queue name.
  PluginResponse handle(const PluginRequest& request) override;
  // For /metrics: the alerts fired per dead-letter queue since the monitor started, by queue
  // name (queues that never fired left out).
  std::vector<std::pair<std::string, std::uint64_t>> alerts_raised() const;

  struct Core;  // shared with observer calls, timers and poster callbacks

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace eb::plugins
