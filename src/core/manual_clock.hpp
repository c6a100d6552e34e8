#pragma once
// Clock and Timers on a time that moves only when advance() is called: the unit tests' clock,
// and the daemon's with --clock manual. Due timers run in deadline order on the thread that
// advances, each with now_ms() equal to its deadline, so when advance() returns every timer up
// to the new time has run. Thread-safe; advances are serialised.
//
// A timer scheduled at or before the current time is due already. Without an executor it waits
// for the next advance() (tests step explicitly); with one (the daemon), the executor is asked
// to run the due timers soon, as a real clock's timers would fire at once.
#include <functional>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "core/clock.hpp"

namespace eb {

class ManualClock final : public Clock, public Timers {
 public:
  // Runs a task soon on some other thread (e.g. posts it to an io_context).
  using Executor = std::function<void(std::function<void()>)>;

  explicit ManualClock(Millis start = 1'700'000'000'000, Executor executor = {})
      : now_(start), executor_(std::move(executor)) {}

  Millis now_ms() const override;
  Id schedule_at(Millis deadline, std::function<void()> fn) override;
  void cancel(Id id) override;

  // Moves time forward by `ms` (>= 0), running every timer that falls due, in deadline order,
  // each with now_ms() equal to its deadline. Returns the new time.
  Millis advance(Millis ms);
  std::size_t pending_timers() const;
  // Drops every pending timer (shutdown): none of them will run.
  void cancel_all();

 private:
  // Runs the timers due at the current time (the executor's task).
  void run_due();

  mutable std::mutex mu_;
  Millis now_;
  Id next_id_ = 1;
  std::multimap<std::pair<Millis, Id>, std::function<void()>> timers_;
  // Each pending timer's deadline, so cancel() finds it without a scan (a daemon may hold a
  // timer per waiting saga: 100,000 of them).
  std::unordered_map<Id, Millis> deadlines_;
  bool run_due_posted_ = false;
  const Executor executor_;
  std::mutex advance_mu_;  // one advance at a time, so time never moves backwards
};

}  // namespace eb
