#include "config/settings.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <span>

#include "config/yaml_support.hpp"
#include "core/errors.hpp"

namespace eb::config {
namespace {

// A single value's error: no file, so no position.
std::unexpected<ConfigError> value_error(std::string message) {
  return std::unexpected(ConfigError{std::move(message)});
}

constexpr std::string_view kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
constexpr std::string_view kSettingsKeys[] = {"listen",
                                              "data_dir",
                                              "in_memory",
                                              "durability",
                                              "clock",
                                              "min_free_disk_mb",
                                              "event_retention_seconds",
                                              "event_retention_mb",
                                              "log_level",
                                              "log_format",
                                              "threads",
                                              "max_connections",
                                              "request_timeout_ms",
                                              "idle_timeout_ms",
                                              "write_timeout_ms",
                                              "region",
                                              "account_id",
                                              "sns_sign_sqs_envelopes",
                                              "metrics",
                                              "public_url",
                                              "fault_seed",
                                              "auth",
                                              "credentials"};
constexpr std::string_view kTopologyKeys[] = {"topics", "queues", "subscriptions", "event_buses",
                                              "rules",  "prune",  "plugins",       "faults"};

using detail::fail_at;

std::string scalar(const YAML::Node& node, std::string_view key) {
  if (!node.IsScalar()) fail_at(node, "'" + std::string(key) + "' must be a single value");
  return node.Scalar();
}

bool parse_bool(const YAML::Node& node, std::string_view key) {
  const std::string text = scalar(node, key);
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  fail_at(node, "'" + std::string(key) + "' must be true or false, not '" + text + "'");
}

unsigned parse_threads(const YAML::Node& node) {
  const std::string text = scalar(node, "threads");
  if (text == "auto") return 0;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > kMaxThreads) {
    fail_at(node, "'threads' must be auto or a number from 1 to " + std::to_string(kMaxThreads) +
                      ", not '" + text + "'");
  }
  return value;
}

// A whole number from `min` to `max` for `key`, in `unit`.
std::uint64_t parse_count(const YAML::Node& node, const std::string& key, std::uint64_t max,
                          std::string_view unit, std::uint64_t min = 0) {
  const std::string text = scalar(node, key);
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    fail_at(node, "'" + key + "' must be a number of " + std::string(unit) + " from " +
                      std::to_string(min) + " to " + std::to_string(max) + ", not '" + text + "'");
  }
  return value;
}

// credentials: [{access_key_id, secret_access_key, account_id}]; without account_id a
// credential belongs to the daemon's account (--account-id may still change it).
std::vector<Credential> parse_credentials(const YAML::Node& node) {
  if (!node.IsSequence()) {
    fail_at(node, "'credentials' must be a list of {access_key_id, secret_access_key, account_id}");
  }
  std::vector<Credential> out;
  std::set<std::string> keys;
  for (const auto& item : node) {
    if (!item.IsMap()) {
      fail_at(item, "each credential must be a mapping with access_key_id and secret_access_key");
    }
    Credential credential;
    for (const auto& entry : item) {
      const std::string key = scalar(entry.first, "key");
      const std::string value = scalar(entry.second, key);
      if (key == "access_key_id") {
        credential.access_key_id = value;
        if (value.empty() || value.find_first_of("/ \t,=") != std::string::npos) {
          fail_at(entry.second,
                  "'access_key_id' must be non-empty, without '/', ',', '=' or spaces");
        }
        if (!keys.insert(value).second) {
          fail_at(entry.second, "duplicate access_key_id '" + value + "'");
        }
      } else if (key == "secret_access_key") {
        credential.secret_access_key = value;
        if (value.empty()) fail_at(entry.second, "'secret_access_key' must not be empty");
      } else if (key == "account_id") {
        if (auto ok = check_account_id(value); !ok) {
          fail_at(entry.second, "'account_id': " + ok.error().message);
        }
        credential.account_id = value;
      } else {
        fail_at(entry.first, "unknown credential key '" + key +
                                 "' (known: access_key_id, secret_access_key, account_id)");
      }
    }
    if (credential.access_key_id.empty() || credential.secret_access_key.empty()) {
      fail_at(item, "a credential needs access_key_id and secret_access_key");
    }
    out.push_back(std::move(credential));
  }
  return out;
}

