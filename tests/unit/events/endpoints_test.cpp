#include "events/endpoints.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/manual_clock.hpp"
#include "storage/memory_engine.hpp"

namespace eb::events {
namespace {

constexpr std::string_view kHealthCheck =
    "arn:aws:route53:::healthcheck/0b1e2c3d-4e5f-6789-abcd-ef0123456789";
constexpr std::string_view kRole = "arn:aws:iam::000000000000:role/replication";

class EndpointsTest : public ::testing::Test {
 protected:
  ManualClock clock_{1'709'208'000'000};  // 2024-02-29T12:00:00Z
  storage::MemoryEngine store_{false};
  Endpoints endpoints_{clock_, store_};

  void SetUp() override { ASSERT_TRUE(endpoints_.recover()); }

  static EndpointInput input(std::string name) {
    EndpointInput in;
    in.name = std::move(name);
    in.routing = FailoverConfig{std::string(kHealthCheck), "us-west-2"};
    in.event_bus_arns =
        std::vector<std::string>{"arn:aws:events:us-east-1:000000000000:event-bus/orders",
                                 "arn:aws:events:us-west-2:000000000000:event-bus/orders"};
    in.role_arn = std::string(kRole);
    return in;
  }
};

TEST_F(EndpointsTest, CreateDescribeUpdateDelete) {
  auto created = endpoints_.create_endpoint(input("global"));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->arn, "arn:aws:events:us-east-1:000000000000:endpoint/global");
  EXPECT_EQ(created->state, "ACTIVE");
  EXPECT_EQ(created->replication_state, "ENABLED");
  ASSERT_EQ(created->endpoint_id.size(), 10u);
  EXPECT_EQ(created->endpoint_id[6], '.');
  EXPECT_EQ(created->endpoint_url,
            "https://" + created->endpoint_id + ".endpoint.events.amazonaws.com");

  auto described = endpoints_.describe_endpoint("global", std::nullopt);
  ASSERT_TRUE(described);
  EXPECT_EQ(described->routing.health_check, kHealthCheck);
  EXPECT_EQ(described->routing.secondary_route, "us-west-2");
  EXPECT_EQ(described->created, 1'709'208'000'000);

  clock_.advance(5'000);
  EndpointInput change;
  change.name = "global";
  change.description = "failover for orders";
  change.replication_state = "DISABLED";
  auto updated = endpoints_.update_endpoint(change);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->description, "failover for orders");
  EXPECT_EQ(updated->replication_state, "DISABLED");
  EXPECT_EQ(updated->endpoint_id, created->endpoint_id);  // the id stays
  EXPECT_EQ(updated->event_bus_arns, created->event_bus_arns);
  EXPECT_EQ(updated->modified, 1'709'208'005'000);

  ASSERT_TRUE(endpoints_.delete_endpoint("global"));
  auto gone = endpoints_.describe_endpoint("global", std::nullopt);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Errc::kResourceNotFound);
  EXPECT_EQ(gone.error().message, "Endpoint global does not exist.");
  auto again = endpoints_.delete_endpoint("global");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kResourceNotFound);
}

TEST_F(EndpointsTest, NamesAreUnique) {
  ASSERT_TRUE(endpoints_.create_endpoint(input("global")));
  auto twice = endpoints_.create_endpoint(input("global"));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, Errc::kResourceAlreadyExists);
  EXPECT_EQ(twice.error().message, "Endpoint global already exists.");
  auto missing = endpoints_.update_endpoint(input("nope"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kResourceNotFound);
}

TEST_F(EndpointsTest, ValidatesMembersWithAwsWording) {
  auto in = input("bad name");
  auto r = endpoints_.create_endpoint(in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "1 validation error detected: Value 'bad name' at 'name' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+");

  in = input("e");
  in.event_bus_arns->pop_back();
  r = endpoints_.create_endpoint(in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kValidationError);
  EXPECT_NE(r.error().message.find("at 'eventBuses' failed to satisfy constraint: Member must "
                                   "have length greater than or equal to 2"),
            std::string::npos);

  in = input("e");
  in.routing->health_check = "not-an-arn";
  r = endpoints_.create_endpoint(in);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("'routingConfig.failoverConfig.primary.healthCheck'"),
            std::string::npos);

  in = input("e");
  in.routing->secondary_route = "west";
  r = endpoints_.create_endpoint(in);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("Member must have length greater than or equal to 9"),
            std::string::npos);

  in = input("e");
  in.replication_state = "SOMETIMES";
  r = endpoints_.create_endpoint(in);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("Member must satisfy enum value set: [ENABLED, DISABLED]"),
            std::string::npos);

  in = input("e");
  (*in.event_bus_arns)[1] = "arn:aws:events:us-west-2:000000000000:event-bus/other";
  r = endpoints_.create_endpoint(in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kValidationError);

  in = input("e");
  in.event_bus_arns.reset();
  r = endpoints_.create_endpoint(in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "1 validation error detected: Value null at 'eventBuses' failed to satisfy "
            "constraint: Member must not be null");

  in = input("e");
  in.role_arn.reset();  // replication is ENABLED by default and needs a role
  r = endpoints_.create_endpoint(in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kValidationError);
  in.replication_state = "DISABLED";
  EXPECT_TRUE(endpoints_.create_endpoint(in));
}

TEST_F(EndpointsTest, ListsByPrefixInPagesAndHomeRegion) {
  for (const char* name : {"a1", "a2", "a3", "b1"})
    ASSERT_TRUE(endpoints_.create_endpoint(input(name)));
  ListEndpointsInput in;
  in.name_prefix = "a";
  in.max_results = 2;
  auto first = endpoints_.list_endpoints(in);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_EQ(first->next_token, "a3");
  in.next_token = first->next_token;
  auto second = endpoints_.list_endpoints(in);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].name, "a3");
  EXPECT_TRUE(second->next_token.empty());

  ListEndpointsInput elsewhere;
  elsewhere.home_region = "eu-west-1";
  auto none = endpoints_.list_endpoints(elsewhere);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->items.empty());
  EXPECT_FALSE(endpoints_.describe_endpoint("a1", std::string("eu-west-1")));
  EXPECT_TRUE(endpoints_.describe_endpoint("a1", std::string("us-east-1")));
}

TEST_F(EndpointsTest, EndpointsSurviveARestart) {
  auto created = endpoints_.create_endpoint(input("global"));
  ASSERT_TRUE(created);
  Endpoints restarted{clock_, store_};
  ASSERT_TRUE(restarted.recover());
  auto described = restarted.describe_endpoint("global", std::nullopt);
  ASSERT_TRUE(described) << described.error().message;
  EXPECT_EQ(described->endpoint_id, created->endpoint_id);
  EXPECT_EQ(described->endpoint_url, created->endpoint_url);
  EXPECT_EQ(described->arn, created->arn);
  EXPECT_EQ(described->event_bus_arns, created->event_bus_arns);
  EXPECT_EQ(described->role_arn, kRole);
}

}  // namespace
}  // namespace eb::events
