#include <algorithm>
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

std::optional<Millis> parse_utc_timestamp(std::string_view text) {
  // Fixed layout: digits at 0-3, 5-6, 8-9, 11-12, 14-15, 17-18; separators between.
  if (text.size() < 20 || text.back() != 'Z') return std::nullopt;
  auto digits = [&](std::size_t at, std::size_t n) -> std::optional<int> {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  if (text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
  if (!year || !month || !day || !hour || !minute || !second || *month < 1 || *month > 12 ||
      *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  Millis fraction = 0;
  const std::string_view rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2) return std::nullopt;
    Millis scale = 100;
    for (char c : rest.substr(1)) {
      if (c < '0' || c > '9') return std::nullopt;
      fraction += (c - '0') * scale;
      scale /= 10;
    }
  }
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  return static_cast<Millis>(timegm(&tm)) * 1000 + fraction;
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
  bool post = false;
  Id id = 0;
  {
    std::lock_guard lock(mu_);
    id = next_id_++;
    timers_.emplace(std::pair{deadline, id}, std::move(fn));
    deadlines_.emplace(id, deadline);
    if (executor_ && deadline <= now_ && !run_due_posted_) post = run_due_posted_ = true;
  }
  // Stored like any timer, so cancel() still reaches it before it runs.
  if (post) executor_([this] { run_due(); });
  return id;
}

void ManualClock::cancel(Id id) {
  std::lock_guard lock(mu_);
  const auto deadline = deadlines_.find(id);
  if (deadline == deadlines_.end()) return;  // ran or cancelled already
  timers_.erase(std::pair{deadline->second, id});
  deadlines_.erase(deadline);
}

void ManualClock::run_due() {
  std::unique_lock lock(mu_);
  run_due_posted_ = false;
  while (!timers_.empty() && timers_.begin()->first.first <= now_) {
    auto node = timers_.extract(timers_.begin());
    deadlines_.erase(node.key().second);
    lock.unlock();
    node.mapped()();
    lock.lock();
  }
}

Millis ManualClock::advance(Millis ms) {
  std::lock_guard serial(advance_mu_);
  std::unique_lock lock(mu_);
  const Millis target = now_ + std::max<Millis>(ms, 0);
  while (!timers_.empty() && timers_.begin()->first.first <= target) {
    auto node = timers_.extract(timers_.begin());
    deadlines_.erase(node.key().second);
    now_ = std::max(now_, node.key().first);
    lock.unlock();
    node.mapped()();
    lock.lock();
  }
  now_ = target;
  return now_;
}

void ManualClock::cancel_all() {
  std::lock_guard lock(mu_);
  timers_.clear();
  deadlines_.clear();
}

std::size_t ManualClock::pending_timers() const {
  std::lock_guard lock(mu_);
  return timers_.size();
}

}  // namespace eb
