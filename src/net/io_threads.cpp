#include "net/io_threads.hpp"

#include <algorithm>

namespace eb::net {

IoThreads::IoThreads(unsigned count) {
  loops_.reserve(std::max(count, 1u));
  for (unsigned i = 0; i < std::max(count, 1u); ++i) {
    auto loop = std::make_unique<Loop>();
    loop->work.emplace(loop->io.get_executor());
    loops_.push_back(std::move(loop));
  }
}

IoThreads::~IoThreads() {
  stop();
  join();
}

boost::asio::io_context& IoThreads::next() {
  return loops_[next_.fetch_add(1, std::memory_order_relaxed) % loops_.size()]->io;
}

void IoThreads::start(std::function<void(const std::exception&)> on_failure) {
  for (auto& loop : loops_) {
    threads_.emplace_back([&io = loop->io, on_failure] {
      try {
        io.run();
      } catch (const std::exception& e) {
        if (on_failure) on_failure(e);
      }
    });
  }
}

void IoThreads::stop() {
  for (auto& loop : loops_) {
    loop->work.reset();
    loop->io.stop();
  }
}

void IoThreads::join() {
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

void IoThreads::drain() {
  // A handler run on one loop may post to another already polled: go round until none runs.
  // (A poll that finds no work stops its io_context again, hence the restart before each.)
  for (std::size_t ran = 1; ran > 0;) {
    ran = 0;
    for (auto& loop : loops_) {
      loop->io.restart();
      ran += loop->io.poll();
    }
  }
}

}  // namespace eb::net
