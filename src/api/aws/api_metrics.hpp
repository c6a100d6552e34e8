#pragma once
// Counts and times the AWS API calls the dispatcher hands to a service, by service and action,
// for /metrics. The actions are those a service knows (or a REST operation's name), so the set
// of series is bounded. Any thread.
#include <chrono>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>

#include "core/metrics.hpp"
#include "net/handler.hpp"

namespace eb::api::aws {

class ApiMetrics {
 public:
  struct Slot {
    Counter requests;
    Counter client_errors;  // 4xx answers
    Counter server_errors;  // 5xx answers
    LatencyHistogram latency;
  };

  // The slot of `api` ("sqs") and `action` ("SendMessage"), made on first use.
  Slot& slot(std::string_view api, std::string_view action);
  // Wraps `respond` so that answering counts the call in `slot` and its time since `start`.
  static net::Respond measured(Slot& slot, std::chrono::steady_clock::time_point start,
                               net::Respond respond);

  // eventbrokerd_api_requests_total, _errors_total and _request_duration_seconds.
  void write(MetricsWriter& out) const;

 private:
  // Orders (api, action) pairs of strings or string views alike.
  struct KeyLess {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return std::pair<std::string_view, std::string_view>(a.first, a.second) <
             std::pair<std::string_view, std::string_view>(b.first, b.second);
    }
  };

  mutable std::shared_mutex mu_;
  // By (api, action); slots never move or go away.
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Slot>, KeyLess> slots_;
};

}  // namespace eb::api::aws
