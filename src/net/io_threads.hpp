#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace eb::net {

// The daemon's I/O threads: one io_context per thread, each run by that thread alone (one
// event loop per core, as nginx runs one worker per core). A connection lives on one loop for
// its whole life, so its handlers never hop threads, take a strand's lock or wake another
// thread, and the loops share no scheduler queue. Work that belongs to no connection (timers,
// the HTTP client, signals, the acceptor) runs on main(), loop 0.
//
// Every loop keeps running while idle until stop(). Handlers may post to any loop from any
// thread.
class IoThreads {
 public:
  using Executor = boost::asio::io_context::executor_type;

  explicit IoThreads(unsigned count);
  ~IoThreads();  // stop() and join()
  IoThreads(const IoThreads&) = delete;
  IoThreads& operator=(const IoThreads&) = delete;

  std::size_t size() const { return loops_.size(); }
  boost::asio::io_context& main() { return loops_.front()->io; }
  // The loop for a new connection: round robin over all of them. Any thread.
  boost::asio::io_context& next();

  // Starts one thread per loop. A handler that throws ends its thread after on_failure is
  // called with the exception (on that thread).
  void start(std::function<void(const std::exception&)> on_failure = {});
  // Stops every loop (pending handlers stay queued); threads return from their run.
  void stop();
  void join();
  // After join(): runs what the stop left queued (aborted waits, closed sockets), so their
  // handlers run while what they reference still exists.
  void drain();

 private:
  struct Loop {
    boost::asio::io_context io{1};  // one thread: asio skips its multi-thread hand-offs
    std::optional<boost::asio::executor_work_guard<Executor>> work;
  };
  std::vector<std::unique_ptr<Loop>> loops_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace eb::net
