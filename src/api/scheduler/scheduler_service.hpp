#pragma once
// EventBridge Scheduler over REST-JSON (API version 2021-06-30): the method and path name the
// operation (/schedules/{Name}, /schedule-groups/{Name}, /tags/{ResourceArn}), query parameters
// and a JSON body carry the input. Each operation decodes, makes one events::Scheduler call and
// encodes the answer; no Scheduler semantics live here. Stateless apart from the domain
// reference; any thread may call handle().
#include <string_view>

#include "api/aws/service.hpp"

namespace eb::events {
class Scheduler;
}  // namespace eb::events

namespace eb::api::scheduler {

class SchedulerService final : public aws::Service {
 public:
  explicit SchedulerService(eb::events::Scheduler& scheduler) : scheduler_(scheduler) {}
  std::string_view signing_name() const override { return "scheduler"; }
  std::string_view json_target_prefix() const override { return {}; }
  bool knows_action(std::string_view /*action*/) const override { return false; }
  bool rest_json() const override { return true; }
  bool owns_rest_path(std::string_view path) const override;
  void handle(aws::AwsRequest&& request, net::Respond respond) override;

 private:
  eb::events::Scheduler& scheduler_;
};

}  // namespace eb::api::scheduler
