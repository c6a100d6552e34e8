#include "api/admin/metrics.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <tuple>
#include <utility>
#include <vector>

#include "api/aws/api_metrics.hpp"
#include "core/metrics.hpp"
#include "eventlog/event_log.hpp"
#include "events/event_buses.hpp"
#include "events/scheduler.hpp"
#include "plugins/dlq_monitor.hpp"
#include "plugins/host.hpp"
#include "plugins/saga_engine.hpp"
#include "sns/endpoint_delivery.hpp"
#include "sns/topics.hpp"
#include "sqs/queues.hpp"
#include "storage/engine.hpp"

namespace eb::api::admin {

namespace {

using Type = MetricsWriter::Type;
constexpr std::string_view kOther = "_other";

struct CountFamily {
  std::string_view total;       // label-less, every queue (topic) ever
  std::string_view per_object;  // with account and queue (topic) labels
  std::string_view help;
  // The `outcome` label's value; families of one name with several outcomes are adjacent.
  std::string_view outcome = {};
};

constexpr std::array<CountFamily, sqs::QueueCounts::kSize> kQueueFamilies{{
    {"eventbrokerd_sqs_messages_sent_total", "eventbrokerd_sqs_queue_messages_sent_total",
     "Messages accepted by sends (FIFO duplicates and redrive moves not counted)."},
    {"eventbrokerd_sqs_sent_bytes_total", "eventbrokerd_sqs_queue_sent_bytes_total",
     "Bytes of the messages sent (body and attributes)."},
    {"eventbrokerd_sqs_messages_deduplicated_total",
     "eventbrokerd_sqs_queue_messages_deduplicated_total",
     "FIFO sends answered as duplicates of a message sent within 5 minutes."},
    {"eventbrokerd_sqs_messages_received_total", "eventbrokerd_sqs_queue_messages_received_total",
     "Messages returned by receives."},
    {"eventbrokerd_sqs_messages_redelivered_total",
     "eventbrokerd_sqs_queue_messages_redelivered_total",
     "Messages returned by a receive that had been received before."},
    {"eventbrokerd_sqs_empty_receives_total", "eventbrokerd_sqs_queue_empty_receives_total",
     "Receives that returned no message."},
    {"eventbrokerd_sqs_messages_deleted_total", "eventbrokerd_sqs_queue_messages_deleted_total",
     "Messages deleted through a receipt handle."},
    {"eventbrokerd_sqs_messages_dead_lettered_total",
     "eventbrokerd_sqs_queue_messages_dead_lettered_total",
     "Messages a redrive policy moved to the dead-letter queue (counted at the source queue)."},
    {"eventbrokerd_sqs_messages_expired_total", "eventbrokerd_sqs_queue_messages_expired_total",
     "Messages dropped at the end of the retention period."},
    {"eventbrokerd_sqs_messages_purged_total", "eventbrokerd_sqs_queue_messages_purged_total",
     "Messages dropped by PurgeQueue."},
    {"eventbrokerd_sqs_messages_moved_total", "eventbrokerd_sqs_queue_messages_moved_total",
     "Messages taken out of a queue by message move tasks (dead-letter queue redrive)."},
}};

constexpr std::array<CountFamily, sns::TopicCounts::kSize> kTopicFamilies{{
    {"eventbrokerd_sns_messages_published_total", "eventbrokerd_sns_topic_messages_published_total",
     "Messages published (replays not counted)."},
    {"eventbrokerd_sns_notifications_filtered_out_total",
     "eventbrokerd_sns_topic_notifications_filtered_out_total",
     "Copies a subscription's filter policy did not take."},
    {"eventbrokerd_sns_notifications_delivered_to_queues_total",
     "eventbrokerd_sns_topic_notifications_delivered_to_queues_total",
     "Copies written to subscribed SQS queues."},
    {"eventbrokerd_sns_notifications_failed_to_queues_total",
     "eventbrokerd_sns_topic_notifications_failed_to_queues_total",
     "Copies a subscribed SQS queue refused (sent to the subscription's dead-letter queue, if "
     "any)."},
    {"eventbrokerd_sns_notifications_to_endpoints_total",
     "eventbrokerd_sns_topic_notifications_to_endpoints_total",
     "Copies handed to the delivery of other protocols (HTTP/S, and the outbox)."},
}};

constexpr std::string_view kPutHelp =
    "PutEvents entries: accepted (also those for a bus that does not exist, which are dropped, "
    "as AWS does) or failed (refused: FailedEntryCount).";
constexpr std::string_view kInvocationsHelp =
    "Target invocations by final outcome: delivered (outbox targets: recorded) or failed after "
    "any retries.";
constexpr std::array<CountFamily, events::BusCounts::kSize> kBusFamilies{{
    {"eventbrokerd_eventbridge_events_put_total", "eventbrokerd_eventbridge_bus_events_put_total",
     kPutHelp, "accepted"},
    {"eventbrokerd_eventbridge_events_put_total", "eventbrokerd_eventbridge_bus_events_put_total",
     kPutHelp, "failed"},
    {"eventbrokerd_eventbridge_rule_matches_total",
     "eventbrokerd_eventbridge_bus_rule_matches_total",
     "Events matched by an enabled rule (one per event and rule; scheduled rules' firings "
     "included)."},
    {"eventbrokerd_eventbridge_invocations_total", "eventbrokerd_eventbridge_bus_invocations_total",
     kInvocationsHelp, "delivered"},
    {"eventbrokerd_eventbridge_invocations_total", "eventbrokerd_eventbridge_bus_invocations_total",
     kInvocationsHelp, "failed"},
    {"eventbrokerd_eventbridge_invocation_retries_total",
     "eventbrokerd_eventbridge_bus_invocation_retries_total",
     "Retries of target invocations by the target's RetryPolicy (API destinations)."},
    {"eventbrokerd_eventbridge_invocations_dead_lettered_total",
     "eventbrokerd_eventbridge_bus_invocations_dead_lettered_total",
     "Failed invocations sent to the target's dead-letter queue."},
    {"eventbrokerd_eventbridge_events_dropped_total",
     "eventbrokerd_eventbridge_bus_events_dropped_total",
     "Events lost: failed invocations no dead-letter queue took, events put on a bus that does "
     "not exist, forwards to a missing bus or account or past one hop."},
}};

// One queue or topic and the account it is in, at scrape.
template <class Stats>
struct Row {
  std::string_view account;
  Stats stats;
};

const std::string& name_of(const sqs::QueueStats& s) { return s.queue.name; }
const std::string& name_of(const sns::Topics::TopicStats& s) { return s.name; }
std::string& name_of(sqs::QueueStats& s) { return s.queue.name; }
std::string& name_of(sns::Topics::TopicStats& s) { return s.name; }
const std::string& name_of(const events::BusStats& s) { return s.name; }
std::string& name_of(events::BusStats& s) { return s.name; }

// Sorts rows by account and name; the rows past `max` are summed into one "_other" row by
// `fold` and dropped, so a family never has more than max + 1 series.
template <class Stats, class Fold>
void cap_rows(std::vector<Row<Stats>>& rows, std::size_t max, Fold fold) {
  std::sort(rows.begin(), rows.end(), [](const Row<Stats>& a, const Row<Stats>& b) {
    return a.account != b.account ? a.account < b.account : name_of(a.stats) < name_of(b.stats);
  });
  if (rows.size() <= max) return;
  Row<Stats> other{kOther, {}};
  name_of(other.stats) = std::string(kOther);
  for (std::size_t i = max; i < rows.size(); ++i) fold(other.stats, rows[i].stats);
  rows.resize(max);
  rows.push_back(std::move(other));
}

// The per-object and total families of a set of counters.
template <class Stats, class Totals, std::size_t N>
void write_counts(MetricsWriter& out, const std::array<CountFamily, N>& families,
                  std::string_view object_label, const std::vector<Row<Stats>>& rows,
                  const Totals& totals) {
  for (std::size_t i = 0; i < N; ++i) {
    const CountFamily& f = families[i];
    if (i == 0 || f.total != families[i - 1].total) out.family(f.total, Type::kCounter, f.help);
    if (f.outcome.empty()) {
      out.sample(f.total, {}, totals.values[i]);
    } else {
      out.sample(f.total, {{"outcome", f.outcome}}, totals.values[i]);
    }
  }
  for (std::size_t i = 0; i < N; ++i) {
    const CountFamily& f = families[i];
    if (i == 0 || f.per_object != families[i - 1].per_object) {
      out.family(f.per_object, Type::kCounter, f.help);
    }
    for (const auto& row : rows) {
      const std::string_view name = name_of(row.stats);
      const std::uint64_t value = row.stats.counts.values[i];
      if (f.outcome.empty()) {
        out.sample(f.per_object, {{"account", row.account}, {object_label, name}}, value);
      } else {
        out.sample(f.per_object,
                   {{"account", row.account}, {object_label, name}, {"outcome", f.outcome}}, value);
      }
    }
  }
}

void write_queues(MetricsWriter& out, const MetricsSources& sources,
                  std::vector<std::string>& accounts) {
  std::vector<Row<sqs::QueueStats>> rows;
  sqs::QueueCounts totals;
  std::size_t account_index = 0;
  std::vector<std::pair<std::size_t, sqs::Queues::Stats>> per_account;
  sources.for_each_account(
      [&](const AccountView& a) { per_account.emplace_back(account_index++, a.queues.stats()); });
  for (auto& [index, stats] : per_account) {
    totals += stats.deleted;
    for (auto& q : stats.queues) {
      totals += q.counts;
      rows.push_back({accounts[index], std::move(q)});
    }
  }
  std::array<std::size_t, 3> by_type{};  // standard, fifo, fair
  for (const auto& row : rows) {
    const std::string_view type = row.stats.queue.type;
    ++by_type[type == "fifo" ? 1 : type == "fair" ? 2 : 0];
  }
  cap_rows(rows, sources.max_series_per_family, [](sqs::QueueStats& into, const auto& from) {
    sqs::QueueSummary& q = into.queue;
    q.visible += from.queue.visible;
    q.inflight += from.queue.inflight;
    q.delayed += from.queue.delayed;
    q.waiters += from.queue.waiters;
    if (from.queue.oldest_age) {
      q.oldest_age = std::max(q.oldest_age.value_or(0), *from.queue.oldest_age);
    }
    into.counts += from.counts;
  });

  out.family("eventbrokerd_sqs_queues", Type::kGauge, "Queues, by type.");
  out.sample("eventbrokerd_sqs_queues", {{"type", "standard"}}, std::uint64_t{by_type[0]});
  out.sample("eventbrokerd_sqs_queues", {{"type", "fifo"}}, std::uint64_t{by_type[1]});
  out.sample("eventbrokerd_sqs_queues", {{"type", "fair"}}, std::uint64_t{by_type[2]});
  out.family("eventbrokerd_sqs_queue_messages", Type::kGauge,
             "Messages in a queue by state: visible, in_flight (received, not deleted) or "
             "delayed.");
  for (const auto& row : rows) {
    const auto& q = row.stats.queue;
    out.sample("eventbrokerd_sqs_queue_messages",
               {{"account", row.account}, {"queue", q.name}, {"state", "visible"}},
               std::uint64_t{q.visible});
    out.sample("eventbrokerd_sqs_queue_messages",
               {{"account", row.account}, {"queue", q.name}, {"state", "in_flight"}},
               std::uint64_t{q.inflight});
    out.sample("eventbrokerd_sqs_queue_messages",
               {{"account", row.account}, {"queue", q.name}, {"state", "delayed"}},
               std::uint64_t{q.delayed});
  }
  out.family("eventbrokerd_sqs_queue_oldest_message_age_seconds", Type::kGauge,
             "Age of the oldest message in a queue, in any state (0 when empty).");
  for (const auto& row : rows) {
    const double age = static_cast<double>(row.stats.queue.oldest_age.value_or(0)) / 1000.0;
    out.sample("eventbrokerd_sqs_queue_oldest_message_age_seconds",
               {{"account", row.account}, {"queue", row.stats.queue.name}}, age);
  }
  out.family("eventbrokerd_sqs_queue_receive_waiters", Type::kGauge,
             "Long-poll receives waiting for messages.");
  for (const auto& row : rows) {
    out.sample("eventbrokerd_sqs_queue_receive_waiters",
               {{"account", row.account}, {"queue", row.stats.queue.name}},
               std::uint64_t{row.stats.queue.waiters});
  }
  write_counts(out, kQueueFamilies, "queue", rows, totals);
}

void write_topics(MetricsWriter& out, const MetricsSources& sources,
                  std::vector<std::string>& accounts) {
  std::vector<Row<sns::Topics::TopicStats>> rows;
  sns::TopicCounts totals;
  std::size_t index = 0;
  sources.for_each_account([&](const AccountView& a) {
    auto stats = a.topics.stats();
    totals += stats.deleted;
    for (auto& t : stats.topics) {
      totals += t.counts;
      rows.push_back({accounts[index], std::move(t)});
    }
    ++index;
  });
  std::size_t fifo = 0;
  std::size_t subscriptions = 0;
  for (const auto& row : rows) {
    fifo += row.stats.fifo ? 1 : 0;
    subscriptions += row.stats.subscriptions;
  }
  out.family("eventbrokerd_sns_topics", Type::kGauge, "Topics, by type.");
  out.sample("eventbrokerd_sns_topics", {{"type", "standard"}}, std::uint64_t{rows.size() - fifo});
  out.sample("eventbrokerd_sns_topics", {{"type", "fifo"}}, std::uint64_t{fifo});
  out.family("eventbrokerd_sns_subscriptions", Type::kGauge, "Subscriptions of all topics.");
  out.sample("eventbrokerd_sns_subscriptions", {}, std::uint64_t{subscriptions});
  cap_rows(rows, sources.max_series_per_family,
           [](sns::Topics::TopicStats& into, const auto& t) { into.counts += t.counts; });
  write_counts(out, kTopicFamilies, "topic", rows, totals);
}

void write_buses(MetricsWriter& out, const MetricsSources& sources,
                 std::vector<std::string>& accounts) {
  std::vector<Row<events::BusStats>> rows;
  events::BusCounts totals;
  std::size_t index = 0;
  bool any = false;
  sources.for_each_account([&](const AccountView& a) {
    const std::size_t account = index++;
    if (a.buses == nullptr) return;
    any = true;
    auto stats = a.buses->stats();
    totals += stats.other;
    for (auto& bus : stats.buses) {
      totals += bus.counts;
      rows.push_back({accounts[account], std::move(bus)});
    }
  });
  if (!any) return;
  out.family("eventbrokerd_eventbridge_buses", Type::kGauge, "Event buses.");
  out.sample("eventbrokerd_eventbridge_buses", {}, std::uint64_t{rows.size()});
  cap_rows(rows, sources.max_series_per_family,
           [](events::BusStats& into, const auto& from) { into.counts += from.counts; });
  write_counts(out, kBusFamilies, "bus", rows, totals);
}

// A counter family with one sample per outcome.
void write_outcomes(MetricsWriter& out, std::string_view name, std::string_view help,
                    std::initializer_list<std::pair<std::string_view, std::uint64_t>> samples) {
  out.family(name, Type::kCounter, help);
  for (const auto& [outcome, value] : samples) out.sample(name, {{"outcome", outcome}}, value);
}

void write_counter(MetricsWriter& out, std::string_view name, std::string_view help,
                   std::uint64_t value) {
  out.family(name, Type::kCounter, help);
  out.sample(name, {}, value);
}

void write_scheduler(MetricsWriter& out, const MetricsSources& sources) {
  using C = events::ScheduleCount;
  events::ScheduleCounts c;
  bool any = false;
  sources.for_each_account([&](const AccountView& a) {
    if (a.scheduler == nullptr) return;
    any = true;
    c += a.scheduler->counts();
  });
  if (!any) return;
  write_outcomes(out, "eventbrokerd_scheduler_invocations_total",
                 "EventBridge Scheduler invocations by final outcome: delivered to the target, or "
                 "failed (a permanent error, or the retries ran out).",
                 {{"delivered", c[C::kDelivered]}, {"failed", c[C::kFailed]}});
  write_counter(out, "eventbrokerd_scheduler_invocation_retries_total",
                "Retries of schedule invocations by the target's RetryPolicy.", c[C::kRetried]);
  write_counter(out, "eventbrokerd_scheduler_invocations_dead_lettered_total",
                "Failed schedule invocations sent to the target's dead-letter queue.",
                c[C::kDeadLettered]);
  write_counter(out, "eventbrokerd_scheduler_invocations_dropped_total",
                "Failed schedule invocations no dead-letter queue took.", c[C::kDropped]);
}

void write_sns_http(MetricsWriter& out, const sns::EndpointDeliveries* deliveries) {
  if (deliveries == nullptr) return;
  using C = sns::HttpDeliveryCount;
  const auto s = deliveries->stats();
  const auto& c = s.counts;
  write_outcomes(out, "eventbrokerd_sns_http_posts_total",
                 "POSTs to HTTP/S subscriptions: delivered (answered 200-499) or failed (another "
                 "status, no answer, a timeout).",
                 {{"delivered", c[C::kPostsDelivered]}, {"failed", c[C::kPostsFailed]}});
  write_counter(out, "eventbrokerd_sns_http_retries_total",
                "Retries of HTTP/S deliveries by the subscription's DeliveryPolicy.",
                c[C::kRetries]);
  write_outcomes(out, "eventbrokerd_sns_http_deliveries_total",
                 "HTTP/S messages by final outcome: delivered, dead_lettered (after the retries), "
                 "dropped (no dead-letter queue took it).",
                 {{"delivered", c[C::kDelivered]},
                  {"dead_lettered", c[C::kDeadLettered]},
                  {"dropped", c[C::kDropped]}});
  out.family("eventbrokerd_sns_http_post_duration_seconds", Type::kHistogram,
             "Time from a POST to an HTTP/S subscription to its answer or failure (the daemon's "
             "clock, millisecond resolution).");
  out.histogram("eventbrokerd_sns_http_post_duration_seconds", {}, s.post_latency);
}

void write_storage(MetricsWriter& out, const MetricsSources& sources) {
  if (sources.engine == nullptr) return;
  const storage::EngineStats s = sources.engine->stats();
  out.family("eventbrokerd_storage_write_duration_seconds", Type::kHistogram,
             "Time of one atomic write to the store (RocksDB's write group, WAL append).");
  out.histogram("eventbrokerd_storage_write_duration_seconds", {}, s.write_latency);
  const std::array<std::tuple<std::string_view, std::string_view, std::uint64_t>, 6> gauges{{
      {"eventbrokerd_storage_live_data_bytes", "Estimated live data in the store.",
       s.live_data_bytes},
      {"eventbrokerd_storage_sst_files_bytes", "Size of the store's SST files.", s.sst_files_bytes},
      {"eventbrokerd_storage_memtable_bytes", "Size of the store's memtables.", s.memtable_bytes},
      {"eventbrokerd_storage_block_cache_bytes", "What the store's block cache holds.",
       s.block_cache_bytes},
      {"eventbrokerd_storage_table_readers_bytes",
       "Memory of the store's open SST files (indexes, filters).", s.table_readers_bytes},
      {"eventbrokerd_storage_disk_free_bytes",
       "Free bytes in the data directory's file system (0 in memory).", s.disk_free_bytes},
  }};
  for (const auto& [name, help, value] : gauges) {
    out.family(name, Type::kGauge, help);
    out.sample(name, {}, value);
  }
  out.family("eventbrokerd_storage_disk_full", Type::kGauge,
             "1 while writes are refused for want of disk space (the API answers "
             "ServiceUnavailable), else 0.");
  out.sample("eventbrokerd_storage_disk_full", {}, std::uint64_t{s.disk_full ? 1U : 0U});
}

void write_event_log(MetricsWriter& out, const eventlog::EventLog* events) {
  if (events == nullptr) return;
  out.family("eventbrokerd_eventlog_head_sequence", Type::kGauge,
             "Sequence number of the newest visible event-log entry.");
  out.sample("eventbrokerd_eventlog_head_sequence", {}, events->visible_through());
  out.family("eventbrokerd_eventlog_stored_bytes", Type::kGauge,
             "Bytes of the event-log entries kept.");
  out.sample("eventbrokerd_eventlog_stored_bytes", {}, events->total_bytes());
}

using Running = std::vector<std::shared_ptr<plugins::Plugin>>;

// The saga engines' counters and step durations, by definition (the engine's name).
void write_saga_metrics(MetricsWriter& out, const Running& running) {
  using C = plugins::SagaEngine::Count;
  std::vector<std::pair<const plugins::SagaEngine*, plugins::SagaEngine::Metrics>> engines;
  for (const auto& plugin : running) {
    if (const auto* engine = dynamic_cast<const plugins::SagaEngine*>(plugin.get())) {
      engines.emplace_back(engine, engine->metrics());
    }
  }
  constexpr std::array<std::tuple<std::string_view, C, std::string_view>, 4> kFamilies{{
      {"eventbrokerd_sagas_started_total", C::kStarted, "Sagas started."},
      {"eventbrokerd_sagas_completed_total", C::kCompleted, "Sagas whose every step completed."},
      {"eventbrokerd_sagas_compensated_total", C::kCompensated,
       "Sagas that failed and were compensated."},
      {"eventbrokerd_sagas_stuck_total", C::kStuck,
       "Times a saga got stuck (a compensation ran out of attempts)."},
  }};
  for (const auto& [name, count, help] : kFamilies) {
    out.family(name, Type::kCounter, help);
    for (const auto& [engine, m] : engines) {
      out.sample(name, {{"definition", engine->spec().name}}, m.counts[count]);
    }
  }
  constexpr std::string_view kSteps = "eventbrokerd_saga_step_duration_seconds";
  out.family(kSteps, Type::kHistogram,
             "Time from a saga step's request to the reply it took, by step and phase (action, "
             "compensation), on the daemon's clock; requests that timed out are not observed.");
  for (const auto& [engine, m] : engines) {
    const auto& steps = std::get<config::SagaPluginSpec>(engine->spec().settings).steps;
    for (std::size_t i = 0; i < steps.size() && 2 * i + 1 < m.step_latency.size(); ++i) {
      out.histogram(
          kSteps,
          {{"definition", engine->spec().name}, {"step", steps[i].name}, {"phase", "action"}},
          m.step_latency[2 * i]);
      if (!steps[i].compensation) continue;
      out.histogram(
          kSteps,
          {{"definition", engine->spec().name}, {"step", steps[i].name}, {"phase", "compensation"}},
          m.step_latency[2 * i + 1]);
    }
  }
}

// The DLQ monitors' alerts: the total, and per monitor and dead-letter queue (the first `max`
// by monitor and queue; the rest summed into queue="_other").
void write_dlq_alerts(MetricsWriter& out, const Running& running, std::size_t max) {
  struct AlertRow {
    std::string_view plugin;
    std::string queue;
    std::uint64_t raised = 0;
  };
  std::vector<AlertRow> rows;
  std::uint64_t total = 0;
  bool any = false;
  for (const auto& plugin : running) {
    const auto* monitor = dynamic_cast<const plugins::DlqMonitor*>(plugin.get());
    if (monitor == nullptr) continue;
    any = true;
    for (auto& [queue, raised] : monitor->alerts_raised()) {
      total += raised;
      rows.push_back({plugin->spec().name, std::move(queue), raised});
    }
  }
  if (!any) return;
  write_counter(out, "eventbrokerd_dlq_alerts_total",
                "Alerts the DLQ monitors raised (a message reached a quiet dead-letter queue).",
                total);
  std::sort(rows.begin(), rows.end(), [](const AlertRow& a, const AlertRow& b) {
    return a.plugin != b.plugin ? a.plugin < b.plugin : a.queue < b.queue;
  });
  if (rows.size() > max) {
    AlertRow other{kOther, std::string(kOther), 0};
    for (std::size_t i = max; i < rows.size(); ++i) other.raised += rows[i].raised;
    rows.resize(max);
    rows.push_back(std::move(other));
  }
  constexpr std::string_view kPerQueue = "eventbrokerd_dlq_queue_alerts_total";
  out.family(kPerQueue, Type::kCounter, "Alerts a DLQ monitor raised for a dead-letter queue.");
  for (const AlertRow& row : rows) {
    out.sample(kPerQueue, {{"plugin", row.plugin}, {"queue", row.queue}}, row.raised);
  }
}

// The built-in plugins' counters (their GET /v1/plugins counters) and the sagas of each saga
// engine by status.
void write_plugins(MetricsWriter& out, const MetricsSources& sources) {
  const plugins::PluginHost* host = sources.plugins;
  if (host == nullptr) return;
  const auto running = host->running();
  constexpr std::array<std::string_view, 4> kOutcomes{"received", "handled", "failed", "ignored"};
  out.family("eventbrokerd_plugin_messages_total", Type::kCounter,
             "Messages the running built-in plugins took from their queues (received), and how "
             "each ended: handled and deleted, failed (left for redelivery), ignored (a type "
             "the plugin does not handle). The DLQ monitor counts arrivals it watched as "
             "received and notifications as handled.");
  for (const auto& plugin : running) {
    const plugins::PluginCounters c = plugin->counters();
    const std::array<std::uint64_t, 4> values{c.received, c.handled, c.failed, c.ignored};
    for (std::size_t i = 0; i < kOutcomes.size(); ++i) {
      out.sample("eventbrokerd_plugin_messages_total",
                 {{"plugin", plugin->spec().name},
                  {"kind", plugin->spec().kind},
                  {"outcome", kOutcomes[i]}},
                 values[i]);
    }
  }
  out.family("eventbrokerd_plugin_events_published_total", Type::kCounter,
             "Events the running built-in plugins published.");
  for (const auto& plugin : running) {
    out.sample("eventbrokerd_plugin_events_published_total",
               {{"plugin", plugin->spec().name}, {"kind", plugin->spec().kind}},
               plugin->counters().published);
  }
  out.family("eventbrokerd_sagas", Type::kGauge,
             "Sagas of each running saga engine, by status (stuck: a compensation ran out of "
             "attempts; POST /v1/sagas/{id}/redrive).");
  for (const auto& plugin : running) {
    const auto* engine = dynamic_cast<const plugins::SagaEngine*>(plugin.get());
    if (engine == nullptr) continue;
    const auto counts = engine->status_counts();
    for (std::size_t i = 0; i < counts.size(); ++i) {
      out.sample("eventbrokerd_sagas",
                 {{"definition", plugin->spec().name},
                  {"status", plugins::saga::to_string(static_cast<plugins::saga::Status>(i))}},
                 static_cast<std::uint64_t>(counts[i]));
    }
  }
  write_saga_metrics(out, running);
  write_dlq_alerts(out, running, sources.max_series_per_family);
}

// process_* as Prometheus' client libraries name them, from /proc/self.
void write_process(MetricsWriter& out) {
  const long ticks = ::sysconf(_SC_CLK_TCK);
  const long page = ::sysconf(_SC_PAGESIZE);
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) start at its closing parenthesis.
  const std::size_t close = stat.rfind(')');
  if (close != std::string::npos && ticks > 0 && page > 0) {
    std::istringstream fields(stat.substr(close + 2));
    std::vector<std::string> f{std::istream_iterator<std::string>(fields),
                               std::istream_iterator<std::string>()};
    // f[0] is field 3 (state): utime is field 14, stime 15, starttime 22, vsize 23, rss 24.
    if (f.size() > 21) {
      const double cpu =
          static_cast<double>(std::stoull(f[11]) + std::stoull(f[12])) / static_cast<double>(ticks);
      out.family("process_cpu_seconds_total", Type::kCounter,
                 "User and system CPU time spent, in seconds.");
      out.sample("process_cpu_seconds_total", {}, cpu);
      out.family("process_virtual_memory_bytes", Type::kGauge, "Virtual memory size in bytes.");
      out.sample("process_virtual_memory_bytes", {}, std::uint64_t{std::stoull(f[20])});
      out.family("process_resident_memory_bytes", Type::kGauge, "Resident memory size in bytes.");
      out.sample("process_resident_memory_bytes", {},
                 std::uint64_t{std::stoull(f[21])} * static_cast<std::uint64_t>(page));
    }
  }
  std::uint64_t fds = 0;
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    while (const dirent* entry = ::readdir(dir)) {
      if (entry->d_name[0] != '.') ++fds;
    }
    ::closedir(dir);
    out.family("process_open_fds", Type::kGauge, "Number of open file descriptors.");
    out.sample("process_open_fds", {}, fds - 1);  // not the one reading the directory
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    out.family("process_max_fds", Type::kGauge, "Maximum number of open file descriptors.");
    out.sample("process_max_fds", {}, static_cast<std::uint64_t>(limit.rlim_cur));
  }
}

}  // namespace

