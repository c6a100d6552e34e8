#include "config/settings.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace eb::config {
namespace {

TEST(Settings, EmptyDocumentGivesDefaults) {
  auto settings = parse_settings("");
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_EQ(settings->listen.host, "127.0.0.1");
  EXPECT_EQ(settings->listen.port, 4566);
  EXPECT_EQ(settings->data_dir, "./data");
  EXPECT_FALSE(settings->in_memory);
  EXPECT_TRUE(settings->sns_sign_sqs_envelopes);
  EXPECT_FALSE(parse_settings("sns_sign_sqs_envelopes: false\n")->sns_sign_sqs_envelopes);
  EXPECT_FALSE(parse_settings("sns_sign_sqs_envelopes: maybe\n"));
  EXPECT_TRUE(settings->metrics);
  EXPECT_FALSE(parse_settings("metrics: off\n")->metrics);
  EXPECT_FALSE(parse_settings("metrics: sometimes\n"));
  EXPECT_EQ(settings->public_url, "");
  EXPECT_EQ(parse_settings("public_url: http://eventbrokerd:4566/\n")->public_url,
            "http://eventbrokerd:4566");
  for (const char* bad :
       {"public_url: eventbrokerd:4566\n", "public_url: http://\n", "public_url: 'http://a b'\n"}) {
    auto r = parse_settings(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("public_url"), std::string::npos);
  }
  EXPECT_EQ(settings->log_level, LogLevel::kInfo);
  EXPECT_EQ(settings->threads, 0u);
  EXPECT_EQ(settings->region, "us-east-1");
  EXPECT_EQ(settings->durability, Durability::kWal);
  EXPECT_EQ(settings->clock, ClockMode::kSystem);
  EXPECT_EQ(settings->min_free_disk_mb, 64u);
  EXPECT_EQ(settings->effective_event_retention_mb(), 0u);  // on disk: keep every event
}

TEST(Settings, ConnectionLimitsAndTimeouts) {
  auto defaults = parse_settings("");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->max_connections, 10'000u);
  EXPECT_EQ(defaults->request_timeout_ms, 15'000u);
  EXPECT_EQ(defaults->idle_timeout_ms, 120'000u);
  EXPECT_EQ(defaults->write_timeout_ms, 30'000u);
  auto set = parse_settings(
      "max_connections: 50\nrequest_timeout_ms: 500\nidle_timeout_ms: 1000\n"
      "write_timeout_ms: 2000\n");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->max_connections, 50u);
  EXPECT_EQ(set->request_timeout_ms, 500u);
  EXPECT_EQ(set->idle_timeout_ms, 1000u);
  EXPECT_EQ(set->write_timeout_ms, 2000u);
  for (const char* bad : {"max_connections: 0", "max_connections: 1000001", "request_timeout_ms: 0",
                          "idle_timeout_ms: 86400001", "write_timeout_ms: soon"}) {
    auto r = parse_settings(bad, "x.yaml");
    ASSERT_FALSE(r) << bad;
    const std::string key(bad, std::string_view(bad).find(':'));
    EXPECT_NE(r.error().message.find("'" + key + "' must be a number of"), std::string::npos)
        << r.error().message;
  }
  auto zero = parse_settings("request_timeout_ms: 0");
  ASSERT_FALSE(zero);
  EXPECT_NE(zero.error().message.find("from 1 to 86400000, not '0'"), std::string::npos)
      << zero.error().message;
}

TEST(Settings, InMemoryCapsTheEventLogUnlessTold) {
  auto capped = parse_settings("in_memory: true\n");
  ASSERT_TRUE(capped);
  EXPECT_EQ(capped->effective_event_retention_mb(), kInMemoryEventRetentionMb);
  auto unlimited = parse_settings("in_memory: true\nevent_retention_mb: 0\n");
  ASSERT_TRUE(unlimited);
  EXPECT_EQ(unlimited->effective_event_retention_mb(), 0u);
}

TEST(Settings, RejectsBadStorageValues) {
  auto durability = parse_settings("durability: always\n", "t.yaml");
  ASSERT_FALSE(durability);
  EXPECT_EQ(durability.error().message,
            "t.yaml:1:13: 'durability': durability must be wal or fsync, got 'always'");
  auto clock = parse_settings("clock: frozen\n", "t.yaml");
  ASSERT_FALSE(clock);
  EXPECT_EQ(clock.error().message,
            "t.yaml:1:8: 'clock': clock must be system or manual, got 'frozen'");
  auto manual = parse_settings("clock: manual\n");
  ASSERT_TRUE(manual);
  EXPECT_EQ(manual->clock, ClockMode::kManual);
  auto reserve = parse_settings("min_free_disk_mb: -1\n", "t.yaml");
  ASSERT_FALSE(reserve);
  EXPECT_EQ(reserve.error().line, 1);
}

TEST(Settings, AuthAndCredentials) {
  auto none = parse_settings("");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->auth, AuthMode::kNone);
  EXPECT_TRUE(check_settings(*none));

  auto verify = parse_settings(
      "auth: verify\n"
      "credentials:\n"
      "  - {access_key_id: AKIDONE, secret_access_key: s1, account_id: '111111111111'}\n"
      "  - access_key_id: AKIDTWO\n"
      "    secret_access_key: s2\n");
  ASSERT_TRUE(verify) << verify.error().message;
  EXPECT_EQ(verify->auth, AuthMode::kVerify);
  ASSERT_EQ(verify->credentials.size(), 2u);
  EXPECT_EQ(verify->credentials[0].access_key_id, "AKIDONE");
  EXPECT_EQ(verify->credentials[0].secret_access_key, "s1");
  EXPECT_EQ(verify->credentials[0].account_id, "111111111111");
  EXPECT_EQ(verify->credentials[1].account_id, "");  // the daemon's account
  EXPECT_TRUE(check_settings(*verify));

  Settings lonely;
  lonely.auth = AuthMode::kVerify;
  auto refused = check_settings(lonely);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("credentials"), std::string::npos);

  auto bad_mode = parse_settings("auth: sigv4\n", "t.yaml");
  ASSERT_FALSE(bad_mode);
  EXPECT_EQ(bad_mode.error().message,
            "t.yaml:1:7: 'auth': auth must be none or verify, got 'sigv4'");
  for (std::string_view bad : {
           "credentials: AKID\n",
           "credentials: [{access_key_id: A}]\n",
           "credentials: [{access_key_id: A/B, secret_access_key: s}]\n",
           "credentials: [{access_key_id: A, secret_access_key: s, account_id: '12'}]\n",
           "credentials: [{access_key_id: A, secret_access_key: s, region: x}]\n",
           "credentials: [{access_key_id: A, secret_access_key: s}, "
           "{access_key_id: A, secret_access_key: t}]\n",
       }) {
    SCOPED_TRACE(bad);
    auto parsed = parse_settings(bad, "t.yaml");
    ASSERT_FALSE(parsed);
    EXPECT_GT(parsed.error().line, 0);
  }
}

TEST(Settings, ParsesEveryKey) {
  auto settings = parse_settings(R"(
listen: 0.0.0.0:8080
data_dir: /var/lib/eventbrokerd
in_memory: true
durability: fsync
min_free_disk_mb: 128
event_retention_seconds: 86400
event_retention_mb: 512
log_level: debug
log_format: json
threads: 4
region: eu-west-1
)",
                                 "test.yaml");
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_EQ(settings->listen.host, "0.0.0.0");
  EXPECT_EQ(settings->listen.port, 8080);
  EXPECT_EQ(settings->data_dir, "/var/lib/eventbrokerd");
  EXPECT_TRUE(settings->in_memory);
  EXPECT_EQ(settings->durability, Durability::kFsync);
  EXPECT_EQ(settings->min_free_disk_mb, 128u);
  EXPECT_EQ(settings->event_retention_seconds, 86400u);
  EXPECT_EQ(settings->event_retention_mb, std::optional<std::uint64_t>(512));
  EXPECT_EQ(settings->log_level, LogLevel::kDebug);
  EXPECT_EQ(settings->log_format, LogFormat::kJson);
  EXPECT_EQ(settings->threads, 4u);
  EXPECT_EQ(settings->region, "eu-west-1");
  EXPECT_EQ(settings->source, "test.yaml");
}

