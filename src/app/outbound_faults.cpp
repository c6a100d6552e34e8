#include "app/outbound_faults.hpp"

#include <span>
#include <utility>

namespace eb::app {

bool inject_outbound_fault(faults::FaultRules* rules, std::string_view method,
                           const std::string& url, std::function<void()> deliver,
                           std::function<void(int status, std::string error)> fail) {
  if (rules == nullptr || rules->empty()) return false;
  auto injection =
      rules->check(faults::kHttpService, method, std::span<const std::string>(&url, 1));
  if (!injection) return false;
  rules->after(injection->latency_ms, [error = std::move(injection->error),
                                       deliver = std::move(deliver), fail = std::move(fail)] {
    if (error.empty()) {
      deliver();
    } else if (const int status = faults::http_fault_status(error); status != 0) {
      fail(status, std::string());
    } else {
      fail(0, "fault injected: connection dropped");
    }
  });
  return true;
}

}  // namespace eb::app
