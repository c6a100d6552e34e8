#include "app/outbound_faults.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>

#include "core/manual_clock.hpp"

namespace eb::app {
namespace {

class OutboundFaultsTest : public ::testing::Test {
 protected:
  void add(std::string error, std::int64_t latency_ms = 0, std::optional<std::int64_t> count = {}) {
    faults::FaultSpec spec;
    spec.service = "http";
    spec.resource = "http://127.0.0.1:*/hook";
    spec.error = std::move(error);
    spec.latency_ms = latency_ms;
    spec.count = count;
    ASSERT_TRUE(rules.add(spec));
  }

  // -> whether a fault took the delivery.
  bool send(const std::string& url) {
    return inject_outbound_fault(
        &rules, "POST", url, [this] { ++delivered; },
        [this](int status, std::string error) { failed = std::make_pair(status, error); });
  }

  ManualClock clock;
  faults::FaultRules rules{faults::kDefaultSeed, clock, clock};
  int delivered = 0;
  std::optional<std::pair<int, std::string>> failed;
};

TEST_F(OutboundFaultsTest, NoRulesOrNoMatchDeliversAsUsual) {
  EXPECT_FALSE(inject_outbound_fault(nullptr, "POST", "http://x", {}, {}));
  EXPECT_FALSE(send("http://127.0.0.1:9/hook"));
  add("drop");
  EXPECT_FALSE(send("http://127.0.0.1:9/other"));
  EXPECT_EQ(delivered, 0);
  EXPECT_FALSE(failed);
}

TEST_F(OutboundFaultsTest, DropFailsAsAnUnreachableEndpointLater) {
  add("drop");
  EXPECT_TRUE(send("http://127.0.0.1:9/hook"));
  EXPECT_FALSE(failed);  // never inside the call
  clock.advance(0);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->first, 0);
  EXPECT_EQ(failed->second, "fault injected: connection dropped");
  EXPECT_EQ(delivered, 0);
}

TEST_F(OutboundFaultsTest, StatusForTheNextCallsOnly) {
  add("503", 0, 1);
  EXPECT_TRUE(send("http://127.0.0.1:9/hook"));
  clock.advance(0);
  ASSERT_TRUE(failed);
  EXPECT_EQ(*failed, std::make_pair(503, std::string()));
  EXPECT_FALSE(send("http://127.0.0.1:9/hook"));
}

TEST_F(OutboundFaultsTest, LatencyDelaysTheDelivery) {
  add("", 300);
  EXPECT_TRUE(send("http://127.0.0.1:9/hook"));
  clock.advance(299);
  EXPECT_EQ(delivered, 0);
  clock.advance(1);
  EXPECT_EQ(delivered, 1);
  EXPECT_FALSE(failed);
}

}  // namespace
}  // namespace eb::app