TEST(Settings, ThreadsMayBeAuto) {
  auto settings = parse_settings("threads: auto");
  ASSERT_TRUE(settings);
  EXPECT_EQ(settings->threads, 0u);
}

TEST(Settings, UnknownKeyIsAnErrorWithItsPosition) {
  auto settings = parse_settings("listen: 127.0.0.1:1\n\n  \nbogus: 1\n", "eb.yaml");
  ASSERT_FALSE(settings);
  EXPECT_EQ(settings.error().line, 4);
  EXPECT_EQ(settings.error().column, 1);
  EXPECT_TRUE(settings.error().message.starts_with("eb.yaml:4:1: unknown key 'bogus'"))
      << settings.error().message;
}

TEST(Settings, BadValuesPointAtTheValue) {
  struct Case {
    const char* yaml;
    int line;
    int column;
    const char* fragment;
  };
  const Case cases[] = {
      {"threads: 0", 1, 10, "'threads' must be auto or a number from 1 to 256"},
      {"threads: 257", 1, 10, "'threads'"},
      {"threads: many", 1, 10, "'threads'"},
      {"log_level: loud", 1, 12, "log level must be one of"},
      {"in_memory: maybe", 1, 12, "'in_memory' must be true or false"},
      {"listen: 4566", 1, 9, "expected HOST:PORT"},
      {"listen: localhost:70000", 1, 9, "port must be a number from 0 to 65535"},
      {"region: US_EAST", 1, 9, "region must be lowercase"},
      {"data_dir: ''", 1, 11, "'data_dir' must not be empty"},
      {"data_dir: [a, b]", 1, 11, "'data_dir' must be a single value"},
      {"# comment\nregion: us-east-1\nthreads: -1", 3, 10, "'threads'"},
  };
  for (const Case& c : cases) {
    auto settings = parse_settings(c.yaml, "x.yaml");
    ASSERT_FALSE(settings) << c.yaml;
    EXPECT_EQ(settings.error().line, c.line) << c.yaml;
    EXPECT_EQ(settings.error().column, c.column) << c.yaml;
    EXPECT_NE(settings.error().message.find(c.fragment), std::string::npos)
        << c.yaml << " -> " << settings.error().message;
  }
}