Settings parse_root(const YAML::Node& root) {
  Settings settings;
  if (!root || root.IsNull()) return settings;
  if (!root.IsMap()) fail_at(root, "the configuration must be a mapping of keys to values");
  std::set<std::string> seen;
  for (const auto& entry : root) {
    const YAML::Node& key_node = entry.first;
    const YAML::Node& value = entry.second;
    const std::string key = scalar(key_node, "key");
    if (!seen.insert(key).second) fail_at(key_node, "duplicate key '" + key + "'");
    if (key == "listen") {
      auto address = parse_listen_address(scalar(value, key));
      if (!address) fail_at(value, "'listen': " + address.error().message);
      settings.listen = *address;
    } else if (key == "data_dir") {
      settings.data_dir = scalar(value, key);
      if (settings.data_dir.empty()) fail_at(value, "'data_dir' must not be empty");
    } else if (key == "in_memory") {
      settings.in_memory = parse_bool(value, key);
    } else if (key == "public_url") {
      auto url = check_public_url(scalar(value, key));
      if (!url) fail_at(value, "'public_url': " + url.error().message);
      settings.public_url = *url;
    } else if (key == "fault_seed") {
      const std::string text = scalar(value, key);
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), settings.fault_seed);
      if (ec != std::errc() || end != text.data() + text.size()) {
        fail_at(value, "'fault_seed' must be a whole number from 0 to 2^64-1, not '" + text + "'");
      }
    } else if (key == "sns_sign_sqs_envelopes") {
      settings.sns_sign_sqs_envelopes = parse_bool(value, key);
    } else if (key == "metrics") {
      settings.metrics = parse_bool(value, key);
    } else if (key == "durability") {
      auto durability = parse_durability(scalar(value, key));
      if (!durability) fail_at(value, "'durability': " + durability.error().message);
      settings.durability = *durability;
    } else if (key == "clock") {
      auto mode = parse_clock_mode(scalar(value, key));
      if (!mode) fail_at(value, "'clock': " + mode.error().message);
      settings.clock = *mode;
    } else if (key == "min_free_disk_mb") {
      settings.min_free_disk_mb = parse_count(value, key, kMaxMinFreeDiskMb, "MiB");
    } else if (key == "event_retention_seconds") {
      settings.event_retention_seconds = parse_count(value, key, kMaxRetentionSeconds, "seconds");
    } else if (key == "event_retention_mb") {
      settings.event_retention_mb = parse_count(value, key, kMaxRetentionMb, "MiB");
    } else if (key == "log_level") {
      auto level = parse_log_level(scalar(value, key));
      if (!level) fail_at(value, "'log_level': " + level.error().message);
      settings.log_level = *level;
    } else if (key == "log_format") {
      auto format = parse_log_format(scalar(value, key));
      if (!format) fail_at(value, "'log_format': " + format.error().message);
      settings.log_format = *format;
    } else if (key == "threads") {
      settings.threads = parse_threads(value);
    } else if (key == "max_connections") {
      settings.max_connections = parse_count(value, key, kMaxConnections, "connections", 1);
    } else if (key == "request_timeout_ms") {
      settings.request_timeout_ms = parse_count(value, key, kMaxTimeoutMs, "milliseconds", 1);
    } else if (key == "idle_timeout_ms") {
      settings.idle_timeout_ms = parse_count(value, key, kMaxTimeoutMs, "milliseconds", 1);
    } else if (key == "write_timeout_ms") {
      settings.write_timeout_ms = parse_count(value, key, kMaxTimeoutMs, "milliseconds", 1);
    } else if (key == "region") {
      settings.region = scalar(value, key);
      if (auto ok = check_region(settings.region); !ok) {
        fail_at(value, "'region': " + ok.error().message);
      }
    } else if (key == "account_id") {
      settings.account_id = scalar(value, key);
      if (auto ok = check_account_id(settings.account_id); !ok) {
        fail_at(value, "'account_id': " + ok.error().message);
      }
    } else if (key == "auth") {
      auto mode = parse_auth_mode(scalar(value, key));
      if (!mode) fail_at(value, "'auth': " + mode.error().message);
      settings.auth = *mode;
    } else if (key == "credentials") {
      settings.credentials = parse_credentials(value);
    } else if (!is_topology_key(key)) {  // the topology's keys are parse_topology's
      fail_at(key_node, "unknown key '" + key + "' (known: " + known_keys() + ")");
    }
  }
  return settings;
}

}  // namespace

bool is_settings_key(std::string_view key) {
  return std::find(std::begin(kSettingsKeys), std::end(kSettingsKeys), key) !=
         std::end(kSettingsKeys);
}

bool is_topology_key(std::string_view key) {
  return std::find(std::begin(kTopologyKeys), std::end(kTopologyKeys), key) !=
         std::end(kTopologyKeys);
}

std::string known_keys() {
  std::string out;
  for (auto keys : {std::span<const std::string_view>(kSettingsKeys),
                    std::span<const std::string_view>(kTopologyKeys)}) {
    for (std::string_view key : keys) {
      if (!out.empty()) out += ", ";
      out += key;
    }
  }
  return out;
}

