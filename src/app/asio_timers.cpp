#include "app/asio_timers.hpp"

#include <algorithm>

namespace eb::app {

AsioTimers::AsioTimers(boost::asio::io_context& io, const Clock& clock)
    : io_(io), clock_(clock), state_(std::make_shared<State>()) {}

AsioTimers::~AsioTimers() { cancel_all(); }

Timers::Id AsioTimers::schedule_at(Millis deadline, std::function<void()> fn) {
  const Millis delay = std::max<Millis>(0, deadline - clock_.now_ms());
  std::lock_guard lock(state_->mu);
  const Id id = state_->next_id++;
  auto timer = std::make_unique<boost::asio::steady_timer>(io_);
  timer->expires_after(std::chrono::milliseconds(delay));
  // The completion erases its own entry first; if cancel() got there before, the entry is
  // gone and the callback is skipped even when the wait itself had already succeeded.
  timer->async_wait([state = state_, id, fn = std::move(fn)](boost::system::error_code ec) {
    {
      std::lock_guard lock(state->mu);
      if (state->timers.erase(id) == 0) return;
    }
    if (!ec) fn();
  });
  state_->timers.emplace(id, std::move(timer));
  return id;
}

void AsioTimers::cancel(Id id) {
  std::lock_guard lock(state_->mu);
  state_->timers.erase(id);  // destroying a steady_timer cancels its wait
}

void AsioTimers::cancel_all() {
  std::lock_guard lock(state_->mu);
  state_->timers.clear();
}

std::size_t AsioTimers::pending() const {
  std::lock_guard lock(state_->mu);
  return state_->timers.size();
}

}  // namespace eb::app