TEST(Settings, DuplicateKeyIsAnError) {
  auto settings = parse_settings("region: us-east-1\nregion: eu-west-1\n");
  ASSERT_FALSE(settings);
  EXPECT_EQ(settings.error().line, 2);
  EXPECT_NE(settings.error().message.find("duplicate key 'region'"), std::string::npos);
}

TEST(Settings, RootMustBeAMapping) {
  auto settings = parse_settings("- listen\n- region\n");
  ASSERT_FALSE(settings);
  EXPECT_EQ(settings.error().line, 1);
  EXPECT_NE(settings.error().message.find("mapping"), std::string::npos);
}

TEST(Settings, YamlSyntaxErrorCarriesItsPosition) {
  auto settings = parse_settings("listen: 127.0.0.1:1\nregion: [unclosed\n", "bad.yaml");
  ASSERT_FALSE(settings);
  EXPECT_GT(settings.error().line, 0);
  EXPECT_TRUE(settings.error().message.starts_with("bad.yaml:")) << settings.error().message;
}

TEST(Settings, LoadsAFileAndNamesItInErrors) {
  const std::string path = ::testing::TempDir() + "eb_settings_test.yaml";
  {
    std::ofstream out(path);
    out << "threads: 2\nlog_level: nope\n";
  }
  auto settings = load_settings_file(path);
  std::remove(path.c_str());
  ASSERT_FALSE(settings);
  EXPECT_TRUE(settings.error().message.starts_with(path + ":2:12:")) << settings.error().message;
}

