#include "faults/fault_rules.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/json_writer.hpp"

namespace eb::faults {

FaultRules::FaultRules(std::uint64_t seed, const Clock& clock, Timers& timers)
    : seed_(seed), clock_(clock), timers_(timers), rng_(seed) {}

Result<std::string> FaultRules::add(FaultSpec spec) {
  EB_TRY(validate(spec));
  const std::string described =
      fmt::format("service={} action={} resource={} error={} probability={} count={} latencyMs={}",
                  spec.service, spec.action.empty() ? "*" : spec.action,
                  spec.resource.empty() ? "*" : spec.resource, spec.error, spec.probability,
                  spec.count ? fmt::format("{}", *spec.count) : "unlimited", spec.latency_ms);
  std::string id;
  {
    std::lock_guard lock(mu_);
    id = fmt::format("fault-{}", next_id_++);
    rules_.push_back(Rule{.id = id, .spec = std::move(spec)});
    size_.store(rules_.size(), std::memory_order_relaxed);
  }
  spdlog::info("fault {} installed: {}", id, described);  // logged with no lock held
  return id;
}

bool FaultRules::remove(std::string_view id) {
  std::lock_guard lock(mu_);
  const auto it = std::ranges::find(rules_, id, &Rule::id);
  if (it == rules_.end()) return false;
  rules_.erase(it);
  size_.store(rules_.size(), std::memory_order_relaxed);
  return true;
}

std::size_t FaultRules::clear() {
  std::lock_guard lock(mu_);
  const std::size_t dropped = rules_.size();
  rules_.clear();
  size_.store(0, std::memory_order_relaxed);
  return dropped;
}

bool FaultRules::draw(double probability) {
  if (probability >= 1.0) return true;
  // 53 random bits as a double in [0, 1): the same on every standard library, unlike
  // std::uniform_real_distribution, so a seed reproduces a run anywhere.
  const double x = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
  return x < probability;
}

std::optional<Injection> FaultRules::check(std::string_view service, std::string_view action,
                                           std::span<const std::string> resources) {
  if (empty()) return std::nullopt;
  std::optional<Injection> hit;
  {
    std::lock_guard lock(mu_);
    for (Rule& rule : rules_) {
      const FaultSpec& spec = rule.spec;
      if (spec.service != service || (spec.count && *spec.count == 0)) continue;
      if (!spec.action.empty() && !glob_match(spec.action, action)) continue;
      if (!spec.resource.empty() && std::ranges::none_of(resources, [&](const std::string& r) {
            return glob_match(spec.resource, r);
          })) {
        continue;
      }
      if (!draw(spec.probability)) continue;
      if (rule.spec.count) --*rule.spec.count;
      ++rule.injected;
      hit = Injection{.rule_id = rule.id, .error = spec.error, .latency_ms = spec.latency_ms};
      break;
    }
  }
  if (!hit) return std::nullopt;
  injected_total_.fetch_add(1);
  spdlog::info("fault {} injected: {} {} {} -> {}{}", hit->rule_id, service, action,
               resources.empty() ? std::string_view() : std::string_view(resources.front()),
               hit->error.empty() ? "no error" : hit->error,
               hit->latency_ms > 0 ? fmt::format(" after {} ms", hit->latency_ms) : "");
  return hit;
}

void FaultRules::after(std::int64_t ms, std::function<void()> fn) {
  (void)timers_.schedule_at(clock_.now_ms() + ms, std::move(fn));  // never cancelled
}

std::string FaultRules::list_json() const {
  std::string out;
  JsonWriter j(out);
  std::lock_guard lock(mu_);
  j.begin_object().key("faults").begin_array();
  for (const Rule& rule : rules_) {
    const FaultSpec& spec = rule.spec;
    j.begin_object().member("faultId", rule.id).member("service", spec.service);
    if (!spec.action.empty()) j.member("action", spec.action);
    if (!spec.resource.empty()) j.member("resource", spec.resource);
    if (!spec.error.empty()) j.member("error", spec.error);
    j.key("probability").raw(fmt::format("{}", spec.probability));
    if (spec.count) j.member("count", *spec.count);
    j.member("latencyMs", spec.latency_ms);
    j.key("injected").unsigned_number(rule.injected);
    j.end_object();
  }
  j.end_array();
  j.key("injected").unsigned_number(injected_total_.load());
  j.key("seed").unsigned_number(seed_);
  j.end_object();
  return out;
}

}  // namespace eb::faults
