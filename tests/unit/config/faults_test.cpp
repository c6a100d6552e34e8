#include "config/faults.hpp"

#include <gtest/gtest.h>

#include <string>

#include "config/topology.hpp"

namespace eb::config {
namespace {

std::string error_of(std::string_view yaml) {
  auto parsed = parse_faults(yaml, "eb.yaml");
  if (parsed) return "(parsed)";
  return parsed.error().message;
}

constexpr std::string_view kFile = R"(listen: 127.0.0.1:4566
fault_seed: 99
queues: [{name: orders}]
faults:
  - service: sqs
    action: SendMessage
    resource: "orders*"
    error: RequestThrottled
    probability: 0.25
    count: 3
  - service: http
    resource: "http://127.0.0.1:*/hook"
    error: 503
    latency_ms: 1500
)";

TEST(Faults, ParsesTheList) {
  auto parsed = parse_faults(kFile, "eb.yaml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 2u);
  const faults::FaultSpec& first = (*parsed)[0];
  EXPECT_EQ(first.service, "sqs");
  EXPECT_EQ(first.action, "SendMessage");
  EXPECT_EQ(first.resource, "orders*");
  EXPECT_EQ(first.error, "RequestThrottled");
  EXPECT_DOUBLE_EQ(first.probability, 0.25);
  EXPECT_EQ(first.count, 3);
  const faults::FaultSpec& second = (*parsed)[1];
  EXPECT_EQ(second.error, "503");
  EXPECT_EQ(second.latency_ms, 1500);
  EXPECT_FALSE(second.count);
}

TEST(Faults, SettingsAndTopologyAcceptTheKeys) {
  auto settings = parse_settings(kFile, "eb.yaml");
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_EQ(settings->fault_seed, 99u);
  EXPECT_EQ(parse_settings("listen: 127.0.0.1:4566\n")->fault_seed, 14u);
  auto topology = parse_topology(kFile, "eb.yaml");
  ASSERT_TRUE(topology) << topology.error().message;
  EXPECT_FALSE(parse_settings("fault_seed: -1\n"));
  EXPECT_FALSE(parse_topology("faults: {service: sqs}\n"));
}

TEST(Faults, NoListIsNoRules) { EXPECT_TRUE(parse_faults("listen: 127.0.0.1:4566\n")->empty()); }

TEST(Faults, ErrorsNameTheirPosition) {
  EXPECT_EQ(error_of("faults:\n  - service: s3\n    error: X\n"),
            "eb.yaml:2:5: service must be one of sqs|sns|events|scheduler|sts|http, not 's3'");
  EXPECT_EQ(error_of("faults:\n  - service: sqs\n    error: X\n    probability: 2\n"),
            "eb.yaml:2:5: probability must be between 0 and 1");
  EXPECT_EQ(error_of("faults:\n  - service: sqs\n    error: X\n    count: many\n"),
            "eb.yaml:4:12: 'count' must be a whole number, not 'many'");
  EXPECT_EQ(error_of("faults:\n  - error: X\n"), "eb.yaml:2:5: a fault needs 'service'");
  EXPECT_EQ(error_of("faults:\n  - service: sqs\n    eror: X\n"),
            "eb.yaml:3:5: unknown key 'eror' in a fault (known: service, action, resource, "
            "error, probability, count, latency_ms)");
  EXPECT_EQ(error_of("faults: 3\n"), "eb.yaml:1:9: 'faults' must be a list of faults");
}

}  // namespace
}  // namespace eb::config