TEST(Settings, MissingFileIsAnError) {
  auto settings = load_settings_file("/nonexistent/eventbrokerd.yaml");
  ASSERT_FALSE(settings);
  EXPECT_EQ(settings.error().line, 0);
  EXPECT_NE(settings.error().message.find("cannot open"), std::string::npos);
}

TEST(Settings, ShippedConfigFileParsesToTheDefaults) {
  // From CMake, not __FILE__: Ninja passes relative source paths, which break with the cwd.
  const std::filesystem::path root = EB_SOURCE_DIR;
  auto settings = load_settings_file((root / "config" / "eventbrokerd.yaml").string());
  ASSERT_TRUE(settings) << settings.error().message;
  auto defaults = parse_settings("");
  EXPECT_EQ(format_listen_address(settings->listen), format_listen_address(defaults->listen));
  EXPECT_EQ(settings->data_dir, defaults->data_dir);
  EXPECT_EQ(settings->in_memory, defaults->in_memory);
  EXPECT_EQ(settings->durability, defaults->durability);
  EXPECT_EQ(settings->min_free_disk_mb, defaults->min_free_disk_mb);
  EXPECT_EQ(settings->event_retention_seconds, defaults->event_retention_seconds);
  EXPECT_EQ(settings->event_retention_mb, defaults->event_retention_mb);
  EXPECT_EQ(settings->log_level, defaults->log_level);
  EXPECT_EQ(settings->threads, defaults->threads);
  EXPECT_EQ(settings->region, defaults->region);
}

TEST(ListenAddress, ParsesHostsAndPorts) {
  auto v4 = parse_listen_address("0.0.0.0:0");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "0.0.0.0");
  EXPECT_EQ(v4->port, 0);
  auto name = parse_listen_address("localhost:4566");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->host, "localhost");
  auto v6 = parse_listen_address("[::1]:9000");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9000);
  EXPECT_EQ(format_listen_address(*v6), "[::1]:9000");
  EXPECT_EQ(format_listen_address(*v4), "0.0.0.0:0");
}

TEST(ListenAddress, RejectsMalformedText) {
  for (const char* text : {"", "4566", ":4566", "host:", "host:port", "host:-1", "host:65536",
                           "::1:4566", "[::1]4566", "[::1", "host:45 66"}) {
    EXPECT_FALSE(parse_listen_address(text)) << text;
  }
}

TEST(LogLevel, RoundTrips) {
  for (auto level : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn,
                     LogLevel::kError, LogLevel::kOff}) {
    auto parsed = parse_log_level(to_string(level));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, level);
  }
  EXPECT_FALSE(parse_log_level("INFO"));
  EXPECT_FALSE(parse_log_level("warning"));
}

TEST(LogFormat, RoundTripsAndRejectsOthers) {
  for (auto format : {LogFormat::kText, LogFormat::kJson}) {
    auto parsed = parse_log_format(to_string(format));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, format);
  }
  auto bad = parse_log_format("xml");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "log format must be text or json, got 'xml'");
  auto file = parse_settings("log_format: JSON\n", "f.yaml");
  ASSERT_FALSE(file);
  EXPECT_NE(file.error().message.find("f.yaml:1:"), std::string::npos) << file.error().message;
}

TEST(SingleValues, FailWithAPositionlessConfigError) {
  auto region = check_region("US-East-1");
  ASSERT_FALSE(region);
  EXPECT_EQ(region.error().message,
            "region must be lowercase letters, digits and dashes (like us-east-1), got "
            "'US-East-1'");
  EXPECT_EQ(region.error().line, 0);
  EXPECT_EQ(region.error().column, 0);
  EXPECT_TRUE(check_region("eu-west-2"));

  auto durability = parse_durability("sync");
  ASSERT_FALSE(durability);
  EXPECT_EQ(durability.error().message, "durability must be wal or fsync, got 'sync'");
  EXPECT_EQ(durability.error().line, 0);

  auto url = check_public_url("http://host:80/");
  ASSERT_TRUE(url);
  EXPECT_EQ(*url, "http://host:80");
  EXPECT_FALSE(check_public_url("ftp://host"));
}

}  // namespace
}  // namespace eb::config