ConfigResult<Settings> parse_settings(std::string_view yaml, std::string_view source) {
  return detail::parse_yaml(yaml, source, [&](const YAML::Node& root) {
    Settings settings = parse_root(root);
    settings.source = std::string(source);
    return settings;
  });
}

ConfigResult<Settings> load_settings_file(const std::string& path) {
  EB_ASSIGN_OR_RETURN(const std::string text, detail::read_config_file(path));
  return parse_settings(text, path);
}

ConfigResult<ListenAddress> parse_listen_address(std::string_view text) {
  ListenAddress address;
  std::string_view port_text;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return value_error("expected [IPV6]:PORT, got '" + std::string(text) + "'");
    }
    address.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return value_error("expected HOST:PORT, got '" + std::string(text) + "'");
    }
    address.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  if (address.host.empty()) {
    return value_error("missing host in '" + std::string(text) + "'");
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return value_error("port must be a number from 0 to 65535, got '" + std::string(port_text) +
                       "'");
  }
  address.port = static_cast<std::uint16_t>(port);
  return address;
}

std::string format_listen_address(const ListenAddress& address) {
  const bool v6 = address.host.find(':') != std::string::npos;
  return (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

ConfigResult<LogLevel> parse_log_level(std::string_view text) {
  for (std::size_t i = 0; i < std::size(kLevels); ++i) {
    if (kLevels[i] == text) return static_cast<LogLevel>(i);
  }
  return value_error("log level must be one of trace, debug, info, warn, error, off; got '" +
                     std::string(text) + "'");
}

std::string_view to_string(LogLevel level) { return kLevels[static_cast<std::size_t>(level)]; }

ConfigResult<LogFormat> parse_log_format(std::string_view text) {
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  return value_error("log format must be text or json, got '" + std::string(text) + "'");
}

std::string_view to_string(LogFormat format) {
  return format == LogFormat::kJson ? "json" : "text";
}

std::uint64_t Settings::effective_event_retention_mb() const {
  return event_retention_mb.value_or(in_memory ? kInMemoryEventRetentionMb : 0);
}

ConfigResult<Durability> parse_durability(std::string_view text) {
  if (text == "wal") return Durability::kWal;
  if (text == "fsync") return Durability::kFsync;
  return value_error("durability must be wal or fsync, got '" + std::string(text) + "'");
}

ConfigResult<ClockMode> parse_clock_mode(std::string_view text) {
  if (text == "system") return ClockMode::kSystem;
  if (text == "manual") return ClockMode::kManual;
  return value_error("clock must be system or manual, got '" + std::string(text) + "'");
}

std::string_view to_string(ClockMode mode) {
  return mode == ClockMode::kManual ? "manual" : "system";
}

ConfigResult<AuthMode> parse_auth_mode(std::string_view text) {
  if (text == "none") return AuthMode::kNone;
  if (text == "verify") return AuthMode::kVerify;
  return value_error("auth must be none or verify, got '" + std::string(text) + "'");
}

std::string_view to_string(AuthMode mode) { return mode == AuthMode::kVerify ? "verify" : "none"; }

ConfigResult<void> check_settings(const Settings& settings) {
  if (settings.auth == AuthMode::kVerify && settings.credentials.empty()) {
    return value_error(
        "auth verify needs credentials: add a 'credentials:' list of {access_key_id, "
        "secret_access_key, account_id} to the config file");
  }
  return {};
}

std::string_view to_string(Durability durability) {
  return durability == Durability::kFsync ? "fsync" : "wal";
}

ConfigResult<std::string> check_public_url(std::string_view url) {
  const bool scheme = url.starts_with("http://") || url.starts_with("https://");
  const std::size_t host = url.find("://") + 3;
  if (!scheme || url.size() <= host || url.find_first_of(" \t?#") != std::string_view::npos) {
    return value_error("expected http://HOST[:PORT] or https://HOST[:PORT], got '" +
                       std::string(url) + "'");
  }
  while (url.ends_with('/')) url.remove_suffix(1);
  return std::string(url);
}

ConfigResult<void> check_region(std::string_view region) {
  const bool ok =
      !region.empty() && region.size() <= 64 &&
      region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos &&
      region.front() != '-' && region.back() != '-';
  if (ok) return {};
  return value_error("region must be lowercase letters, digits and dashes (like us-east-1), got '" +
                     std::string(region) + "'");
}

ConfigResult<void> check_account_id(std::string_view account_id) {
  if (account_id.size() == 12 &&
      account_id.find_first_not_of("0123456789") == std::string_view::npos) {
    return {};
  }
  return value_error("account id must be 12 digits (like 123456789012), got '" +
                     std::string(account_id) + "'");
}

}  // namespace eb::config