MetricsPage::MetricsPage(MetricsSources sources)
    : sources_(std::move(sources)), started_(std::chrono::steady_clock::now()) {}

std::string MetricsPage::render() const {
  const auto begin = std::chrono::steady_clock::now();
  MetricsWriter out;
  out.family("eventbrokerd_build_info", Type::kGauge,
             "Always 1; the labels say which build runs and how it stores.");
  out.sample("eventbrokerd_build_info",
             {{"version", sources_.version}, {"durability", sources_.durability}},
             std::uint64_t{1});
  out.family("eventbrokerd_uptime_seconds", Type::kGauge, "Seconds since the daemon started.");
  out.sample("eventbrokerd_uptime_seconds", {},
             std::chrono::duration<double>(begin - started_).count());
  write_process(out);

  std::vector<std::string> accounts;
  if (sources_.for_each_account) {
    sources_.for_each_account([&](const AccountView& a) { accounts.emplace_back(a.account); });
    write_queues(out, sources_, accounts);
    write_topics(out, sources_, accounts);
    write_buses(out, sources_, accounts);
    write_scheduler(out, sources_);
  }
  write_sns_http(out, sources_.endpoint_deliveries);
  if (sources_.api != nullptr) sources_.api->write(out);
  write_storage(out, sources_);
  write_event_log(out, sources_.events);
  write_plugins(out, sources_);

  out.family("eventbrokerd_scrape_duration_seconds", Type::kGauge,
             "Time this scrape took to compute, up to this line.");
  out.sample("eventbrokerd_scrape_duration_seconds", {},
             std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
  return out.take();
}

}  // namespace eb::api::admin
