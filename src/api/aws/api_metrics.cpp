#include "api/aws/api_metrics.hpp"

#include <mutex>

namespace eb::api::aws {

ApiMetrics::Slot& ApiMetrics::slot(std::string_view api, std::string_view action) {
  const std::pair<std::string_view, std::string_view> key{api, action};
  {
    std::shared_lock lock(mu_);
    if (auto it = slots_.find(key); it != slots_.end()) return *it->second;
  }
  std::unique_lock lock(mu_);
  auto [it, inserted] =
      slots_.try_emplace({std::string(api), std::string(action)}, std::unique_ptr<Slot>());
  if (inserted) it->second = std::make_unique<Slot>();
  return *it->second;
}

net::Respond ApiMetrics::measured(Slot& slot, std::chrono::steady_clock::time_point start,
                                  net::Respond respond) {
  return [&slot, start, respond = std::move(respond)](net::HttpResponse&& response) {
    const auto elapsed = std::chrono::steady_clock::now() - start;
    slot.requests.add();
    const unsigned status = response.result_int();
    if (status >= 500) {
      slot.server_errors.add();
    } else if (status >= 400) {
      slot.client_errors.add();
    }
    slot.latency.observe_us(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()));
    respond(std::move(response));
  };
}

void ApiMetrics::write(MetricsWriter& out) const {
  std::shared_lock lock(mu_);
  out.family("eventbrokerd_api_requests_total", MetricsWriter::Type::kCounter,
             "AWS API calls answered, by service and action.");
  for (const auto& [key, slot] : slots_) {
    out.sample("eventbrokerd_api_requests_total", {{"api", key.first}, {"action", key.second}},
               slot->requests.value());
  }
  out.family("eventbrokerd_api_errors_total", MetricsWriter::Type::kCounter,
             "AWS API calls answered with an error, by service, action and kind (client: 4xx, "
             "server: 5xx).");
  for (const auto& [key, slot] : slots_) {
    out.sample("eventbrokerd_api_errors_total",
               {{"api", key.first}, {"action", key.second}, {"kind", "client"}},
               slot->client_errors.value());
    out.sample("eventbrokerd_api_errors_total",
               {{"api", key.first}, {"action", key.second}, {"kind", "server"}},
               slot->server_errors.value());
  }
  out.family("eventbrokerd_api_request_duration_seconds", MetricsWriter::Type::kHistogram,
             "Time from a call's dispatch to its answer (long polls included), by service and "
             "action.");
  for (const auto& [key, slot] : slots_) {
    out.histogram("eventbrokerd_api_request_duration_seconds",
                  {{"api", key.first}, {"action", key.second}}, slot->latency.snapshot());
  }
}

}  // namespace eb::api::aws
