#pragma once
// Test double for Clock and Timers: time moves only when advance() is called, and due
// timers run in deadline order on the calling thread. Thread-safe.
#include <map>
#include <mutex>
#include <utility>

#include "core/clock.hpp"

namespace eb {

class ManualClock final : public Clock, public Timers {
 public:
  explicit ManualClock(Millis start = 1'700'000'000'000) : now_(start) {}

  Millis now_ms() const override;
  Id schedule_at(Millis deadline, std::function<void()> fn) override;
  void cancel(Id id) override;

  // Moves time forward by `ms`, running every timer that falls due, in deadline order,
  // each with now_ms() equal to its deadline.
  void advance(Millis ms);
  std::size_t pending_timers() const;

 private:
  mutable std::mutex mu_;
  Millis now_;
  Id next_id_ = 1;
  std::multimap<std::pair<Millis, Id>, std::function<void()>> timers_;
};

}  // namespace eb
