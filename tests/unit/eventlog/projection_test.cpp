#include "eventlog/projection.hpp"

#include <gtest/gtest.h>

namespace eb::eventlog {
namespace {

JsonObject fold(const Projection& p, const std::vector<std::string>& bodies) {
  JsonObject state;
  std::int64_t version = 0;
  for (const auto& body : bodies) {
    auto env = parse_envelope(body);
    EXPECT_TRUE(env) << body;
    auto data = data_object(body);
    p.apply(state, ProjectedEvent{*env, data ? &*data : nullptr, version++});
  }
  return state;
}

TEST(JsonObjectTest, SetMergeAndSerialise) {
  auto o = JsonObject::parse(R"({"a":1,"b":{"c":[true,null]},"s":"x\"y"})");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->to_json(), R"({"a":1,"b":{"c":[true,null]},"s":"x\"y"})");
  o->set_string("a", "new");
  o->set_raw("z", "3");
  EXPECT_EQ(*o->get("a"), "\"new\"");
  auto other = JsonObject::parse(R"({"z":4,"w":[]})");
  o->merge(*other);
  EXPECT_EQ(o->to_json(), R"({"a":"new","b":{"c":[true,null]},"s":"x\"y","z":4,"w":[]})");
  EXPECT_FALSE(JsonObject::parse("[1]"));
  EXPECT_FALSE(JsonObject::parse("{"));
}

TEST(OrderProjectionTest, FoldsTheOrderLifecycle) {
  OrderProjection order;
  auto state = fold(
      order,
      {
          R"({"id":"1","type":"order.created",)"
          R"("data":{"orderId":"o1","totalAmount":99.5,"status":"x"}})",
          R"({"id":"2","type":"order.paid","data":{"paymentId":"p1","amount":99.5}})",
          R"({"id":"3","type":"order.unknown","data":{"ignored":true}})",
          R"({"id":"4","type":"order.shipped","data":{"trackingNumber":"T1","carrier":"ups"}})",
      });
  EXPECT_EQ(state.to_json(),
            R"({"orderId":"o1","totalAmount":99.5,"status":"shipped","paymentId":"p1",)"
            R"("trackingNumber":"T1"})");
  auto cancelled = fold(order, {R"({"id":"1","type":"order.created","data":{"orderId":"o2"}})",
                                R"({"id":"2","type":"order.cancelled","data":{}})"});
  EXPECT_EQ(cancelled.to_json(), R"({"orderId":"o2","status":"cancelled"})");
}

TEST(ProjectionRegistryTest, PicksByFirstEventTypeWithFallback) {
  auto registry = ProjectionRegistry::with_builtins();
  EXPECT_EQ(registry.find("order.created")->name(), "order");
  EXPECT_EQ(registry.find("inventory.reserved")->name(), "merge");
  EXPECT_EQ(registry.find("")->name(), "merge");

  class Inventory final : public Projection {
   public:
    std::string_view name() const override { return "inventory"; }
    bool handles(std::string_view type) const override { return type.starts_with("inventory."); }
    void apply(JsonObject& state, const ProjectedEvent&) const override {
      state.set_raw("seen", "true");
    }
  };
  registry.add(std::make_unique<Inventory>());
  EXPECT_EQ(registry.find("inventory.reserved")->name(), "inventory");
  ProjectionRegistry empty;
  EXPECT_EQ(empty.find("x"), nullptr);
}

}  // namespace
}  // namespace eb::eventlog
