#include "app/application.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <condition_variable>
#include <csignal>
#include <initializer_list>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/admin/admin_api.hpp"
#include "api/admin/buses_api.hpp"
#include "api/admin/clock_api.hpp"
#include "api/admin/console.hpp"
#include "api/admin/faults_api.hpp"
#include "api/admin/metrics.hpp"
#include "api/admin/plugins_api.hpp"
#include "api/admin/queues_api.hpp"
#include "api/admin/reset_api.hpp"
#include "api/admin/sagas_api.hpp"
#include "api/admin/topics_api.hpp"
#include "api/aws/dispatcher.hpp"
#include "api/aws/resource_account.hpp"
#include "api/sts/identity.hpp"
#include "api/sts/sts_service.hpp"
#include "app/account.hpp"
#include "app/asio_timers.hpp"
#include "app/bus_topology.hpp"
#include "app/http_poster.hpp"
#include "app/http_sender.hpp"
#include "app/open_files.hpp"
#include "app/replay_targets.hpp"
#include "app/topology.hpp"
#include "config/faults.hpp"
#include "config/plugins.hpp"
#include "core/account_id.hpp"
#include "core/clock.hpp"
#include "core/log_format.hpp"
#include "core/manual_clock.hpp"
#include "eventlog/event_log.hpp"
#include "eventlog/replay.hpp"
#include "events/event_buses.hpp"
#include "events/scheduler.hpp"
#include "faults/fault_rules.hpp"
#include "net/http_client.hpp"
#include "net/server.hpp"
#include "plugins/host.hpp"
#include "plugins/work_queue.hpp"
#include "sns/endpoint_delivery.hpp"
#include "sns/topics.hpp"
#include "sqs/queues.hpp"
#include "storage/memory_engine.hpp"
#include "storage/rocksdb_engine.hpp"

