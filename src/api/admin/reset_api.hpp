#pragma once
// Reset for test harnesses: POST /v1/reset[?service=NAME] drops the state of one service or,
// without `service`, of every one, and answers once it is written; POST /moto-api/reset is a
// full reset answered as moto's server mode answers it ({"status": "ok"}), so suites written
// for moto run unchanged. The services are named and wired by app/ (each reset is one call
// into its domain), so this file knows no domain. Thread-safe: resets run one at a time.
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "net/handler.hpp"

namespace eb::api::admin {

class ResetApi {
 public:
  static constexpr std::string_view kPrefix = "/v1/reset";
  static constexpr std::string_view kMotoPrefix = "/moto-api/reset";

  // Drops a service's state; -> how many top-level resources went (queues, topics...).
  using Reset = std::function<Result<std::size_t>()>;

  // Services reset in the order they are added (a full reset: dependents first, so nothing
  // delivers into what is already gone). Call before serving.
  void add_service(std::string name, Reset reset);
  // Runs after a full reset (not after one service's): app/ re-applies the config file's
  // topology with it. Its failure fails the reset.
  void set_after_full_reset(std::function<Result<void>()> after) { after_ = std::move(after); }

  net::HttpResponse handle(const net::HttpRequest& request);

 private:
  // Resets `only` (every service when empty); -> the JSON body of /v1/reset.
  Result<std::string> reset(std::string_view only);

  std::vector<std::pair<std::string, Reset>> services_;
  std::function<Result<void>()> after_;
  std::mutex mu_;
};

}  // namespace eb::api::admin
