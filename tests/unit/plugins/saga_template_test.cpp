// Filling a saga step's data template from a saga's input and step results.
#include "plugins/saga_template.hpp"

#include <gtest/gtest.h>

namespace eb::plugins::saga {
namespace {

TEST(SagaTemplate, ReferencesAreFilledAndEverythingElseIsCopied) {
  config::SagaPluginSpec d;
  d.steps.resize(2);
  d.steps[0].name = "reserve";
  d.steps[1].name = "pay";
  State s;
  s.id = "saga-7";
  s.input = R"({"orderId":"o-1","items":[{"productId":"A","quantity":2}],"n":{"deep":true}})";
  s.steps.resize(2);
  s.steps[1].result = R"({"paymentId":"pay-1"})";
  EXPECT_EQ(fill_template(R"("$.input")", d, s), s.input);
  EXPECT_EQ(fill_template(R"({"id":"$.sagaId","order":"$.input.orderId","deep":"$.input.n.deep",)"
                          R"("items":"$.input.items","payment":"$.steps.pay.result.paymentId",)"
                          R"("whole":"$.steps.pay.result","none":"$.steps.reserve.result.x",)"
                          R"("missing":"$.input.nope","unknown":"$.elsewhere","text":"plain $.",)"
                          R"("list":[1,"$.input.orderId",null,{"k":false}]})",
                          d, s),
            R"({"id":"saga-7","order":"o-1","deep":true,"items":[{"productId":"A","quantity":2}],)"
            R"("payment":"pay-1","whole":{"paymentId":"pay-1"},"none":null,"missing":null,)"
            R"("unknown":null,"text":"plain $.","list":[1,"o-1",null,{"k":false}]})");
  EXPECT_EQ(fill_template("not json", d, s), "null");
}

}  // namespace
}  // namespace eb::plugins::saga