namespace eb::app {
namespace asio = boost::asio;

namespace {

// Connections get this long after a stop signal to finish their in-flight request; the
// whole shutdown must fit in 2 s.
constexpr std::chrono::milliseconds kDrainDeadline{1'500};

spdlog::level::level_enum to_spdlog(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::kTrace:
      return spdlog::level::trace;
    case config::LogLevel::kDebug:
      return spdlog::level::debug;
    case config::LogLevel::kInfo:
      return spdlog::level::info;
    case config::LogLevel::kWarn:
      return spdlog::level::warn;
    case config::LogLevel::kError:
      return spdlog::level::err;
    case config::LogLevel::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

void setup_logging(config::LogLevel level, config::LogFormat format) {
  // Logs go to stderr so stdout stays free for anything a caller might pipe.
  // Not registered by name, so a second Application in one process (tests) cannot clash.
  auto logger = std::make_shared<spdlog::logger>(
      "eventbrokerd", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  logger->set_formatter(log::make_formatter(
      format == config::LogFormat::kJson ? log::Format::kJson : log::Format::kText));
  logger->set_level(to_spdlog(level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

// Browsers may reach the console and /v1 by the loopback names, the listen address when it is
// a specific one, and public_url's host (how containers and other machines name the daemon).
api::admin::BrowserGuard browser_guard(const config::Settings& settings) {
  std::vector<std::string> hosts;
  if (settings.listen.host != "0.0.0.0" && settings.listen.host != "::") {
    hosts.push_back(settings.listen.host);
  }
  if (std::string_view url = settings.public_url; !url.empty()) {
    if (const std::size_t scheme = url.find("://"); scheme != std::string_view::npos) {
      url.remove_prefix(scheme + 3);
    }
    hosts.push_back(api::admin::host_of_authority(url.substr(0, url.find('/'))));
  }
  return api::admin::BrowserGuard(std::move(hosts));
}

unsigned thread_count(unsigned configured) {
  if (configured > 0) return configured;
  return std::max(1u, std::thread::hardware_concurrency());
}

std::unique_ptr<storage::Engine> open_engine(const config::Settings& s) {
  if (s.in_memory) return std::make_unique<storage::MemoryEngine>();
  return std::make_unique<storage::RocksDbEngine>(storage::RocksDbOptions{
      .dir = s.data_dir,
      .durability = s.durability == config::Durability::kFsync ? storage::Durability::kFsync
                                                               : storage::Durability::kWal,
      .min_free_bytes = s.min_free_disk_mb << 20});
}

std::shared_ptr<const MessageSigner> load_signer(storage::Engine& engine) {
  auto signer = sns::load_signing_key(engine);
  if (!signer) {
    throw storage::StartupError("cannot load or create the SNS signing key: " +
                                signer.error().message);
  }
  return std::move(*signer);
}

// The base of the URLs put into SNS messages (SubscribeURL, SigningCertURL...): the address
// the daemon listens on, with a wildcard address replaced by one a local client can reach.
std::string public_base_url(const config::ListenAddress& listen, std::uint16_t port) {
  std::string host = listen.host;
  if (host == "0.0.0.0" || host == "::" || host.empty()) host = "localhost";
  return "http://" + config::format_listen_address({host, port});
}

// Raises the open-file limit to its hard limit and lowers max_connections to what that
// leaves room for, so connections over the cap are refused with a 503 rather than failing at
// accept for want of a descriptor; either shortfall is logged.
void fit_connections_to_open_files(config::Settings& s) {
  const OpenFileLimit files = raise_open_file_limit();
  if (!files.error.empty()) {
    spdlog::warn("cannot raise the open-file limit from {} to its hard limit {}: {}", files.soft,
                 files.hard, files.error);
  }
  if (files.soft == 0) return;  // unknown
  const std::uint64_t cap = connection_cap(s.max_connections, files.soft);
  if (cap < s.max_connections) {
    spdlog::warn(
        "the open-file limit is {} (hard limit {}): serving at most {} connections at once "
        "instead of {}",
        files.soft, files.hard, cap, s.max_connections);
    s.max_connections = cap;
  }
}

}  // namespace

struct Application::Parts {
  explicit Parts(config::Settings s)
      : settings(std::move(s)),
        threads(thread_count(settings.threads)),
        loops(threads),
        io(loops.main()),
        asio_timers(io, system_clock),
        manual_clock(settings.clock == config::ClockMode::kManual
                         ? std::make_unique<ManualClock>(system_clock.now_ms(),
                                                         [this](std::function<void()> task) {
                                                           asio::post(io, std::move(task));
                                                         })
                         : nullptr),
        clock(manual_clock ? static_cast<const Clock&>(*manual_clock) : system_clock),
        timers(manual_clock ? static_cast<Timers&>(*manual_clock) : asio_timers),
        fault_rules(settings.fault_seed, clock, timers),
        faults_api(fault_rules),
        engine(open_engine(settings)),
        events(
            *engine, clock, timers,
            eventlog::EventLogOptions{
                .max_age_ms = static_cast<Millis>(settings.event_retention_seconds * 1000),
                .max_total_bytes = settings.effective_event_retention_mb() << 20,
                // A size cap is enforced every second; age alone, every minute.
                .trim_interval_ms = settings.effective_event_retention_mb() > 0 ? 1000 : 60'000}),
        signer(load_signer(*engine)),
        http_client(io),
        http_poster(http_client),
        http_sender(http_client),
        deliveries(clock, timers, http_poster),
        accounts(AccountShared{.settings = settings,
                               .clock = clock,
                               .timers = timers,
                               .engine = *engine,
                               .events = events,
                               .signer = signer,
                               .deliveries = deliveries,
                               .http_sender = http_sender}),
        home(accounts.default_account()),
        replays(events, *engine, clock, timers, app::replay_target(home.queues, &home.topics)),
        plugin_host(plugins::Services{
            .queues = home.queues,
            .topics = home.topics,
            .events = events,
            .clock = clock,
            .timers = timers,
            .executor = [this](std::function<void()> task) { plugin_work.post(std::move(task)); },
            .admit = [this](std::function<void()> task) { plugin_work.admit(std::move(task)); },
            .http = &http_poster}),
        plugins_api(plugin_host),
        sagas_api(plugin_host),
        queues_api(home.queues),
        topics_api(home.topics),
        buses_api(home.buses),
        admin(std::string(kVersion), &events, &replays, &deliveries),
        identity(clock, settings.account_id),
        sts(identity),
        dispatcher(admin),
        server(loops, dispatcher,
               net::ServerOptions{
                   .address = settings.listen.host,
                   .port = settings.listen.port,
                   .request_timeout = std::chrono::milliseconds(settings.request_timeout_ms),
                   .idle_timeout = std::chrono::milliseconds(settings.idle_timeout_ms),
                   .write_timeout = std::chrono::milliseconds(settings.write_timeout_ms),
                   .max_connections = static_cast<std::size_t>(settings.max_connections)}),
        signals(io, SIGINT, SIGTERM),
        reload_signals(io, SIGHUP) {
    dispatcher.add_service(home.sqs);
    dispatcher.add_service(home.sns);
    dispatcher.add_service(home.events_api);
    dispatcher.add_service(home.scheduler_api);
    dispatcher.add_service(sts);
    dispatcher.route_accounts([this](api::aws::Service& service, api::aws::AwsRequest& request) {
      return route(service, request);
    });
    if (settings.auth == config::AuthMode::kVerify) verify_signatures();
    if (settings.metrics) {
      dispatcher.set_metrics(&api_metrics);
      admin.add_document("/metrics", std::string(api::admin::MetricsPage::kContentType),
                         [this] { return metrics_page.render(); });
    }
    admin.add_document(home.topics.signing_cert_path(), "application/x-pem-file",
                       [this] { return signer->certificate_pem(); });
    // What LocalStack's health check answers, for harnesses and compose files that poll it.
    admin.add_document("/_localstack/health", "application/json",
                       R"({"services":{"events":"running","scheduler":"running","sns":"running",)"
                       R"("sqs":"running","sts":"running"}})");
    admin.add_document("/v1/topology", "application/yaml", [this] {
      auto topology = export_topology(home.queues, home.topics);
      if (auto exported = export_bus_topology(home.buses, topology); !exported) {
        spdlog::warn("topology export: {}", exported.error().message);
      }
      return config::emit_topology(topology);
    });
    // An SNS delivery that ran out of retries goes to the dead-letter queue of its topic's
    // account.
    deliveries.set_dead_letter([this](const sns::EndpointMessage& message, const std::string& code,
                                      const std::string& text) {
      Account* owner = accounts.find(arn_account(message.topic_arn));
      return (owner != nullptr ? *owner : home).topics.dead_letter(message, code, text);
    });
    admin.add_routes(std::string(api::admin::PluginsApi::kPrefix),
                     [api = &plugins_api](net::HttpRequest&& request, const net::Respond& respond) {
                       respond(api->handle(request));
                     });
    admin.add_routes(std::string(api::admin::SagasApi::kPrefix),
                     [api = &sagas_api](net::HttpRequest&& request, const net::Respond& respond) {
                       api->handle(request, respond);
                     });
    admin.add_routes(queues_api, {api::admin::QueuesApi::kPrefix});
    admin.add_routes(
        topics_api, {api::admin::TopicsApi::kPrefix, api::admin::TopicsApi::kFilterPoliciesPrefix});
    admin.add_routes(buses_api,
                     {api::admin::BusesApi::kPrefix, api::admin::BusesApi::kPatternsPrefix});
    admin.add_routes(console, {api::admin::Console::kPrefix});
    admin.set_browser_guard(browser_guard(settings));
    wire_reset();
    wire_faults();
    if (manual_clock) {
      clock_api = std::make_unique<api::admin::ClockApi>(*manual_clock);
      admin.add_routes(
          std::string(api::admin::ClockApi::kPrefix),
          [api = clock_api.get()](net::HttpRequest&& request, const net::Respond& respond) {
            respond(api->handle(request));
          });
    }
  }

  config::Settings settings;
  unsigned threads;
  // Declared before everything that holds I/O objects or handlers. Connections are spread over
  // the loops; timers, the HTTP client and signals run on the main one, `io`.
  net::IoThreads loops;
  asio::io_context& io;
  // The plugins' consumers and saga starts run on one thread of their own (docs/plugins.md):
  // new sagas wait for the work under way instead of outrunning it, and the plugins do not
  // contend with each other for locks and RocksDB's write group.
  plugins::WorkQueue plugin_work;
  std::thread plugin_thread;
  SystemClock system_clock;
  AsioTimers asio_timers;
  // --clock manual: time stands still until POST /v1/clock/advance; timers due at the current
  // time run on the I/O threads, the others on the thread that advances.
  std::unique_ptr<ManualClock> manual_clock;
  std::unique_ptr<api::admin::ClockApi> clock_api;
  const Clock& clock;  // what every part reads and schedules on: one of the above
  Timers& timers;
  // Fault injection (POST /v1/faults, the config file's `faults:`): checked by the dispatcher
  // and the outbound HTTP adapters; delays run on `timers`.
  faults::FaultRules fault_rules;
  api::admin::FaultsApi faults_api;
  std::unique_ptr<storage::Engine> engine;
  eventlog::EventLog events;  // every account's event sink: constructed before, destroyed after
  std::shared_ptr<const MessageSigner> signer;
  net::HttpClient http_client;
  NetHttpPoster http_poster;
  NetHttpSender http_sender;           // any method, 5 s: EventBridge API destinations
  sns::EndpointDeliveries deliveries;  // HTTP(S) retries and the outbox; outlives topics
  // Every account's queues, topics, buses and schedules with their API services (app/account.hpp).
  Accounts accounts;
  // The default account (--account-id): the plugins, replays and the config file's topology
  // act in it.
  Account& home;
  eventlog::Replays replays;        // delivers through the default account's queues and topics
  plugins::PluginHost plugin_host;  // consumes and publishes through all of the above
  api::admin::PluginsApi plugins_api;
  api::admin::SagasApi sagas_api;
  api::admin::QueuesApi queues_api;  // the default account's queues, for the console
  api::admin::TopicsApi topics_api;  // and its topics
  api::admin::BusesApi buses_api;    // the default account's buses, for the console
  api::admin::Console console{api::admin::console_assets()};
  api::admin::AdminApi admin;
  api::sts::Identity identity;
  api::sts::StsService sts;
  api::admin::ResetApi reset_api;
  api::aws::ApiMetrics api_metrics;
  api::admin::MetricsPage metrics_page{api::admin::MetricsSources{
      .version = std::string(kVersion),
      .durability =
          settings.in_memory ? "memory" : std::string(config::to_string(settings.durability)),
      .for_each_account =
          [this](const api::admin::MetricsSources::AccountVisit& visit) {
            accounts.for_each([&](Account& a) {
              visit({.account = a.id(),
                     .queues = a.queues,
                     .topics = a.topics,
                     .buses = &a.buses,
                     .scheduler = &a.scheduler});
            });
          },
      .engine = engine.get(),
      .events = &events,
      .api = &api_metrics,
      .plugins = &plugin_host,
      .endpoint_deliveries = &deliveries}};
  api::aws::Dispatcher dispatcher;
  net::Server server;
  asio::signal_set signals;
  asio::signal_set reload_signals;  // SIGHUP: re-apply the topology of the config file
  std::mutex apply_mu;              // one apply of the config file at a time

  std::mutex mu;
  std::condition_variable stop_cv;
  bool stop_requested = false;
  std::string stop_reason;
  int exit_code = 0;

  // --auth verify: the config file's credentials, then the temporary ones STS issued here.
  void verify_signatures() {
    std::unordered_map<std::string, api::aws::KnownCredential> known;
    for (const config::Credential& c : settings.credentials) {
      known[c.access_key_id] = api::aws::KnownCredential{
          .secret_access_key = c.secret_access_key,
          .account_id = c.account_id.empty() ? settings.account_id : c.account_id};
    }
    dispatcher.verify_signatures([this, known = std::move(known)](std::string_view key)
                                     -> std::optional<api::aws::KnownCredential> {
      if (auto it = known.find(std::string(key)); it != known.end()) return it->second;
      return identity.issued(key);
    });
  }

  // The caller's account: the verified credential's, else a 12-digit access key id taken as an
  // account id (as LocalStack does), else the default account; recorded in the request. The
  // call acts in that account, or in the account that owns the queue, topic or bus it names
  // when that one exists (cross-account access; resource policies are stored, not enforced).
  // Returns that account's instance of `service` (STS has one for all).
  Result<api::aws::Service*> route(api::aws::Service& service, api::aws::AwsRequest& request) {
    if (request.account_id.empty()) {
      request.account_id =
          is_account_id(request.access_key) ? request.access_key : accounts.default_id();
    }
    Account* acting = nullptr;
    if (request.account_id != accounts.default_id()) {
      EB_ASSIGN_OR_RETURN(acting, accounts.get_or_create(request.account_id));
    }
    if (accounts.has_others()) {
      const std::string owner = api::aws::resource_account(request);
      if (Account* found = owner.empty() ? nullptr : accounts.find(owner)) acting = found;
    }
    if (acting == nullptr || acting == &home) return &service;
    api::aws::Service* own = acting->service(service.signing_name());
    return own != nullptr ? own : &service;
  }

  // POST /v1/reset and /moto-api/reset. A full reset goes from the services that deliver
  // into others to those they deliver into, then re-applies the config file's topology: a
  // harness gets the daemon as it was right after its start (docs/architecture.md).
  void wire_reset() {
    reset_api.add_service("scheduler", [this] {
      return in_every_account([](Account& a) { return a.scheduler.reset(); });
    });
    reset_api.add_service("events", [this] {
      return in_every_account([](Account& a) -> Result<std::size_t> {
        EB_ASSIGN_OR_RETURN(const std::size_t archives_dropped, a.archives.reset());
        EB_ASSIGN_OR_RETURN(const std::size_t buses_dropped, a.buses.reset());
        EB_TRY(a.connections.reset());
        EB_TRY(a.endpoints.reset());
        EB_TRY(a.partner_sources.reset());
        return archives_dropped + buses_dropped;
      });
    });
    reset_api.add_service(
        "sns", [this] { return in_every_account([](Account& a) { return a.topics.reset(); }); });
    reset_api.add_service(
        "sqs", [this] { return in_every_account([](Account& a) { return a.queues.reset(); }); });
    reset_api.add_service("eventlog", [this] { return events.reset(); });
    reset_api.set_after_full_reset([this]() -> Result<void> {
      deliveries.clear();  // the outbox: what was sent before the reset
      if (!apply_declared_config()) {
        return fail(Errc::kInternalError, "the config file's topology could not be re-applied");
      }
      return {};
    });
    for (auto prefix : {api::admin::ResetApi::kPrefix, api::admin::ResetApi::kMotoPrefix}) {
      admin.add_routes(std::string(prefix),
                       [api = &reset_api](net::HttpRequest&& request, const net::Respond& respond) {
                         respond(api->handle(request));
                       });
    }
  }

  // Runs one service's reset in every account; the sum of what they dropped, or the first
  // failure (the accounts after it are not reset).
  Result<std::size_t> in_every_account(const std::function<Result<std::size_t>(Account&)>& reset) {
    Result<std::size_t> total = std::size_t{0};
    accounts.for_each([&](Account& account) {
      if (!total) return;
      auto dropped = reset(account);
      if (dropped) {
        *total += *dropped;
      } else {
        total = std::move(dropped);
      }
    });
    return total;
  }

  // Fault injection: the rules are checked by the dispatcher (AWS calls) and by the HTTP
  // adapters (outbound deliveries); the config file's `faults:` are installed now, once (a
  // reset or SIGHUP leaves the rules alone). A bad entry is a startup failure.
  void wire_faults() {
    dispatcher.set_faults(&fault_rules);
    http_poster.set_faults(&fault_rules);
    http_sender.set_faults(&fault_rules);
    admin.add_routes(std::string(api::admin::FaultsApi::kPrefix),
                     [api = &faults_api](net::HttpRequest&& request, const net::Respond& respond) {
                       respond(api->handle(request));
                     });
    if (settings.source.empty()) return;
    auto declared = config::load_faults_file(settings.source);
    if (!declared) throw std::runtime_error(declared.error().message);
    for (auto& spec : *declared) {
      if (auto added = fault_rules.add(std::move(spec)); !added) {
        throw std::runtime_error(added.error().message);
      }
    }
  }

  // Applies the topology and then the plugins declared in the config file, if there is one.
  // Errors are logged and returned; the running topology stays as it was up to the failing
  // item, and the running plugins as they were.
  bool apply_declared_config() {
    if (settings.source.empty()) return true;
    std::lock_guard lock(apply_mu);
    auto topology = config::load_topology_file(settings.source);
    if (!topology) {
      spdlog::error("{}", topology.error().message);
      return false;
    }
    auto declared_plugins = config::load_plugins_file(settings.source);
    if (!declared_plugins) {
      spdlog::error("{}", declared_plugins.error().message);
      return false;
    }
    auto report = apply_topology(home.queues, home.topics, *topology);
    if (!report) {
      spdlog::error("topology: {}", report.error().message);
      return false;
    }
    if (auto applied = apply_bus_topology(home.buses, *topology, *report); !applied) {
      spdlog::error("topology: {} (applied before it: {})", applied.error().message,
                    report->summary());
      return false;
    }
    spdlog::info("{}", report->summary());
    if (auto applied = plugin_host.apply(*declared_plugins); !applied) {
      spdlog::error("plugins:\n{}", applied.error().message);
      return false;
    }
    return true;
  }

  void watch_reload() {
    reload_signals.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      if (settings.source.empty()) {
        spdlog::info("SIGHUP: started without a config file, nothing to re-apply");
      } else if (auto checked = config::load_settings_file(settings.source); !checked) {
        spdlog::warn("configuration reload rejected: {}", checked.error().message);
      } else {
        spdlog::info("SIGHUP: re-applying the topology and plugins of {}", settings.source);
        if (!apply_declared_config()) {
          spdlog::warn("configuration reload rejected; the running topology and plugins stay");
        }
      }
      watch_reload();
    });
  }

  void request_stop(std::string reason, int code) {
    std::lock_guard lock(mu);
    if (stop_requested) return;
    stop_requested = true;
    stop_reason = std::move(reason);
    exit_code = code;
    stop_cv.notify_all();
  }
};

Application::Application(config::Settings settings) {
  setup_logging(settings.log_level, settings.log_format);
  fit_connections_to_open_files(settings);
  parts_ = std::make_unique<Parts>(std::move(settings));
}

Application::~Application() = default;

void Application::request_stop() { parts_->request_stop("stop requested", 0); }

int Application::run() {
  Parts& p = *parts_;
  const config::Settings& s = p.settings;
  spdlog::info(
      "configuration from {}: log level {}, log format {}, {} threads, region {}, account {}",
      s.source.empty() ? "built-in defaults" : s.source, config::to_string(s.log_level),
      config::to_string(s.log_format), p.threads, s.region, s.account_id);

  const auto recovery_started = std::chrono::steady_clock::now();
  // The log before anything can send, so the sequence continues where it stopped; replays
  // after queues and topics, because they resume delivering into them.
  if (auto recovered = p.events.recover(); !recovered) {
    spdlog::error("cannot load the event log from data dir {}: {}", s.data_dir,
                  recovered.error().message);
    return 1;
  }
  // Every account's queues, topics, buses and schedules, then the deliveries into them a
  // previous run left unfinished.
  if (auto recovered = p.accounts.recover(); !recovered) {
    spdlog::error("cannot load data dir {}: {}", s.data_dir, recovered.error().message);
    return 1;
  }
  if (auto recovered = p.replays.recover(); !recovered) {
    spdlog::error("cannot load replays from data dir {}: {}", s.data_dir,
                  recovered.error().message);
    return 1;
  }
  if (!p.apply_declared_config()) return 1;
  if (!s.in_memory) {
    spdlog::info("recovered data dir {} in {} ms", s.data_dir,
                 std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - recovery_started)
                     .count());
  }

  if (auto listening = p.server.listen(); !listening) {
    spdlog::error("{}", listening.error().message);
    return 1;
  }
  const std::string base_url =
      s.public_url.empty() ? public_base_url(s.listen, p.server.local_port()) : s.public_url;
  p.accounts.set_base_url(base_url);
  p.watch_reload();
  p.signals.async_wait([&p](const boost::system::error_code& ec, int signal) {
    if (!ec) p.request_stop(signal == SIGINT ? "SIGINT" : "SIGTERM", 0);
  });
  p.plugin_thread = std::thread([&p] {
    try {
      p.plugin_work.run();
    } catch (const std::exception& e) {
      spdlog::critical("plugin thread failed: {}", e.what());
      p.request_stop("plugin thread failure", 1);
    }
  });
  p.loops.start([&p](const std::exception& e) {
    spdlog::critical("I/O thread failed: {}", e.what());
    p.request_stop("I/O thread failure", 1);
  });
  p.admin.set_serving(true);
  const std::string storage =
      s.in_memory ? "in-memory"
                  : fmt::format("data dir {}, durability {}", s.data_dir, to_string(s.durability));
  spdlog::info("eventbrokerd {} listening on http://{} ({}, {} threads)", kVersion,
               config::format_listen_address({s.listen.host, p.server.local_port()}), storage,
               p.threads);
  const bool wildcard = s.listen.host == "0.0.0.0" || s.listen.host == "::";
  const net::ServerOptions& limits = p.server.options();
  spdlog::info(
      "connections: at most {} at once; request timeout {} ms, idle timeout {} ms, write "
      "timeout {} ms; headers up to {} KiB, bodies up to {} MiB",
      limits.max_connections, limits.request_timeout.count(), limits.idle_timeout.count(),
      limits.write_timeout.count(), limits.header_limit >> 10, limits.body_limit >> 20);
  spdlog::info("web console: http://{}/ui/",
               config::format_listen_address(
                   {wildcard ? std::string("localhost") : s.listen.host, p.server.local_port()}));
  if (s.auth == config::AuthMode::kVerify) {
    spdlog::info("auth: verify; SigV4 signatures checked against {} configured credential(s)",
                 s.credentials.size());
  }
  if (p.manual_clock) {
    spdlog::info("clock: manual, at {}; time moves only by POST /v1/clock/advance",
                 utc_timestamp(p.manual_clock->now_ms()));
  }

  std::unique_lock lock(p.mu);
  p.stop_cv.wait(lock, [&p] { return p.stop_requested; });
  const std::string reason = p.stop_reason;
  const int exit_code = p.exit_code;
  lock.unlock();

  spdlog::info("{}: shutting down", reason);
  const auto started = std::chrono::steady_clock::now();
  p.admin.set_serving(false);
  p.server.stop();
  p.plugin_host.stop_all();  // before the broker answers the plugins' parked receives
  // What is queued for the plugins still runs (an accepted start is answered), then the thread
  // ends.
  p.plugin_work.stop();
  p.plugin_thread.join();
  // Answers parked long polls, so their connections can drain.
  p.accounts.for_each([](Account& account) { account.shutdown(); });
  if (!p.server.wait_drained(kDrainDeadline)) {
    spdlog::warn("{} connection(s) still busy after {} ms; closing them", p.server.session_count(),
                 kDrainDeadline.count());
    p.server.abort();
  }
  p.asio_timers.cancel_all();
  if (p.manual_clock) p.manual_clock->cancel_all();
  boost::system::error_code ignored;
  p.signals.cancel(ignored);
  p.reload_signals.cancel(ignored);
  p.loops.stop();
  p.loops.join();
  // Run what the stop left queued (aborted waits, closed sockets) while the broker and the
  // handlers they reference still exist.
  p.loops.drain();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  spdlog::info("stopped in {} ms", took.count());
  return exit_code;
}

}  // namespace eb::app
