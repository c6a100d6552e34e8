#pragma once
// The fault-injection registry: the rules POST /v1/faults and the config file's `faults:` list
// install, matched by the AWS dispatcher (inbound calls) and the outbound HTTP adapters
// (deliveries). Owns the rules, their counters and one seeded PRNG, so a run with the same
// seed, rules and calls injects the same faults. Thread-safe: every call may come from any
// thread; one short mutex guards the rules and the PRNG, and nothing is called under it.
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "faults/fault_spec.hpp"

namespace eb::faults {

inline constexpr std::uint64_t kDefaultSeed = 14;

// The fault a call gets.
struct Injection {
  std::string rule_id;
  std::string error;  // AWS code, "drop" or a status (http); empty: latency only
  std::int64_t latency_ms = 0;
};

class FaultRules {
 public:
  // `clock` and `timers` (the daemon's: manual ones under --clock manual) delay answers.
  FaultRules(std::uint64_t seed, const Clock& clock, Timers& timers);

  // Validates and installs a rule; -> its id ("fault-1", "fault-2"... in order of creation).
  Result<std::string> add(FaultSpec spec);
  // false: no rule has that id.
  bool remove(std::string_view id);
  // Removes every rule; -> how many there were. The PRNG keeps its sequence.
  std::size_t clear();
  bool empty() const { return size_.load(std::memory_order_relaxed) == 0; }

  // The first rule (in order of creation) for `service` whose action and resource globs match
  // and that has faults left, if its probability draw says so; counts and logs the injection.
  // A rule with a resource pattern matches when any of `resources` does, never a call that has
  // none. Rules that do not match draw nothing, so adding a rule for another queue leaves the
  // sequence of this one's faults unchanged.
  std::optional<Injection> check(std::string_view service, std::string_view action,
                                 std::span<const std::string> resources);

  // Runs `fn` after `ms` on the daemon's timers (never blocking the calling thread).
  void after(std::int64_t ms, std::function<void()> fn);

  // {"faults":[{"faultId","service","action"?,"resource"?,"error"?,"probability","count"?
  // (faults left), "latencyMs","injected"}...],"injected":N,"seed":S}
  std::string list_json() const;
  std::uint64_t injected_total() const { return injected_total_.load(); }

 private:
  struct Rule {
    std::string id;
    FaultSpec spec;  // spec.count: faults left
    std::uint64_t injected = 0;
  };

  bool draw(double probability);

  const std::uint64_t seed_;
  const Clock& clock_;
  Timers& timers_;
  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  std::vector<Rule> rules_;
  std::uint64_t next_id_ = 1;
  std::atomic<std::size_t> size_{0};
  std::atomic<std::uint64_t> injected_total_{0};
};

}  // namespace eb::faults
