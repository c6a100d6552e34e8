#pragma once
// eb::Timers on an io_context: each schedule_at() is a steady_timer whose callback runs on
// one of the io_context's threads. Owns the timers not yet fired or cancelled. Thread-safe:
// every touch of a timer object happens under one mutex, so cancel() from any thread
// cannot race the timer's own completion.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "core/clock.hpp"

namespace eb::app {

class AsioTimers final : public Timers {
 public:
  // `clock` turns epoch deadlines into delays; both must outlive this object.
  AsioTimers(boost::asio::io_context& io, const Clock& clock);
  ~AsioTimers() override;

  Id schedule_at(Millis deadline, std::function<void()> fn) override;
  void cancel(Id id) override;
  // Cancels every pending timer (at shutdown): none of their callbacks will run.
  void cancel_all();
  std::size_t pending() const;

 private:
  // Shared with the pending completions, which may run (aborted) after this object is gone.
  struct State {
    std::mutex mu;
    Id next_id = 1;
    std::unordered_map<Id, std::unique_ptr<boost::asio::steady_timer>> timers;
  };

  boost::asio::io_context& io_;
  const Clock& clock_;
  std::shared_ptr<State> state_;
};

}  // namespace eb::app
