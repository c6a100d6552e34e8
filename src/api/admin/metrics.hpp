#pragma once
// GET /metrics: the daemon's metrics in the Prometheus text format, computed at scrape from the
// domains' counters and state (docs/metrics.md lists the families). Counters are monotonic for
// the daemon's life: totals without a queue or topic label include deleted ones.
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace eb::sqs {
class Queues;
}
namespace eb::sns {
class Topics;
class EndpointDeliveries;
}  // namespace eb::sns
namespace eb::events {
class EventBuses;
class Scheduler;
}  // namespace eb::events
namespace eb::storage {
class Engine;
}
namespace eb::eventlog {
class EventLog;
}
namespace eb::api::aws {
class ApiMetrics;
}
namespace eb::plugins {
class PluginHost;
}

namespace eb::api::admin {

// One account's domains, as a scrape visits them.
struct AccountView {
  std::string_view account;
  sqs::Queues& queues;
  sns::Topics& topics;
  events::EventBuses* buses = nullptr;           // null: no EventBridge series for it
  const events::Scheduler* scheduler = nullptr;  // null: no Scheduler counts for it
};

struct MetricsSources {
  std::string version;
  std::string durability;  // "memory", "wal" or "fsync"
  // Visits every account's domains.
  using AccountVisit = std::function<void(const AccountView&)>;
  std::function<void(const AccountVisit&)> for_each_account;
  const storage::Engine* engine = nullptr;
  const eventlog::EventLog* events = nullptr;
  const aws::ApiMetrics* api = nullptr;
  const plugins::PluginHost* plugins = nullptr;  // the built-in plugins and saga engines
  const sns::EndpointDeliveries* endpoint_deliveries = nullptr;  // SNS HTTP/S delivery
  // Per-queue (per-topic, per-bus) series per family; the rest are summed into queue="_other".
  std::size_t max_series_per_family = 10000;
};

class MetricsPage {
 public:
  explicit MetricsPage(MetricsSources sources);
  std::string render() const;

  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  MetricsSources sources_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace eb::api::admin
