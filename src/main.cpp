// eventbrokerd: parses the command line (and the config file it names) into Settings and
// runs the Application. Flags override the file; a bad flag or value exits with 2.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>

#include "app/application.hpp"
#include "config/settings.hpp"

namespace {

// CLI11 validators return an error message, or "" when the value is fine.
CLI::Validator listen_validator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        auto address = eb::config::parse_listen_address(value);
        return address ? std::string() : address.error().message;
      },
      "HOST:PORT");
}

CLI::Validator region_validator() {
  return CLI::Validator(
      [](std::string& value) {
        auto ok = eb::config::check_region(value);
        return ok ? std::string() : ok.error().message;
      },
      "REGION");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli(
      "eventbrokerd: a local stand-in for AWS SQS, SNS, EventBridge and EventBridge Scheduler",
      "eventbrokerd");
  cli.set_version_flag("--version", "eventbrokerd " + std::string(eb::app::kVersion),
                       "Print the version and exit");

  std::string listen, data_dir, config_file, log_level, region, account_id, durability, clock;
  unsigned threads = 0;
  std::uint64_t min_free_disk_mb = 0, event_retention_seconds = 0, event_retention_mb = 0;
  bool in_memory = false;
  bool sign_sqs_envelopes = true;
  bool metrics = true;
  auto* listen_opt =
      cli.add_option("--listen", listen,
                     "Address to serve on, HOST:PORT (default 127.0.0.1:4566; port 0 picks a "
                     "free port)")
          ->check(listen_validator());
  auto* data_dir_opt =
      cli.add_option("--data-dir", data_dir, "Directory for durable state (default ./data)");
  auto* in_memory_opt = cli.add_flag("--in-memory", in_memory, "Keep all state in memory only");
  auto* durability_opt =
      cli.add_option("--durability", durability,
                     "wal (default): acknowledged writes survive a crash; fsync: also power loss")
          ->check(CLI::IsMember({"wal", "fsync"}));
  auto* clock_opt =
      cli.add_option("--clock", clock,
                     "system (default), or manual: time moves only by POST /v1/clock/advance "
                     "and every timer fires then (for tests)")
          ->check(CLI::IsMember({"system", "manual"}));
  auto* min_free_opt =
      cli.add_option("--min-free-disk", min_free_disk_mb,
                     "MiB of free disk below which writes are refused with a retryable error "
                     "(default 64)")
          ->check(CLI::Range(std::uint64_t{0}, eb::config::kMaxMinFreeDiskMb));
  auto* retention_seconds_opt =
      cli.add_option("--event-retention-seconds", event_retention_seconds,
                     "Erase event-log entries older than this (default 0: keep forever)")
          ->check(CLI::Range(std::uint64_t{0}, eb::config::kMaxRetentionSeconds));
  auto* retention_mb_opt =
      cli.add_option("--event-retention-mb", event_retention_mb,
                     "Erase the oldest event-log entries beyond this many MiB (default 0: no cap)")
          ->check(CLI::Range(std::uint64_t{0}, eb::config::kMaxRetentionMb));
  auto* config_opt =
      cli.add_option("--config", config_file, "YAML configuration file")->check(CLI::ExistingFile);
  auto* log_level_opt =
      cli.add_option("--log-level", log_level, "trace, debug, info (default), warn, error or off")
          ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  std::string log_format;
  auto* log_format_opt =
      cli.add_option("--log-format", log_format,
                     "text (default): one readable line per entry; json: one JSON object per line")
          ->check(CLI::IsMember({"text", "json"}));
  auto* threads_opt =
      cli.add_option("--threads", threads, "I/O threads, 1-256 (default: one per core)")
          ->check(CLI::Range(1u, eb::config::kMaxThreads));
  std::uint64_t max_connections = 0, request_timeout_ms = 0, idle_timeout_ms = 0,
                write_timeout_ms = 0;
  auto* max_connections_opt =
      cli.add_option("--max-connections", max_connections,
                     "Connections served at once; one more is answered 503 (default 10000, "
                     "lowered to what the open-file limit allows)")
          ->check(CLI::Range(std::uint64_t{1}, eb::config::kMaxConnections));
  const auto timeout_range = CLI::Range(std::uint64_t{1}, eb::config::kMaxTimeoutMs);
  auto* request_timeout_opt =
      cli.add_option("--request-timeout-ms", request_timeout_ms,
                     "A request's headers and body must arrive within this from its first byte "
                     "(default 15000)")
          ->check(timeout_range);
  auto* idle_timeout_opt =
      cli.add_option("--idle-timeout-ms", idle_timeout_ms,
                     "A keep-alive connection closes after this long without a request "
                     "(default 120000)")
          ->check(timeout_range);
  auto* write_timeout_opt =
      cli.add_option("--write-timeout-ms", write_timeout_ms,
                     "A client must read a response within this, or it is disconnected "
                     "(default 30000)")
          ->check(timeout_range);
  auto* sign_opt = cli.add_option("--sns-sign-sqs-envelopes", sign_sqs_envelopes,
                                  "true (default) or false: sign SNS envelopes delivered into SQS");
  auto* metrics_opt = cli.add_option("--metrics", metrics,
                                     "true (default) or false: serve GET /metrics and time "
                                     "every AWS call for it");
  std::uint64_t fault_seed = 0;
  auto* fault_seed_opt = cli.add_option(
      "--fault-seed", fault_seed,
      "Seed of the fault-injection PRNG: the same seed, rules and calls inject the same faults");
  std::string public_url;
  auto* public_url_opt =
      cli.add_option("--public-url", public_url,
                     "Base URL SNS messages link back to (default: the listen address)")
          ->check([](const std::string& v) {
            auto ok = eb::config::check_public_url(v);
            return ok ? std::string() : ok.error().message;
          });
  auto* region_opt = cli.add_option("--region", region, "AWS region to report (default us-east-1)")
                         ->check(region_validator());
  auto* account_opt =
      cli.add_option("--account-id", account_id,
                     "AWS account id of every ARN, queue URL and STS answer (default 000000000000)")
          ->check([](const std::string& v) {
            auto ok = eb::config::check_account_id(v);
            return ok ? std::string() : ok.error().message;
          });

  std::string auth;
  auto* auth_opt =
      cli.add_option("--auth", auth,
                     "none (default): accept any credentials; verify: check every AWS request's "
                     "SigV4 signature against the config file's credentials")
          ->check(CLI::IsMember({"none", "verify"}));

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive here too, with exit code 0.
    return cli.exit(e) == 0 ? 0 : 2;
  }

  eb::config::Settings settings;
  if (*config_opt) {
    auto loaded = eb::config::load_settings_file(config_file);
    if (!loaded) {
      std::fprintf(stderr, "eventbrokerd: %s\n", loaded.error().message.c_str());
      return 2;
    }
    settings = std::move(*loaded);
  }
  if (*listen_opt) settings.listen = *eb::config::parse_listen_address(listen);
  if (*data_dir_opt) settings.data_dir = data_dir;
  if (*in_memory_opt) settings.in_memory = in_memory;
  if (*min_free_opt) settings.min_free_disk_mb = min_free_disk_mb;
  if (*retention_seconds_opt) settings.event_retention_seconds = event_retention_seconds;
  if (*retention_mb_opt) settings.event_retention_mb = event_retention_mb;
  if (*durability_opt) settings.durability = *eb::config::parse_durability(durability);
  if (*clock_opt) settings.clock = *eb::config::parse_clock_mode(clock);
  if (*log_level_opt) settings.log_level = *eb::config::parse_log_level(log_level);
  if (*log_format_opt) settings.log_format = *eb::config::parse_log_format(log_format);
  if (*threads_opt) settings.threads = threads;
  if (*max_connections_opt) settings.max_connections = max_connections;
  if (*request_timeout_opt) settings.request_timeout_ms = request_timeout_ms;
  if (*idle_timeout_opt) settings.idle_timeout_ms = idle_timeout_ms;
  if (*write_timeout_opt) settings.write_timeout_ms = write_timeout_ms;
  if (*region_opt) settings.region = region;
  if (*account_opt) settings.account_id = account_id;
  if (*sign_opt) settings.sns_sign_sqs_envelopes = sign_sqs_envelopes;
  if (*metrics_opt) settings.metrics = metrics;
  if (*fault_seed_opt) settings.fault_seed = fault_seed;
  if (*public_url_opt) settings.public_url = *eb::config::check_public_url(public_url);
  if (*auth_opt) settings.auth = *eb::config::parse_auth_mode(auth);
  if (auto ok = eb::config::check_settings(settings); !ok) {
    std::fprintf(stderr, "eventbrokerd: %s\n", ok.error().message.c_str());
    return 2;
  }

  try {
    eb::app::Application app(std::move(settings));
    return app.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "eventbrokerd: cannot start: %s\n", e.what());
    return 1;
  }
}
