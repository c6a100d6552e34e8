#include "api/admin/metrics.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "api/aws/api_metrics.hpp"
#include "core/metrics.hpp"
#include "eventlog/event_log.hpp"
#include "plugins/host.hpp"
#include "plugins/saga_engine.hpp"
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
    out.family(families[i].total, Type::kCounter, families[i].help);
    out.sample(families[i].total, {}, totals.values[i]);
  }
  for (std::size_t i = 0; i < N; ++i) {
    out.family(families[i].per_object, Type::kCounter, families[i].help);
    for (const auto& row : rows) {
      out.sample(families[i].per_object,
                 {{"account", row.account}, {object_label, name_of(row.stats)}},
                 row.stats.counts.values[i]);
    }
  }
}

void write_queues(MetricsWriter& out, const MetricsSources& sources,
                  std::vector<std::string>& accounts) {
  std::vector<Row<sqs::QueueStats>> rows;
  sqs::QueueCounts totals;
  std::size_t account_index = 0;
  std::vector<std::pair<std::size_t, sqs::Queues::Stats>> per_account;
  sources.for_each_account([&](std::string_view, sqs::Queues& queues, sns::Topics&) {
    per_account.emplace_back(account_index++, queues.stats());
  });
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
  sources.for_each_account([&](std::string_view, sqs::Queues&, sns::Topics& topics) {
    auto stats = topics.stats();
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

void write_storage(MetricsWriter& out, const MetricsSources& sources) {
  if (sources.engine == nullptr) return;
  const storage::EngineStats s = sources.engine->stats();
  out.family("eventbrokerd_storage_write_duration_seconds", Type::kHistogram,
             "Time of one atomic write to the store (RocksDB's write group, WAL append).");
  out.histogram("eventbrokerd_storage_write_duration_seconds", {}, s.write_latency);
  const std::array<std::tuple<std::string_view, std::string_view, std::uint64_t>, 4> gauges{{
      {"eventbrokerd_storage_live_data_bytes", "Estimated live data in the store.",
       s.live_data_bytes},
      {"eventbrokerd_storage_sst_files_bytes", "Size of the store's SST files.", s.sst_files_bytes},
      {"eventbrokerd_storage_memtable_bytes", "Size of the store's memtables.", s.memtable_bytes},
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

// process_* as Prometheus' client libraries name them, from /proc/self.
// The built-in plugins' counters (their GET /v1/plugins counters) and the sagas of each saga
// engine by status.
void write_plugins(MetricsWriter& out, const plugins::PluginHost* host) {
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
}

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
    sources_.for_each_account([&](std::string_view account, sqs::Queues&, sns::Topics&) {
      accounts.emplace_back(account);
    });
    write_queues(out, sources_, accounts);
    write_topics(out, sources_, accounts);
  }
  if (sources_.api != nullptr) sources_.api->write(out);
  write_storage(out, sources_);
  write_event_log(out, sources_.events);
  write_plugins(out, sources_.plugins);

  out.family("eventbrokerd_scrape_duration_seconds", Type::kGauge,
             "Time this scrape took to compute, up to this line.");
  out.sample("eventbrokerd_scrape_duration_seconds", {},
             std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
  return out.take();
}

}  // namespace eb::api::admin
