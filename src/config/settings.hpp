#pragma once
// Typed daemon settings and their YAML form. The file holds the same keys as the command
// line flags (snake_case); flags override the file; anything unknown or malformed is an
// error that names its line and column. Plain values and free functions: no state.
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eb::config {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kOff };
// text: the human-readable line; json: one JSON object per line (core/log_format.hpp).
enum class LogFormat { kText, kJson };
// wal: an acknowledged write is in the write-ahead log (survives a process crash);
// fsync: also fsynced, with group commit (survives power loss).
enum class Durability { kWal, kFsync };
// system: timers follow the wall clock; manual: time stands still until POST /v1/clock/advance
// moves it, and every timer of the daemon fires then (tests).
enum class ClockMode { kSystem, kManual };
// none: any credentials are accepted (local clients sign with throwaway keys); verify: every
// AWS request must carry a valid SigV4 signature by one of `credentials` (or by temporary
// credentials STS issued here).
enum class AuthMode { kNone, kVerify };

// One entry of the config file's `credentials:` list.
struct Credential {
  std::string access_key_id;
  std::string secret_access_key;
  std::string account_id;  // empty: the settings' account_id
};

struct ListenAddress {
  std::string host = "127.0.0.1";  // IPv6 literals without brackets
  std::uint16_t port = 4566;       // 0: any free port
};

struct Settings {
  ListenAddress listen;
  std::string data_dir = "./data";
  bool in_memory = false;
  Durability durability = Durability::kWal;
  ClockMode clock = ClockMode::kSystem;
  std::uint64_t min_free_disk_mb = 64;  // writes are refused below this much free space
  // Event log retention; 0 keeps events forever / without a size cap. The size cap, when
  // not set, is 0 on disk and kInMemoryEventRetentionMb with in_memory (RAM is the limit).
  std::uint64_t event_retention_seconds = 0;
  std::optional<std::uint64_t> event_retention_mb;
  std::uint64_t effective_event_retention_mb() const;
  LogLevel log_level = LogLevel::kInfo;
  LogFormat log_format = LogFormat::kText;
  unsigned threads = 0;  // 0: one per hardware thread
  // The HTTP server's limits (net::ServerOptions): connections served at once (one more is
  // answered 503; lowered at start to what the open-file limit leaves room for), and in
  // milliseconds how long a whole request may take from its first byte, a keep-alive
  // connection may wait for its next request, and a response may take to be read.
  std::uint64_t max_connections = 10'000;
  std::uint64_t request_timeout_ms = 15'000;
  std::uint64_t idle_timeout_ms = 120'000;
  std::uint64_t write_timeout_ms = 30'000;
  std::string region = "us-east-1";
  // The AWS account every ARN, queue URL and STS answer carries.
  std::string account_id = "000000000000";
  // Sign the SNS envelopes delivered into SQS queues (AWS does). Off, their Signature is empty:
  // RSA signing is most of a non-raw publish's cost (HTTP(S) messages are always signed).
  bool sns_sign_sqs_envelopes = true;
  // Serve GET /metrics and time every AWS call for it. Off, /metrics is a 404 and the
  // dispatcher reads no clock per call (the domain's counters are kept either way).
  bool metrics = true;
  // The base of the URLs SNS puts in messages (SubscribeURL, UnsubscribeURL, SigningCertURL),
  // for endpoints that reach the daemon by another name (containers); empty: the listen address.
  std::string public_url;
  // Seeds the fault-injection PRNG (faults/fault_rules.hpp): the same seed, rules and calls
  // inject the same faults.
  std::uint64_t fault_seed = 14;
  AuthMode auth = AuthMode::kNone;
  std::vector<Credential> credentials;
  // Where these settings came from (a file path, or empty for built-in defaults). Not a key.
  std::string source;
};

inline constexpr unsigned kMaxThreads = 256;
inline constexpr std::uint64_t kMaxConnections = 1'000'000;
inline constexpr std::uint64_t kMaxTimeoutMs = 24ull * 3600 * 1000;  // a day
inline constexpr std::uint64_t kMaxMinFreeDiskMb = 1u << 20;         // 1 TiB
inline constexpr std::uint64_t kMaxRetentionSeconds = 100ull * 365 * 24 * 3600;
inline constexpr std::uint64_t kMaxRetentionMb = 1u << 30;  // 1 PiB
inline constexpr std::uint64_t kInMemoryEventRetentionMb = 16;

// Every fallible config call fails with one: a sentence, prefixed "FILE:LINE:COLUMN: " when
// it comes from a file (line and column 1-based), bare for a single value (a flag).
struct ConfigError {
  std::string message;  // "config.yaml:3:1: unknown key 'foo'"
  int line = 0;         // 0 when the error has no position (a flag, an unreadable file)
  int column = 0;
};

// The value, or why it could not be had.
template <class T>
using ConfigResult = std::expected<T, ConfigError>;

// Parses YAML text; `source` names it in error messages. Keys that are absent keep their
// defaults. An empty document yields the defaults.
[[nodiscard]] ConfigResult<Settings> parse_settings(std::string_view yaml,
                                                    std::string_view source = "<config>");
[[nodiscard]] ConfigResult<Settings> load_settings_file(const std::string& path);

// The file's top-level keys: the settings' own, and the topology's (topics, queues,
// subscriptions, prune, plugins; see topology.hpp) and `faults` (faults.hpp), which
// parse_settings skips.
bool is_settings_key(std::string_view key);
bool is_topology_key(std::string_view key);
std::string known_keys();  // both kinds, comma-separated, for "unknown key" messages

// Single values, as flags and file keys give them; errors carry no position.
// "HOST:PORT", "[V6]:PORT".
[[nodiscard]] ConfigResult<ListenAddress> parse_listen_address(std::string_view text);
std::string format_listen_address(const ListenAddress& address);
[[nodiscard]] ConfigResult<LogLevel> parse_log_level(std::string_view text);
std::string_view to_string(LogLevel level);
[[nodiscard]] ConfigResult<LogFormat> parse_log_format(std::string_view text);
std::string_view to_string(LogFormat format);
[[nodiscard]] ConfigResult<Durability> parse_durability(std::string_view text);
std::string_view to_string(Durability durability);
[[nodiscard]] ConfigResult<ClockMode> parse_clock_mode(std::string_view text);
std::string_view to_string(ClockMode mode);
[[nodiscard]] ConfigResult<AuthMode> parse_auth_mode(std::string_view text);
std::string_view to_string(AuthMode mode);
// What only the merged settings (file and flags) can tell: --auth verify needs credentials.
[[nodiscard]] ConfigResult<void> check_settings(const Settings& settings);
// "http://HOST[:PORT]" or https, without a trailing slash.
[[nodiscard]] ConfigResult<std::string> check_public_url(std::string_view url);
// AWS region names: lowercase letters, digits and dashes ("us-east-1").
[[nodiscard]] ConfigResult<void> check_region(std::string_view region);
// AWS account ids: exactly 12 digits.
[[nodiscard]] ConfigResult<void> check_account_id(std::string_view account_id);

}  // namespace eb::config
