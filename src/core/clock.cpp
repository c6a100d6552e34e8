#include <chrono>
#include <cstdio>
#include <ctime>

#include "core/clock.hpp"
#include "core/manual_clock.hpp"

namespace eb {

std::string utc_timestamp(Millis ms) {
  const auto seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return text;
}

Millis SystemClock::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Millis ManualClock::now_ms() const {
  std::lock_guard lock(mu_);
  return now_;
}

Timers::Id ManualClock::schedule_at(Millis deadline, std::function<void()> fn) {
  std::lock_guard lock(mu_);
  Id id = next_id_++;
  timers_.emplace(std::pair{deadline, id}, std::move(fn));
  return id;
}

void ManualClock::cancel(Id id) {
  std::lock_guard lock(mu_);
  for (auto it = timers_.begin(); it != timers_.end(); ++it) {
    if (it->first.second == id) {
      timers_.erase(it);
      return;
    }
  }
}

void ManualClock::advance(Millis ms) {
  std::unique_lock lock(mu_);
  const Millis target = now_ + ms;
  while (!timers_.empty() && timers_.begin()->first.first <= target) {
    auto node = timers_.extract(timers_.begin());
    now_ = std::max(now_, node.key().first);
    lock.unlock();
    node.mapped()();
    lock.lock();
  }
  now_ = target;
}

std::size_t ManualClock::pending_timers() const {
  std::lock_guard lock(mu_);
  return timers_.size();
}

}  // namespace eb
